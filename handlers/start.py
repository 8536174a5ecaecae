"""/start: what this bot does, the caller's role and commands."""

from __future__ import annotations

from telegram import Update
from telegram.ext import ContextTypes

from bot.views.help import start_text
from handlers.auth import caller_role, for_command
from handlers.common import reply


@for_command("start")
async def start(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    role = await caller_role(update, context)
    assert role is not None  # for_command let us in
    await reply(update, start_text(role))

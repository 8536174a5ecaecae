"""/digest: the daily digest, now (the daily job is in bot/runtime/jobs.py)."""

from __future__ import annotations

import logging

from telegram import Update
from telegram.ext import ContextTypes

from bot.grammar.commands import spec
from bot.runtime.deps import now, settings, store
from bot.runtime.jobs import gather, render, send_digest
from handlers.auth import for_command
from handlers.common import args_of, reply_usage

log = logging.getLogger(__name__)


@for_command("digest")
async def digest_now(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    chat = update.effective_chat
    if chat is None:
        return
    if args_of(context):  # an unknown word gets a reason and the usage, like every command
        word = args_of(context)[0][:40]
        await reply_usage(
            update, spec("digest").error(f"Unknown word '{word}': /digest takes none.")
        )
        return
    data = await gather(store(context), settings(context), now(context))
    await send_digest(context.bot, chat.id, await render(data))

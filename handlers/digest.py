"""/digest: the daily digest, now (the daily job is in bot/runtime/jobs.py)."""

from __future__ import annotations

from telegram import Update
from telegram.ext import ContextTypes

from bot.domain.errors import UsageError
from bot.grammar.digest import parse_digest
from bot.runtime.deps import now, settings, store
from bot.runtime.jobs import gather, render, send_digest
from handlers.auth import for_command
from handlers.common import args_of, reply_usage


@for_command("digest")
async def digest_now(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    chat = update.effective_chat
    if chat is None:
        return
    try:
        parse_digest(args_of(context))
    except UsageError as err:
        await reply_usage(update, err)
        return
    data = await gather(store(context), settings(context), now(context))
    await send_digest(context.bot, chat.id, await render(data))

"""/find: cases whose handle or note contains a text."""

from __future__ import annotations

from telegram import Update
from telegram.ext import ContextTypes

from bot.domain.accounts import AccountRef, parse_account
from bot.domain.errors import SearchTooSlow, UsageError
from bot.grammar.commands import spec
from bot.runtime.deps import settings, store
from bot.views.find import find_list
from handlers.auth import for_command
from handlers.common import reply, reply_usage, text_after_command

FIND_LIMIT = 20


MAX_FIND_TEXT = 200


@for_command("find")
async def find(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    text = " ".join(text_after_command(update).split())
    usage = spec("find").usage
    if not text:
        await reply_usage(update, UsageError("Give some text to look for.", usage))
        return
    if len(text) > MAX_FIND_TEXT:
        await reply_usage(update, UsageError(f"At most {MAX_FIND_TEXT} characters.", usage))
        return
    try:
        account: AccountRef | None = parse_account(text)
    except UsageError:
        account = None
    try:
        result = await store(context).cases.find(text.removeprefix("@"), account, limit=FIND_LIMIT)
    except SearchTooSlow:
        await reply(update, "That search took too long and was stopped: give more specific text.")
        return
    await reply(update, find_list(text, result, settings(context).timezone))

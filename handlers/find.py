"""/find: cases whose handle or note contains a text."""

from __future__ import annotations

from telegram import Update
from telegram.ext import ContextTypes

from bot.domain.errors import SearchTooSlow, UsageError
from bot.grammar.find import parse_find
from bot.runtime.deps import settings, store
from bot.views.find import TOO_SLOW, find_list
from handlers.auth import for_command
from handlers.common import reply, reply_usage, text_after_command

FIND_LIMIT = 20


@for_command("find")
async def find(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    try:
        query = parse_find(text_after_command(update))
    except UsageError as err:
        await reply_usage(update, err)
        return
    try:
        result = await store(context).cases.find(
            query.needle, query.account, limit=FIND_LIMIT, offset=(query.page - 1) * FIND_LIMIT
        )
    except SearchTooSlow:
        await reply(update, TOO_SLOW)
        return
    await reply(update, find_list(query.text, result, settings(context).timezone, page=query.page))

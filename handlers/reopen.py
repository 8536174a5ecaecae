"""/reopen <#id> <reason>: a dismissed case open again."""

from __future__ import annotations

from telegram import Update
from telegram.ext import ContextTypes

from bot.domain.errors import UsageError
from bot.domain.records import Refusal
from bot.grammar.reopen import parse_reopen
from bot.runtime.deps import now, store
from bot.views.common import esc
from bot.views.reopen import reopened
from handlers.auth import for_command
from handlers.common import reply, reply_usage, text_after_command


@for_command("reopen")
async def reopen(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    try:
        case_id, reason = parse_reopen(text_after_command(update))
    except UsageError as err:
        await reply_usage(update, err)
        return
    assert update.effective_user is not None
    result = await store(context).cases.reopen(
        case_id, reason, by=update.effective_user.id, at=now(context)
    )
    if isinstance(result, Refusal):
        await reply(update, esc(result.reason))
    else:
        await reply(update, reopened(result, reason))

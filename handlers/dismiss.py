"""/dismiss: close a case as not actionable."""

from __future__ import annotations

from telegram import (
    Update,
)
from telegram.ext import ContextTypes

from bot.domain.errors import UsageError
from bot.grammar.dismiss import parse_dismiss
from bot.runtime.deps import now, store
from bot.views.dismiss import dismiss_result
from handlers.auth import for_command
from handlers.common import reply, reply_usage, text_after_command


@for_command("dismiss")
async def dismiss(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    try:
        case_id, reason = parse_dismiss(text_after_command(update))
    except UsageError as err:
        await reply_usage(update, err)
        return
    assert update.effective_user is not None
    result = await store(context).cases.dismiss(
        case_id, reason, by=update.effective_user.id, at=now(context)
    )
    await reply(update, dismiss_result(result, reason))

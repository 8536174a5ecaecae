"""/correct <#id> <outcome> <reason>: change the outcome of the case's latest round."""

from __future__ import annotations

from telegram import Update
from telegram.ext import ContextTypes

from bot.domain.errors import UsageError
from bot.domain.records import Refusal
from bot.grammar.correct import CorrectCommand
from bot.runtime.deps import now, store
from bot.views.common import esc
from bot.views.correct import corrected_reply
from handlers.auth import for_command
from handlers.common import reply, reply_usage, text_after_command


@for_command("correct")
async def correct(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    try:
        cmd = CorrectCommand.parse(text_after_command(update))
    except UsageError as err:
        await reply_usage(update, err)
        return
    assert update.effective_user is not None
    result = await store(context).requests.correct(
        cmd.case_id, cmd.outcome, cmd.reason, by=update.effective_user.id, at=now(context)
    )
    if isinstance(result, Refusal):
        await reply(update, esc(result.reason))
    else:
        await reply(update, corrected_reply(result, cmd.reason))

"""/note <#id> <text>: a dated note on a case."""

from __future__ import annotations

from telegram import Update
from telegram.ext import ContextTypes

from bot.domain.errors import UsageError
from bot.domain.records import Refusal
from bot.grammar.note import parse_note
from bot.runtime.deps import now, store
from bot.views.common import esc
from bot.views.note import note_added
from handlers.auth import for_command
from handlers.common import reply, reply_usage, text_after_command


@for_command("note")
async def note(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    try:
        case_id, text = parse_note(text_after_command(update))
    except UsageError as err:
        await reply_usage(update, err)
        return
    assert update.effective_user is not None
    result = await store(context).cases.add_note(
        case_id, text, by=update.effective_user.id, at=now(context)
    )
    await reply(update, esc(result.reason) if isinstance(result, Refusal) else note_added(result))

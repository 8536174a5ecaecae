"""/outcome and the outcome buttons under a /request reply."""

from __future__ import annotations

import logging

from telegram import Message, Update
from telegram.error import BadRequest
from telegram.ext import ContextTypes

from bot.domain.errors import UsageError
from bot.domain.records import AlreadyRecorded, OutcomeRecorded, OutcomeResult, Refusal
from bot.grammar.commands import spec
from bot.grammar.outcome import OutcomeCommand
from bot.runtime.deps import now, settings, store
from bot.views import request as views
from bot.views.common import esc
from bot.views.outcome import already_recorded, button_answer, outcome_reply
from handlers.auth import check_role, for_command, shows_people
from handlers.common import keyboard_markup, reply, reply_usage, text_after_command


@for_command("outcome")
async def outcome(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    try:
        cmd = OutcomeCommand.parse(text_after_command(update))
    except UsageError as err:
        await reply_usage(update, err)
        return
    assert update.effective_user is not None
    requests = store(context).requests
    who, at = update.effective_user.id, now(context)
    result: OutcomeResult
    if cmd.outcome is None:
        result = await requests.restore(cmd.case_id, by=who, at=at, note=cmd.note)
    else:
        result = await requests.record_outcome(
            cmd.case_id, cmd.outcome, by=who, at=at, note=cmd.note
        )
    if isinstance(result, Refusal):
        await reply(update, esc(result.reason))
    elif isinstance(result, AlreadyRecorded):  # only button presses name a round
        await reply(update, esc(already_recorded(result)))
    else:
        await reply(update, outcome_reply(result, settings(context).timezone))


log = logging.getLogger(__name__)


async def outcome_button(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """A press of Removed / Restricted / Rejected / No response under a /request reply."""
    query = update.callback_query
    if query is None:
        return
    if not await check_role(update, context, spec("outcome").role):
        return  # refused, or silence in a chat the bot does not work in
    button = views.parse_button_data(query.data)
    if button is None:
        await query.answer("This button is no longer valid.")
        return
    assert update.effective_user is not None
    result = await store(context).requests.record_outcome(
        button.case_id,
        button.outcome,
        by=update.effective_user.id,
        at=now(context),
        round_no=button.round_no,
    )
    if isinstance(result, OutcomeRecorded):
        await query.answer(button_answer(result))
    elif isinstance(result, AlreadyRecorded):
        await query.answer(already_recorded(result), show_alert=True)
    else:
        assert isinstance(result, Refusal)
        await query.answer(result.reason[:190], show_alert=True)
    if isinstance(query.message, Message):
        show_people = await shows_people(update, context)
        await _refresh(query.message, (button.case_id, button.round_no), context, show_people)


async def _refresh(
    message: Message,
    pressed: tuple[int, int],
    context: ContextTypes.DEFAULT_TYPE,
    show_people: bool,
) -> None:
    """Rebuild the request message from the database: outcomes shown, their buttons gone."""
    keys = views.round_keys(message.text or "")
    if pressed not in keys:
        keys.append(pressed)
    rounds = await store(context).requests.rounds(keys)
    if not rounds:
        return
    text, keyboard = views.request_message(
        rounds, settings(context).timezone, show_people=show_people
    )
    try:
        await message.edit_text(text, reply_markup=keyboard_markup(keyboard))
    except BadRequest as err:
        if "not modified" not in str(err):
            raise
        log.debug("request message %s already up to date", message.message_id)

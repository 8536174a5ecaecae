"""/request, /outcome, the outcome buttons and /pending."""

from __future__ import annotations

import logging

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Message, Update
from telegram.error import BadRequest
from telegram.ext import ContextTypes

from bot.domain.errors import UsageError
from bot.grammar.commands import spec
from bot.grammar.request import OutcomeCommand, PendingCommand, RequestCommand
from bot.runtime.deps import now, settings, store
from bot.views import request as views
from bot.views.common import esc
from handlers.auth import check_role, for_command
from handlers.common import args_of, reply, reply_usage, text_after_command
from storage.requests import AlreadyRecorded, OutcomeRecorded, OutcomeResult, Refusal

log = logging.getLogger(__name__)


def _markup(keyboard: views.Keyboard) -> InlineKeyboardMarkup | None:
    if not keyboard:
        return None
    return InlineKeyboardMarkup(
        [
            [InlineKeyboardButton(label, callback_data=data) for label, data in row]
            for row in keyboard
        ]
    )


@for_command("request")
async def request(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    try:
        cmd = RequestCommand.parse(args_of(context))
    except UsageError as err:
        await reply_usage(update, err)
        return
    assert update.effective_user is not None
    batch = await store(context).requests.open_rounds(
        cmd.case_ids, by=update.effective_user.id, at=now(context), ref=cmd.ref
    )
    tz = settings(context).timezone
    for chunk in views.chunks(batch.opened):
        text, keyboard = views.request_message(chunk, tz)
        await reply(update, text, reply_markup=_markup(keyboard))
    if batch.refused:
        await reply(update, views.refusals_text(batch.refused, opened=len(batch.opened)))


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
        await reply(update, esc(views.already_recorded(result)))
    else:
        await reply(update, views.outcome_reply(result, settings(context).timezone))


async def outcome_button(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """A press of Removed / Restricted / Rejected / No response under a /request reply."""
    query = update.callback_query
    if query is None:
        return
    button = views.parse_button_data(query.data)
    if button is None:
        await query.answer("This button is no longer valid.")
        return
    if not await check_role(update, context, spec("outcome").role):
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
        await query.answer(views.button_answer(result))
    elif isinstance(result, AlreadyRecorded):
        await query.answer(views.already_recorded(result), show_alert=True)
    else:
        assert isinstance(result, Refusal)
        await query.answer(result.reason[:190], show_alert=True)
    if isinstance(query.message, Message):
        await _refresh(query.message, (button.case_id, button.round_no), context)


async def _refresh(
    message: Message, pressed: tuple[int, int], context: ContextTypes.DEFAULT_TYPE
) -> None:
    """Rebuild the request message from the database: outcomes shown, their buttons gone."""
    keys = views.round_keys(message.text or "")
    if pressed not in keys:
        keys.append(pressed)
    rounds = await store(context).requests.rounds(keys)
    if not rounds:
        return
    text, keyboard = views.request_message(rounds, settings(context).timezone)
    try:
        await message.edit_text(text, reply_markup=_markup(keyboard))
    except BadRequest as err:
        if "not modified" not in str(err):
            raise
        log.debug("request message %s already up to date", message.message_id)


@for_command("pending")
async def pending(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    try:
        cmd = PendingCommand.parse(args_of(context))
    except UsageError as err:
        await reply_usage(update, err)
        return
    config = settings(context)
    listing = await store(context).requests.pending(
        now=now(context), sla=config.sla, platform=cmd.platform, overdue_only=cmd.overdue_only
    )
    await reply(
        update,
        views.pending_text(
            listing, platform=cmd.platform, overdue_only=cmd.overdue_only, sla=config.sla
        ),
    )

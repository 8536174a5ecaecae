"""/packet <platform> [pending|#id...]: a request packet (CSV + letter) for one platform, and
its "mark these as requested" button, which opens the rounds with the packet's reference."""

from __future__ import annotations

import contextlib

from telegram import Update
from telegram.error import BadRequest
from telegram.ext import ContextTypes

from bot.domain.errors import UsageError
from bot.grammar.commands import spec
from bot.grammar.packet import CALLBACK_PATTERN, button_data, parse_button_data, parse_packet
from bot.runtime.deps import now, settings, store
from bot.views import packet as packets
from bot.views import request as views
from bot.views.common import esc, local_time
from handlers.auth import check_role, for_command, shows_people
from handlers.common import args_of, keyboard_markup, reply, reply_usage

MARK_LABEL = "Mark these as requested"
PATTERN = CALLBACK_PATTERN


@for_command("packet")
async def packet(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    try:
        platform, case_ids = parse_packet(args_of(context))
    except UsageError as err:
        await reply_usage(update, err)
        return
    assert update.effective_user is not None and update.effective_chat is not None
    tz = settings(context).timezone
    at = now(context)
    result = await store(context).packets.create(
        platform, case_ids, by=update.effective_user.id, at=at, tz=tz
    )
    skipped = "\n".join(f"#{r.case_id}: {esc(r.reason)}" for r in result.skipped)
    if result.packet_id is None:
        text = f"Nothing to put in the {platform.label} packet: no flagged or refused case"
        text += " left." if not result.skipped else " among those:\n" + skipped
        await reply(update, text)
        return
    count = len(result.rows)
    summary = f"{esc(result.ref)}: {count} {platform.label} account{'s' if count != 1 else ''}"
    chat = update.effective_chat
    await chat.send_document(
        document=packets.packet_csv(result.rows, result.ref, tz),
        filename=packets.file_name(result.ref, "csv"),
        caption=f"Request packet {summary} (CSV)",
    )
    letter = packets.packet_letter(result.rows, result.ref, platform, at, tz)
    await chat.send_document(
        document=letter.encode("utf-8"),
        filename=packets.file_name(result.ref, "txt"),
        caption=f"Letter for {summary}. Once submitted, record the requests with "
        f"ref={esc(result.ref)}:",
        reply_markup=keyboard_markup([[(MARK_LABEL, button_data(result.packet_id))]]),
    )
    notes = []
    if result.skipped:
        notes.append("<b>Left out:</b>\n" + skipped)
    if result.more:
        notes.append(f"{result.more} more pending: send /packet {platform.value} again later.")
    if notes:
        await reply(update, "\n".join(notes))


async def mark_requested_button(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """The press of "Mark these as requested" under a packet's letter."""
    query = update.callback_query
    if query is None or not await check_role(update, context, spec("packet").role):
        return
    packet_id = parse_button_data(query.data)
    assert update.effective_user is not None
    result = (
        None
        if packet_id is None
        else await store(context).packets.mark_requested(
            packet_id, by=update.effective_user.id, at=now(context)
        )
    )
    tz = settings(context).timezone
    if result is None:
        await query.answer("This packet is unknown.", show_alert=True)
        return
    if result.batch is None:
        when = local_time(result.marked_at, tz) if result.marked_at else "earlier"
        await query.answer(f"{result.ref} was already marked as requested ({when}).")
        await _drop_button(update)
        return
    opened = len(result.batch.opened)
    await query.answer(f"{result.ref}: {opened} request{'s' if opened != 1 else ''} recorded.")
    await _drop_button(update)
    show_people = await shows_people(update, context)
    for chunk in views.chunks(result.batch.opened):
        text, keyboard = views.request_message(chunk, tz, show_people=show_people)
        await reply(update, text, reply_markup=keyboard_markup(keyboard))
    if result.batch.refused:
        await reply(update, views.refusals_text(result.batch.refused, opened=opened))


async def _drop_button(update: Update) -> None:
    assert update.callback_query is not None
    with contextlib.suppress(BadRequest):  # already without the button (a second press)
        await update.callback_query.edit_message_reply_markup(reply_markup=None)

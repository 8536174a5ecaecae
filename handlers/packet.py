"""/packet <platform> [pending|#id...]: a request packet (CSV, letter and, where the cases
have evidence files, zips of them with a manifest) for one platform, and its "mark these as
requested" button, which opens the rounds with the packet's reference."""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
from collections.abc import Sequence
from pathlib import Path

from telegram import Update
from telegram.error import BadRequest
from telegram.ext import ContextTypes

from bot.domain.errors import UsageError
from bot.domain.evidence import zip_parts
from bot.domain.packets import PACKET_PAGE, Letterhead, PacketFile, PacketRow
from bot.grammar.commands import spec
from bot.grammar.packet import CALLBACK_PATTERN, button_data, parse_button_data, parse_packet
from bot.runtime.deps import now, settings, store
from bot.runtime.evidence import read_kept
from bot.views import packet as packets
from bot.views import request as views
from handlers.auth import check_role, for_command, shows_people
from handlers.common import args_of, keyboard_markup, reply, reply_usage

PATTERN = CALLBACK_PATTERN


@for_command("packet")
async def packet(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    try:
        platform, case_ids = parse_packet(args_of(context))
    except UsageError as err:
        await reply_usage(update, err)
        return
    assert update.effective_user is not None and update.effective_chat is not None
    config = settings(context)
    tz = config.timezone
    at = now(context)
    result = await store(context).packets.create(
        platform, case_ids, by=update.effective_user.id, at=at, tz=tz
    )
    if result.packet_id is None:
        await reply(update, packets.nothing_to_send(result, platform, tz))
        return
    files, unreadable = await asyncio.to_thread(_read_files, result.rows, config.evidence_dir)
    parts = zip_parts(files, [kept.size for kept, _ in files])
    zips = [packets.zip_name(result.ref, n, len(parts)) for n in range(1, len(parts) + 1)]
    chat = update.effective_chat
    await chat.send_document(
        document=packets.packet_csv(result.rows, result.ref, tz),
        filename=packets.file_name(result.ref, "csv"),
        caption=packets.csv_caption(result, platform),
    )
    for name, part in zip(zips, parts, strict=True):
        await chat.send_document(
            document=packets.evidence_zip(part, result.rows),
            filename=name,
            caption=packets.zip_caption(result, len(part)),
        )
    head = Letterhead(config.unit_name, config.legal_basis, config.contact)
    letter = packets.packet_letter(result.rows, result.ref, platform, at, tz, head, zips)
    await chat.send_document(
        document=letter.encode("utf-8"),
        filename=packets.file_name(result.ref, "txt"),
        caption=packets.letter_caption(result, platform),
        reply_markup=keyboard_markup([[(packets.MARK_LABEL, button_data(result.packet_id))]]),
    )
    notes = packets.packet_notes(result, platform, tz, PACKET_PAGE, unreadable)
    if notes:
        await reply(update, notes)


def _read_files(
    rows: Sequence[PacketRow], folder: Path
) -> tuple[list[tuple[PacketFile, bytes]], list[PacketFile]]:
    """The packet's evidence files from EVIDENCE_DIR, each as captured (its SHA-256 checked);
    the ones gone or changed are left out and named."""
    found, unreadable = [], []
    for row in rows:
        for kept in row.files:
            data = read_kept(folder, kept.name)
            if data is None or hashlib.sha256(data).hexdigest() != kept.sha256:
                unreadable.append(kept)
            else:
                found.append((kept, data))
    return found, unreadable


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
    if result is None:
        await query.answer(packets.UNKNOWN_PACKET, show_alert=True)
        return
    tz = settings(context).timezone
    await query.answer(packets.mark_answer(result, tz))
    await _drop_button(update)
    if result.batch is None:
        return
    show_people = await shows_people(update, context)
    for chunk in views.chunks(result.batch.opened):
        text, keyboard = views.request_message(chunk, tz, show_people=show_people)
        await reply(update, text, reply_markup=keyboard_markup(keyboard))
    if result.batch.refused:
        opened = len(result.batch.opened)
        await reply(update, views.refusals_text(result.batch.refused, opened=opened))


async def _drop_button(update: Update) -> None:
    assert update.callback_query is not None
    with contextlib.suppress(BadRequest):  # already without the button (a second press)
        await update.callback_query.edit_message_reply_markup(reply_markup=None)

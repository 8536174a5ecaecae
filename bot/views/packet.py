"""Request packets: what a reviewer submits to one platform, as a CSV and a plain-text letter,
and the /packet replies around them.

Pure: the rows come from storage/packets.py; this module only writes them out. Each packet
carries a round reference (`TD-x-20261102-1`) that "mark these as requested" records on the
rounds it opens, so a platform's answer quoting the reference leads back to the cases.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import zipfile
from collections.abc import Sequence
from zoneinfo import ZoneInfo

from bot.domain import Platform
from bot.domain.packets import EarlierRequest, Letterhead, PacketFile, PacketRow, Recreates
from bot.domain.records import MarkResult, PacketResult
from bot.domain.text import one_line as _one_line
from bot.grammar.import_ import neutralise
from bot.views.common import esc, local_time

CSV_HEADER = (
    "no",
    "reference",
    "case",
    "platform",
    "url",
    "group",
    "category",
    "followers",
    "first_seen",
    "content_links",
    "earlier_requests",
    "recreates_removed_account",
    "evidence_files",
)


def _followers(value: int | None) -> str:
    return "" if value is None else str(value)


def _day(when: dt.datetime, tz: ZoneInfo) -> str:
    return when.astimezone(tz).strftime("%Y-%m-%d")


def _earlier(request: EarlierRequest, tz: ZoneInfo) -> str:
    ref = f", reference {_one_line(request.ref)}" if request.ref else ""
    outcome = (request.outcome or "no answer yet").replace("_", " ")
    return f"request {request.round_no} sent {_day(request.sent_at, tz)}{ref}: {outcome}"


def _recreates(original: Recreates, tz: ZoneInfo) -> str:
    how = original.outcome or "actioned"
    when = f" on {_day(original.actioned_at, tz)}" if original.actioned_at else ""
    ref = f" under reference {_one_line(original.ref)}" if original.ref else ""
    return f"{original.account.url} ({original.account.platform.label}), {how}{when}{ref}"


def packet_csv(rows: Sequence[PacketRow], ref: str, tz: ZoneInfo) -> bytes:
    """UTF-8 CSV with a header row, one line per account, numbered in packet order.

    A cell a spreadsheet would read as a formula (=, +, -, @) is prefixed with '.
    """
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(CSV_HEADER)
    for number, row in enumerate(rows, start=1):
        writer.writerow(
            [
                neutralise(str(value))
                for value in (
                    number,
                    ref,
                    f"#{row.case_id}",
                    row.account.platform.label,
                    row.account.url,
                    row.group,
                    row.category,
                    _followers(row.followers),
                    _day(row.first_seen, tz),
                    " ".join(row.links),
                    "; ".join(_earlier(request, tz) for request in row.earlier),
                    "; ".join(_recreates(original, tz) for original in row.recreates),
                    len(row.files),
                )
            ]
        )
    return out.getvalue().encode("utf-8")


def packet_letter(
    rows: Sequence[PacketRow],
    ref: str,
    platform: Platform,
    when: dt.datetime,
    tz: ZoneInfo,
    head: Letterhead,
    zips: Sequence[str] = (),
) -> str:
    """The plain-text letter to the platform's trust & safety team, headed and signed with
    UNIT_NAME, LEGAL_BASIS and CONTACT. Only what is written for the platform: no member's
    note, name or id (PRODUCT.md, "Request packets")."""
    label = platform.label
    count = f"{len(rows)} account{'s' if len(rows) != 1 else ''}"
    listed = f"{len(rows)} {label} account{'s' if len(rows) != 1 else ''}"
    lines = [_one_line(head.unit_name)]
    if head.contact:
        lines.append(f"Contact: {_one_line(head.contact)}")
    lines += [
        "",
        f"To: {label} Trust & Safety",
        f"Reference: {ref}",
        f"Date: {_day(when, tz)}",
        f"Subject: Removal request for {count} linked to banned militant organisations",
        "",
        "Dear colleagues,",
        "",
        f"We request the review and removal of the following {listed}, which "
        "we have found publishing content for proscribed militant organisations.",
    ]
    if head.legal_basis:
        lines += ["", f"Legal basis: {_one_line(head.legal_basis)}"]
    lines += [
        "",
        "Each entry gives the account's profile URL, the organisation it is linked to, the "
        "kind of content, its follower count when reported, the date we first saw it, the "
        "posts we found, our earlier requests about it and, where it re-creates an account "
        "you removed before, that account.",
        "",
    ]
    for number, row in enumerate(rows, start=1):
        lines += _entry(number, row, tz)
    if zips:
        lines += [
            "Evidence files (captured when seen, named by their SHA-256, listed with the hash "
            "and capture time in the manifest inside): " + ", ".join(zips),
            "",
        ]
    lines += [
        f"Please quote the reference {ref} in your reply, with the action taken for each account.",
        "",
        "Regards,",
        "",
        _one_line(head.unit_name),
    ]
    if head.contact:
        lines.append(_one_line(head.contact))
    return "\n".join(lines) + "\n"


def _entry(number: int, row: PacketRow, tz: ZoneInfo) -> list[str]:
    followers = "unknown" if row.followers is None else f"{row.followers:,}"
    lines = [
        f"{number}. {row.account.url}",
        f"   Organisation: {row.group}; content: {row.category}; followers: {followers}",
        f"   First seen: {_day(row.first_seen, tz)} (our case #{row.case_id})",
    ]
    if row.links:
        lines.append("   Content:")
        lines += [f"     {url}" for url in row.links]
    for original in row.recreates:
        lines.append(f"   Re-creates the account {_recreates(original, tz)}")
    for request in row.earlier:
        lines.append(f"   Earlier: {_earlier(request, tz)}")
    if row.files:
        lines.append(f"   Evidence files: {len(row.files)} (see the zip)")
    return [*lines, ""]


# ------------------------------------------------------------------------------ evidence zip

MANIFEST_HEADER = ("file", "sha256", "captured_at_utc", "case", "account", "type", "bytes")


def zip_name(ref: str, part: int, parts: int) -> str:
    return f"{ref}-evidence.zip" if parts == 1 else f"{ref}-evidence-{part}of{parts}.zip"


def evidence_zip(files: Sequence[tuple[PacketFile, bytes]], rows: Sequence[PacketRow]) -> bytes:
    """A zip of the files (stored, not compressed: media does not shrink) and manifest.csv
    with each file's SHA-256 and capture time (UTC)."""
    accounts = {row.case_id: row.account.url for row in rows}
    manifest = io.StringIO()
    writer = csv.writer(manifest, lineterminator="\r\n")
    writer.writerow(MANIFEST_HEADER)
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_STORED) as archive:
        for kept, data in files:
            captured = kept.captured_at.astimezone(dt.UTC)
            info = zipfile.ZipInfo(kept.name, date_time=captured.timetuple()[:6])
            archive.writestr(info, data)
            writer.writerow(
                [
                    kept.name,
                    kept.sha256,
                    captured.strftime("%Y-%m-%dT%H:%M:%SZ"),
                    f"#{kept.case_id}",
                    accounts.get(kept.case_id, ""),
                    kept.mime_type,
                    kept.size,
                ]
            )
        first = min((kept.captured_at for kept, _ in files), default=dt.datetime(2000, 1, 1))
        info = zipfile.ZipInfo("manifest.csv", date_time=first.astimezone(dt.UTC).timetuple()[:6])
        archive.writestr(info, manifest.getvalue().encode("utf-8"))
    return out.getvalue()


def file_name(ref: str, extension: str) -> str:
    return f"{ref}.{extension}"


# ------------------------------------------------------------------------------ chat replies

MARK_LABEL = "Mark these as requested"


def _skipped(result: PacketResult) -> str:
    return "\n".join(f"#{r.case_id}: {esc(r.reason)}" for r in result.skipped)


def nothing_to_send(result: PacketResult, platform: Platform, tz: ZoneInfo) -> str:
    """The reply when no asked-for case may go in a packet (nothing written)."""
    text = f"Nothing to put in the {platform.label} packet: no flagged or refused case"
    text += " left." if not result.skipped else " among those:\n" + _skipped(result)
    return text + ("\n" + held_note(result, platform, tz) if result.held else "")


def _summary(result: PacketResult, platform: Platform) -> str:
    count = len(result.rows)
    return f"{esc(result.ref)}: {count} {platform.label} account{'s' if count != 1 else ''}"


def csv_caption(result: PacketResult, platform: Platform) -> str:
    return f"Request packet {_summary(result, platform)} (CSV)"


def letter_caption(result: PacketResult, platform: Platform) -> str:
    return (
        f"Letter for {_summary(result, platform)}. Once submitted, record the requests with "
        f"ref={esc(result.ref)}:"
    )


HELD_SHOWN = 20


def zip_caption(result: PacketResult, files: int) -> str:
    return (
        f"Evidence for {esc(result.ref)}: {files} file{'s' if files != 1 else ''} and "
        "manifest.csv (SHA-256, capture time)"
    )


def packet_notes(
    result: PacketResult,
    platform: Platform,
    tz: ZoneInfo,
    page: int,
    unreadable: Sequence[PacketFile] = (),
) -> str:
    """What follows the documents: the cases left out, those already in a packet, evidence
    files that could not be read, and how many pending ones wait; or ""."""
    notes = []
    if unreadable:
        shown = ", ".join(f"#{kept.case_id} {esc(kept.name)}" for kept in unreadable[:10])
        notes.append(
            "Not in the zip (gone from EVIDENCE_DIR or no longer matching its SHA-256): " + shown
        )
    if result.skipped:
        notes.append("<b>Left out:</b>\n" + _skipped(result))
    if result.held:
        notes.append(held_note(result, platform, tz))
    if result.more:
        notes.append(
            f"{result.more} more pending: send /packet {platform.value} again for the next "
            f"{min(result.more, page)}."
        )
    return "\n".join(notes)


def held_note(result: PacketResult, platform: Platform, tz: ZoneInfo) -> str:
    """The cases already in an unmarked packet of the last 7 days, by packet."""
    by_packet: dict[tuple[str, dt.datetime], list[int]] = {}
    for held in result.held:
        by_packet.setdefault((held.ref, held.created_at), []).append(held.case_id)
    listed = result.packet_id is not None
    lines = []
    for (ref, created), case_ids in by_packet.items():
        shown = ", ".join(f"#{case_id}" for case_id in case_ids[:HELD_SHOWN])
        if len(case_ids) > HELD_SHOWN:
            shown += f" and {len(case_ids) - HELD_SHOWN} more"
        lines.append(f"{shown}: already in {esc(ref)} of {local_time(created, tz)}")
    asked = any(held.case_id in {row.case_id for row in result.rows} for held in result.held)
    tail = "listed again as you asked for them" if asked and listed else "not listed again"
    return (
        "<b>Already in a packet of the last 7 days not marked as requested</b> "
        f"({tail}; press its button once it is submitted):\n" + "\n".join(lines)
    )


UNKNOWN_PACKET = "This packet is unknown."


def mark_answer(result: MarkResult, tz: ZoneInfo) -> str:
    """The answer to a press of "Mark these as requested" (a short popup text, no HTML)."""
    if result.batch is None:
        when = local_time(result.marked_at, tz) if result.marked_at else "earlier"
        return f"{result.ref} was already marked as requested ({when})."
    opened = len(result.batch.opened)
    return f"{result.ref}: {opened} request{'s' if opened != 1 else ''} recorded."

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
from collections.abc import Sequence
from zoneinfo import ZoneInfo

from bot.domain import Platform
from bot.domain.packets import PacketRow
from bot.domain.records import MarkResult, PacketResult
from bot.domain.text import one_line as _one_line
from bot.grammar.import_ import neutralise
from bot.views.common import esc, local_time

SUMMARY_LIMIT = 300

CSV_HEADER = (
    "no",
    "reference",
    "case",
    "platform",
    "account",
    "url",
    "group",
    "category",
    "followers",
    "first_seen",
    "evidence_summary",
)


def evidence_summary(row: PacketRow) -> str:
    """One line: how many reports and kept messages, and what they say (shortened)."""
    parts = [f"{row.report_count} report{'s' if row.report_count != 1 else ''}"]
    if row.evidence_count:
        parts.append(f"{row.evidence_count} kept message{'s' if row.evidence_count != 1 else ''}")
    said = [_one_line(text) for text in (*row.notes, *row.evidence_texts) if text.strip()]
    summary = "; ".join(parts)
    if said:
        summary += ": " + " | ".join(dict.fromkeys(said))
    if len(summary) > SUMMARY_LIMIT:
        summary = summary[: SUMMARY_LIMIT - 1] + "…"
    return summary


def _followers(value: int | None) -> str:
    return "" if value is None else str(value)


def _day(when: dt.datetime, tz: ZoneInfo) -> str:
    return when.astimezone(tz).strftime("%Y-%m-%d")


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
                    row.account.short,
                    row.account.url,
                    row.group,
                    row.category,
                    _followers(row.followers),
                    _day(row.first_seen, tz),
                    evidence_summary(row),
                )
            ]
        )
    return out.getvalue().encode("utf-8")


def packet_letter(
    rows: Sequence[PacketRow], ref: str, platform: Platform, when: dt.datetime, tz: ZoneInfo
) -> str:
    """The plain-text letter to the platform's trust & safety team."""
    label = platform.label
    lines = [
        f"To: {label} Trust & Safety",
        f"Reference: {ref}",
        f"Date: {_day(when, tz)}",
        f"Subject: Removal request for {len(rows)} account{'s' if len(rows) != 1 else ''} "
        "linked to banned militant organisations",
        "",
        "Dear colleagues,",
        "",
        f"We request the review and removal of the following {label} accounts, which our "
        "team has found publishing content for proscribed militant organisations. Each entry "
        "lists the account, the organisation it is linked to, the kind of content, its "
        "follower count when reported, the date we first saw it and a summary of the evidence.",
        "",
    ]
    for number, row in enumerate(rows, start=1):
        followers = "unknown" if row.followers is None else f"{row.followers:,}"
        lines += [
            f"{number}. {row.account.url}",
            f"   Account: {row.account.short} (our case #{row.case_id})",
            f"   Organisation: {row.group}; content: {row.category}; followers: {followers}",
            f"   First seen: {_day(row.first_seen, tz)}",
            f"   Evidence: {evidence_summary(row)}",
            "",
        ]
    lines += [
        f"Please quote the reference {ref} in your reply, with the action taken for each account.",
        "",
        "Regards,",
        "Takedown Desk",
        "",
    ]
    return "\n".join(lines)


def file_name(ref: str, extension: str) -> str:
    return f"{ref}.{extension}"


# ------------------------------------------------------------------------------ chat replies

MARK_LABEL = "Mark these as requested"


def _skipped(result: PacketResult) -> str:
    return "\n".join(f"#{r.case_id}: {esc(r.reason)}" for r in result.skipped)


def nothing_to_send(result: PacketResult, platform: Platform) -> str:
    """The reply when no asked-for case may go in a packet (nothing written)."""
    text = f"Nothing to put in the {platform.label} packet: no flagged or refused case"
    return text + (" left." if not result.skipped else " among those:\n" + _skipped(result))


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


def packet_notes(result: PacketResult, platform: Platform) -> str:
    """What follows the documents: the cases left out and how many pending ones wait; or ""."""
    notes = []
    if result.skipped:
        notes.append("<b>Left out:</b>\n" + _skipped(result))
    if result.more:
        notes.append(f"{result.more} more pending: send /packet {platform.value} again later.")
    return "\n".join(notes)


UNKNOWN_PACKET = "This packet is unknown."


def mark_answer(result: MarkResult, tz: ZoneInfo) -> str:
    """The answer to a press of "Mark these as requested" (a short popup text, no HTML)."""
    if result.batch is None:
        when = local_time(result.marked_at, tz) if result.marked_at else "earlier"
        return f"{result.ref} was already marked as requested ({when})."
    opened = len(result.batch.opened)
    return f"{result.ref}: {opened} request{'s' if opened != 1 else ''} recorded."

"""Request packets: what a reviewer submits to one platform, as a CSV and a plain-text letter.

Pure: the rows come from storage/packets.py; this module only writes them out. Each packet
carries a round reference (`TD-x-20261102-1`) that "mark these as requested" records on the
rounds it opens, so a platform's answer quoting the reference leads back to the cases.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from zoneinfo import ZoneInfo

from bot.domain import Platform
from bot.domain.accounts import AccountRef
from bot.grammar.import_ import neutralise

MAX_PACKET_CASES = 500
CALLBACK_PREFIX = "pk"
CALLBACK_PATTERN = r"^pk:\d+$"
_CALLBACK = re.compile(CALLBACK_PATTERN)
MAX_ID_DIGITS = 12
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


@dataclass(frozen=True)
class PacketRow:
    case_id: int
    account: AccountRef
    group: str
    category: str
    followers: int | None
    first_seen: dt.datetime
    report_count: int
    notes: Sequence[str] = field(default_factory=tuple)  # the reporters' notes, oldest first
    evidence_count: int = 0
    evidence_texts: Sequence[str] = field(default_factory=tuple)  # kept messages' text


def round_ref(platform: Platform, day: dt.date, number: int) -> str:
    """`TD-<platform>-<YYYYMMDD>-<n>`: the n-th packet for that platform that local day."""
    return f"TD-{platform.value}-{day:%Y%m%d}-{number}"


def ref_prefix(platform: Platform, day: dt.date) -> str:
    return f"TD-{platform.value}-{day:%Y%m%d}-"


def button_data(packet_id: int) -> str:
    return f"{CALLBACK_PREFIX}:{packet_id}"


def parse_button_data(data: str | None) -> int | None:
    if data is None or not _CALLBACK.match(data):
        return None
    digits = data.split(":", 1)[1]
    if not digits.isascii() or len(digits) > MAX_ID_DIGITS:  # SQLite integers are 64-bit
        return None
    return int(digits)


def _one_line(text: str) -> str:
    return " ".join(text.split())


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

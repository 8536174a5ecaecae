"""The /find reply: the cases that match, newest first. HTML."""

from __future__ import annotations

from zoneinfo import ZoneInfo

from bot.domain.records import (
    FindResult,
)
from bot.views.common import account_link, esc, local_time, one_line

TOO_SLOW = "That search took too long and was stopped: give more specific text."


def find_list(text: str, result: FindResult, tz: ZoneInfo) -> str:
    if not result.cases:
        return f"No cases match “{one_line(text, 60)}”."
    shown = len(result.cases)
    head = (
        f"<b>{result.total} case{'s' if result.total != 1 else ''}</b> match “{one_line(text, 60)}”"
    )
    if result.total > shown:
        head += f" (newest {shown} shown)"
    lines = [head + ":"]
    for case in result.cases:
        lines.append(
            f"#{case.id} {account_link(case.account)} · {esc(case.group)} · "
            f"{esc(case.state)} · {case.report_count} report{'s' if case.report_count != 1 else ''}"
            f" · {local_time(case.created_at, tz)}"
        )
    return "\n".join(lines)

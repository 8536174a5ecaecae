"""The /find reply: the cases that match, newest first, a page at a time. HTML."""

from __future__ import annotations

from zoneinfo import ZoneInfo

from bot.domain.records import FindResult
from bot.views.common import account_link, esc, local_time, one_line, page_footer, plural

TOO_SLOW = "That search took too long and was stopped: give more specific text."


def find_list(text: str, result: FindResult, tz: ZoneInfo, *, page: int) -> str:
    if result.total == 0:
        return f"No cases match “{one_line(text, 60)}”."
    verb = "matches" if result.total == 1 else "match"
    lines = [f"<b>{plural(result.total, 'case')}</b> {verb} “{one_line(text, 60)}”, newest first:"]
    for case in result.cases:
        lines.append(
            f"#{case.id} {account_link(case.account)} · {esc(case.group)} · "
            f"{esc(case.state)} · {plural(case.report_count, 'report')}"
            f" · {local_time(case.created_at, tz)}"
        )
    footer = page_footer(
        result.total,
        result.offset,
        len(result.cases),
        f"/find {' '.join(text.split())} page={page + 1}",
    )
    return "\n".join([*lines, footer] if footer else lines)

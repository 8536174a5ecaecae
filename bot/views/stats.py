"""The /stats reply: the compliance table per platform or group, with its window line. HTML."""

from __future__ import annotations

from zoneinfo import ZoneInfo

from bot.domain import Platform
from bot.domain.compliance import (
    Breakdown,
    Figures,
    Table,
    Window,
)
from bot.grammar.stats import StatsQuery
from bot.views.common import esc, local_time, truncate
from bot.views.figures import format_compliance, format_count, format_median


def _label(by: Breakdown, key: str) -> str:
    if by == "platform":
        try:
            return Platform(key).label
        except ValueError:
            return key
    return key


def table_lines(table: Table, by: Breakdown) -> list[str]:
    """The fixed-width table (inside <pre>, escaped): one row per key, then the total."""
    headers = [
        "platform" if by == "platform" else "group",
        "sent",
        "act",
        "rej",
        "exp",
        "pend",
        "wdr",
        "compliance",
        "median",
    ]

    def cells(name: str, fig: Figures) -> list[str]:
        return [
            truncate(name, 14),
            format_count(fig.sent),
            format_count(fig.actioned),
            format_count(fig.rejected),
            format_count(fig.expired),
            format_count(fig.pending),
            format_count(fig.withdrawn),
            format_compliance(fig),
            format_median(fig),
        ]

    rows = [cells(_label(by, key), fig) for key, fig in table.rows.items()]
    rows.append(cells("Total", table.total))
    widths = [max(len(row[i]) for row in [headers, *rows]) for i in range(len(headers))]

    def line(row: list[str]) -> str:
        first = row[0].ljust(widths[0])
        rest = [cell.rjust(width) for cell, width in zip(row[1:], widths[1:], strict=True)]
        return esc("  ".join([first, *rest]).rstrip())

    body = [line(headers), *[line(row) for row in rows]]
    body[0] = "<pre>" + body[0]
    body[-1] = body[-1] + "</pre>"
    return body


def window_line(win: Window, tz: ZoneInfo, sla_hours: int) -> str:
    span = (
        f"sent up to {local_time(win.end, tz)}"
        if win.start is None
        else f"sent {local_time(win.start, tz)} – {local_time(win.end, tz)}"
    )
    return (
        f"Figures as of {local_time(win.end, tz)} ({esc(tz.key)}). Requests {span}. "
        "Compliance = actioned / (actioned + rejected + expired), pending and withdrawn (wdr) "
        f"not counted; expired = no outcome after {sla_hours} h, or no_response. "
        "Median: hours from request to action."
    )


def reach_line(fig: Figures) -> str:
    """`Reach removed: 12,500 followers and 3 accounts of unknown size`."""
    text = f"{format_count(fig.reach_removed)} followers"
    if fig.reach_unknown:
        accounts = "account" if fig.reach_unknown == 1 else "accounts"
        text += f" and {format_count(fig.reach_unknown)} {accounts} of unknown size"
    return text


def stats_text(query: StatsQuery, win: Window, table: Table, tz: ZoneInfo, sla_hours: int) -> str:
    """The /stats reply."""
    where = f" to {query.platform.label}" if query.platform else ""
    if table.empty:
        when = "ever" if win.start is None else f"in the {win.title}"
        return f"No requests{where} were sent {when} (as of {local_time(win.end, tz)})."
    per = "group" if query.by == "group" else "platform"
    title = f"<b>Compliance per {per}{esc(where)}, {win.title}</b>"
    return "\n".join(
        [
            title,
            window_line(win, tz, sla_hours),
            *table_lines(table, query.by),
            f"Reach removed: {reach_line(table.total)} (followers when actioned, of the "
            "accounts not restored since).",
        ]
    )

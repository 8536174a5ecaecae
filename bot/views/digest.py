"""Compose the /stats tables, the daily digest text and its chart (PRODUCT.md "Daily digest").

No I/O here: bot/runtime/jobs.py gathers a DigestData from storage and sends what this returns.

To add a section to the digest (e.g. "new comebacks of the last 24 h"): add a field to
DigestData (with a default), fill it in bot/runtime/jobs.gather, write a function
`DigestData -> str | None` (None when it has nothing to say) and append it to SECTIONS.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from zoneinfo import ZoneInfo

from bot.domain import Outcome
from bot.domain.accounts import AccountRef
from bot.domain.compliance import (
    DayActivity,
    OverdueRound,
    Rate,
    Table,
    Window,
)
from bot.domain.records import ComebackList
from bot.views import charts
from bot.views.comebacks import digest_section
from bot.views.common import MAX_CAPTION, esc, local_time, truncate
from bot.views.figures import format_change
from bot.views.stats import _label, reach_line, table_lines, window_line

# ------------------------------------------------------------------------------ /stats


# ------------------------------------------------------------------------------ the digest


@dataclass(frozen=True)
class DigestData:
    now: dt.datetime
    tz: ZoneInfo
    sla_hours: int
    window: Window  # the rolling 30 days
    platforms: Table
    previous: dict[str, Rate]  # compliance per platform, the 30 days before `window`
    groups: Table
    day: DayActivity  # the last 24 h
    overdue: list[OverdueRound] = field(default_factory=list)  # the oldest, at most 5
    comebacks: ComebackList = field(default_factory=lambda: ComebackList([], 0))  # last 24 h
    late_for: dt.datetime | None = None  # the DIGEST_TIME it was due at, when sent late
    unit: str = ""  # UNIT_NAME, inside the chart


def _last_day(data: DigestData) -> str | None:
    day = data.day
    if day.empty:
        return None
    lines = ["<b>Last 24 h</b>"]
    if day.new_cases:
        parts = ", ".join(f"{esc(group)} {n}" for group, n in day.new_cases.items())
        lines.append(f"New cases: {sum(day.new_cases.values())} ({parts})")
    else:
        lines.append("New cases: 0")
    sent = ", ".join(f"{p.label} {n}" for p, n in day.sent.items())
    lines.append(f"Requests sent: {sum(day.sent.values())}" + (f" ({sent})" if sent else ""))
    outcomes = ", ".join(f"{o.value} {day.outcomes[o]}" for o in Outcome if o in day.outcomes)
    lines.append(
        f"Outcomes recorded: {sum(day.outcomes.values())}" + (f" ({outcomes})" if outcomes else "")
    )
    return "\n".join(lines)


def _per_platform(data: DigestData) -> str | None:
    if data.platforms.empty:
        return None
    changes = []
    for key, fig in data.platforms.rows.items():
        before = data.previous.get(key)
        changes.append(f"{esc(_label('platform', key))} {format_change(fig, before)}")
    return "\n".join(
        [
            f"<b>Compliance per platform, {data.window.title}</b>",
            window_line(data.window, data.tz, data.sla_hours),
            *table_lines(data.platforms, "platform"),
            "Change against the 30 days before: " + "; ".join(changes),
        ]
    )


def _per_group(data: DigestData) -> str | None:
    if data.groups.empty:
        return None
    return "\n".join(
        [f"<b>Compliance per group, {data.window.title}</b>", *table_lines(data.groups, "group")]
    )


def _reach(data: DigestData) -> str | None:
    if data.platforms.empty:
        return None
    return (
        f"<b>Reach removed</b>, {data.window.title}: {reach_line(data.platforms.total)} "
        "(followers when actioned, of the accounts not restored since)."
    )


def _overdue(data: DigestData) -> str | None:
    if not data.overdue:
        return None
    lines = [f"<b>Oldest overdue requests</b> (no outcome after {data.sla_hours} h)"]
    for item in data.overdue:
        account = truncate(AccountRef(item.platform, item.handle).short, 60)
        age = (data.now - item.sent_at).days
        lines.append(
            f"#{item.case_id} {esc(account)} ({esc(item.group)}), request {item.round_no} sent "
            f"{local_time(item.sent_at, data.tz)}, {age} d ago"
        )
    return "\n".join(lines)


def _comebacks(data: DigestData) -> str | None:
    return digest_section(data.comebacks, data.tz) or None


Section = Callable[[DigestData], str | None]

SECTIONS: list[Section] = [_last_day, _per_platform, _per_group, _reach, _overdue, _comebacks]


def digest_title(data: DigestData) -> str:
    title = f"<b>Daily digest</b>, {local_time(data.now, data.tz)} ({esc(data.tz.key)})"
    return title + _late_note(data)


def _late_note(data: DigestData) -> str:
    if data.late_for is None:
        return ""
    due = data.late_for.astimezone(data.tz).strftime("%H:%M")
    return f", late: due at {due}, when the bot was not running"


def digest_blocks(data: DigestData) -> list[str]:
    """The digest as blocks (title first); a single line when there is nothing to report."""
    blocks = [text for section in SECTIONS if (text := section(data)) is not None]
    if not blocks:
        return [
            f"Daily digest, {local_time(data.now, data.tz)}{_late_note(data)}: no requests in the "
            f"{data.window.title}, no new cases or outcomes in the last 24 h, nothing overdue."
        ]
    return [digest_title(data), *blocks]


def chart_caption(data: DigestData) -> str:
    text = (
        f"Compliance per platform, {data.window.title} to {local_time(data.now, data.tz)} "
        f"({data.tz.key}); on each bar: actioned / (actioned + rejected + expired)."
    )
    return truncate(esc(text), MAX_CAPTION)


def chart_png(data: DigestData) -> bytes:
    return charts.png(chart_figure(data))


def chart_figure(data: DigestData) -> charts.BarChart:
    """Compliance per platform of the rolling window, each bar with its denominator; the
    unit, the window and the figures' time inside the image (bot/views/charts.py)."""
    table = data.platforms
    window = f"requests sent {local_time(data.window.start or data.now, data.tz)} to "
    window += f"{local_time(data.now, data.tz)} ({data.tz.key})"
    return charts.compliance_figure(
        [_label("platform", key) for key in table.rows],
        list(table.rows.values()),
        f"{data.unit}: compliance per platform, {data.window.title}".lstrip(": "),
        f"{window}; compliance = actioned / (actioned + rejected + expired)",
    )

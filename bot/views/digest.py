"""Compose the /stats tables, the daily digest text and its chart (PRODUCT.md "Daily digest").

No I/O here: handlers/digest.py gathers a DigestData from storage and sends what this returns.

To add a section to the digest (e.g. "new comebacks of the last 24 h"): add a field to
DigestData (with a default), fill it in handlers/digest.gather, write a function
`DigestData -> str | None` (None when it has nothing to say) and append it to SECTIONS.
"""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Literal
from zoneinfo import ZoneInfo

# The Agg canvas renders to PNG bytes without a display (and without pyplot's global state).
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

from bot.domain import Outcome, Platform, compliance
from bot.domain import comebacks as comeback
from bot.domain.accounts import AccountRef, platform_of
from bot.domain.comebacks import Comeback
from bot.domain.compliance import (
    DayActivity,
    Figures,
    OverdueRound,
    Table,
    Window,
    format_change,
    format_compliance,
    format_count,
    format_median,
)
from bot.domain.errors import UsageError
from bot.grammar.commands import spec
from bot.views.common import MAX_CAPTION, MAX_TEXT, esc, local_time, truncate

Breakdown = Literal["platform", "group"]

# ------------------------------------------------------------------------------ /stats


@dataclass(frozen=True)
class StatsQuery:
    """`/stats [7d|30d|90d|all] [platform|by group]`, words in any order."""

    window: str = compliance.DEFAULT_WINDOW
    platform: Platform | None = None
    by: Breakdown = "platform"

    @classmethod
    def parse(cls, args: Sequence[str]) -> StatsQuery:
        usage = spec("stats").usage
        window: str | None = None
        platform: Platform | None = None
        by: Breakdown | None = None
        words = [word.lower() for word in args]
        index = 0
        while index < len(words):
            word = words[index]
            if word in compliance.WINDOW_DAYS:
                if window is not None:
                    raise UsageError("Give one window: 7d, 30d, 90d or all.", usage)
                window = word
            elif word == "by":
                target = words[index + 1] if index + 1 < len(words) else ""
                if target not in ("group", "platform"):
                    raise UsageError("Write 'by group' (or 'by platform').", usage)
                if by is not None:
                    raise UsageError("Give one breakdown: 'by group' or 'by platform'.", usage)
                by = "group" if target == "group" else "platform"
                index += 1
            elif (named := platform_of(word)) is not None:
                if platform is not None:
                    raise UsageError("Give at most one platform.", usage)
                platform = named
            else:
                known = ", ".join(p.value for p in Platform)
                raise UsageError(
                    f"Unknown word '{args[index][:40]}': give a window (7d, 30d, 90d, all), "
                    f"a platform ({known}) or 'by group'.",
                    usage,
                )
            index += 1
        return cls(window or compliance.DEFAULT_WINDOW, platform, by or "platform")


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
        f"Requests {span} ({esc(tz.key)}). Compliance = actioned / (actioned + rejected + "
        f"expired), pending not counted; expired = no outcome after {sla_hours} h, or "
        "no_response. Median: hours from request to action."
    )


def stats_text(query: StatsQuery, win: Window, table: Table, tz: ZoneInfo, sla_hours: int) -> str:
    """The /stats reply."""
    where = f" to {query.platform.label}" if query.platform else ""
    if table.empty:
        return f"No requests{where} were sent in the {win.title}."
    per = "group" if query.by == "group" else "platform"
    title = f"<b>Compliance per {per}{esc(where)}, {win.title}</b>"
    reach = f"Reach removed: {format_count(table.total.reach_removed)} followers"
    return "\n".join(
        [
            title,
            window_line(win, tz, sla_hours),
            *table_lines(table, query.by),
            f"{reach} (last known followers of the accounts actioned).",
        ]
    )


# ------------------------------------------------------------------------------ the digest


@dataclass(frozen=True)
class DigestData:
    now: dt.datetime
    tz: ZoneInfo
    sla_hours: int
    window: Window  # the rolling 30 days
    platforms: Table
    previous: dict[str, int | None]  # compliance % per platform, the 30 days before `window`
    groups: Table
    day: DayActivity  # the last 24 h
    overdue: list[OverdueRound] = field(default_factory=list)  # the oldest, at most 5
    comebacks: list[Comeback] = field(default_factory=list)  # found in the last 24 h


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
            "Change against the 30 days before (points): " + ", ".join(changes),
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
        f"<b>Reach removed</b>, {data.window.title}: "
        f"{format_count(data.platforms.total.reach_removed)} followers "
        "(last known followers of the accounts actioned)."
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
    return comeback.digest_section(data.comebacks, data.tz) or None


Section = Callable[[DigestData], str | None]

SECTIONS: list[Section] = [_last_day, _per_platform, _per_group, _reach, _overdue, _comebacks]


def digest_title(data: DigestData) -> str:
    return f"<b>Daily digest</b>, {local_time(data.now, data.tz)} ({esc(data.tz.key)})"


def digest_blocks(data: DigestData) -> list[str]:
    """The digest as blocks (title first); a single line when there is nothing to report."""
    blocks = [text for section in SECTIONS if (text := section(data)) is not None]
    if not blocks:
        return [
            f"Daily digest, {local_time(data.now, data.tz)}: no requests in the "
            f"{data.window.title}, no new cases or outcomes in the last 24 h, nothing overdue."
        ]
    return [digest_title(data), *blocks]


def chart_caption(data: DigestData) -> str:
    text = (
        f"Compliance per platform, {data.window.title} to {local_time(data.now, data.tz)} "
        f"({data.tz.key}); on each bar: actioned / (actioned + rejected + expired)."
    )
    return truncate(esc(text), MAX_CAPTION)


def chart_png(table: Table, title: str) -> bytes:
    """A bar chart of compliance % per row of `table`; `n/a` rows get no bar."""
    labels = [_label("platform", key) for key in table.rows]
    values = [fig.percent or 0 for fig in table.rows.values()]
    notes = [format_compliance(fig) for fig in table.rows.values()]
    figure = Figure(figsize=(max(4.0, 1.1 * len(labels) + 1.5), 3.6), dpi=120)
    FigureCanvasAgg(figure)
    axes = figure.add_subplot()
    bars = axes.bar(labels, values, color="#3b6ea5")
    for bar, note in zip(bars, notes, strict=True):
        axes.annotate(
            note,
            (bar.get_x() + bar.get_width() / 2, bar.get_height()),
            ha="center",
            va="bottom",
            fontsize=8,
            xytext=(0, 2),
            textcoords="offset points",
        )
    axes.set_ylim(0, 110)
    axes.set_ylabel("compliance %")
    axes.set_title(title, fontsize=10)
    axes.spines[["top", "right"]].set_visible(False)
    figure.tight_layout()
    out = io.BytesIO()
    figure.savefig(out, format="png")
    return out.getvalue()


# ------------------------------------------------------------------------------ splitting


def pack(blocks: Sequence[str], limit: int = MAX_TEXT) -> list[str]:
    """Join blocks (blank line between) into messages of at most `limit` characters.

    A block that does not fit in one message is cut between lines; a <pre> table cut in two
    is closed and reopened, so every message is well-formed HTML.
    """
    messages: list[str] = []
    current = ""
    for block in blocks:
        candidate = f"{current}\n\n{block}" if current else block
        if len(candidate) <= limit:
            current = candidate
            continue
        if current:
            messages.append(current)
            current = ""
        if len(block) <= limit:
            current = block
        else:
            *full, current = _cut(block, limit)
            messages.extend(full)
    if current or not messages:
        messages.append(current)
    return messages


def _cut(block: str, limit: int) -> list[str]:
    parts: list[str] = []
    current: list[str] = []
    size = 0
    in_pre = False
    reserve = len("<pre>") + len("</pre>")
    for line in block.split("\n"):
        line = line if len(line) <= limit - reserve else truncate(line, limit - reserve)
        opens = line.startswith("<pre>")
        if current and size + 1 + len(line) + reserve > limit:
            text = "\n".join(current)
            parts.append(text + "</pre>" if in_pre and not opens else text)
            current = ["<pre>" + line] if in_pre and not opens else [line]
            size = len(current[0])
        else:
            current.append(line)
            size += len(line) + (1 if len(current) > 1 else 0)
        if opens:
            in_pre = True
        if line.endswith("</pre>"):
            in_pre = False
    if current:
        parts.append("\n".join(current))
    return parts

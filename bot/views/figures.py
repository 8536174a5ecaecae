"""How figures read, in every reply: percentages with their denominator, changes, hours, counts.

Pure formatting of the domain's numbers (bot/domain/compliance.py computes them).
"""

from __future__ import annotations

import datetime as dt

from bot.domain.compliance import Figures


def hours(value: dt.timedelta | float) -> str:
    """`7.5 h` below ten hours, `31 h` from ten on; `value` a duration or a number of hours."""
    total = value.total_seconds() / 3600 if isinstance(value, dt.timedelta) else value
    return f"{total:.0f} h" if total >= 10 else f"{total:.1f} h"


def format_compliance(fig: Figures) -> str:
    """`92% of 48` (48 = actioned + rejected + expired), or `n/a` when nothing was decided."""
    return "n/a" if fig.percent is None else f"{fig.percent}% of {fig.decided:,}"


def format_median(fig: Figures) -> str:
    value = fig.median_hours_to_action
    return "-" if value is None else hours(value)


def format_change(now: Figures, before: int | None) -> str:
    """`31% (-4)`: the percentage now and its change in points against the percentage
    `before` (None: nothing decided before)."""
    if now.percent is None:
        return "n/a"
    if before is None:
        return f"{now.percent}% (new)"
    return f"{now.percent}% ({now.percent - before:+d})"


def format_count(value: int) -> str:
    return f"{value:,}"

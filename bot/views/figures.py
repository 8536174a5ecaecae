"""How figures read, in every reply: percentages with their denominator, changes, hours, counts.

Pure formatting of the domain's numbers (bot/domain/compliance.py computes them).
"""

from __future__ import annotations

import datetime as dt
from fractions import Fraction

from bot.domain.compliance import Figures, Rate, round_half_up


def hours(value: dt.timedelta | float) -> str:
    """`18 h` from 10 hours on, `2.5 h` below, rounded half up; `value` a duration or a number
    of seconds (exact: a whole number, or the middle of two for a median)."""
    seconds = value.total_seconds() if isinstance(value, dt.timedelta) else value
    if isinstance(seconds, int | float) and seconds >= 0 and float(seconds).is_integer():
        return _whole_seconds_in_hours(int(seconds))  # a card shows one per round: no Fraction
    total = Fraction(seconds) / 3600
    places = 0 if total >= 10 else 1
    return f"{round_half_up(total, places):.{places}f} h"


def _whole_seconds_in_hours(seconds: int) -> str:
    """`hours` in integers, for a whole number of seconds (the same rounding, half up)."""
    if seconds >= 36_000:
        return f"{(seconds + 1800) // 3600} h"
    tenths = (seconds + 180) // 360
    return f"{tenths // 10}.{tenths % 10} h"


def format_compliance(fig: Figures) -> str:
    """`92% of 48` (48 = actioned + rejected + expired), or `n/a` when nothing was decided."""
    return format_rate(fig.rate)


def format_rate(rate: Rate) -> str:
    return "n/a" if rate.percent is None else f"{rate.percent}% of {rate.decided:,}"


def format_median(fig: Figures) -> str:
    value = fig.median_seconds_to_action
    return "-" if value is None else hours(value)


def format_change(now: Figures, before: Rate | None) -> str:
    """`44% of 9, +44 points from 0% of 1`: the percentage now and its change in points
    against the window before, each with the count it rests on (before None or n/a: `new`)."""
    if now.percent is None:
        return "n/a"
    if before is None or before.percent is None:
        return f"{format_compliance(now)} (new)"
    return f"{format_compliance(now)}, {change_from(now, before)}"


def change_from(now: Figures, before: Rate | None) -> str:
    """`+44 points from 0% of 1`; `new` when nothing was decided before, `n/a` now."""
    if now.percent is None:
        return "n/a"
    if before is None or before.percent is None:
        return "new"
    return f"{now.percent - before.percent:+d} points from {format_rate(before)}"


def format_count(value: int) -> str:
    return f"{value:,}"

"""`/report [month|quarter|half|year|YYYY-MM|YYYY-Qn|YYYY-H1|YYYY-H2|YYYY] [asof=...]`:
words in, a ReportQuery out. Pure.

`month`, `quarter`, `half` and `year` are the last full one; no period is the last full month.
Periods are calendar periods in TIMEZONE (bot/domain/periods.py).
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Sequence
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from bot.domain.errors import UsageError
from bot.domain.periods import Period, PeriodKind, last_full
from bot.grammar.commands import spec
from bot.grammar.stats import ASOF_PREFIX, parse_asof

_NAMED = re.compile(r"^(\d{4})(?:-(?:(\d{2})|q([1-4])|h([12])))?$")
FIRST_YEAR = 2000  # no unit reports on removal requests from before social media


@dataclass(frozen=True)
class ReportQuery:
    period: Period
    asof: dt.datetime | None = None  # UTC; None: now

    @classmethod
    def parse(cls, args: Sequence[str], tz: ZoneInfo, now: dt.datetime) -> ReportQuery:
        """`now` resolves the relative words (`month` is the last full month as of asof=,
        or of now); a period that has not begun by then is refused."""
        usage = spec("report").usage
        words = [word.lower() for word in args]
        asof_words = [w for w in args if w.lower().startswith(ASOF_PREFIX)]
        if len(asof_words) > 1:
            raise UsageError("Give asof= only once.", usage)
        asof = parse_asof(asof_words[0][len(ASOF_PREFIX) :], tz, usage) if asof_words else None
        if asof is not None and asof > now:
            raise UsageError("asof= is in the future: figures rest on facts recorded.", usage)
        rest = [w for w in words if not w.startswith(ASOF_PREFIX)]
        if len(rest) > 1:
            raise UsageError("Give one period.", usage)
        at = asof or now
        today = at.astimezone(tz).date()
        period = _period(rest[0], today, usage) if rest else last_full(PeriodKind.MONTH, today)
        if period.starts_at(tz) >= at:
            raise UsageError(
                f"{period.label} has not begun by {at.astimezone(tz):%Y-%m-%d %H:%M}: "
                "there are no figures for it yet.",
                usage,
            )
        return cls(period, asof)


def _period(word: str, today: dt.date, usage: str) -> Period:
    try:
        return last_full(PeriodKind(word), today)
    except ValueError:
        pass
    found = _NAMED.match(word)
    if found is None:
        raise UsageError(
            f"Unknown period '{word[:40]}': write month, quarter, half, year, or a named one "
            "(2026-11, 2026-Q4, 2026-H2, 2026).",
            usage,
        )
    year, month, quarter, half = found.groups()
    if not FIRST_YEAR <= int(year) <= 9998:
        raise UsageError(f"{year} is not a year to report on.", usage)
    if month is not None:
        if not 1 <= int(month) <= 12:
            raise UsageError(f"{word[:40]}: there is no month {month}.", usage)
        return Period(int(year), PeriodKind.MONTH, int(month))
    if quarter is not None:
        return Period(int(year), PeriodKind.QUARTER, int(quarter))
    if half is not None:
        return Period(int(year), PeriodKind.HALF, int(half))
    return Period(int(year), PeriodKind.YEAR, 1)

"""Calendar periods of the periodic report (PRODUCT.md "Periodic report"): a month, a quarter,
a half year (January-June, July-December, as the platforms' transparency reports use) or a
year, in the unit's TIMEZONE. Pure: imports neither telegram nor aiosqlite.

A period covers its local days [first day 00:00, first day after 00:00); as a compliance
Window (start < sent_at <= end) that is one second earlier at both ends, which is exact since
every timestamp is stored in whole seconds.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from enum import StrEnum
from zoneinfo import ZoneInfo

from bot.domain.compliance import Window

SECOND = dt.timedelta(seconds=1)


class PeriodKind(StrEnum):
    MONTH = "month"
    QUARTER = "quarter"
    HALF = "half"
    YEAR = "year"


MONTHS_IN: dict[PeriodKind, int] = {
    PeriodKind.MONTH: 1,
    PeriodKind.QUARTER: 3,
    PeriodKind.HALF: 6,
    PeriodKind.YEAR: 12,
}


@dataclass(frozen=True, order=True)
class Period:
    """`index` counts from 1 within the year: month 1-12, quarter 1-4, half 1-2, year 1."""

    year: int
    kind: PeriodKind
    index: int

    def __post_init__(self) -> None:
        if not 1 <= self.index <= 12 // MONTHS_IN[self.kind]:
            raise ValueError(f"no {self.kind} {self.index} in a year")

    @property
    def months(self) -> int:
        return MONTHS_IN[self.kind]

    @property
    def first_month(self) -> int:
        return (self.index - 1) * self.months + 1

    @property
    def start(self) -> dt.date:
        return dt.date(self.year, self.first_month, 1)

    @property
    def end(self) -> dt.date:
        """The first day after the period."""
        return _add_months(self.start, self.months)

    @property
    def label(self) -> str:
        """`2026-11`, `2026-Q4`, `2026-H2`, `2026`: what /report takes."""
        if self.kind is PeriodKind.MONTH:
            return f"{self.year}-{self.index:02d}"
        if self.kind is PeriodKind.QUARTER:
            return f"{self.year}-Q{self.index}"
        if self.kind is PeriodKind.HALF:
            return f"{self.year}-H{self.index}"
        return str(self.year)

    @property
    def title(self) -> str:
        """`November 2026`, `Q4 2026 (October-December)`, `H2 2026 (July-December)`, `2026`."""
        if self.kind is PeriodKind.MONTH:
            return self.start.strftime("%B %Y")
        if self.kind is PeriodKind.YEAR:
            return str(self.year)
        last = _add_months(self.start, self.months - 1)
        name = "Q" if self.kind is PeriodKind.QUARTER else "H"
        return f"{name}{self.index} {self.year} ({self.start:%B}-{last:%B})"

    def previous(self) -> Period:
        """The period of the same kind just before."""
        if self.index > 1:
            return Period(self.year, self.kind, self.index - 1)
        return Period(self.year - 1, self.kind, 12 // self.months)

    def month_list(self) -> list[Period]:
        return [
            Period(self.year, PeriodKind.MONTH, self.first_month + i) for i in range(self.months)
        ]

    def starts_at(self, tz: ZoneInfo) -> dt.datetime:
        return local_midnight(self.start, tz)

    def ends_at(self, tz: ZoneInfo) -> dt.datetime:
        return local_midnight(self.end, tz)

    def window(self, tz: ZoneInfo, as_of: dt.datetime) -> Window:
        """The rounds sent in the period, up to `as_of` if the period is not over by then."""
        end = min(self.ends_at(tz) - SECOND, as_of)
        return Window(self.label, self.starts_at(tz) - SECOND, end)

    def is_over(self, tz: ZoneInfo, as_of: dt.datetime) -> bool:
        return self.ends_at(tz) <= as_of


def containing(kind: PeriodKind, day: dt.date) -> Period:
    return Period(day.year, kind, (day.month - 1) // MONTHS_IN[kind] + 1)


def last_full(kind: PeriodKind, day: dt.date) -> Period:
    """The last period of `kind` that ended by `day` (the one before the period of `day`)."""
    return containing(kind, day).previous()


def months_between(first: Period, last: Period) -> list[Period]:
    """The months from the month of `first`'s start to `last`'s last month, in order."""
    months = []
    month = containing(PeriodKind.MONTH, first.start)
    end = last.end
    while month.start < end:
        months.append(month)
        nxt = month.end
        month = Period(nxt.year, PeriodKind.MONTH, nxt.month)
    return months


def local_midnight(day: dt.date, tz: ZoneInfo) -> dt.datetime:
    """00:00 of `day` in `tz`, in UTC."""
    return dt.datetime.combine(day, dt.time(0), tzinfo=tz).astimezone(dt.UTC)


def _add_months(day: dt.date, months: int) -> dt.date:
    index = day.year * 12 + day.month - 1 + months
    return dt.date(index // 12, index % 12 + 1, 1)

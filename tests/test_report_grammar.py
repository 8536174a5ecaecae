"""`/report` periods (bot/grammar/report.py, bot/domain/periods.py): calendar periods in
TIMEZONE, the last full one by default, bad words refused with a reason and the usage."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest

from bot.domain.errors import UsageError
from bot.domain.periods import Period, PeriodKind, last_full, months_between
from bot.grammar.report import ReportQuery

TZ = ZoneInfo("Asia/Karachi")  # UTC+5
# 2026-12-01 00:30 in Karachi: still 30 November in UTC.
NOW = dt.datetime(2026, 11, 30, 19, 30, tzinfo=dt.UTC)
M, Q, HALF, Y = PeriodKind.MONTH, PeriodKind.QUARTER, PeriodKind.HALF, PeriodKind.YEAR


def parse(*words: str, now: dt.datetime = NOW) -> ReportQuery:
    return ReportQuery.parse(list(words), TZ, now)


@pytest.mark.parametrize(
    ("words", "period"),
    [
        ((), Period(2026, M, 11)),  # the last full month, in TIMEZONE (UTC is still November)
        (("month",), Period(2026, M, 11)),
        (("quarter",), Period(2026, Q, 3)),
        (("half",), Period(2026, HALF, 1)),
        (("year",), Period(2025, Y, 1)),
        (("2026-11",), Period(2026, M, 11)),
        (("2026-12",), Period(2026, M, 12)),  # begun: figures to date
        (("2026-q4",), Period(2026, Q, 4)),
        (("2026-H2",), Period(2026, HALF, 2)),
        (("2025",), Period(2025, Y, 1)),
        (("YEAR",), Period(2025, Y, 1)),
    ],
)
def test_periods_named_or_relative(words: tuple[str, ...], period: Period) -> None:
    assert parse(*words).period == period


def test_asof_sets_the_time_and_the_relative_period() -> None:
    query = parse("month", "asof=2026-10-15T09:00")
    assert query.asof == dt.datetime(2026, 10, 15, 4, 0, tzinfo=dt.UTC)
    assert query.period == Period(2026, M, 9)
    assert parse("asof=2026-12-01", "2026-11").period == Period(2026, M, 11)


@pytest.mark.parametrize(
    ("words", "reason"),
    [
        (("weekly",), "Unknown period 'weekly'"),
        (("2026-13",), "there is no month 13"),
        (("2026-Q5",), "Unknown period"),
        (("2026-H3",), "Unknown period"),
        (("1999",), "1999 is not a year to report on"),
        (("2027-01",), "2027-01 has not begun by 2026-12-01 00:30"),
        (("2026-11", "2026-10"), "Give one period."),
        (("asof=2027-01-01",), "asof= is in the future"),
        (("asof=yesterday",), "asof=yesterday is not a time"),
        (("asof=2026-11-01", "asof=2026-11-02"), "Give asof= only once."),
        (("2026-11", "asof=2026-10-20"), "2026-11 has not begun by 2026-10-20 00:00"),
    ],
)
def test_bad_words_get_a_reason_and_the_usage(words: tuple[str, ...], reason: str) -> None:
    with pytest.raises(UsageError) as caught:
        parse(*words)
    assert reason in caught.value.reason
    assert caught.value.usage is not None and caught.value.usage.startswith("/report [month|")


def test_a_period_is_its_local_days_in_whole_seconds() -> None:
    november = Period(2026, M, 11)
    start = dt.datetime(2026, 10, 31, 19, 0, tzinfo=dt.UTC)  # 1 November 00:00 in Karachi
    end = dt.datetime(2026, 11, 30, 19, 0, tzinfo=dt.UTC)  # 1 December 00:00
    win = november.window(TZ, dt.datetime(2027, 1, 1, tzinfo=dt.UTC))
    second = dt.timedelta(seconds=1)
    assert win.contains(start) and win.contains(end - second)
    assert not win.contains(start - second) and not win.contains(end)
    assert november.window(TZ, end - 5 * second).end == end - 5 * second  # not over: to then
    assert november.is_over(TZ, end) and not november.is_over(TZ, end - second)


def test_titles_previous_periods_and_months() -> None:
    assert Period(2026, M, 11).title == "November 2026"
    assert Period(2026, Q, 4).title == "Q4 2026 (October-December)"
    assert Period(2026, HALF, 1).title == "H1 2026 (January-June)"
    assert Period(2026, HALF, 2).label == "2026-H2"
    assert Period(2026, M, 1).previous() == Period(2025, M, 12)
    assert Period(2026, Q, 1).previous() == Period(2025, Q, 4)
    assert Period(2026, HALF, 1).previous() == Period(2025, HALF, 2)
    assert Period(2026, Y, 1).previous() == Period(2025, Y, 1)
    assert [m.label for m in Period(2026, HALF, 2).month_list()][::5] == ["2026-07", "2026-12"]
    assert last_full(Q, dt.date(2026, 1, 1)) == Period(2025, Q, 4)
    months = months_between(Period(2025, M, 11), Period(2026, Q, 1))
    assert [m.label for m in months] == ["2025-11", "2025-12", "2026-01", "2026-02", "2026-03"]
    with pytest.raises(ValueError):
        Period(2026, Q, 5)

"""bot/domain/schedule.py: which digest is due, and when a missed one is sent late."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest

from bot.domain.schedule import NEXT_DUE_FIRST, due_at, late_day, latest_due_day

KARACHI = ZoneInfo("Asia/Karachi")
LONDON = ZoneInfo("Europe/London")
NINE = dt.time(9, 0)


def utc(year: int, month: int, day: int, hour: int, minute: int) -> dt.datetime:
    return dt.datetime(year, month, day, hour, minute, tzinfo=dt.UTC)


@pytest.mark.parametrize(
    ("now", "day"),
    [
        (utc(2026, 11, 2, 4, 0), dt.date(2026, 11, 2)),  # 09:00 in Karachi: today's is due
        (utc(2026, 11, 2, 3, 59), dt.date(2026, 11, 1)),  # 08:59: yesterday's
        (utc(2026, 11, 2, 20, 0), dt.date(2026, 11, 2)),  # 01:00 next day local
    ],
)
def test_latest_due_day_is_the_local_day_of_the_last_digest_time(now, day):
    assert latest_due_day(now, NINE, KARACHI) == day


def test_due_at_follows_summer_time():
    assert due_at(dt.date(2026, 3, 28), NINE, LONDON) == utc(2026, 3, 28, 9, 0)  # GMT
    assert due_at(dt.date(2026, 3, 29), NINE, LONDON) == utc(2026, 3, 29, 8, 0)  # BST


def test_a_missed_digest_is_sent_late_unless_the_next_one_is_due_within_3_hours():
    assert dt.timedelta(hours=3) == NEXT_DUE_FIRST
    assert late_day(utc(2026, 11, 2, 4, 2), NINE, KARACHI) == dt.date(2026, 11, 2)
    assert late_day(utc(2026, 11, 2, 23, 59), NINE, KARACHI) == dt.date(2026, 11, 2)  # 04:59
    assert late_day(utc(2026, 11, 3, 1, 0), NINE, KARACHI) is None  # 06:00: 09:00 is first
    assert late_day(utc(2026, 11, 3, 3, 59), NINE, KARACHI) is None

"""When a daily digest is due, and whether a missed one is still worth sending (pure).

A digest "for day D" is the one due at DIGEST_TIME on D in TIMEZONE. The rules, in
docs/product-notes.md ("The daily digest"):
- the digest due most recently (at or before now) is the one the daily job and a start-up
  stand for;
- a start-up finding that one not delivered sends it late, unless the next digest is due
  first: within NEXT_DUE_FIRST of the start, when the next one comes so soon that a late one
  would only repeat it;
- older days are never sent: each digest covers the last 24 h and rolling 30 days, so the
  latest one supersedes them.
"""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

NEXT_DUE_FIRST = dt.timedelta(hours=3)


def due_at(day: dt.date, at: dt.time, tz: ZoneInfo) -> dt.datetime:
    """DIGEST_TIME on `day` in `tz`, in UTC."""
    return dt.datetime.combine(day, at, tzinfo=tz).astimezone(dt.UTC)


def latest_due_day(now: dt.datetime, at: dt.time, tz: ZoneInfo) -> dt.date:
    """The day of the digest due most recently: today's once DIGEST_TIME has come."""
    today = now.astimezone(tz).date()
    return today if due_at(today, at, tz) <= now else today - dt.timedelta(days=1)


def late_day(now: dt.datetime, at: dt.time, tz: ZoneInfo) -> dt.date | None:
    """The day whose digest a start at `now` sends late if it was not delivered, or None
    when the next digest is due first."""
    day = latest_due_day(now, at, tz)
    if due_at(day + dt.timedelta(days=1), at, tz) - now <= NEXT_DUE_FIRST:
        return None
    return day

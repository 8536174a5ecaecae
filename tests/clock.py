"""A clock for tests: time stands still until a test moves it."""

from __future__ import annotations

import datetime as dt


class ManualClock:
    """A clock for tests: stands still until moved."""

    def __init__(self, start: dt.datetime) -> None:
        if start.tzinfo is None:
            raise ValueError("ManualClock needs an aware datetime")
        self._now = start.astimezone(dt.UTC)

    def now(self) -> dt.datetime:
        return self._now

    def advance(self, delta: dt.timedelta) -> None:
        self._now += delta

    def set(self, when: dt.datetime) -> None:
        self._now = when.astimezone(dt.UTC)

"""At most COMMANDS_PER_MINUTE commands a minute per member: a sliding window.

Pure (the caller passes the time): imports neither telegram nor aiosqlite.
"""

from __future__ import annotations

import datetime as dt
from collections import deque
from dataclasses import dataclass, field
from enum import Enum

COMMANDS_PER_MINUTE = 30
WINDOW = dt.timedelta(minutes=1)
MAX_TRACKED = 10_000  # users; past this, the idle ones are forgotten


class Verdict(Enum):
    SERVE = "serve"
    TELL = "tell"  # the first refused update of a flood: tell the member to slow down
    IGNORE = "ignore"  # the rest of it: silence


@dataclass
class _Member:
    served: deque[dt.datetime] = field(default_factory=deque)
    told: bool = False


class FloodLimit:
    """Counts the updates served to each user in the last minute. The 31st within a minute
    is refused (told once), as is every later one until the oldest served falls out of the
    window. Refused updates are not counted: they cost the bot next to nothing."""

    def __init__(self, per_minute: int = COMMANDS_PER_MINUTE, window: dt.timedelta = WINDOW):
        self.per_minute = per_minute
        self.window = window
        self._members: dict[int, _Member] = {}

    def check(self, user_id: int, at: dt.datetime) -> Verdict:
        if len(self._members) > MAX_TRACKED:
            self.forget_idle(at)
        member = self._members.setdefault(user_id, _Member())
        served = member.served
        while served and at - served[0] >= self.window:
            served.popleft()
        if len(served) < self.per_minute:
            served.append(at)
            member.told = False
            return Verdict.SERVE
        if member.told:
            return Verdict.IGNORE
        member.told = True
        return Verdict.TELL

    def forget_idle(self, at: dt.datetime) -> None:
        """Drop users with nothing in the window (keeps memory bounded)."""
        idle = [
            user
            for user, m in self._members.items()
            if not m.served or at - m.served[-1] >= self.window
        ]
        for user in idle:
            del self._members[user]

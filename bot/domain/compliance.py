"""Compliance arithmetic: pure functions over request rounds (PRODUCT.md "Compliance: the numbers").

Over the rounds SENT in a window (start < sent_at <= end), classified as of `now`:
- actioned: outcome removed or restricted (a later `restored` does not undo it);
- rejected: outcome rejected;
- expired: outcome no_response, or no outcome and at least the SLA old (now - sent_at >= SLA,
  `is_overdue`: the one boundary /pending, /export pending, the card and the digest use too);
- pending: no outcome, within the SLA (not counted in the percentage);
- withdrawn: the case was dismissed while the round was open (sent, not in the percentage).
compliance = actioned / (actioned + rejected + expired), None (shown `n/a`) when that is 0.
median hours to action: median of (outcome_at - sent_at) over actioned rounds.
reach removed: sum of the followers each account had when actioned (kept with the outcome),
over the actioned rounds whose account has not been restored by `now`; those of unknown size
are counted apart.

Figures as of an earlier time T are these figures over the rounds as they stood at T
(`as_of`): sent by T, each with the outcome version last recorded by T, restored only if by T.

storage/stats.py computes the same figures in SQL; tests check one against the other.
Imports neither telegram nor aiosqlite.
"""

from __future__ import annotations

import datetime as dt
import math
import statistics
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from enum import StrEnum
from fractions import Fraction
from typing import Literal

from bot.domain import Outcome, Platform
from bot.domain.states import is_actioned


class Status(StrEnum):
    ACTIONED = "actioned"
    REJECTED = "rejected"
    EXPIRED = "expired"
    PENDING = "pending"
    WITHDRAWN = "withdrawn"


@dataclass(frozen=True)
class RoundRow:
    """One request round as it stands, with what the figures need of its case."""

    case_id: int
    platform: Platform
    group: str
    sent_at: dt.datetime
    outcome: Outcome | None
    outcome_at: dt.datetime | None
    followers_at_action: int | None = None
    restored_at: dt.datetime | None = None


@dataclass(frozen=True)
class OutcomeVersion:
    """One outcome recorded for a round (the first, or a correction) and when it was."""

    outcome: Outcome
    outcome_at: dt.datetime
    recorded_at: dt.datetime
    followers_at_action: int | None


@dataclass(frozen=True)
class RoundHistory:
    """A round with every outcome version recorded for it, in the order recorded."""

    case_id: int
    platform: Platform
    group: str
    sent_at: dt.datetime
    versions: Sequence[OutcomeVersion]
    restored_at: dt.datetime | None = None

    def as_of(self, when: dt.datetime) -> RoundRow | None:
        """The round as it stood at `when`; None if it was not sent yet."""
        if self.sent_at > when:
            return None
        known = [v for v in self.versions if v.recorded_at <= when]
        last = known[-1] if known else None
        return RoundRow(
            case_id=self.case_id,
            platform=self.platform,
            group=self.group,
            sent_at=self.sent_at,
            outcome=last.outcome if last else None,
            outcome_at=last.outcome_at if last else None,
            followers_at_action=last.followers_at_action if last else None,
            restored_at=self.restored_at if self.restored_at and self.restored_at <= when else None,
        )


def as_of(histories: Iterable[RoundHistory], when: dt.datetime) -> list[RoundRow]:
    """The rounds as they stood at `when`."""
    return [row for history in histories if (row := history.as_of(when)) is not None]


@dataclass(frozen=True)
class Figures:
    sent: int
    actioned: int
    rejected: int
    expired: int
    pending: int
    median_seconds_to_action: float | None
    reach_removed: int
    withdrawn: int = 0
    reach_unknown: int = 0  # actioned accounts in the reach whose size is unknown

    @property
    def decided(self) -> int:
        """The denominator of the percentage: rounds with a verdict (pending ones excluded)."""
        return self.actioned + self.rejected + self.expired

    @property
    def compliance(self) -> float | None:
        return self.actioned / self.decided if self.decided else None

    @property
    def percent(self) -> int | None:
        """Compliance in whole percent, rounded half up (the number a reader sees)."""
        return percent(self.actioned, self.decided)

    @property
    def rate(self) -> Rate:
        return Rate(self.actioned, self.decided)

    @property
    def median_hours_to_action(self) -> float | None:
        if self.median_seconds_to_action is None:
            return None
        return self.median_seconds_to_action / 3600


EMPTY = Figures(0, 0, 0, 0, 0, None, 0)


@dataclass(frozen=True)
class Rate:
    """A compliance percentage with the count it rests on (what a change line compares)."""

    actioned: int
    decided: int

    @property
    def percent(self) -> int | None:
        return percent(self.actioned, self.decided)


def round_half_up(value: Fraction, places: int = 0) -> Decimal:
    """The one rounding rule of every figure shown (percentages, hours): half up, exactly
    (18.5 -> 19, 21.5 -> 22, 0.15 -> 0.2), on the exact value rather than a binary float."""
    scale = 10**places
    return Decimal(math.floor(value * scale + Fraction(1, 2))).scaleb(-places)


def percent(actioned: int, decided: int) -> int | None:
    """actioned / decided in whole percent, rounded half up; None when nothing was decided."""
    if not decided:
        return None
    return int(round_half_up(Fraction(100 * actioned, decided)))


@dataclass(frozen=True)
class Window:
    """A rolling window of send times: start < sent_at <= end; start None means since ever."""

    key: str
    start: dt.datetime | None
    end: dt.datetime

    def contains(self, when: dt.datetime) -> bool:
        return (self.start is None or when > self.start) and when <= self.end

    def previous(self) -> Window:
        """The window of the same length just before this one (not defined for `all`)."""
        if self.start is None:
            raise ValueError("the window 'all' has no previous window")
        return Window(f"{self.key} before", self.start - (self.end - self.start), self.start)

    @property
    def title(self) -> str:
        return "all time" if self.start is None else f"last {WINDOW_DAYS[self.key]} days"


WINDOW_DAYS: dict[str, int | None] = {"7d": 7, "30d": 30, "90d": 90, "all": None}
DEFAULT_WINDOW = "30d"


def window(key: str, now: dt.datetime) -> Window:
    """`7d`, `30d`, `90d` (rolling, ending now) or `all`; KeyError for anything else."""
    days = WINDOW_DAYS[key]
    return Window(key, None if days is None else now - dt.timedelta(days=days), now)


def is_overdue(sent_at: dt.datetime, now: dt.datetime, sla: dt.timedelta) -> bool:
    """An open round is overdue (and counts as expired) from the moment it is SLA old."""
    return now - sent_at >= sla


def classify(row: RoundRow, now: dt.datetime, sla: dt.timedelta) -> Status:
    if row.outcome is None:
        return Status.EXPIRED if is_overdue(row.sent_at, now, sla) else Status.PENDING
    if is_actioned(row.outcome):
        return Status.ACTIONED
    if row.outcome is Outcome.REJECTED:
        return Status.REJECTED
    if row.outcome is Outcome.WITHDRAWN:
        return Status.WITHDRAWN
    return Status.EXPIRED  # no_response


def figures(rows: Iterable[RoundRow], now: dt.datetime, sla: dt.timedelta) -> Figures:
    """The figures of `rows` (already restricted to one window and one platform or group)."""
    counts = dict.fromkeys(Status, 0)
    durations: list[float] = []
    reach = unknown = sent = 0
    for row in rows:
        sent += 1
        status = classify(row, now, sla)
        counts[status] += 1
        if status is Status.ACTIONED:
            assert row.outcome_at is not None
            durations.append((row.outcome_at - row.sent_at).total_seconds())
            if row.restored_at is None or row.restored_at > now:
                if row.followers_at_action is None:
                    unknown += 1
                else:
                    reach += row.followers_at_action
    return Figures(
        sent=sent,
        actioned=counts[Status.ACTIONED],
        rejected=counts[Status.REJECTED],
        expired=counts[Status.EXPIRED],
        pending=counts[Status.PENDING],
        median_seconds_to_action=float(statistics.median(durations)) if durations else None,
        reach_removed=reach,
        withdrawn=counts[Status.WITHDRAWN],
        reach_unknown=unknown,
    )


def by_platform(
    rows: Iterable[RoundRow], win: Window, now: dt.datetime, sla: dt.timedelta
) -> dict[Platform, Figures]:
    """Figures per platform with data in the window, in Platform order."""
    grouped: dict[Platform, list[RoundRow]] = {}
    for row in rows:
        if win.contains(row.sent_at):
            grouped.setdefault(row.platform, []).append(row)
    return {p: figures(grouped[p], now, sla) for p in Platform if p in grouped}


def by_group(
    rows: Iterable[RoundRow], win: Window, now: dt.datetime, sla: dt.timedelta
) -> dict[str, Figures]:
    """Figures per group with data in the window (sorted by group name)."""
    grouped: dict[str, list[RoundRow]] = {}
    for row in rows:
        if win.contains(row.sent_at):
            grouped.setdefault(row.group, []).append(row)
    return {g: figures(grouped[g], now, sla) for g in sorted(grouped)}


def total(rows: Iterable[RoundRow], win: Window, now: dt.datetime, sla: dt.timedelta) -> Figures:
    return figures([row for row in rows if win.contains(row.sent_at)], now, sla)


@dataclass(frozen=True)
class Table:
    """Figures per platform (Platform order) or per group (configured order), and totals."""

    rows: dict[str, Figures]
    total: Figures

    @property
    def empty(self) -> bool:
        return self.total.sent == 0


@dataclass(frozen=True)
class OverdueRound:
    case_id: int
    round_no: int
    sent_at: dt.datetime
    platform: Platform
    handle: str
    group: str


@dataclass(frozen=True)
class DayActivity:
    """What happened in one period (the digest's last 24 h)."""

    new_cases: dict[str, int]  # group -> count
    sent: dict[Platform, int]
    outcomes: dict[Outcome, int]

    @property
    def empty(self) -> bool:
        return not (self.new_cases or self.sent or self.outcomes)


Breakdown = Literal["platform", "group", "category"]


def summed(parts: Iterable[Figures]) -> Figures:
    """The figures of several disjoint sets of rounds together (months into a half year):
    every count and the reach add up; a median does not, so it is None."""
    items = list(parts)
    return Figures(
        sent=sum(f.sent for f in items),
        actioned=sum(f.actioned for f in items),
        rejected=sum(f.rejected for f in items),
        expired=sum(f.expired for f in items),
        pending=sum(f.pending for f in items),
        median_seconds_to_action=None,
        reach_removed=sum(f.reach_removed for f in items),
        withdrawn=sum(f.withdrawn for f in items),
        reach_unknown=sum(f.reach_unknown for f in items),
    )

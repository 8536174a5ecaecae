"""The figures of the periodic report (/report): compliance from storage/stats.py (the one
formula), and the counts around it (cases, reports, comebacks, requests per reference, the
requests overdue), each as of one time.

Every figure rests on dated facts: cases by created_at, reports by reported_at, comebacks by
found_at, rounds by sent_at with the outcome recorded by the report's time (Stats with
`as_of`), so `/report 2026-11 asof=...` gives the same figures whenever it is run.
"""

from __future__ import annotations

import asyncio
import datetime as dt
from zoneinfo import ZoneInfo

from bot.domain import Platform, compliance, periods
from bot.domain.compliance import OverdueRound, Window
from bot.domain.periods import Period, PeriodKind
from bot.domain.records import HalfYearRow, Headline, MonthFigures, ReportFigures
from storage.backend import Db, Reader, Row
from storage.db import from_ts, to_ts
from storage.requests import CHASED
from storage.stats import Stats, _expired_before, overdue_round

CHART_MONTHS = 12
OVERDUE_LISTED = 10
# The headline but its compliance figures: cases by group, reports, comebacks.
HeadlineCounts = tuple[dict[str, int], int, int]

# The headline's counts, of the period (:start, :end] and of the history (:since, :end] that
# ends with it, each fact read once: those of the history before the period (:since, :start]
# and those of the period.
_REPORTS_SQL = """
SELECT COUNT(*) FILTER (WHERE reported_at <= :start) AS before,
       COUNT(*) FILTER (WHERE reported_at > :start) AS period
FROM reports WHERE reported_at > :since AND reported_at <= :end
"""
_COMEBACKS_SQL = """
SELECT COUNT(*) FILTER (WHERE found_at <= :start) AS before,
       COUNT(*) FILTER (WHERE found_at > :start) AS period
FROM comebacks WHERE found_at > :since AND found_at <= :end
"""
_FIRST_CASE_SQL = "SELECT min(created_at) AS first FROM cases WHERE created_at <= :end"

# Requests as the platforms count them: a reference (ref=, a packet's) names one request
# however many accounts it lists; a round sent without one is a request of its own. The
# rounds with a reference are read in the order of rounds_by_ref (migration 011), one row
# per platform and reference with its rounds in each half year of the history ({halves}:
# `in0, in1, ...`, half i from the half start :h{{i}}); per platform and half, the references
# with rounds there and those rounds (the rest of the half's rounds have no reference).
_REQUESTS_SQL = """
WITH per_ref AS MATERIALIZED (
    SELECT platform, {halves}
    FROM request_rounds INDEXED BY rounds_by_ref
    WHERE ref <> '' AND sent_at > :start AND sent_at <= :end
    GROUP BY platform, ref
)
{per_half}
"""

# The cases by group, before the period and in it: the groups found by skipping through
# cases_by_group (migration 011), each group's cases counted as two ranges of it, once
# (MATERIALIZED: as a subquery, both SQLite and PostgreSQL copied the counts into the WHERE
# and counted twice).
_CASES_BY_GROUP_SQL = """
WITH RECURSIVE groups (grp) AS (
    SELECT min(grp) FROM cases
    UNION ALL
    SELECT (SELECT min(grp) FROM cases WHERE grp > groups.grp) FROM groups WHERE grp IS NOT NULL
),
counted AS MATERIALIZED (
    SELECT grp,
           (SELECT COUNT(*) FROM cases AS c INDEXED BY cases_by_group
            WHERE c.grp = groups.grp AND c.created_at > :since AND c.created_at <= :start
           ) AS before,
           (SELECT COUNT(*) FROM cases AS c INDEXED BY cases_by_group
            WHERE c.grp = groups.grp AND c.created_at > :start AND c.created_at <= :end
           ) AS period
    FROM groups WHERE grp IS NOT NULL
)
SELECT grp, before, period FROM counted WHERE before + period > 0
"""

# The rounds that were open and overdue at :asof: open now (and chased), or decided after
# :asof (outcome_at is when a round was first decided; a correction keeps it; the two are
# apart: an open round has no outcome_at). Each side reads its own index, the open rounds in
# the order of rounds_open, so it stops at the first :limit; the oldest first.
_OVERDUE_SIDE = """SELECT r.id, r.case_id, r.round_no, r.sent_at, c.platform, c.handle, c.grp
          FROM request_rounds AS r INDEXED BY {index} CROSS JOIN cases AS c ON c.id = r.case_id
          WHERE {where} AND r.sent_at < :expired_before
          ORDER BY r.sent_at, r.id LIMIT :limit"""
_OVERDUE_AS_OF_SQL = f"""
SELECT case_id, round_no, sent_at, platform, handle, grp
FROM (SELECT * FROM ({_OVERDUE_SIDE.format(index="rounds_open", where=CHASED)}) AS open_now
      UNION ALL
      SELECT * FROM ({_OVERDUE_SIDE.format(index="rounds_by_outcome", where="r.outcome_at > :asof")}
                    ) AS decided_after) AS overdue
ORDER BY sent_at, id
LIMIT :limit
"""


class Reports:
    def __init__(self, db: Db) -> None:
        self.db = db

    async def figures(
        self,
        period: Period,
        at: dt.datetime,
        tz: ZoneInfo,
        sla: dt.timedelta,
        groups: list[str],
        *,
        as_of: bool = False,
    ) -> ReportFigures:
        """The report of `period` as of `at` (`as_of`: the facts as recorded by `at`, an
        earlier time; without, as they stand, the same when `at` is the present)."""
        async with self.db.snapshots(2) as (main, side):
            return await _Gathering(main, side).figures(period, at, tz, sla, groups, as_of=as_of)


class _Gathering:
    """The report's statements, all reading one snapshot of the database: the compliance
    statement (most of the time: a second at a million cases) on one connection, the others
    on a second one meanwhile (SQLite: on the other core), both in the same snapshot."""

    def __init__(self, main: Reader, side: Reader) -> None:
        self.db = side
        self.stats = Stats(main)

    async def figures(
        self,
        period: Period,
        at: dt.datetime,
        tz: ZoneInfo,
        sla: dt.timedelta,
        groups: list[str],
        *,
        as_of: bool,
    ) -> ReportFigures:
        win = period.window(tz, at)
        before = period.previous()
        first = await self._first_case(win.end)
        months = periods.months_between(_history_start(first, period, tz), period)
        starts = [month.starts_at(tz) for month in months]
        span = Window("history", starts[0] - periods.SECOND, win.end)
        halves = _halves_of(months)
        tables, (in_period, since), with_ref, overdue = await asyncio.gather(
            self.stats.report_tables(
                span,
                starts,
                _indexes(months, period),
                _indexes(months, before),
                at,
                sla,
                groups,
                as_of=as_of,
            ),
            self._headline_counts(win, span, groups),
            self._requests_by_ref(span, halves, tz),
            self._overdue(at, sla),
        )
        return ReportFigures(
            period=period,
            as_of=at,
            window=win,
            previous_window=before.window(tz, at),
            headline=Headline(*in_period, tables.platforms.total),
            since_first=Headline(*since, tables.since),
            first_case_at=first,
            platforms=tables.platforms,
            groups=tables.groups,
            categories=tables.categories,
            previous_platforms=tables.previous_platforms,
            previous_groups=tables.previous_groups,
            months=[MonthFigures(m, tables.months.get(i, {})) for i, m in enumerate(months)][
                -CHART_MONTHS:
            ],
            halves=_half_rows(months, halves, tables.months, with_ref),
            overdue=overdue,
        )

    async def _first_case(self, end: dt.datetime) -> dt.datetime | None:
        row = await self.db.fetchone(_FIRST_CASE_SQL, {"end": to_ts(end)})
        return None if row is None or row["first"] is None else from_ts(row["first"])

    async def _headline_counts(
        self, win: Window, span: Window, groups: list[str]
    ) -> tuple[HeadlineCounts, HeadlineCounts]:
        """The headline but its compliance figures, of the period `win` and of the history
        `span` (which ends with it, and has a start): the cases by group (in the configured
        order of groups, then any others by name), the reports and the comebacks."""
        assert win.start is not None and span.start is not None
        params = {"since": to_ts(span.start), "start": to_ts(win.start), "end": to_ts(win.end)}
        rows = await self.db.fetchall(_CASES_BY_GROUP_SQL, params)
        reports = await self.db.fetchone(_REPORTS_SQL, params)
        comebacks = await self.db.fetchone(_COMEBACKS_SQL, params)
        assert reports is not None and comebacks is not None

        def counts(*, since: bool) -> HeadlineCounts:
            """The period's, or (since) the history's: the period's and those before it."""

            def n(row: Row) -> int:
                return int(row["period"]) + (int(row["before"]) if since else 0)

            found = {r["grp"]: n(r) for r in rows if n(r) > 0}
            order = [g for g in groups if g in found] + sorted(g for g in found if g not in groups)
            return {group: found[group] for group in order}, n(reports), n(comebacks)

        return counts(since=False), counts(since=True)

    async def _requests_by_ref(
        self, span: Window, halves: list[Period], tz: ZoneInfo
    ) -> dict[tuple[str, int], tuple[int, int]]:
        """(platform, half's number) -> (references with rounds there, those rounds)."""
        params = {"start": to_ts(span.start) if span.start else -1, "end": to_ts(span.end)}
        params.update({f"h{i}": to_ts(half.starts_at(tz)) for i, half in enumerate(halves) if i})
        return {
            (r["platform"], r["half"]): (r["refs"], r["rounds"])
            for r in await self.db.fetchall(_requests_sql(len(halves)), params)
        }

    async def _overdue(self, at: dt.datetime, sla: dt.timedelta) -> list[OverdueRound]:
        params = {
            "asof": to_ts(at),
            "expired_before": _expired_before(at, sla),
            "limit": OVERDUE_LISTED,
        }
        return [overdue_round(r) for r in await self.db.fetchall(_OVERDUE_AS_OF_SQL, params)]


def _halves_of(months: list[Period]) -> list[Period]:
    """The half years the months fall in, in order."""
    halves: list[Period] = []
    for month in months:
        half = periods.containing(PeriodKind.HALF, month.start)
        if not halves or halves[-1] != half:
            halves.append(half)
    return halves


def _half_rows(
    months: list[Period],
    halves: list[Period],
    monthly: dict[int, dict[Platform, compliance.Figures]],
    with_ref: dict[tuple[str, int], tuple[int, int]],
) -> list[HalfYearRow]:
    """Per half year and platform with requests sent: the months summed, and the requests
    counted by reference (a round without one is a request of its own)."""
    rows = []
    for number, half in enumerate(halves):
        inside = [i for i, month in enumerate(months) if half.start <= month.start < half.end]
        for platform in Platform:
            parts = [monthly[i][platform] for i in inside if platform in monthly.get(i, {})]
            if parts:
                figures = compliance.summed(parts)
                refs, rounds = with_ref.get((platform.value, number), (0, 0))
                rows.append(HalfYearRow(half, platform, refs + figures.sent - rounds, figures))
    return rows


def _requests_sql(halves: int) -> str:
    """_REQUESTS_SQL for that many half years (fixed text from a count, never user input)."""
    bounds = [None, *(f":h{i}" for i in range(1, halves)), None]
    ins = []
    for i in range(halves):
        low, high = bounds[i], bounds[i + 1]
        terms = ([f"sent_at >= {low}"] if low else []) + ([f"sent_at < {high}"] if high else [])
        ins.append(f"COUNT(*) FILTER (WHERE {' AND '.join(terms) or '1 = 1'}) AS in{i}")
    per_half = "\nUNION ALL\n".join(
        f"SELECT platform, {i} AS half, COUNT(*) FILTER (WHERE in{i} > 0) AS refs,"
        f" SUM(in{i}) AS rounds"
        " FROM per_ref GROUP BY platform"
        for i in range(halves)
    )
    return _REQUESTS_SQL.format(halves=", ".join(ins), per_half=per_half)


def _indexes(months: list[Period], period: Period) -> tuple[int, int]:
    """The first and last index of `period`'s months in `months` (which hold them all)."""
    first = months.index(period.month_list()[0])
    return first, first + period.months - 1


def _history_start(first: dt.datetime | None, period: Period, tz: ZoneInfo) -> Period:
    """The first month of the history: the first case's, or the first of the period before,
    or CHART_MONTHS before the end of the period, whichever is earliest (the chart always
    shows as many months, and the change compares with the period before)."""
    last = period.month_list()[-1]
    back = last.start.year * 12 + last.start.month - 1 - (CHART_MONTHS - 1)
    candidates = [Period(back // 12, PeriodKind.MONTH, back % 12 + 1)]
    candidates.append(period.previous().month_list()[0])
    if first is not None:
        candidates.append(periods.containing(PeriodKind.MONTH, first.astimezone(tz).date()))
    return min(candidates, key=lambda month: month.start)

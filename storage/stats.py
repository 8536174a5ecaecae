"""Compliance figures and digest facts, computed in SQL.

The figures follow bot/domain/compliance.py exactly (tests compare the two on generated data); the
work is done by GROUP BY over the rounds sent in the window, read through the covering index
`rounds_by_sent (sent_at, platform, grp, outcome, outcome_at, case_id)`: a round carries its
case's platform and group (migration 003) and its category (011), so no compliance figure
reads `cases`.
"""

from __future__ import annotations

import datetime as dt

from bot.domain import Category, Outcome, Platform, states
from bot.domain.compliance import (
    EMPTY,
    Breakdown,
    DayActivity,
    Figures,
    OverdueRound,
    Rate,
    Table,
    Window,
)
from bot.domain.records import DigestTables, ReportTables
from storage import sql
from storage.backend import Reader, Row
from storage.db import from_ts, to_ts
from storage.requests import CHASED

# Column names by breakdown: fixed SQL text, never user input. request_rounds and cases both
# have `platform` and `grp` (a round's copy of its case's, migration 003).
_KEYS: dict[Breakdown, str] = {"platform": "platform", "group": "grp"}

# The rounds of the window (start < sent_at <= end) as they stand now: the covering index of
# the rounds, with each round's outcome in force now; a window without a start uses
# start = -1 (every stored timestamp is >= 0). Every query below reads the rounds of the
# window as {rounds}, a source ending in a WHERE clause, so the same statement also runs
# over the rounds as they stood at an earlier time (_AS_OF).
_WINDOW = (
    "sent_at > :start AND sent_at <= :end"
    " AND (CAST(:platform AS TEXT) IS NULL OR platform = :platform)"
)
_IN_WINDOW = f"request_rounds INDEXED BY rounds_by_sent WHERE {_WINDOW}"

# The rounds of the window as they stood at :asof: sent by then, with the outcome version last
# recorded by then (none: still open then), restored only if restored by then. Prepended to
# the statement's WITH; {rounds} then names it.
_AS_OF = f"""
as_of AS MATERIALIZED (
    SELECT r.sent_at, r.platform, r.grp, r.category, r.case_id, v.outcome, v.outcome_at,
           v.followers_at_action, IIF(r.restored_at <= :asof, r.restored_at, NULL) AS restored_at
    FROM request_rounds AS r
    LEFT JOIN outcome_versions AS v ON v.id = (
        SELECT w.id FROM outcome_versions AS w
        WHERE w.case_id = r.case_id AND w.round_no = r.round_no AND w.recorded_at <= :asof
        ORDER BY w.recorded_at DESC, w.id DESC LIMIT 1)
    WHERE {_WINDOW}  -- of the rounds: outcome_versions has none of these columns
),"""
_AS_OF_ROUNDS = "as_of WHERE 1 = 1"

_ACTIONED = f"outcome IN {sql.in_list(states.ACTIONED_OUTCOMES)}"
_REJECTED = f"outcome = {sql.literal(Outcome.REJECTED)}"
_NO_RESPONSE = f"outcome = {sql.literal(Outcome.NO_RESPONSE)}"
_WITHDRAWN = f"outcome = {sql.literal(Outcome.WITHDRAWN)}"
# An actioned round counts in the reach until its account is restored.
_IN_REACH = f"{_ACTIONED} AND restored_at IS NULL"

# A set of rounds' counts, one per column of the compliance figures, spelt in SQL here only:
# the /stats and digest figures, and the report's cells on either backend, count with these.
_STATUS_COUNTS = {
    "sent": "COUNT(*)",
    "actioned": f"COUNT(*) FILTER (WHERE {_ACTIONED})",
    "rejected": f"COUNT(*) FILTER (WHERE {_REJECTED})",
    "expired": f"COUNT(*) FILTER (WHERE {_NO_RESPONSE}"
    " OR (outcome IS NULL AND sent_at < :expired_before))",
    "pending": "COUNT(*) FILTER (WHERE outcome IS NULL AND sent_at >= :expired_before)",
    "withdrawn": f"COUNT(*) FILTER (WHERE {_WITHDRAWN})",
    "reach": f"COALESCE(SUM(followers_at_action) FILTER (WHERE {_IN_REACH}), 0)",
    "unknown": f"COUNT(*) FILTER (WHERE {_IN_REACH} AND followers_at_action IS NULL)",
}
_STATUS_COLUMNS = ", ".join(_STATUS_COUNTS)
_COUNTED = ",\n           ".join(f"{count} AS {column}" for column, count in _STATUS_COUNTS.items())

# Each part reads the index range again (a scan of the window costs less than keeping it in a
# temporary table): the counts and the reach (the followers each account had when actioned,
# over the actioned rounds not restored; those of unknown size counted apart); the actioned
# rounds ranked by time to action within their key for the medians (the median of n values
# is the average of the values ranked (n + 1) / 2 and (n + 2) / 2, integer division: the
# middle one, or the two; overall, without ranks: the 2 - n % 2 values after the first
# (n - 1) / 2 in order). The last row (is_total = 1) holds the totals: counts and reach summed
# over the keys, the median over all actioned rounds.
_FIGURES_SQL = f"""
WITH {{prefix}} counts AS (
    SELECT {{key}} AS key,
           {_COUNTED}
    FROM {{rounds}}
    GROUP BY key
),
all_actioned AS (SELECT CAST(COALESCE(SUM(actioned), 0) AS BIGINT) AS n FROM counts),
ranked AS (
    SELECT {{key}} AS key, outcome_at - sent_at AS seconds,
           ROW_NUMBER() OVER (PARTITION BY {{key}} ORDER BY outcome_at - sent_at) AS rank
    FROM {{rounds}} AND {_ACTIONED}
),
median AS (
    SELECT ranked.key, AVG(ranked.seconds) AS median_seconds
    FROM ranked CROSS JOIN counts ON counts.key = ranked.key
    WHERE ranked.rank IN ((counts.actioned + 1) / 2, (counts.actioned + 2) / 2)
    GROUP BY ranked.key
),
per_key AS (
    SELECT counts.*, median.median_seconds FROM counts LEFT JOIN median USING (key)
)
SELECT 0 AS is_total, key, sent, actioned, rejected, expired, pending, withdrawn,
       median_seconds, reach, unknown
FROM per_key
UNION ALL
SELECT 1, NULL, COALESCE(SUM(sent), 0), COALESCE(SUM(actioned), 0),
       COALESCE(SUM(rejected), 0), COALESCE(SUM(expired), 0), COALESCE(SUM(pending), 0),
       COALESCE(SUM(withdrawn), 0),
       (SELECT AVG(seconds)
        FROM (SELECT outcome_at - sent_at AS seconds FROM {{rounds}} AND {_ACTIONED}
              ORDER BY seconds LIMIT 2 - (SELECT n FROM all_actioned) % 2
              OFFSET ((SELECT n FROM all_actioned) - 1) / 2) AS middle),
       COALESCE(SUM(reach), 0), COALESCE(SUM(unknown), 0)
FROM per_key
"""


def figures_sql(by: Breakdown, *, as_of: bool = False) -> str:
    """The statement of Stats.table: over the rounds as they stand, or as they stood at :asof."""
    return _FIGURES_SQL.format(
        key=_KEYS[by],
        prefix=_AS_OF if as_of else "",
        rounds=_AS_OF_ROUNDS if as_of else _IN_WINDOW,
    )


# Time to action is ranked in buckets of this many seconds: max(seconds, 0) / _BUCKET never
# decreases as the seconds grow, so a value's rank is the count of its key's values in lower
# buckets plus its rank within its own bucket. Any width gives the exact median; an hour keeps
# both the buckets (a few thousand) and the rows of the middle buckets (a few hundred) small.
_BUCKET = 3600

# The bucket of each median (the digest's and the report's statements): from `hist` (part, key,
# bucket, n) and `counts` (part, key, actioned), the bucket where the running count passes
# half of the actioned rounds, and how many lie below it.
_LOCATED = """located AS MATERIALIZED (
    SELECT h.part, h.key, h.bucket, h.upto - h.n AS below
    FROM (SELECT part, key, bucket, n,
                 SUM(n) OVER (PARTITION BY part, key ORDER BY bucket
                              ROWS UNBOUNDED PRECEDING) AS upto
          FROM hist) AS h
    CROSS JOIN counts ON counts.part = h.part AND counts.key = h.key
    WHERE h.upto - h.n < (counts.actioned + 2) / 2 AND h.upto >= (counts.actioned + 1) / 2
),"""

# The code of a round that was not actioned, in the cells of the digest's and the report's
# statements (an actioned round's code is its bucket of hours, >= 0): rejected -1, expired
# (no_response, or open past the SLA) -2, open -3, withdrawn -4.
_NOT_ACTIONED_CODES = f"""WHEN {_REJECTED} THEN -1
                      WHEN {_NO_RESPONSE}
                           OR (outcome IS NULL AND sent_at < :expired_before) THEN -2
                      WHEN outcome IS NULL THEN -3
                      ELSE -4  -- withdrawn"""

# The digest's compliance in one statement: the rolling window (:start, :end] per platform
# and per group with the totals (part 'platform', 'group', 'total'), and the compliance
# counts per platform of the window before it, (:before, :start] (part 'previous': actioned,
# rejected and expired, all the digest's change in points needs). SQLite sorts for every
# GROUP BY and window, so the window's rounds are sorted once, into `cells`: counted per
# (code, platform, group), the code being an actioned round's bucket of time to action (>= 0)
# or the status of any other (< 0). Every count, per key and in total, is a sum of cells; so
# is the number of actioned rounds per key and bucket (`hist`), which locates the bucket(s)
# holding the middle rank(s) of each key (`located`: (n + 1) / 2 and (n + 2) / 2, the middle
# one or the two, as in statistics.median). Only the actioned rounds in those buckets are read
# again (`near`) and ranked within their bucket, for each platform, group and the total. The
# reach (and the count of accounts of unknown size) is summed in the cells too.
_DIGEST_SQL = f"""
WITH cells AS MATERIALIZED (
    SELECT platform, grp, code, COUNT(*) AS n,
           COALESCE(SUM(followers_at_action) FILTER (WHERE {_IN_REACH}), 0) AS reach,
           COUNT(*) FILTER (WHERE {_IN_REACH} AND followers_at_action IS NULL) AS unknown
    FROM (SELECT platform, grp, outcome, followers_at_action, restored_at,
                 CASE WHEN {_ACTIONED} THEN max(outcome_at - sent_at, 0) / {_BUCKET}
                      {_NOT_ACTIONED_CODES}
                 END AS code
          FROM {_IN_WINDOW}) AS coded
    GROUP BY code, platform, grp
),
counts AS MATERIALIZED (
    SELECT 'platform' AS part, platform AS key, SUM(n) AS sent,
           CAST(SUM(IIF(code >= 0, n, 0)) AS BIGINT) AS actioned,
           SUM(IIF(code = -1, n, 0)) AS rejected,
           SUM(IIF(code = -2, n, 0)) AS expired, SUM(IIF(code = -3, n, 0)) AS pending,
           SUM(IIF(code = -4, n, 0)) AS withdrawn, SUM(reach) AS reach, SUM(unknown) AS unknown
    FROM cells GROUP BY platform
    UNION ALL
    SELECT 'group', grp, SUM(n), CAST(SUM(IIF(code >= 0, n, 0)) AS BIGINT),
           SUM(IIF(code = -1, n, 0)), SUM(IIF(code = -2, n, 0)), SUM(IIF(code = -3, n, 0)),
           SUM(IIF(code = -4, n, 0)), SUM(reach), SUM(unknown)
    FROM cells GROUP BY grp
    UNION ALL
    SELECT 'total', '', COALESCE(SUM(n), 0), COALESCE(CAST(SUM(IIF(code >= 0, n, 0)) AS BIGINT), 0),
           COALESCE(SUM(IIF(code = -1, n, 0)), 0), COALESCE(SUM(IIF(code = -2, n, 0)), 0),
           COALESCE(SUM(IIF(code = -3, n, 0)), 0), COALESCE(SUM(IIF(code = -4, n, 0)), 0),
           COALESCE(SUM(reach), 0), COALESCE(SUM(unknown), 0)
    FROM cells
),
hist AS (
    SELECT 'platform' AS part, platform AS key, code AS bucket, SUM(n) AS n
    FROM cells WHERE code >= 0 GROUP BY platform, code
    UNION ALL
    SELECT 'group', grp, code, SUM(n) FROM cells WHERE code >= 0 GROUP BY grp, code
    UNION ALL
    SELECT 'total', '', code, SUM(n) FROM cells WHERE code >= 0 GROUP BY code
),
{_LOCATED}
near AS MATERIALIZED (
    SELECT platform, grp, outcome_at - sent_at AS seconds,
           max(outcome_at - sent_at, 0) / {_BUCKET} AS bucket
    FROM {_IN_WINDOW} AND {_ACTIONED}
         AND max(outcome_at - sent_at, 0) / {_BUCKET} IN (SELECT bucket FROM located)
),
ranked AS (
    SELECT located.part, located.key, near.seconds,
           located.below + ROW_NUMBER() OVER (
               PARTITION BY located.part, located.key, located.bucket ORDER BY near.seconds
           ) AS rank
    FROM located CROSS JOIN near ON near.bucket = located.bucket
    WHERE located.key = CASE located.part WHEN 'platform' THEN near.platform
                                          WHEN 'group' THEN near.grp ELSE '' END
),
median AS (
    SELECT ranked.part, ranked.key, AVG(ranked.seconds) AS median_seconds
    FROM ranked CROSS JOIN counts ON counts.part = ranked.part AND counts.key = ranked.key
    WHERE ranked.rank IN ((counts.actioned + 1) / 2, (counts.actioned + 2) / 2)
    GROUP BY ranked.part, ranked.key
)
SELECT counts.part, IIF(counts.part = 'total', NULL, counts.key) AS key,
       sent, actioned, rejected, expired, pending, withdrawn, median.median_seconds,
       reach, unknown
FROM counts LEFT JOIN median USING (part, key)
UNION ALL
SELECT 'previous', platform, NULL, COUNT(*) FILTER (WHERE {_ACTIONED}),
       COUNT(*) FILTER (WHERE {_REJECTED}),
       COUNT(*) FILTER (WHERE {_NO_RESPONSE}
                        OR (outcome IS NULL AND sent_at < :expired_before)),
       NULL, NULL, NULL, NULL, NULL
FROM request_rounds INDEXED BY rounds_by_sent
WHERE sent_at > :before AND sent_at <= :start
GROUP BY platform
"""

# The periodic report's compliance in one statement (storage/reports.py), over the rounds of
# the report's history (from its first month to the end of the period). Every table is a sum
# of cells per (platform, group, category, month) with the counts of each status:
# `REPORT_PARTS`, each a key and the months it covers (:p0-:p1 the period's, :q0-:q1 the
# period before's). Only the period's tables have medians: the period's actioned rounds are
# counted per (platform, group, category) and bucket of time to action (2 h; the median is
# exact at any width), which locates the bucket(s) holding each median's middle ranks, and
# only the actioned rounds of those buckets are read again (`near`) and ranked.
#
# As the rounds stand (the report of the present), both are read in index order (migration
# 011) rather than sorted (at 1.2M rounds a year's statement took 5-6 s, now about 1 s): the
# cells are one range of rounds_by_key each (the (platform, group, category) keys found by
# skipping through that index, times the months), the buckets one pass through
# rounds_by_action_time; on PostgreSQL the cells are one hash aggregate over the table
# (_cells_grouped). As they stood at :asof, the rounds are the `as_of` rows (an outcome
# version looked up per round), which have no index: they are sorted once into cells per
# status code, as the digest's are (at 1M cases the asof report of a year takes about 10 s).
_REPORT_BUCKET = 2 * 3600  # migration 011's rounds_by_action_time has the same expression
_BUCKET_OF = f"max(outcome_at - sent_at, 0) / {_REPORT_BUCKET}"
_PERIOD, _BEFORE = "month BETWEEN :p0 AND :p1", "month BETWEEN :q0 AND :q1"
EMPTY_KEY = "''"  # the key of a total
# part -> (key over the cells, the months it sums, whether it has medians)
REPORT_PARTS: dict[str, tuple[str, str, bool]] = {
    "platform": ("platform", _PERIOD, True),
    "group": ("grp", _PERIOD, True),
    "category": ("category", _PERIOD, True),
    "total": (EMPTY_KEY, _PERIOD, True),
    "since": (EMPTY_KEY, "1 = 1", False),
    "month": ("platform || ' ' || month", "1 = 1", False),
    "previous_platform": ("platform", _BEFORE, False),
    "previous_group": ("grp", _BEFORE, False),
    "previous_total": (EMPTY_KEY, _BEFORE, False),
}
_WITH_MEDIANS = [(part, key) for part, (key, _, medians) in REPORT_PARTS.items() if medians]


def _union(selects: list[str]) -> str:
    return "\n    UNION ALL\n    ".join(selects)


def _report_counts(sums: str) -> str:
    """`counts`: each part's sums over `cells` (month, platform, grp, category, ...)."""
    parts = _union(
        [
            f"SELECT '{part}', {key}, {sums} FROM cells WHERE {months_of} GROUP BY 2"
            for part, (key, months_of, _) in REPORT_PARTS.items()
        ]
    )
    return f"""counts (part, key, {_STATUS_COLUMNS}) AS MATERIALIZED (
    {parts}
),"""


def _part_key(rounds: str) -> str:
    """The key of the located part `l.part` in the row `rounds` of `near` or `buckets`."""
    whens = " ".join(
        f"WHEN '{part}' THEN {key if key == EMPTY_KEY else f'{rounds}.{key}'}"
        for part, key in _WITH_MEDIANS
    )
    return f"CASE l.part {whens} END"


# From `near` (platform, grp, category, bucket, seconds): the rounds of each located bucket
# ranked within their part and key (each located part reads its bucket's rounds of `near`),
# the median(s), and every part's counts with its median.
_REPORT_MEDIANS = f"""ranked AS (
    SELECT l.part, l.key, n.seconds,
           l.below + ROW_NUMBER() OVER (
               PARTITION BY l.part, l.key, l.bucket ORDER BY n.seconds
           ) AS rank
    FROM located AS l CROSS JOIN near AS n ON n.bucket = l.bucket AND l.key = {_part_key("n")}
),
median AS (
    SELECT ranked.part, ranked.key, AVG(ranked.seconds) AS median_seconds
    FROM ranked CROSS JOIN counts ON counts.part = ranked.part AND counts.key = ranked.key
    WHERE ranked.rank IN ((counts.actioned + 1) / 2, (counts.actioned + 2) / 2)
    GROUP BY ranked.part, ranked.key
)
SELECT counts.*, median.median_seconds
FROM counts LEFT JOIN median USING (part, key)
"""

# The rounds with the keys that follow (platform, grp, category) of `k` in rounds_by_key: the
# next category, else the next group, else the next platform (each one seek).
_NEXT_KEY = """COALESCE(
        (SELECT id FROM request_rounds INDEXED BY rounds_by_key
         WHERE platform = k.platform AND grp = k.grp AND category > k.category
         ORDER BY platform, grp, category LIMIT 1),
        (SELECT id FROM request_rounds INDEXED BY rounds_by_key
         WHERE platform = k.platform AND grp > k.grp ORDER BY platform, grp, category LIMIT 1),
        (SELECT id FROM request_rounds INDEXED BY rounds_by_key
         WHERE platform > k.platform ORDER BY platform, grp, category LIMIT 1))"""

# A cell's counts, over the rounds of one range of rounds_by_key: returned as one JSON array
# by the correlated subquery (a subquery returns one value), in _STATUS_COLUMNS' order.
_CELL_COUNTS = f"json_array({', '.join(_STATUS_COUNTS.values())})"

# actioned as an integer: its ranks' (n + 1) / 2 divide as integers on PostgreSQL too (its SUM
# of integers is a numeric)
_SUMS = ", ".join(
    "CAST(SUM(actioned) AS BIGINT)" if column == "actioned" else f"SUM({column})"
    for column in _STATUS_COLUMNS.split(", ")
)


def _cells_in_index_order(months: int) -> str:
    """SQLite's `cells` of _report_sql: each (platform, group, category) and month one range
    of rounds_by_key, month i of the history being (:m{i} - 1, :m{i+1} - 1], the first from
    :start, the last to :end."""
    bounds = [":start", *(f":m{i} - 1" for i in range(1, months)), ":end"]
    month_rows = ", ".join(f"({i}, {bounds[i]}, {bounds[i + 1]})" for i in range(months))
    columns = ", ".join(
        f"counted ->> {i} AS {column}" for i, column in enumerate(_STATUS_COLUMNS.split(", "))
    )
    return f"""RECURSIVE keys (platform, grp, category) AS (
    SELECT * FROM (SELECT platform, grp, category FROM request_rounds INDEXED BY rounds_by_key
                   ORDER BY platform, grp, category LIMIT 1)
    UNION ALL
    SELECT r.platform, r.grp, r.category
    FROM keys AS k CROSS JOIN request_rounds AS r ON r.id = {_NEXT_KEY}
),
months (month, lo, hi) AS (VALUES {month_rows}),
cells_counted AS MATERIALIZED (
    SELECT k.platform, k.grp, k.category, m.month, (
        SELECT {_CELL_COUNTS}
        FROM request_rounds INDEXED BY rounds_by_key
        WHERE platform = k.platform AND grp = k.grp AND category = k.category
          AND sent_at > m.lo AND sent_at <= m.hi) AS counted
    FROM keys AS k CROSS JOIN months AS m
),
cells AS MATERIALIZED (
    SELECT platform, grp, category, month, {columns}
    FROM cells_counted WHERE counted ->> 0 > 0
),"""


def _cells_grouped(months: int) -> str:
    """PostgreSQL's `cells` of _report_sql: the rounds of the history grouped by their key
    and month, one hash aggregate over a scan of the table (PostgreSQL has no skip scan to
    find the keys, and its index-only scans cost more a row than its scans of the table).
    The month is joined from the list of the months rather than grouped by as the
    expression: the planner, estimating an expression of sent_at as many values as sent_at
    has (a cell a round), planned a sort of every round, or no parallel aggregate; from the
    list it counts the cells right (a parallel hash aggregate, 0.6-0.9 s at 1M cases instead
    of 1.1-2.2 s, whatever work_mem)."""
    month_list = ", ".join(f"({i})" for i in range(months))
    return f"""cells AS MATERIALIZED (
    SELECT platform, grp, category, m.month,
           {_COUNTED}
    FROM request_rounds
    JOIN (VALUES {month_list}) AS m (month) ON m.month = {_month_index(months)}
    WHERE {_WINDOW}
    GROUP BY platform, grp, category, m.month
),"""


# The rounds of `near`: those of each bucket of `buckets` (the rows of which the EXISTS after
# it keeps), one range of rounds_by_action_time each. SQLite reads the buckets first as
# CROSS JOIN orders it; PostgreSQL as LATERAL makes it, OFFSET 0 keeping its planner from
# merging the subquery into a plain join (which, not knowing how few buckets are kept, it
# ran as one pass over the whole index: 0.6 s at 1M cases instead of 20 ms).
_RANGE_OF_BUCKET = f"""r.platform = b.platform AND r.grp = b.grp AND r.category = b.category
        AND {_BUCKET_OF} = b.bucket AND r.sent_at > :period_start AND r.sent_at <= :end"""
_NEAR_ROUNDS = {
    "SQLite": f"""CROSS JOIN request_rounds AS r INDEXED BY rounds_by_action_time
         ON {_RANGE_OF_BUCKET}
    WHERE {_ACTIONED}""",
    "PostgreSQL": f"""CROSS JOIN LATERAL (
        SELECT outcome_at, sent_at FROM request_rounds AS r
        WHERE {_RANGE_OF_BUCKET} AND {_ACTIONED}
        OFFSET 0) AS r
    WHERE 1 = 1""",
}


def _report_sql(months: int, *, backend: str) -> str:
    """The report's statement over the rounds as they stand: month i of the history is
    (:m{i} - 1, :m{i+1} - 1], the first from :start, the last to :end. The backends differ
    only in how they count the cells and read the rounds of the median buckets. The buckets
    come in the order of rounds_by_action_time, which SQLite reads them in anyway: so
    PostgreSQL reads that index too (0.15 s at 1M cases) rather than hash every actioned
    round of the table, which it plans once work_mem allows (0.5 s)."""
    cells = _cells_grouped(months) if backend == "PostgreSQL" else _cells_in_index_order(months)
    hist = _union(
        [f"SELECT '{part}', {key}, bucket, SUM(n) FROM buckets GROUP BY 2, 3"
         for part, key in _WITH_MEDIANS]
    )  # fmt: skip
    return f"""
WITH {cells}
{_report_counts(_SUMS)}
buckets AS MATERIALIZED (
    SELECT platform, grp, category, {_BUCKET_OF} AS bucket, COUNT(*) AS n
    FROM request_rounds INDEXED BY rounds_by_action_time
    WHERE {_ACTIONED} AND sent_at > :period_start AND sent_at <= :end
    GROUP BY platform, grp, category, bucket
    ORDER BY platform, grp, category, bucket
),
hist (part, key, bucket, n) AS (
    {hist}
),
{_LOCATED}
near AS MATERIALIZED (
    SELECT b.platform, b.grp, b.category, b.bucket, r.outcome_at - r.sent_at AS seconds
    FROM buckets AS b
    {_NEAR_ROUNDS[backend]}
      AND EXISTS (SELECT 1 FROM located AS l
                  WHERE l.bucket = b.bucket AND l.key = {_part_key("b")})
),
{_REPORT_MEDIANS}"""


def _report_sorted_sql(months: int) -> str:
    """The report's statement over the rounds as they stood at :asof: the rows sorted once
    into cells per (month, platform, group, category, code), the code being an actioned
    round's bucket of time to action (>= 0; only the period's, others 0) or the status of
    any other (< 0); the category only for the period's rounds, so the cells of the rest of
    the history stay few."""
    month = _month_index(months)
    hist = _union(
        [f"SELECT '{part}', {key}, code, SUM(n) FROM cells WHERE code >= 0 AND {_PERIOD}"
         " GROUP BY 2, 3"
         for part, key in _WITH_MEDIANS]
    )  # fmt: skip
    # actioned as an integer: its ranks' (n + 1) / 2 divide as integers on PostgreSQL too
    # (its SUM of integers is a numeric)
    sums = """SUM(n), CAST(SUM(IIF(code >= 0, n, 0)) AS BIGINT), SUM(IIF(code = -1, n, 0)),
           SUM(IIF(code = -2, n, 0)), SUM(IIF(code = -3, n, 0)), SUM(IIF(code = -4, n, 0)),
           SUM(reach), SUM(unknown)"""
    return f"""
WITH {_AS_OF} cells AS MATERIALIZED (
    SELECT month, platform, grp, category, code, COUNT(*) AS n,
           COALESCE(SUM(followers_at_action) FILTER (WHERE {_IN_REACH}), 0) AS reach,
           COUNT(*) FILTER (WHERE {_IN_REACH} AND followers_at_action IS NULL) AS unknown
    FROM (SELECT platform, grp, IIF(sent_at > :period_start, category, NULL) AS category,
                 {month} AS month, outcome, followers_at_action, restored_at,
                 CASE WHEN {_ACTIONED} THEN IIF(sent_at > :period_start, {_BUCKET_OF}, 0)
                      {_NOT_ACTIONED_CODES}
                 END AS code
          FROM {_AS_OF_ROUNDS}) AS coded
    GROUP BY month, platform, grp, category, code
),
{_report_counts(sums)}
hist (part, key, bucket, n) AS (
    {hist}
),
{_LOCATED}
near AS MATERIALIZED (
    SELECT platform, grp, category, {_BUCKET_OF} AS bucket, outcome_at - sent_at AS seconds
    FROM {_AS_OF_ROUNDS} AND sent_at > :period_start AND {_ACTIONED}
         AND {_BUCKET_OF} IN (SELECT bucket FROM located)
),
{_REPORT_MEDIANS}"""


def _month_index(months: int) -> str:
    """A round's month, counted from 0 by the month starts :m1, :m2, ... it is at or after:
    a binary search in nested CASEs, a few comparisons a round (fixed text from a count,
    never user input)."""

    def search(low: int, high: int) -> str:
        if low == high:
            return str(low)
        middle = (low + high + 1) // 2
        return (
            f"CASE WHEN sent_at >= :m{middle} THEN {search(middle, high)}"
            f" ELSE {search(low, middle - 1)} END"
        )

    return f"({search(0, months - 1)})"


_NEW_CASES_SQL = """
SELECT grp, COUNT(*) AS n FROM cases
WHERE created_at > :start AND created_at <= :end
GROUP BY grp
"""

_SENT_SQL = """
SELECT platform, COUNT(*) AS n
FROM request_rounds INDEXED BY rounds_by_sent
WHERE sent_at > :start AND sent_at <= :end
GROUP BY platform
"""

_OUTCOMES_SQL = """
SELECT outcome, COUNT(*) AS n
FROM request_rounds INDEXED BY rounds_by_outcome
WHERE outcome_at > :start AND outcome_at <= :end
GROUP BY outcome
"""

_OVERDUE_SQL = f"""
SELECT r.case_id, r.round_no, r.sent_at, c.platform, c.handle, c.grp
FROM request_rounds AS r INDEXED BY rounds_open
CROSS JOIN cases AS c ON c.id = r.case_id
WHERE {CHASED} AND r.sent_at < :expired_before
ORDER BY r.sent_at, r.id
LIMIT :limit
"""


def _figures(row: Row) -> Figures:
    median = row["median_seconds"]
    return Figures(
        sent=row["sent"],
        actioned=row["actioned"],
        rejected=row["rejected"],
        expired=row["expired"],
        pending=row["pending"],
        median_seconds_to_action=None if median is None else float(median),
        reach_removed=row["reach"],
        withdrawn=row["withdrawn"],
        reach_unknown=row["unknown"],
    )


def _expired_before(now: dt.datetime, sla: dt.timedelta) -> int:
    """An open round is expired when now - sent_at >= sla (compliance.is_overdue), i.e.
    sent_at <= now - sla; for whole seconds that is sent_at < floor(now - sla) + 1."""
    return to_ts(now - sla) + 1


def _params(
    win: Window, now: dt.datetime, sla: dt.timedelta, platform: Platform | None
) -> dict[str, object]:
    return {
        "start": -1 if win.start is None else to_ts(win.start),
        "end": to_ts(win.end),
        "expired_before": _expired_before(now, sla),
        "platform": None if platform is None else platform.value,
        "asof": to_ts(now),
    }


def _table(
    by: Breakdown, found: dict[str, Figures], totals: Figures, groups: list[str] | None
) -> Table:
    """Platforms in Platform order; groups in the order of `groups`, then any others (a group
    no longer configured) by name."""
    order = [p.value for p in Platform] if by == "platform" else list(groups or [])
    keys = [k for k in order if k in found] + sorted(k for k in found if k not in order)
    return Table(rows={k: found[k] for k in keys}, total=totals)


class Stats:
    def __init__(self, db: Reader) -> None:
        self.db = db

    async def table(
        self,
        by: Breakdown,
        win: Window,
        now: dt.datetime,
        sla: dt.timedelta,
        *,
        platform: Platform | None = None,
        groups: list[str] | None = None,
        as_of: bool = False,
    ) -> Table:
        """Figures of the rounds sent in `win`, classified as of `now`, per platform or group,
        and the totals; one SQL statement.

        With `as_of`, the rounds as they stood at `now` (an earlier time): the outcome
        versions recorded by then, the restorations by then; so the same figures come back
        whenever it is run, whatever was recorded after. Without, the rounds as they stand
        (the same figures when `now` is the present: nothing is recorded after the present).

        Platforms come in Platform order; groups in the order of `groups`, then any others
        (a group no longer configured) by name.
        """
        found: dict[str, Figures] = {}
        totals = EMPTY
        params = _params(win, now, sla, platform)
        for row in await self.db.fetchall(figures_sql(by, as_of=as_of), params):
            if row["is_total"]:
                totals = _figures(row)
            else:
                found[str(row["key"])] = _figures(row)
        return _table(by, found, totals, groups)

    async def report_tables(
        self,
        span: Window,
        month_starts: list[dt.datetime],
        period_months: tuple[int, int],
        before_months: tuple[int, int],
        now: dt.datetime,
        sla: dt.timedelta,
        groups: list[str],
        *,
        as_of: bool = False,
    ) -> ReportTables:
        """The report's compliance over the rounds sent in `span`, classified as of `now`
        (`as_of`: as they stood then), in one SQL statement: month i of the span starts at
        `month_starts[i]` (the first at the span's start); the period is months
        `period_months` (first, last), the period before `before_months`."""
        params = _params(span, now, sla, None)
        params.update({f"m{i}": to_ts(start) for i, start in enumerate(month_starts) if i})
        params.update(zip(("p0", "p1", "q0", "q1"), (*period_months, *before_months), strict=True))
        # the period's rounds are those after its first month's start (the span ends with it)
        params["period_start"] = to_ts(month_starts[period_months[0]]) - 1
        found: dict[str, dict[str, Figures]] = {part: {} for part in REPORT_PARTS}
        if as_of:
            sql_text = _report_sorted_sql(len(month_starts))
        else:
            sql_text = _report_sql(len(month_starts), backend=self.db.backend)
        for row in await self.db.fetchall(sql_text, params):
            found[row["part"]][str(row["key"])] = _figures(row)
        months: dict[int, dict[Platform, Figures]] = {}
        for key, fig in found["month"].items():
            platform, index = key.split(" ")
            months.setdefault(int(index), {})[Platform(platform)] = fig
        categories = [c.value for c in Category]

        def table(by: Breakdown, part: str, total: str) -> Table:
            return _table(
                by,
                found[part],
                found[total].get("", EMPTY),
                groups if by == "group" else categories,
            )

        return ReportTables(
            platforms=table("platform", "platform", "total"),
            groups=table("group", "group", "total"),
            categories=table("category", "category", "total"),
            since=found["since"].get("", EMPTY),
            months={
                i: {p: months[i][p] for p in Platform if p in months[i]} for i in sorted(months)
            },
            previous_platforms=table("platform", "previous_platform", "previous_total"),
            previous_groups=table("group", "previous_group", "previous_total"),
        )

    async def digest_tables(
        self, win: Window, now: dt.datetime, sla: dt.timedelta, groups: list[str]
    ) -> DigestTables:
        """What `table` gives per platform and per group for `win` (a window with a start),
        and the compliance % per platform of the window of the same length before it; one
        SQL statement."""
        if win.start is None:
            raise ValueError("the digest compares with the window before: give a start")
        params = {
            "before": to_ts(win.start - (win.end - win.start)),  # win.previous().start
            "start": to_ts(win.start),
            "end": to_ts(win.end),
            "expired_before": _expired_before(now, sla),
            "platform": None,
        }
        found: dict[str, dict[str, Figures]] = {"platform": {}, "group": {}}
        totals = EMPTY
        previous: dict[str, Rate] = {}
        for row in await self.db.fetchall(_DIGEST_SQL, params):
            if row["part"] == "previous":
                decided = row["actioned"] + row["rejected"] + row["expired"]
                previous[str(row["key"])] = Rate(row["actioned"], decided)
            elif row["part"] == "total":
                totals = _figures(row)
            else:
                found[row["part"]][str(row["key"])] = _figures(row)
        return DigestTables(
            platforms=_table("platform", found["platform"], totals, groups),
            groups=_table("group", found["group"], totals, groups),
            previous=previous,
        )

    async def activity(self, start: dt.datetime, end: dt.datetime) -> DayActivity:
        """New cases by group, requests sent by platform, outcomes recorded: start < t <= end."""
        params = {"start": to_ts(start), "end": to_ts(end)}
        new_cases = {r["grp"]: r["n"] for r in await self.db.fetchall(_NEW_CASES_SQL, params)}
        sent_rows = await self.db.fetchall(_SENT_SQL, params)
        sent = {p: r["n"] for p in Platform for r in sent_rows if r["platform"] == p.value}
        outcome_rows = await self.db.fetchall(_OUTCOMES_SQL, params)
        outcomes = {o: r["n"] for o in Outcome for r in outcome_rows if r["outcome"] == o.value}
        return DayActivity(new_cases=new_cases, sent=sent, outcomes=outcomes)

    async def oldest_overdue(
        self, now: dt.datetime, sla: dt.timedelta, limit: int = 5
    ) -> list[OverdueRound]:
        """Open rounds older than the SLA, oldest first."""
        rows = await self.db.fetchall(
            _OVERDUE_SQL, {"expired_before": _expired_before(now, sla), "limit": limit}
        )
        return [overdue_round(row) for row in rows]


def overdue_round(row: Row) -> OverdueRound:
    """A row of the overdue statements (now, and as of a time)."""
    return OverdueRound(
        case_id=row["case_id"],
        round_no=row["round_no"],
        sent_at=from_ts(row["sent_at"]),
        platform=Platform(row["platform"]),
        handle=row["handle"],
        group=row["grp"],
    )

"""Comebacks: links from a new (open) case to the actioned case it looks like.

Finding candidates is two index probes on `cases_by_match_key (platform, match_key)`: the
same key, and keys sharing the first letters (for a one-letter typo), each bounded; never a
scan of the cases. `bot.domain.comebacks.compare` then decides on each candidate.

`cases.match_key` is filled by migration 002 for old rows and written with each /flag. An
/import writes its new cases without it (NULL) and keys them after its reply
(`fill_missing_keys`, through the partial index `cases_match_key_missing`). The probes only
read the keys of actioned cases, and storage/requests.py keys a case when it records an
outcome, so an unkeyed case is never missed as an original; /comebacks, which also reads
the keys of open cases, keys what is left first.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass

from bot.domain import CaseState, Platform, states
from bot.domain.accounts import AccountRef
from bot.domain.comebacks import (
    Comeback,
    compare,
    compare_keys,
    compare_keys_across,
    match_key,
    sql_match_key,
    typo_budget,
    typo_prefix,
)
from bot.domain.records import ComebackList
from storage import sql
from storage.backend import Db, Params, Row, Tx
from storage.db import from_ts, from_ts_or_none, to_ts

# A probe returns at most this many candidates (a very common key, e.g. `news`).
PROBE_LIMIT = 200
LIST_LIMIT = 50
DIGEST_LIMIT = 10  # comebacks the digest names; it counts the rest
FLAG_LIMIT = 3  # comebacks a /flag reply names (the best); the card has them all
ALL = 2**62  # a LIMIT that keeps every row, in both SQL dialects (SQLite's -1 is its own)
# One /comebacks scan reads at most SCAN_PAIR_LIMIT look-alike pairs and records at most
# SCAN_LINK_LIMIT new links (a second /comebacks goes on from there).
SCAN_PAIR_LIMIT = 5000
SCAN_LINK_LIMIT = 1000
FILL_BATCH = 1000
# Open cases are linked to actioned ones (the originals), bound in the domain's order.
_OPEN = sql.placeholders(states.OPEN_STATES)
_OPEN_STATES = sql.ordered(states.OPEN_STATES)
_ACTIONED = sql.literal(CaseState.ACTIONED)
_ACTIONED_OUTCOMES = sql.in_list(states.ACTIONED_OUTCOMES)

_PROBE_SQL = f"""
SELECT id, handle, match_key FROM cases
 WHERE platform = :platform AND match_key = :key AND state = {_ACTIONED} AND id <> :case_id
 LIMIT :limit
"""
_TYPO_PROBE_SQL = f"""
SELECT id, handle, match_key FROM cases
 WHERE platform = :platform AND match_key >= :low AND match_key < :high
   AND match_key <> :key AND length(match_key) BETWEEN :min_len AND :max_len
   AND state = {_ACTIONED} AND id <> :case_id
 LIMIT :limit
"""
# The same key as an actioned case on another platform (tiktok:@umar_media_ttp after
# x:@umar_media_ttp was removed), through the partial index cases_actioned_by_key.
_ACROSS_PROBE_SQL = f"""
SELECT id, handle, platform, match_key FROM cases
 WHERE match_key = :key AND state = {_ACTIONED} AND platform <> :platform AND id <> :case_id
 LIMIT :limit
"""
# A link with both cases and the original's latest removal/restriction.
_LINK_SQL = f"""
SELECT k.case_id, n.platform, n.handle, k.original_case_id, o.handle AS original_handle,
       o.platform AS original_platform,
       a.outcome AS original_outcome, a.outcome_at AS original_actioned_at,
       k.score, k.found_at
  FROM comebacks k
  JOIN cases n ON n.id = k.case_id
  JOIN cases o ON o.id = k.original_case_id
  LEFT JOIN request_rounds a ON a.id = (
       SELECT r.id FROM request_rounds r
        WHERE r.case_id = o.id AND r.outcome IN {_ACTIONED_OUTCOMES}
        ORDER BY r.round_no DESC LIMIT 1)
"""


# A case's best links, at most ? of them (ALL: every one): chosen before the joins, so a case
# linked to hundreds of originals (a common name) looks up the originals of the few it shows.
_BEST = "k.score DESC, k.original_case_id DESC"
_BEST_LINKS_SQL = (
    _LINK_SQL.replace(
        "FROM comebacks k",
        f"FROM (SELECT * FROM comebacks k WHERE k.case_id = ? ORDER BY {_BEST} LIMIT ?) k",
    )
    + f" ORDER BY {_BEST}"
)


@dataclass(frozen=True)
class Candidate:
    """An actioned case that a given case looks like."""

    original_case_id: int
    original_handle: str
    score: float
    reason: str


# Both directions, for the case card (storage.cases.card): what this case looks like, and what
# looks like it.
LINKS_OF_CASE_SQL = (
    _LINK_SQL + " WHERE k.case_id = ? OR k.original_case_id = ? ORDER BY k.found_at, k.case_id"
)


def comeback_of(row: Row) -> Comeback:
    return Comeback(
        case_id=row["case_id"],
        platform=Platform(row["platform"]),
        handle=row["handle"],
        original_case_id=row["original_case_id"],
        original_handle=row["original_handle"],
        original_outcome=row["original_outcome"],
        original_actioned_at=from_ts_or_none(row["original_actioned_at"]),
        score=row["score"],
        found_at=from_ts(row["found_at"]),
        original_platform=Platform(row["original_platform"]),
    )


class Comebacks:
    def __init__(self, db: Db) -> None:
        self.db = db

    # ------------------------------------------------------------------ matching

    async def candidates_for(self, case_id: int, tx: Tx | None = None) -> list[Candidate]:
        """Actioned cases that `case_id` looks like, best first: on the same platform, and
        with the same name on another one (see _candidates)."""
        fetchone = tx.fetchone if tx is not None else self.db.fetchone
        case = await fetchone("SELECT platform, handle FROM cases WHERE id = ?", (case_id,))
        if case is None:
            return []
        fetchall = tx.fetchall if tx is not None else self.db.fetchall
        return await _candidates(fetchall, case_id, case["platform"], case["handle"])

    async def fill_missing_keys(self) -> int:
        """Key every case written without a match_key; returns how many. One transaction
        per batch, so a /flag waits for one batch at most, not for a whole import's keys."""
        filled = 0
        while True:
            async with self.db.transaction() as tx:
                count = await _fill_key_batch(tx)
            filled += count
            if count < FILL_BATCH:
                return filled

    async def link_new_case(self, case_id: int, at: dt.datetime) -> list[Comeback]:
        """Link an open case to the actioned cases it looks like (idempotent); returns every
        comeback link of the case. /flag does this inside its own transaction (link_case)."""
        async with self.db.transaction() as tx:
            case = await tx.fetchone(
                "SELECT platform, handle, state FROM cases WHERE id = ?", (case_id,)
            )
            if case is None:
                return []
            account = AccountRef(Platform(case["platform"]), case["handle"])
            links = await link_case(tx, case_id, account, CaseState(case["state"]), at)
        return links.comebacks

    async def scan(self, at: dt.datetime, platform: Platform | None = None) -> ComebackList:
        """/comebacks: link open cases not linked yet whose key equals an actioned case's key
        (this catches cases flagged before the original was actioned; typo matches are
        linked when a case is flagged), then list the open linked cases.

        The search runs on the reader (no write lock held); each case gets one link (its
        newest look-alike) and one scan writes at most SCAN_LINK_LIMIT links.
        """
        await self.fill_missing_keys()
        pairs = await self.db.fetchall(
            "SELECT n.id, n.platform, n.handle, o.id AS original_id, o.handle AS original"
            "  FROM cases n"
            "  JOIN cases o ON o.platform = n.platform AND o.match_key = n.match_key"
            f"   AND o.state = {_ACTIONED}"
            f" WHERE n.state IN {_OPEN} AND n.match_key <> '' AND o.id <> n.id"
            "   AND (CAST(? AS TEXT) IS NULL OR n.platform = ?)"
            "   AND NOT EXISTS (SELECT 1 FROM comebacks k WHERE k.case_id = n.id)"
            " LIMIT ?",
            (*_OPEN_STATES, platform, platform, SCAN_PAIR_LIMIT),
        )
        best: dict[int, tuple[int, float]] = {}
        for pair in pairs:
            decision = compare(pair["platform"], pair["handle"], pair["original"])
            known = best.get(pair["id"])
            if decision.matched and (known is None or pair["original_id"] > known[0]):
                best[pair["id"]] = (pair["original_id"], decision.score)
        if best:
            links = [(case_id, *found) for case_id, found in best.items()][:SCAN_LINK_LIMIT]
            async with self.db.transaction() as tx:
                await _link(tx, at, links)
        where = (
            f" WHERE n.state IN {_OPEN} AND o.state = {_ACTIONED}"
            " AND (CAST(? AS TEXT) IS NULL OR n.platform = ?)"
        )
        params = (*_OPEN_STATES, platform, platform)
        count = await self.db.fetchone(
            "SELECT count(*) FROM comebacks k JOIN cases n ON n.id = k.case_id"
            " JOIN cases o ON o.id = k.original_case_id" + where,
            params,
        )
        rows = await self.db.fetchall(
            _LINK_SQL + where + " ORDER BY k.found_at DESC, k.case_id DESC LIMIT ?",
            (*params, LIST_LIMIT),
        )
        return ComebackList([comeback_of(row) for row in rows], int(count[0]) if count else 0)

    # ------------------------------------------------------------------ reading

    async def found_between(
        self, since: dt.datetime, until: dt.datetime, limit: int = DIGEST_LIMIT
    ) -> ComebackList:
        """Links found in [since, until), newest first, at most `limit` with their count: the
        digest's "new comebacks of the last 24 h" (its cost must not grow with the day's
        flags)."""
        span = (to_ts(since), to_ts(until))
        count = await self.db.fetchone(
            "SELECT count(*) FROM comebacks WHERE found_at >= ? AND found_at < ?", span
        )
        rows = await self.db.fetchall(
            _LINK_SQL + " WHERE k.found_at >= ? AND k.found_at < ?"
            " ORDER BY k.found_at DESC, k.case_id DESC LIMIT ?",
            (*span, limit),
        )
        return ComebackList([comeback_of(row) for row in rows], int(count[0]) if count else 0)


async def link_case(
    tx: Tx,
    case_id: int,
    account: AccountRef,
    state: CaseState,
    at: dt.datetime,
    limit: int | None = None,
) -> ComebackList:
    """The /flag hook, in the /flag's transaction: link an open case to the actioned cases it
    looks like; returns the case's comeback links, best first (at most `limit`), and how many
    there are."""
    if state in states.OPEN_STATES:
        candidates = await _candidates(tx.fetchall, case_id, account.platform.value, account.handle)
        await _link(tx, at, [(case_id, c.original_case_id, c.score) for c in candidates])
    rows = await tx.fetchall(_BEST_LINKS_SQL, (case_id, ALL if limit is None else limit))
    total = len(rows)
    if limit is not None and total == limit:
        count = await tx.fetchone("SELECT count(*) FROM comebacks WHERE case_id = ?", (case_id,))
        total = int(count[0]) if count else total
    return ComebackList([comeback_of(row) for row in rows], total)


async def _candidates(
    fetchall: Callable[[str, Params], Awaitable[Sequence[Row]]],
    case_id: int,
    platform: str,
    handle: str,
) -> list[Candidate]:
    """Three bounded index probes (the key, its typos, the same name on another platform) and
    a rapidfuzz check per candidate: what `make bench` times per /flag. Reads `match_key`
    of the actioned cases as stored (every actioned case has one, see the module docstring)
    and compares those, rather than keying each candidate's handle again."""
    key = match_key(platform, handle)
    if not key:
        return []
    params: dict[str, object] = {
        "platform": platform,
        "key": key,
        "case_id": case_id,
        "limit": PROBE_LIMIT,
    }
    rows = list(await fetchall(_PROBE_SQL, params))
    prefix = typo_prefix(key)
    if prefix is not None:
        budget = typo_budget(key) + 1  # + a shared display name, see compare()
        rows += await fetchall(
            _TYPO_PROBE_SQL,
            {
                **params,
                "low": prefix,
                "high": prefix + "~",  # keys are [0-9a-z]; "~" sorts after them
                "min_len": len(key) - budget,
                "max_len": len(key) + budget,
            },
        )
    found = []
    for row in rows:
        decision = compare_keys(key, row["match_key"], handle, row["handle"])
        if decision.matched:
            found.append(Candidate(row["id"], row["handle"], decision.score, decision.reason))
    for row in await fetchall(_ACROSS_PROBE_SQL, params):
        decision = compare_keys_across(key, row["match_key"], handle, row["handle"])
        if decision.matched:
            found.append(Candidate(row["id"], row["handle"], decision.score, decision.reason))
    found.sort(key=lambda c: (-c.score, -c.original_case_id))
    return found


async def _link(tx: Tx, at: dt.datetime, links: list[tuple[int, int, float]]) -> None:
    """Record (case, original, score) links; a link already there stays as it was."""
    if links:
        await tx.executemany(
            "INSERT INTO comebacks (case_id, original_case_id, score, found_at)"
            " VALUES (?, ?, ?, ?) ON CONFLICT (case_id, original_case_id) DO NOTHING",
            [(*link, to_ts(at)) for link in links],
        )


async def _fill_key_batch(tx: Tx) -> int:
    """Key up to FILL_BATCH cases written without one (NULL), with the same function as
    /flag and outcomes (bot.domain.comebacks.match_key, computed here rather than in SQL,
    on either backend); '' marks a handle that is not a name. Returns how many."""
    rows = await tx.fetchall(
        "SELECT id, platform, handle FROM cases WHERE match_key IS NULL LIMIT ?", (FILL_BATCH,)
    )
    await tx.executemany(
        "UPDATE cases SET match_key = ? WHERE id = ?",
        [(sql_match_key(row["platform"], row["handle"]) or "", row["id"]) for row in rows],
    )
    return len(rows)

"""Request rounds: removal requests sent to a platform, and what the platform did.

A case has rounds 1, 2, ... ; at most one is open (no outcome yet). Opening rounds for several
cases is one transaction with per-case refusals; recording an outcome closes the open round and
moves the case's state; `restored` reopens an actioned case. Overdue is derived at read time
from the clock and SLA, never written.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import AsyncGenerator, Sequence

from bot.domain import CaseState, Outcome, Platform, states
from bot.domain.comebacks import sql_match_key
from bot.domain.compliance import is_overdue
from bot.domain.people import Name
from bot.domain.records import (
    AlreadyRecorded,
    Corrected,
    ExportRow,
    ExportScope,
    OutcomeRecorded,
    OutcomeResult,
    PendingList,
    PendingRound,
    Refusal,
    RequestBatch,
    Restored,
    RoundInfo,
)
from storage import sql
from storage.audit import Audit
from storage.backend import Db, Row, Tx
from storage.db import from_ts, from_ts_or_none, to_ts

PENDING_LIMIT = 30
EXPORT_BATCH = 10_000
_ACTIONED = sql.in_list(states.ACTIONED_OUTCOMES)
# The open rounds the unit still chases: /pending, /export pending and the digest's overdue
# list all read this one condition (round `r`, its case `c`): a dismissed case's open round
# is no longer chased, not pending, not overdue.
CHASED = f"r.outcome IS NULL AND c.state <> {sql.literal(CaseState.DISMISSED)}"

_ROUND_COLUMNS = """
    r.case_id, c.platform, c.handle, c.state, r.round_no, r.sent_at, r.sent_by, r.ref,
    r.outcome, r.outcome_at, r.outcome_by, r.outcome_note, r.restored_at,
    (SELECT json_array(first_name, last_name, username) FROM people
      WHERE user_id = r.outcome_by) AS outcome_by_name
"""


def round_info(row: Row) -> RoundInfo:
    return RoundInfo(
        case_id=row["case_id"],
        platform=Platform(row["platform"]),
        handle=row["handle"],
        case_state=CaseState(row["state"]),
        round_no=row["round_no"],
        sent_at=from_ts(row["sent_at"]),
        sent_by=row["sent_by"],
        ref=row["ref"],
        outcome=Outcome(row["outcome"]) if row["outcome"] is not None else None,
        outcome_at=from_ts_or_none(row["outcome_at"]),
        outcome_by=row["outcome_by"],
        outcome_note=row["outcome_note"],
        restored_at=from_ts_or_none(row["restored_at"]),
        outcome_by_name=Name(*json.loads(row["outcome_by_name"]))
        if row["outcome_by_name"]
        else None,
    )


async def _fetch_round(tx: Tx, case_id: int, round_no: int) -> RoundInfo | None:
    row = await tx.fetchone(
        f"SELECT {_ROUND_COLUMNS} FROM request_rounds r JOIN cases c ON c.id = r.case_id"
        " WHERE r.case_id = ? AND r.round_no = ?",
        (case_id, round_no),
    )
    return round_info(row) if row else None


# Every round of one case, oldest first (the Requests lines of its card).
ROUNDS_OF_CASE_SQL = (
    f"SELECT {_ROUND_COLUMNS} FROM request_rounds r JOIN cases c ON c.id = r.case_id"
    " WHERE r.case_id = ? ORDER BY r.round_no"
)


async def _move_case(tx: Tx, case_id: int, state: CaseState, ts: int) -> None:
    # An actioned case is an original for the comeback probes, which read its match key: an
    # imported case may not have it yet (storage/comebacks.py).
    case = await tx.fetchone("SELECT platform, handle FROM cases WHERE id = ?", (case_id,))
    key = sql_match_key(case["platform"], case["handle"]) if case else None
    await tx.execute(
        "UPDATE cases SET state = ?, updated_at = ?, match_key = coalesce(match_key, ?, '')"
        " WHERE id = ?",
        (state, ts, key, case_id),
    )


async def decide_round(
    tx: Tx, case_id: int, round_no: int, outcome: Outcome, *, by: int, ts: int, note: str
) -> None:
    """Close an open round with `outcome`: the round as it stands, and the dated version.

    An actioned round keeps the followers its account has now (its last known count), so a
    later count does not change the reach of the past."""
    await tx.execute(
        "UPDATE request_rounds SET outcome = ?1, outcome_at = ?2, outcome_by = ?3,"
        " outcome_note = ?4, followers_at_action = IIF(?5 = 1, (SELECT followers FROM cases"
        " WHERE id = ?6), NULL) WHERE case_id = ?6 AND round_no = ?7",
        (outcome, ts, by, note, states.is_actioned(outcome), case_id, round_no),
    )
    await tx.execute(
        "INSERT INTO outcome_versions (case_id, round_no, outcome, outcome_at, recorded_at,"
        " recorded_by, followers_at_action, note) SELECT case_id, round_no, outcome,"
        " outcome_at, ?3, ?4, followers_at_action, outcome_note FROM request_rounds"
        " WHERE case_id = ?1 AND round_no = ?2",
        (case_id, round_no, ts, by),
    )


async def _case_state(tx: Tx, case_id: int) -> CaseState | None:
    """The case's state, or None when there is no such case."""
    row = await tx.fetchone("SELECT state FROM cases WHERE id = ?", (case_id,))
    return None if row is None else CaseState(row["state"])


class RequestRounds:
    def __init__(self, db: Db) -> None:
        self.db = db

    # ------------------------------------------------------------------ writes

    async def open_rounds(
        self, case_ids: Sequence[int], *, by: int, at: dt.datetime, ref: str = ""
    ) -> RequestBatch:
        """One new round per case, all in one transaction; refused cases are listed with why."""
        opened: list[RoundInfo] = []
        refused: list[Refusal] = []
        ts = to_ts(at)
        async with self.db.transaction() as tx:
            for case_id in dict.fromkeys(case_ids):
                case = await tx.fetchone(
                    "SELECT c.state,"
                    " (SELECT max(round_no) FROM request_rounds WHERE case_id = c.id) AS last_no,"
                    " (SELECT round_no FROM request_rounds"
                    "   WHERE case_id = c.id AND outcome IS NULL) AS open_no"
                    " FROM cases c WHERE c.id = ?",
                    (case_id,),
                )
                if case is None:
                    refused.append(Refusal(case_id, "no such case"))
                    continue
                state = CaseState(case["state"])
                refusal = states.request_refusal(state, case["open_no"])
                if refusal is not None:
                    refused.append(Refusal(case_id, refusal))
                    continue
                round_no = (case["last_no"] or 0) + 1
                await tx.execute(
                    "INSERT INTO request_rounds (case_id, round_no, sent_at, sent_by, ref,"
                    " platform, grp, category) SELECT ?, ?, ?, ?, ?, platform, grp, category"
                    " FROM cases WHERE id = ?",
                    (case_id, round_no, ts, by, ref, case_id),
                )
                requested = states.after_request(state)
                await tx.execute(
                    "UPDATE cases SET state = ?, updated_at = ? WHERE id = ?",
                    (requested, ts, case_id),
                )
                await Audit.record(
                    tx,
                    by,
                    "request",
                    at,
                    case_id=case_id,
                    before=state,
                    after=requested,
                    detail=f"round {round_no}" + (f" ref={ref}" if ref else ""),
                )
                info = await _fetch_round(tx, case_id, round_no)
                assert info is not None
                opened.append(info)
        return RequestBatch(opened=opened, refused=refused)

    async def record_outcome(
        self,
        case_id: int,
        outcome: Outcome,
        *,
        by: int,
        at: dt.datetime,
        note: str = "",
        round_no: int | None = None,
    ) -> OutcomeResult:
        """Close the case's open round with `outcome`.

        With `round_no` (a button press), only that round may be closed: if it is no longer
        open the answer is AlreadyRecorded and nothing is written.
        """
        ts = to_ts(at)
        async with self.db.transaction() as tx:
            before = await _case_state(tx, case_id)
            if before is None:
                return Refusal(case_id, f"There is no case #{case_id}.")
            row = await tx.fetchone(
                "SELECT round_no FROM request_rounds WHERE case_id = ? AND outcome IS NULL",
                (case_id,),
            )
            if round_no is not None and (row is None or row["round_no"] != round_no):
                return AlreadyRecorded(case_id, round_no, await _fetch_round(tx, case_id, round_no))
            if row is None:
                return Refusal(
                    case_id,
                    f"#{case_id} has no open request round (state: {before}); "
                    f"send /request #{case_id} first.",
                )
            open_no = row["round_no"]
            await decide_round(tx, case_id, open_no, outcome, by=by, ts=ts, note=note)
            after = states.after_outcome(before, outcome)
            if before is not CaseState.DISMISSED:  # a dismissed case stays dismissed
                await _move_case(tx, case_id, after, ts)
            await Audit.record(
                tx,
                by,
                "outcome",
                at,
                case_id=case_id,
                before=before,
                after=after,
                detail=f"round {open_no}: {outcome}" + (f"; {note}" if note else ""),
            )
            info = await _fetch_round(tx, case_id, open_no)
        assert info is not None
        return OutcomeRecorded(round=info, before=before, after=after)

    async def restore(
        self, case_id: int, *, by: int, at: dt.datetime, note: str = ""
    ) -> Restored | Refusal:
        """An actioned account came back: mark its actioned round restored, reopen the case."""
        ts = to_ts(at)
        async with self.db.transaction() as tx:
            before = await _case_state(tx, case_id)
            if before is None:
                return Refusal(case_id, f"There is no case #{case_id}.")
            after = states.after(before, states.Event.RESTORED)
            if after is None:
                return Refusal(
                    case_id,
                    f"#{case_id} is {before}, not actioned: restored is for a removed or "
                    "restricted account that came back.",
                )
            row = await tx.fetchone(
                "SELECT round_no FROM request_rounds WHERE case_id = ?"
                f" AND outcome IN {_ACTIONED} AND restored_at IS NULL"
                " ORDER BY round_no DESC LIMIT 1",
                (case_id,),
            )
            if row is None:
                return Refusal(case_id, f"#{case_id} has no actioned round to mark restored.")
            await tx.execute(
                "UPDATE request_rounds SET restored_at = ? WHERE case_id = ? AND round_no = ?",
                (ts, case_id, row["round_no"]),
            )
            await tx.execute(
                "UPDATE cases SET state = ?, updated_at = ? WHERE id = ?", (after, ts, case_id)
            )
            await Audit.record(
                tx,
                by,
                "restored",
                at,
                case_id=case_id,
                before=before,
                after=after,
                detail=f"round {row['round_no']}" + (f"; {note}" if note else ""),
            )
            info = await _fetch_round(tx, case_id, row["round_no"])
        assert info is not None
        return Restored(round=info, before=before, after=after)

    async def correct(
        self, case_id: int, outcome: Outcome, reason: str, *, by: int, at: dt.datetime
    ) -> Corrected | Refusal:
        """Change the outcome of the case's latest round (a mis-tapped button). The earlier
        outcome stays as a version of its own; the round keeps the time it was decided, and
        an action keeps the followers the account had then (the last count seen by then)."""
        ts = to_ts(at)
        async with self.db.transaction() as tx:
            before = await _case_state(tx, case_id)
            if before is None:
                return Refusal(case_id, f"There is no case #{case_id}.")
            latest = await tx.fetchone(
                "SELECT round_no, outcome, restored_at FROM request_rounds WHERE case_id = ?"
                " ORDER BY round_no DESC LIMIT 1",
                (case_id,),
            )
            old = (
                None if latest is None or latest["outcome"] is None else Outcome(latest["outcome"])
            )
            restored = latest is not None and latest["restored_at"] is not None
            refusal = states.correction_refusal(case_id, before, old, restored, outcome)
            if refusal is not None:
                return Refusal(case_id, refusal)
            assert latest is not None and old is not None
            round_no = latest["round_no"]
            await tx.execute(
                "UPDATE request_rounds SET outcome = ?1,"
                " followers_at_action = IIF(?2 = 1, coalesce((SELECT f.followers"
                " FROM follower_counts AS f WHERE f.case_id = ?3"
                "   AND f.seen_at <= request_rounds.outcome_at ORDER BY f.seen_at DESC, f.id DESC"
                "   LIMIT 1), (SELECT followers FROM cases WHERE id = ?3)), NULL)"
                " WHERE case_id = ?3 AND round_no = ?4",
                (outcome, states.is_actioned(outcome), case_id, round_no),
            )
            await tx.execute(
                "INSERT INTO outcome_versions (case_id, round_no, outcome, outcome_at,"
                " recorded_at, recorded_by, followers_at_action, note, reason)"
                " SELECT case_id, round_no, outcome, outcome_at, ?3, ?4, followers_at_action,"
                " outcome_note, ?5 FROM request_rounds WHERE case_id = ?1 AND round_no = ?2",
                (case_id, round_no, ts, by, reason),
            )
            after = states.after_correction(before, outcome)
            await _move_case(tx, case_id, after, ts)
            await Audit.record(
                tx,
                by,
                "correct",
                at,
                case_id=case_id,
                before=old,
                after=outcome,
                detail=f"round {round_no}: {reason}",
            )
            info = await _fetch_round(tx, case_id, round_no)
        assert info is not None
        return Corrected(round=info, outcome_before=old, before=before, after=after)

    # ------------------------------------------------------------------ reads

    async def rounds(self, keys: Sequence[tuple[int, int]]) -> list[RoundInfo]:
        """The rounds (case_id, round_no) that exist, in the order given."""
        found: list[RoundInfo] = []
        for case_id, round_no in keys:
            row = await self.db.fetchone(
                f"SELECT {_ROUND_COLUMNS} FROM request_rounds r JOIN cases c ON c.id = r.case_id"
                " WHERE r.case_id = ? AND r.round_no = ?",
                (case_id, round_no),
            )
            if row is not None:
                found.append(round_info(row))
        return found

    async def pending(
        self,
        *,
        now: dt.datetime,
        sla: dt.timedelta,
        platform: Platform | None = None,
        overdue_only: bool = False,
        limit: int = PENDING_LIMIT,
        offset: int = 0,
    ) -> PendingList:
        """Open rounds of cases that are not dismissed, oldest first."""
        deadline = to_ts(now - sla)
        where = CHASED
        params: list[object] = []
        if platform is not None:
            where += " AND c.platform = ?"
            params.append(platform)
        if overdue_only:
            where += " AND r.sent_at <= ?"
            params.append(deadline)
        rows = await self.db.fetchall(
            f"SELECT {_ROUND_COLUMNS} FROM request_rounds r JOIN cases c ON c.id = r.case_id"
            f" WHERE {where} ORDER BY r.sent_at, r.id LIMIT ? OFFSET ?",
            (*params, limit, offset),
        )
        counts = await self.db.fetchone(
            "SELECT count(*) AS total, count(*) FILTER (WHERE r.sent_at <= ?) AS overdue"
            f" FROM request_rounds r JOIN cases c ON c.id = r.case_id WHERE {where}",
            (deadline, *params),
        )
        assert counts is not None
        listed = []
        for row in rows:
            info = round_info(row)
            age = now - info.sent_at
            listed.append(
                PendingRound(round=info, age=age, overdue=is_overdue(info.sent_at, now, sla))
            )
        return PendingList(
            rounds=listed, total=counts["total"], overdue_total=counts["overdue"], offset=offset
        )

    async def export_rows(
        self, scope: ExportScope | Platform = ExportScope.ALL
    ) -> AsyncGenerator[ExportRow, None]:
        """Every case in scope with its latest round, by case id, read in batches (streamed)."""
        if isinstance(scope, Platform):
            where, params = "c.platform = ?", [str(scope)]
        elif scope == ExportScope.PENDING:
            where = f"EXISTS (SELECT 1 FROM request_rounds r WHERE r.case_id = c.id AND {CHASED})"
            params = []
        elif scope == ExportScope.ALL:
            where, params = "1 = 1", []
        else:
            raise ValueError(f"unknown export scope {scope!r}")
        after = 0
        while True:
            rows = await self.db.fetchall(
                _EXPORT_SQL.format(where=where), (*params, after, EXPORT_BATCH)
            )
            for row in rows:
                yield _export_row(row)
            if len(rows) < EXPORT_BATCH:
                return
            after = rows[-1]["id"]


# The latest round per case comes through UNIQUE (case_id, round_no); the reports through
# UNIQUE (case_id, reporter_id): both are index lookups per case.
_EXPORT_SQL = """
SELECT c.id, c.platform, c.handle, c.grp, c.category, c.followers, c.state,
       (SELECT count(*) FROM reports WHERE case_id = c.id) AS reports,
       (SELECT min(reported_at) FROM reports WHERE case_id = c.id) AS first_reported,
       coalesce((SELECT note FROM reports WHERE case_id = c.id AND note != ''
                 ORDER BY reported_at DESC, id DESC LIMIT 1), '') AS note,
       r.round_no, r.sent_at, r.outcome, r.outcome_at, r.ref
FROM cases c
LEFT JOIN request_rounds r
       ON r.case_id = c.id
      AND r.round_no = (SELECT max(round_no) FROM request_rounds WHERE case_id = c.id)
WHERE {where} AND c.id > ?
ORDER BY c.id
LIMIT ?
"""


def _export_row(row: Row) -> ExportRow:
    return ExportRow(
        case_id=row["id"],
        platform=Platform(row["platform"]),
        handle=row["handle"],
        group=row["grp"],
        category=row["category"],
        followers=row["followers"],
        state=CaseState(row["state"]),
        reports=row["reports"],
        first_reported=from_ts_or_none(row["first_reported"]),
        note=row["note"],
        round_no=row["round_no"],
        sent_at=from_ts_or_none(row["sent_at"]),
        outcome=Outcome(row["outcome"]) if row["outcome"] is not None else None,
        outcome_at=from_ts_or_none(row["outcome_at"]),
        ref=row["ref"] or "",
    )

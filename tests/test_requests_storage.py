"""RequestRounds against a real SQLite file: rounds, outcomes, restored, pending, export rows."""

from __future__ import annotations

import datetime as dt

import pytest

from bot.domain import CaseState, Outcome, Platform, compliance
from bot.domain.records import (
    AlreadyRecorded,
    ExportScope,
    OutcomeRecorded,
    Refusal,
    Restored,
    RoundInfo,
)
from storage.db import Database, to_ts
from storage.requests import RequestRounds
from storage.stats import Stats

T0 = dt.datetime(2026, 11, 2, 6, 0, tzinfo=dt.UTC)
SLA = dt.timedelta(hours=72)
REVIEWER = 300


async def rounds_of_case(db: Database, rounds: RequestRounds, case_id: int) -> list[RoundInfo]:
    """Every round of one case, oldest first, through the store's own reader."""
    rows = await db.fetchall(
        "SELECT round_no FROM request_rounds WHERE case_id = ? ORDER BY round_no", (case_id,)
    )
    return await rounds.rounds([(case_id, row["round_no"]) for row in rows])


@pytest.fixture
def rounds(db: Database) -> RequestRounds:
    return RequestRounds(db)


async def add_case(
    db: Database,
    handle: str,
    *,
    platform: Platform = Platform.X,
    state: CaseState = CaseState.FLAGGED,
    notes: tuple[str, ...] = ("a note",),
    followers: int | None = 1000,
    at: dt.datetime = T0,
) -> int:
    """A case with one report per note, written with plain SQL (cases.py is not ours)."""
    async with db.transaction() as tx:
        created = await tx.fetchone(
            "INSERT INTO cases (platform, handle, grp, category, followers, state, created_at,"
            " created_by, updated_at) VALUES (?, ?, 'TTP', 'propaganda', ?, ?, ?, 1, ?)"
            " RETURNING id",
            (platform, handle, followers, state, to_ts(at), to_ts(at)),
        )
        assert created is not None
        case_id = int(created[0])
        for index, note in enumerate(notes):
            await tx.execute(
                "INSERT INTO reports (case_id, reporter_id, reported_at, source, category, note)"
                " VALUES (?, ?, ?, ?, 'propaganda', ?)",
                (case_id, 10 + index, to_ts(at) + index, handle, note),
            )
    return case_id


async def case_state(db: Database, case_id: int) -> str:
    row = await db.fetchone("SELECT state FROM cases WHERE id = ?", (case_id,))
    assert row is not None
    return str(row["state"])


async def audit_rows(db: Database, case_id: int) -> list[tuple[str, str | None, str | None]]:
    rows = await db.fetchall(
        "SELECT action, before, after FROM audit WHERE case_id = ? ORDER BY id", (case_id,)
    )
    return [(row["action"], row["before"], row["after"]) for row in rows]


async def test_request_opens_round_one_per_case_with_ref_and_audit(db, rounds):
    a = await add_case(db, "alpha")
    b = await add_case(db, "bravo")
    batch = await rounds.open_rounds([a, b], by=REVIEWER, at=T0, ref="FB-123")
    assert [(r.case_id, r.round_no, r.ref, r.sent_by) for r in batch.opened] == [
        (a, 1, "FB-123", REVIEWER),
        (b, 1, "FB-123", REVIEWER),
    ]
    assert batch.refused == []
    assert batch.opened[0].sent_at == T0 and batch.opened[0].is_open
    assert await case_state(db, a) == "requested"
    assert await audit_rows(db, a) == [("request", "flagged", "requested")]


async def test_request_refuses_dismissed_actioned_open_and_unknown_one_by_one(db, rounds):
    ok = await add_case(db, "ok")
    dismissed = await add_case(db, "gone", state=CaseState.DISMISSED)
    actioned = await add_case(db, "done", state=CaseState.ACTIONED)
    open_case = await add_case(db, "open")
    await rounds.open_rounds([open_case], by=REVIEWER, at=T0)

    batch = await rounds.open_rounds(
        [dismissed, ok, actioned, open_case, 999, ok], by=REVIEWER, at=T0 + dt.timedelta(hours=1)
    )
    assert [r.case_id for r in batch.opened] == [ok]
    reasons = {refusal.case_id: refusal.reason for refusal in batch.refused}
    assert reasons[dismissed] == "dismissed"
    assert reasons[actioned] == "already actioned"
    assert "round 1 is still open" in reasons[open_case]
    assert reasons[999] == "no such case"
    # the refused cases were not touched
    assert await case_state(db, dismissed) == "dismissed"
    assert await audit_rows(db, actioned) == []
    assert len(await rounds_of_case(db, rounds, open_case)) == 1


async def test_failure_mid_batch_writes_nothing(db, rounds):
    a = await add_case(db, "alpha")
    b = await add_case(db, "bravo")
    triggers = {  # the second insert of the batch fails
        "SQLite": [
            f"CREATE TRIGGER fail_b BEFORE INSERT ON request_rounds WHEN NEW.case_id = {b}"
            " BEGIN SELECT RAISE(ABORT, 'disk on fire'); END"
        ],
        "PostgreSQL": [
            "CREATE FUNCTION fail_b() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN"
            f" IF NEW.case_id = {b} THEN RAISE EXCEPTION 'disk on fire'; END IF;"
            " RETURN NEW; END $$",
            "CREATE TRIGGER fail_b BEFORE INSERT ON request_rounds"
            " FOR EACH ROW EXECUTE FUNCTION fail_b()",
        ],
    }
    async with db.transaction() as tx:
        for statement in triggers[db.backend]:
            await tx.execute(statement)
    with pytest.raises(Exception, match="disk on fire"):
        await rounds.open_rounds([a, b], by=REVIEWER, at=T0)
    assert await rounds_of_case(db, rounds, a) == []
    assert await case_state(db, a) == "flagged"
    assert await audit_rows(db, a) == []


async def test_outcome_closes_round_stores_who_when_and_moves_state(db, rounds):
    a = await add_case(db, "alpha")
    await rounds.open_rounds([a], by=REVIEWER, at=T0)
    later = T0 + dt.timedelta(hours=5)
    result = await rounds.record_outcome(a, Outcome.REMOVED, by=301, at=later, note="gone")
    assert isinstance(result, OutcomeRecorded)
    assert (result.before, result.after) == (CaseState.REQUESTED, CaseState.ACTIONED)
    assert result.round.outcome is Outcome.REMOVED
    assert result.round.outcome_by == 301 and result.round.outcome_at == later
    assert result.round.outcome_note == "gone"
    assert result.round.time_to_outcome == dt.timedelta(hours=5)
    assert await case_state(db, a) == "actioned"
    assert await audit_rows(db, a) == [
        ("request", "flagged", "requested"),
        ("outcome", "requested", "actioned"),
    ]


@pytest.mark.parametrize("outcome", [Outcome.REJECTED, Outcome.NO_RESPONSE])
async def test_rejected_or_no_response_refuses_the_case(db, rounds, outcome):
    a = await add_case(db, "alpha")
    await rounds.open_rounds([a], by=REVIEWER, at=T0)
    result = await rounds.record_outcome(a, outcome, by=REVIEWER, at=T0)
    assert isinstance(result, OutcomeRecorded) and result.after is CaseState.REFUSED
    assert await case_state(db, a) == "refused"


async def test_outcome_without_open_round_is_refused_clearly(db, rounds):
    a = await add_case(db, "alpha")
    result = await rounds.record_outcome(a, Outcome.REMOVED, by=REVIEWER, at=T0)
    assert isinstance(result, Refusal)
    assert "no open request round" in result.reason and f"/request #{a}" in result.reason
    missing = await rounds.record_outcome(404, Outcome.REMOVED, by=REVIEWER, at=T0)
    assert isinstance(missing, Refusal) and "no case #404" in missing.reason
    assert await audit_rows(db, a) == []


async def test_escalation_opens_round_two_after_rejection(db, rounds):
    a = await add_case(db, "alpha")
    await rounds.open_rounds([a], by=REVIEWER, at=T0)
    await rounds.record_outcome(a, Outcome.REJECTED, by=REVIEWER, at=T0 + dt.timedelta(hours=1))
    batch = await rounds.open_rounds([a], by=REVIEWER, at=T0 + dt.timedelta(hours=2), ref="2nd")
    assert [(r.case_id, r.round_no) for r in batch.opened] == [(a, 2)]
    await rounds.record_outcome(a, Outcome.REMOVED, by=REVIEWER, at=T0 + dt.timedelta(hours=4))
    history = await rounds_of_case(db, rounds, a)
    assert [(r.round_no, r.outcome) for r in history] == [
        (1, Outcome.REJECTED),
        (2, Outcome.REMOVED),
    ]
    assert history[1].time_to_outcome == dt.timedelta(hours=2)
    assert await case_state(db, a) == "actioned"


async def test_button_for_a_closed_round_writes_nothing(db, rounds):
    a = await add_case(db, "alpha")
    await rounds.open_rounds([a], by=REVIEWER, at=T0)
    first = await rounds.record_outcome(a, Outcome.REMOVED, by=REVIEWER, at=T0, round_no=1)
    assert isinstance(first, OutcomeRecorded)
    audit_before = await audit_rows(db, a)
    second = await rounds.record_outcome(a, Outcome.REJECTED, by=REVIEWER, at=T0, round_no=1)
    assert isinstance(second, AlreadyRecorded)
    assert second.round is not None and second.round.outcome is Outcome.REMOVED
    assert await audit_rows(db, a) == audit_before
    assert await case_state(db, a) == "actioned"


async def test_button_for_an_old_round_does_not_close_the_new_one(db, rounds):
    a = await add_case(db, "alpha")
    await rounds.open_rounds([a], by=REVIEWER, at=T0)
    await rounds.record_outcome(a, Outcome.REJECTED, by=REVIEWER, at=T0)
    await rounds.open_rounds([a], by=REVIEWER, at=T0)
    stale = await rounds.record_outcome(a, Outcome.REMOVED, by=REVIEWER, at=T0, round_no=1)
    assert isinstance(stale, AlreadyRecorded)
    assert [r.outcome for r in await rounds_of_case(db, rounds, a)] == [Outcome.REJECTED, None]


async def test_restored_reopens_an_actioned_case_and_a_new_round_follows(db, rounds):
    a = await add_case(db, "alpha")
    await rounds.open_rounds([a], by=REVIEWER, at=T0)
    await rounds.record_outcome(a, Outcome.REMOVED, by=REVIEWER, at=T0 + dt.timedelta(hours=1))
    back = T0 + dt.timedelta(days=3)
    result = await rounds.restore(a, by=REVIEWER, at=back, note="new posts")
    assert isinstance(result, Restored)
    assert (result.before, result.after) == (CaseState.ACTIONED, CaseState.FLAGGED)
    assert result.round.restored_at == back
    assert await case_state(db, a) == "flagged"
    assert (await audit_rows(db, a))[-1] == ("restored", "actioned", "flagged")
    batch = await rounds.open_rounds([a], by=REVIEWER, at=back)
    assert [r.round_no for r in batch.opened] == [2]


async def test_restored_on_a_case_that_is_not_actioned_is_refused(db, rounds):
    a = await add_case(db, "alpha")
    result = await rounds.restore(a, by=REVIEWER, at=T0)
    assert isinstance(result, Refusal) and "not actioned" in result.reason
    assert await case_state(db, a) == "flagged"
    assert await audit_rows(db, a) == []


async def test_outcome_on_a_dismissed_case_closes_the_round_and_keeps_it_dismissed(db, rounds):
    a = await add_case(db, "alpha")
    await rounds.open_rounds([a], by=REVIEWER, at=T0)
    async with db.transaction() as tx:
        await tx.execute("UPDATE cases SET state = 'dismissed' WHERE id = ?", (a,))
    result = await rounds.record_outcome(a, Outcome.REMOVED, by=REVIEWER, at=T0)
    assert isinstance(result, OutcomeRecorded) and result.after is CaseState.DISMISSED
    assert await case_state(db, a) == "dismissed"


async def test_pending_lists_open_rounds_oldest_first_with_overdue_and_counts(db, rounds):
    old = await add_case(db, "old")
    fresh = await add_case(db, "fresh")
    fb = await add_case(db, "page", platform=Platform.FACEBOOK)
    closed = await add_case(db, "closed")
    await rounds.open_rounds([fresh], by=REVIEWER, at=T0 + dt.timedelta(days=3))
    await rounds.open_rounds([old, closed], by=REVIEWER, at=T0)
    await rounds.open_rounds([fb], by=REVIEWER, at=T0 + dt.timedelta(hours=1))
    await rounds.record_outcome(closed, Outcome.REMOVED, by=REVIEWER, at=T0)
    now = T0 + dt.timedelta(days=3, hours=12)

    listed = await rounds.pending(now=now, sla=SLA)
    assert [p.round.case_id for p in listed.rounds] == [old, fb, fresh]
    assert [p.overdue for p in listed.rounds] == [True, True, False]
    assert listed.rounds[0].age == dt.timedelta(days=3, hours=12)
    assert (listed.total, listed.overdue_total) == (3, 2)

    only_x = await rounds.pending(now=now, sla=SLA, platform=Platform.X)
    assert [p.round.case_id for p in only_x.rounds] == [old, fresh]
    overdue = await rounds.pending(now=now, sla=SLA, overdue_only=True)
    assert [p.round.case_id for p in overdue.rounds] == [old, fb]
    # reading does not write state: the overdue case is still "requested"
    assert await case_state(db, old) == "requested"


async def test_pending_is_capped_but_counts_the_rest(db, rounds):
    ids = [await add_case(db, f"acct{i}") for i in range(35)]
    for index, case_id in enumerate(ids):
        await rounds.open_rounds([case_id], by=REVIEWER, at=T0 + dt.timedelta(minutes=index))
    listed = await rounds.pending(now=T0 + dt.timedelta(hours=1), sla=SLA)
    assert len(listed.rounds) == 30 and listed.total == 35
    assert listed.rounds[0].round.case_id == ids[0]


async def test_export_rows_give_latest_round_latest_note_and_scope(db, rounds, monkeypatch):
    monkeypatch.setattr("storage.requests.EXPORT_BATCH", 2)  # several batches
    a = await add_case(db, "alpha", notes=("first note", "second note", ""))
    b = await add_case(db, "bravo", platform=Platform.TELEGRAM, followers=None, notes=())
    c = await add_case(db, "charlie")
    await rounds.open_rounds([a, c], by=REVIEWER, at=T0, ref="T-1")
    await rounds.record_outcome(a, Outcome.REJECTED, by=REVIEWER, at=T0 + dt.timedelta(hours=1))
    await rounds.open_rounds([a], by=REVIEWER, at=T0 + dt.timedelta(hours=2), ref="T-2")

    rows = [row async for row in rounds.export_rows()]
    assert [row.case_id for row in rows] == [a, b, c]
    first = rows[0]
    assert (first.round_no, first.ref, first.outcome) == (2, "T-2", None)
    assert first.note == "second note" and first.reports == 3
    assert first.first_reported == T0
    assert rows[1].round_no is None and rows[1].reports == 0 and rows[1].note == ""
    assert rows[1].followers is None

    pending = [row.case_id async for row in rounds.export_rows(ExportScope.PENDING)]
    assert pending == [a, c]
    telegram = [row.case_id async for row in rounds.export_rows(Platform.TELEGRAM)]
    assert telegram == [b]


async def test_pending_export_pending_and_stats_share_one_boundary_and_one_open_set(db, rounds):
    a = await add_case(db, "alpha")
    gone = await add_case(db, "gone")
    await rounds.open_rounds([a, gone], by=REVIEWER, at=T0)
    async with db.transaction() as tx:  # a dismissed case with a round left open (old data)
        await tx.execute("UPDATE cases SET state = 'dismissed' WHERE id = ?", (gone,))
    exactly = T0 + SLA

    listed = await rounds.pending(now=exactly, sla=SLA)
    assert [(p.round.case_id, p.overdue) for p in listed.rounds] == [(a, True)]
    assert [row.case_id async for row in rounds.export_rows(ExportScope.PENDING)] == [a]
    table = await Stats(db).table("platform", compliance.window("7d", exactly), exactly, SLA)
    assert (table.total.expired, table.total.pending) == (2, 0)
    [overdue] = await Stats(db).oldest_overdue(exactly, SLA)
    assert overdue.case_id == a
    just_before = exactly - dt.timedelta(seconds=1)
    assert not (await rounds.pending(now=just_before, sla=SLA)).rounds[0].overdue
    table = await Stats(db).table(
        "platform", compliance.window("7d", just_before), just_before, SLA
    )
    assert (table.total.expired, table.total.pending) == (0, 2)

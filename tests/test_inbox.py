"""The inbox (storage/inbox.py) and the handled mark of storage.db.Database.transaction."""

from __future__ import annotations

import asyncio
import datetime as dt
import sqlite3
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from storage.db import Database, HandledMark, Tx, UpdateAlreadyHandled, handling
from storage.inbox import KEEP_FOR, Inbox, inbox_path
from storage.updates import ProcessedUpdates

AT = dt.datetime(2026, 11, 2, 6, 0, tzinfo=dt.UTC)


@pytest.fixture
async def inbox(tmp_path: Path) -> AsyncIterator[Inbox]:
    opened = await Inbox.open(tmp_path / "t.db")
    try:
        yield opened
    finally:
        await opened.close()


async def test_inbox_is_a_file_beside_the_database(inbox: Inbox, tmp_path: Path):
    assert inbox.path == inbox_path(tmp_path / "t.db") == tmp_path / "t.db-inbox"
    assert inbox.path.exists()


async def test_an_update_received_twice_is_kept_once(inbox: Inbox):
    assert await inbox.keep(7, '{"update_id": 7}', AT)
    assert not await inbox.keep(7, '{"update_id": 7, "again": true}', AT)
    assert await inbox.unhandled() == [(7, '{"update_id": 7}', 0)]


async def test_unhandled_updates_come_back_in_receipt_order(inbox: Inbox):
    for update_id in (30, 10, 20):  # receipt order, not id order
        await inbox.keep(update_id, f"{{{update_id}}}", AT)
    await inbox.mark_handled([10], AT)
    assert [update_id for update_id, _, _ in await inbox.unhandled()] == [30, 20]


async def test_marks_asked_for_together_are_written_after_and_close_writes_the_rest(
    tmp_path: Path,
):
    inbox = await Inbox.open(tmp_path / "t.db")
    for update_id in (1, 2, 3, 4):
        await inbox.keep(update_id, "{}", AT)
    inbox.mark_soon(1, AT)
    inbox.mark_soon(2, AT)  # off the caller's path: one task writes both
    await inbox.settle()
    assert [update_id for update_id, _, _ in await inbox.unhandled()] == [3, 4]
    inbox.mark_soon(3, AT)
    await inbox.close()  # writes what was asked for before it closes
    reopened = await Inbox.open(tmp_path / "t.db")
    try:
        assert [update_id for update_id, _, _ in await reopened.unhandled()] == [4]
    finally:
        await reopened.close()


async def test_what_was_kept_survives_a_reopen(tmp_path: Path):
    first = await Inbox.open(tmp_path / "t.db")
    try:
        await first.keep(1, "{}", AT)
    finally:
        await first.close()
    again = await Inbox.open(tmp_path / "t.db")
    try:
        assert await again.unhandled() == [(1, "{}", 0)]
        await again.count_replays([1])
        assert await again.unhandled() == [(1, "{}", 1)]
    finally:
        await again.close()


async def test_prune_forgets_only_handled_updates_older_than_two_days(inbox: Inbox):
    await inbox.keep(1, "{}", AT)
    await inbox.keep(2, "{}", AT)
    await inbox.keep(3, "{}", AT)
    await inbox.mark_handled([1], AT)
    await inbox.mark_handled([2], AT + dt.timedelta(days=1))
    await inbox.prune(AT + KEEP_FOR + dt.timedelta(seconds=1))
    with sqlite3.connect(inbox.path) as conn:
        left = [row[0] for row in conn.execute("SELECT update_id FROM inbox ORDER BY seq")]
    conn.close()
    assert left == [2, 3]  # 3 was never handled: kept whatever its age


async def _note(tx: Tx, text: str) -> int | None:
    await tx.execute("CREATE TABLE IF NOT EXISTS note (text TEXT)")
    return await tx.execute("INSERT INTO note (text) VALUES (?)", (text,))


async def _write_note(db: Database, text: str, one_hop: bool = False) -> int | None:
    """The same work through either door: transaction() or write()."""
    if one_hop:
        return await db.write(lambda tx: _note(tx, text))
    async with db.transaction() as tx:
        return await _note(tx, text)


BOTH_DOORS = pytest.mark.parametrize("one_hop", [False, True], ids=["transaction", "write"])


def _rows(db: Database, sql: str) -> list[tuple[object, ...]]:
    with sqlite3.connect(db.path) as conn:
        rows = conn.execute(sql).fetchall()
    conn.close()
    return rows


@BOTH_DOORS
async def test_the_handled_mark_commits_with_the_first_write_of_the_update(
    db: Database, one_hop: bool
):
    mark = HandledMark(41, AT)
    token = handling.set(mark)
    try:
        await _write_note(db, "first", one_hop)
        await _write_note(db, "second", one_hop)  # the same update's second write: no mark
    finally:
        handling.reset(token)
    assert mark.recorded
    assert _rows(db, "SELECT update_id FROM processed_updates") == [(41,)]
    assert await ProcessedUpdates(db).handled_among([40, 41, 42]) == {41}


async def test_a_rolled_back_write_leaves_no_mark(db: Database):
    mark = HandledMark(42, AT)
    token = handling.set(mark)
    try:
        with pytest.raises(RuntimeError):
            async with db.transaction() as tx:
                await tx.execute("CREATE TABLE note (text TEXT)")
                raise RuntimeError("the handler failed")
    finally:
        handling.reset(token)
    assert not mark.recorded
    assert _rows(db, "SELECT update_id FROM processed_updates") == []


@BOTH_DOORS
async def test_a_second_copy_of_a_handled_update_writes_nothing(db: Database, one_hop: bool):
    token = handling.set(HandledMark(43, AT))
    try:
        await _write_note(db, "the first copy", one_hop)
    finally:
        handling.reset(token)
    token = handling.set(HandledMark(43, AT))  # the same update id, handled again
    try:
        with pytest.raises(UpdateAlreadyHandled):
            await _write_note(db, "the second copy", one_hop)
    finally:
        handling.reset(token)
    assert _rows(db, "SELECT text FROM note") == [("the first copy",)]


async def test_write_runs_the_work_in_one_transaction_and_returns_its_result(db: Database):
    assert await _write_note(db, "one", one_hop=True) == 1
    assert await _write_note(db, "two", one_hop=True) == 2  # lastrowid, as in transaction()
    commits = db.commits

    async def fails(tx: Tx) -> None:
        await _note(tx, "never kept")
        raise ValueError("the work failed")

    with pytest.raises(ValueError):
        await db.write(fails)

    async def waits(tx: Tx) -> None:
        await _note(tx, "never kept either")
        await asyncio.sleep(0)  # not its transaction: the work cannot run in one hop

    with pytest.raises(RuntimeError, match="awaited something other"):
        await db.write(waits)
    assert db.commits == commits
    assert _rows(db, "SELECT text FROM note") == [("one",), ("two",)]
    assert await _write_note(db, "three", one_hop=True) == 3  # the writer is usable again


@BOTH_DOORS
async def test_writes_outside_an_update_carry_no_mark(db: Database, one_hop: bool):
    await _write_note(db, "a job's write", one_hop)
    assert _rows(db, "SELECT count(*) FROM processed_updates") == [(0,)]


async def test_the_inbox_is_the_bot_users_only(tmp_path: Path):
    opened = await Inbox.open(tmp_path / "data" / "t.db")
    try:
        await opened.keep(1, "{}", AT)
        assert _mode(tmp_path / "data") == 0o700
        for suffix in ("", "-wal", "-shm"):
            assert _mode(Path(f"{opened.path}{suffix}")) == 0o600, suffix
    finally:
        await opened.close()


def _mode(path: Path) -> int:
    return path.stat().st_mode & 0o777


async def test_updates_received_at_once_are_kept_together_and_each_answered(inbox: Inbox):
    kept = await asyncio.gather(
        *(inbox.keep(update_id, f"{{{update_id}}}", AT) for update_id in (5, 6, 5, 7))
    )
    assert kept == [True, True, False, True]  # the second 5 in the same commit: not new
    assert [update_id for update_id, _, _ in await inbox.unhandled()] == [5, 6, 7]

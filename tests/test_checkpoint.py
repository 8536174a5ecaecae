"""WAL checkpoints run in the background, off the reply path: real SQLite files, no mocks."""

from __future__ import annotations

import datetime as dt
import logging
import shutil
import sqlite3
from contextlib import closing
from pathlib import Path

import pytest

from storage.audit import Audit
from storage.db import CHECKPOINT_WAL_BYTES, Database

T0 = dt.datetime(2026, 11, 2, 6, 0, tzinfo=dt.UTC)
DETAIL = "x" * 4000  # about one page per audit row
BIG_WRITE_ROWS = 2 * CHECKPOINT_WAL_BYTES // len(DETAIL)  # ~8 MB of WAL in one transaction


def wal_bytes(db: Database) -> int:
    return Path(f"{db.path}-wal").stat().st_size


def audit_rows_in_database_file(db: Database, scratch: Path) -> int:
    """Audit rows the database file itself holds, without its WAL: what checkpoints copied."""
    copy = scratch / "file-alone.db"
    shutil.copyfile(db.path, copy)  # the file alone: no -wal, no -shm next to the copy
    try:
        with closing(sqlite3.connect(copy)) as conn:
            tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master")}
            if "audit" not in tables:
                return 0  # not even the schema has been copied back yet
            return int(conn.execute("SELECT count(*) FROM audit").fetchone()[0])
    finally:
        for leftover in scratch.glob("file-alone.db*"):
            leftover.unlink()


async def audit_rows(db: Database) -> int:
    """Audit rows as the reader sees them (committed, whether in the WAL or the file)."""
    row = await db.fetchone("SELECT count(*) FROM audit")
    assert row is not None
    return int(row[0])


async def write_audit_rows(db: Database, count: int, detail: str = DETAIL) -> None:
    async with db.transaction() as tx:
        for n in range(count):
            await Audit.record(tx, 100, "import", T0, detail=f"{n} {detail}")


async def test_the_writer_never_checkpoints_inside_commit(db: Database) -> None:
    async with db.transaction() as tx:
        row = await tx.fetchone("PRAGMA wal_autocheckpoint")
    assert row is not None
    assert row[0] == 0


async def test_a_big_commit_is_copied_back_by_a_background_checkpoint(
    db: Database, tmp_path: Path
) -> None:
    await write_audit_rows(db, BIG_WRITE_ROWS)
    # Right after COMMIT (no await since): the rows are in the WAL only, not copied back inline.
    assert wal_bytes(db) > CHECKPOINT_WAL_BYTES
    assert audit_rows_in_database_file(db, tmp_path) == 0

    await db.settle()
    assert audit_rows_in_database_file(db, tmp_path) == BIG_WRITE_ROWS
    with closing(sqlite3.connect(db.path)) as conn:
        busy, log, checkpointed = conn.execute("PRAGMA wal_checkpoint(PASSIVE)").fetchone()
    assert (busy, log) == (0, checkpointed)
    assert log > CHECKPOINT_WAL_BYTES // 4096  # the big write's frames, all already copied
    assert await audit_rows(db) == BIG_WRITE_ROWS


async def test_a_small_commit_starts_no_checkpoint(db: Database, tmp_path: Path) -> None:
    await write_audit_rows(db, 1, detail="one row")
    assert 0 < wal_bytes(db) <= CHECKPOINT_WAL_BYTES
    file_before = db.path.read_bytes()

    await db.settle()  # would wait for a checkpoint task, had the commit started one
    assert db.path.read_bytes() == file_before
    assert audit_rows_in_database_file(db, tmp_path) == 0  # the row is still only in the WAL
    assert await audit_rows(db) == 1


async def test_the_wal_shrinks_back_after_a_checkpoint_so_small_commits_stay_quiet(
    db: Database, tmp_path: Path
) -> None:
    await write_audit_rows(db, BIG_WRITE_ROWS)
    await db.settle()
    await write_audit_rows(db, 1, detail="after the import")  # reuses the WAL from its start
    assert wal_bytes(db) <= CHECKPOINT_WAL_BYTES
    file_before = db.path.read_bytes()

    await write_audit_rows(db, 1, detail="the next flag")
    await db.settle()
    assert db.path.read_bytes() == file_before  # no checkpoint for a small commit
    assert audit_rows_in_database_file(db, tmp_path) == BIG_WRITE_ROWS


async def test_a_failed_background_checkpoint_is_logged_not_raised(
    db: Database, caplog: pytest.LogCaptureFixture
) -> None:
    await db._checkpointer.close()  # the checkpoint connection is gone: the next checkpoint fails
    with caplog.at_level(logging.ERROR, logger="storage.db"):
        await write_audit_rows(db, BIG_WRITE_ROWS)
        await db.settle()
        await write_audit_rows(db, 1, detail="the next flag")

    failures = [r for r in caplog.records if "background WAL checkpoint" in r.getMessage()]
    assert len(failures) >= 1
    assert failures[0].levelno == logging.ERROR
    assert failures[0].exc_info is not None
    assert await audit_rows(db) == BIG_WRITE_ROWS + 1

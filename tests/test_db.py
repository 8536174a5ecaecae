import asyncio
import functools
import sqlite3
from typing import Any

import pytest

from storage.db import Database, migrate_file, migrations

EXPECTED_TABLES = {
    "members",
    "cases",
    "reports",
    "evidence",
    "request_rounds",
    "audit",
    "processed_updates",
}


async def pragma(db: Database, name: str):
    row = await db.fetchone(f"PRAGMA {name}")
    assert row is not None
    return row[0]


async def test_migrations_create_the_schema_on_an_empty_file(tmp_path):
    path = tmp_path / "sub" / "takedown.db"
    db = await Database.open(path)
    try:
        assert await db.schema_version() == len(migrations())
        tables = {row["name"] for row in await db.fetchall("SELECT name FROM sqlite_master")}
        assert tables >= EXPECTED_TABLES
        assert {"rounds_by_sent", "rounds_open", "cases_by_state", "audit_by_case"} <= tables
        assert await pragma(db, "journal_mode") == "wal"
        assert await pragma(db, "foreign_keys") == 1
        assert await pragma(db, "busy_timeout") >= 5000
    finally:
        await db.close()


async def test_reopening_applies_nothing_twice(tmp_path):
    path = tmp_path / "t.db"
    for _ in range(2):
        db = await Database.open(path)
        await db.close()
    with sqlite3.connect(path) as conn:
        assert conn.execute("PRAGMA user_version").fetchone()[0] == len(migrations())


def test_migrations_are_numbered_without_gaps():
    versions = [m.version for m in migrations()]
    assert versions == list(range(1, len(versions) + 1))


async def test_failed_migration_leaves_the_previous_version(tmp_path, monkeypatch):
    import storage.db as dbmod
    from storage.db import Migration

    good = migrations()
    broken = [*good, Migration(len(good) + 1, "999_broken.sql", "CREATE TABLE x (a); SELEC oops;")]
    monkeypatch.setattr(dbmod, "migrations", lambda: broken)
    path = tmp_path / "t.db"
    with pytest.raises(sqlite3.OperationalError):
        await migrate_file(path)
    with sqlite3.connect(path) as conn:
        assert conn.execute("PRAGMA user_version").fetchone()[0] == len(good)
        names = {r[0] for r in conn.execute("SELECT name FROM sqlite_master")}
    assert "x" not in names


async def test_transaction_rolls_back_every_row_on_error(tmp_path):
    db = await Database.open(tmp_path / "t.db")
    try:
        with pytest.raises(RuntimeError):
            async with db.transaction() as tx:
                await tx.execute(
                    "INSERT INTO members (user_id, role, granted_by, granted_at)"
                    " VALUES (1, 'viewer', 0, 0)"
                )
                raise RuntimeError("boom")
        assert await db.fetchall("SELECT * FROM members") == []
    finally:
        await db.close()


async def test_foreign_keys_are_enforced(tmp_path):
    db = await Database.open(tmp_path / "t.db")
    try:
        with pytest.raises(sqlite3.IntegrityError):
            async with db.transaction() as tx:
                await tx.execute(
                    "INSERT INTO reports (case_id, reporter_id, reported_at, source, category)"
                    " VALUES (999, 1, 0, 'x', 'other')"
                )
    finally:
        await db.close()


async def test_snapshots_side_by_side_read_the_same_data_while_writes_go_on(tmp_path):
    """The report reads on two connections at once (Database.snapshots): whatever commits
    meanwhile, through either door, both see the same rows, and none of what came after."""
    db = await Database.open(tmp_path / "t.db")
    stop = asyncio.Event()

    async def member(tx: Any, user_id: int) -> None:
        await tx.execute(
            "INSERT INTO members (user_id, role, granted_by, granted_at)"
            " VALUES (?, 'viewer', 0, 0)",
            (user_id,),
        )

    async def writer() -> int:
        user_id = 0
        while not stop.is_set():
            user_id += 1
            if user_id % 2:
                await db.write(functools.partial(member, user_id=user_id))
            else:
                async with db.transaction() as tx:
                    await member(tx, user_id)
            await asyncio.sleep(0)
        return user_id

    writing = asyncio.create_task(writer())
    try:
        seen = []
        for _ in range(40):
            async with db.snapshots(2) as (one, two):
                [first] = await one.fetchall("SELECT count(*) FROM members")
                await asyncio.sleep(0.002)  # commits land meanwhile
                [second] = await two.fetchall("SELECT count(*) FROM members")
                [again] = await one.fetchall("SELECT count(*) FROM members")
            assert first[0] == second[0] == again[0]
            seen.append(first[0])
        stop.set()
        written = await writing
        assert len(set(seen)) > 10 and max(seen) <= written  # the pairs saw writes go on
    finally:
        stop.set()
        await writing
        await db.close()

"""A database the bot cannot use is refused at open with one line naming the file and the
cause, and leaves no connection open; a write that fails for lack of space is told apart.
(Read-only files and folders: tests/e2e/test_bad_database_e2e.py, through `python -m bot`.)"""

from __future__ import annotations

import os
import sqlite3
from pathlib import Path

import pytest

from storage.db import Database, DatabaseUnusable, check_file, is_disk_full, newest_version
from storage.store import Store


async def made(path: Path, rows: int = 0) -> Path:
    """A database of the current schema with `rows` audit entries over many pages."""
    store = await Store.open(path)
    try:
        async with store.db.transaction() as tx:
            for n in range(rows):
                await tx.execute(
                    "INSERT INTO audit (at, user_id, action, detail) VALUES (?, 1, 'note', ?)",
                    (n, f"entry {n} " + "n" * 200),
                )
    finally:
        await store.close()
    return path


def damage_a_page(path: Path, page: int) -> None:
    """Overwrite the middle of one page (the header and page 1 stay intact)."""
    with sqlite3.connect(path) as conn:
        size = conn.execute("PRAGMA page_size").fetchone()[0]
    conn.close()
    with path.open("r+b") as file:
        file.seek(page * size + 100)
        file.write(b"\xde\xad\xbe\xef" * 64)


async def refused(path: Path) -> str:
    with pytest.raises(DatabaseUnusable) as caught:
        await check_file(path)
    message = str(caught.value)
    assert "\n" not in message
    assert str(path) in message
    return message


async def test_garbage_file_is_not_a_database(tmp_path):
    path = tmp_path / "t.db"
    path.write_bytes(os.urandom(64 * 1024))
    message = await refused(path)
    assert message.endswith("it is not an SQLite database")


async def test_damaged_page_is_found_by_the_check_at_start(tmp_path):
    path = await made(tmp_path / "t.db", rows=2000)
    with sqlite3.connect(path) as conn:
        pages = conn.execute("PRAGMA page_count").fetchone()[0]
    conn.close()
    damage_a_page(path, pages // 2)
    message = await refused(path)
    assert "it is damaged (" in message
    assert "python -m bot restore" in message


async def test_newer_schema_is_refused_not_downgraded(tmp_path):
    path = await made(tmp_path / "t.db")
    with sqlite3.connect(path) as conn:
        conn.execute(f"PRAGMA user_version = {newest_version() + 1}")
    conn.close()
    message = await refused(path)
    assert f"schema version {newest_version() + 1} is newer than this bot's" in message


async def test_folder_that_cannot_be_created(tmp_path):
    message = await refused(Path("/proc/foo/t.db"))
    assert "/proc/foo" in message


async def test_a_good_file_passes_and_keeps_its_data(tmp_path):
    path = await made(tmp_path / "t.db", rows=10)
    await check_file(path)
    with sqlite3.connect(path) as conn:
        assert conn.execute("SELECT count(*) FROM audit").fetchone()[0] == 10
        assert conn.execute("PRAGMA user_version").fetchone()[0] == newest_version()
    conn.close()


async def test_full_database_is_told_apart_and_the_writer_recovers(tmp_path):
    """SQLite itself says SQLITE_FULL when the file may not grow (max_page_count): the failed
    transaction leaves the writer usable, and the next write with room commits."""
    db = await Database.open(tmp_path / "t.db")
    try:
        pages = (await db.fetchone("PRAGMA page_count"))[0]  # type: ignore[index]
        await db._writer.execute(f"PRAGMA max_page_count = {pages}")  # the writer's own limit
        with pytest.raises(sqlite3.OperationalError) as caught:
            async with db.transaction() as tx:
                for n in range(200):
                    await tx.execute(
                        "INSERT INTO members (user_id, role, granted_by, granted_at)"
                        " VALUES (?, 'viewer', 0, 0)",
                        (n,),
                    )
                    await tx.execute("INSERT INTO audit (at, user_id, action, detail)"
                                     " VALUES (0, 0, 'x', ?)", ("y" * 3000,))  # fmt: skip
        assert is_disk_full(caught.value)
        assert db.disk_full_episodes == 1
        with pytest.raises(sqlite3.OperationalError):  # still full: the same episode
            async with db.transaction() as tx:
                await tx.execute("INSERT INTO audit (at, user_id, action, detail)"
                                 " VALUES (0, 0, 'x', ?)", ("y" * 30000,))  # fmt: skip
        assert db.disk_full_episodes == 1
        await db._writer.execute("PRAGMA max_page_count = 1000000")
        async with db.transaction() as tx:
            await tx.execute("INSERT INTO members (user_id, role, granted_by, granted_at)"
                             " VALUES (1, 'viewer', 0, 0)")  # fmt: skip
        assert await db.fetchall("SELECT user_id FROM members") != []
    finally:
        await db.close()


def test_disk_full_is_recognised_in_the_cause_chain():
    full = OSError(28, "No space left on device")
    try:
        try:
            raise full
        except OSError as err:
            raise RuntimeError("while writing evidence") from err
    except RuntimeError as wrapped:
        assert is_disk_full(wrapped)
    assert not is_disk_full(sqlite3.OperationalError("database is locked"))
    assert not is_disk_full(None)

"""The one owner of the SQLite file: connections, pragmas, migrations, transactions.

Three connections: a writer, serialised by an asyncio.Lock around BEGIN IMMEDIATE ... COMMIT
(one shared aiosqlite connection would interleave the transactions of concurrent handlers),
a reader that in WAL mode sees only committed data, and one that only runs WAL checkpoints in
the background (see Database.transaction).
"""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
import re
import sqlite3
from collections.abc import AsyncIterator, Iterable, Sequence
from contextlib import AsyncExitStack, asynccontextmanager
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any

import aiosqlite

from bot.domain.comebacks import sql_match_key

Params = Sequence[Any] | dict[str, Any]
Row = sqlite3.Row

BUSY_TIMEOUT_MS = 10_000
# A background checkpoint starts once the WAL file is larger than this: about SQLite's own
# wal_autocheckpoint threshold of 1000 pages. The writer's journal_size_limit is the same, so
# the file shrinks back to it after a checkpoint and its size keeps telling what is pending.
CHECKPOINT_WAL_BYTES = 4 * 1024 * 1024
_MIGRATION_NAME = re.compile(r"^(\d{3})_[a-z0-9_]+\.sql$")

logger = logging.getLogger(__name__)


def to_ts(when: dt.datetime) -> int:
    """Timestamps are stored as UTC epoch seconds."""
    if when.tzinfo is None:
        raise ValueError("naive datetime: every timestamp must be timezone-aware")
    return int(when.timestamp())


def from_ts(value: int) -> dt.datetime:
    return dt.datetime.fromtimestamp(value, dt.UTC)


def from_ts_or_none(value: int | None) -> dt.datetime | None:
    return None if value is None else from_ts(value)


@dataclass(frozen=True)
class Migration:
    version: int
    name: str
    sql: str


def migrations() -> list[Migration]:
    """Every migration shipped in storage/migrations, in order. Never edit an applied one."""
    found = []
    for entry in resources.files("storage.migrations").iterdir():
        match = _MIGRATION_NAME.match(entry.name)
        if match:
            found.append(Migration(int(match.group(1)), entry.name, entry.read_text("utf-8")))
    found.sort(key=lambda m: m.version)
    if [m.version for m in found] != list(range(1, len(found) + 1)):
        raise RuntimeError("migrations must be numbered 001, 002, ... without gaps")
    return found


class Tx:
    """The writer connection inside one transaction."""

    def __init__(self, conn: aiosqlite.Connection) -> None:
        self._conn = conn

    async def execute(self, sql: str, params: Params = ()) -> int | None:
        """Run one statement; returns lastrowid (useful after INSERT)."""
        row = await self._conn.execute_insert(sql, params)  # one hop: statement and rowid
        return None if row is None else int(row[0])

    async def execute_rowcount(self, sql: str, params: Params = ()) -> int:
        cursor = await self._conn.execute(sql, params)
        count = cursor.rowcount
        await cursor.close()
        return count

    async def executemany(self, sql: str, rows: Iterable[Params]) -> None:
        await self._conn.executemany(sql, rows)

    async def fetchone(self, sql: str, params: Params = ()) -> Row | None:
        return await _fetchone(self._conn, sql, params)

    async def fetchall(self, sql: str, params: Params = ()) -> list[Row]:
        return await _fetchall(self._conn, sql, params)


# Each await on an aiosqlite connection is a hop to its thread and back; a query in one hop
# (rather than execute, fetch, close) makes /status and /flag about twice as fast.
async def _fetchall(conn: aiosqlite.Connection, sql: str, params: Params) -> list[Row]:
    return list(await conn.execute_fetchall(sql, params))


async def _fetchone(conn: aiosqlite.Connection, sql: str, params: Params) -> Row | None:
    """The first row; meant for queries of one row (it fetches them all in one hop)."""
    rows = await _fetchall(conn, sql, params)
    return rows[0] if rows else None


class Database:
    def __init__(
        self,
        path: Path,
        writer: aiosqlite.Connection,
        reader: aiosqlite.Connection,
        checkpointer: aiosqlite.Connection,
    ):
        self.path = path
        self._writer = writer
        self._reader = reader
        self._checkpointer = checkpointer
        self._write_lock = asyncio.Lock()
        self._wal = Path(f"{path}-wal")
        self._checkpoint: asyncio.Task[None] | None = None  # the last one, kept referenced
        self._closing = False

    @classmethod
    async def open(cls, path: Path) -> Database:
        """Open (creating the file and its folder) and bring the schema up to date."""
        path.parent.mkdir(parents=True, exist_ok=True)
        async with AsyncExitStack() as opened:  # a failure closes what was opened so far
            writer = await _connect(path)
            opened.push_async_callback(writer.close)
            await _migrate(writer)
            # Commits never copy the WAL back into the database file inline: see transaction().
            await writer.execute("PRAGMA wal_autocheckpoint = 0")
            await writer.execute(f"PRAGMA journal_size_limit = {CHECKPOINT_WAL_BYTES}")
            reader = await _connect(path)
            opened.push_async_callback(reader.close)
            checkpointer = await _connect(path)
            opened.pop_all()  # success: the Database owns all three now
        return cls(path, writer, reader, checkpointer)

    async def close(self) -> None:
        self._closing = True  # no new checkpoint from here on
        await self.settle()
        try:
            await self._reader.close()
        finally:
            try:
                await self._checkpointer.close()
            finally:
                await self._writer.close()  # the last one checkpoints and removes the WAL

    @asynccontextmanager
    async def transaction(self) -> AsyncIterator[Tx]:
        async with self._write_lock:
            await self._writer.execute("BEGIN IMMEDIATE")
            try:
                yield Tx(self._writer)
            except BaseException:
                await self._writer.rollback()
                raise
            else:
                await self._writer.commit()
                self._start_checkpoint_if_due()

    # Why checkpoints run here and not in COMMIT: with SQLite's default wal_autocheckpoint the
    # COMMIT that pushes the WAL past 1000 pages also copies the whole WAL back into the
    # database file, and the handler waits for that copy before it can reply (~0.5 s after an
    # /import of 100,000 rows). So the writer never checkpoints, and after a commit that left a
    # big WAL a task runs PRAGMA wal_checkpoint(PASSIVE) on a connection of its own: PASSIVE
    # takes no lock that the writer or the readers wait for, it copies what it can and leaves
    # the rest to the next one.
    def _start_checkpoint_if_due(self) -> None:
        """Cheap (one stat) because it runs after every commit; never raises."""
        if self._closing or (self._checkpoint is not None and not self._checkpoint.done()):
            return
        try:
            wal_bytes = self._wal.stat().st_size
        except FileNotFoundError:
            return  # no WAL, nothing to copy back
        except OSError:
            logger.exception("cannot stat %s; no checkpoint this time", self._wal)
            return
        if wal_bytes > CHECKPOINT_WAL_BYTES:
            self._checkpoint = asyncio.create_task(self._run_checkpoint(), name="wal-checkpoint")

    async def _run_checkpoint(self) -> None:
        try:
            await self._checkpointer.execute_fetchall("PRAGMA wal_checkpoint(PASSIVE)")
        except Exception:
            logger.exception("background WAL checkpoint of %s failed", self.path)

    async def settle(self) -> None:
        """Wait for the background checkpoint, if one is running (tests, benchmark, close)."""
        task = self._checkpoint
        if task is not None:
            await asyncio.wait({task})  # its errors are logged in the task, not raised here

    async def fetchone(self, sql: str, params: Params = ()) -> Row | None:
        return await _fetchone(self._reader, sql, params)

    async def fetchall(self, sql: str, params: Params = ()) -> list[Row]:
        return await _fetchall(self._reader, sql, params)

    async def schema_version(self) -> int:
        row = await self.fetchone("PRAGMA user_version")
        return int(row[0]) if row else 0


async def _connect(path: Path) -> aiosqlite.Connection:
    # isolation_level=None: we write BEGIN/COMMIT ourselves instead of sqlite3's implicit ones.
    conn = await aiosqlite.connect(path, isolation_level=None)
    conn.row_factory = sqlite3.Row
    await conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
    await conn.execute("PRAGMA journal_mode = WAL")
    await conn.execute("PRAGMA synchronous = NORMAL")
    await conn.execute("PRAGMA foreign_keys = ON")
    await conn.create_function("comeback_key", 2, sql_match_key, deterministic=True)  # 002
    return conn


async def _migrate(conn: aiosqlite.Connection, target: int | None = None) -> None:
    """Apply each pending migration in its own transaction, bumping PRAGMA user_version."""
    async with conn.execute("PRAGMA user_version") as cursor:
        row = await cursor.fetchone()
    current = int(row[0]) if row else 0
    for migration in migrations():
        if migration.version <= current or (target is not None and migration.version > target):
            continue
        version = f"PRAGMA user_version = {migration.version}"
        script = f"BEGIN IMMEDIATE;\n{migration.sql}\n;{version};\nCOMMIT;"
        try:
            await conn.executescript(script)
        except BaseException:
            if conn.in_transaction:
                await conn.rollback()
            raise


async def migrate_file(path: Path, target: int | None = None) -> None:
    """Bring a file to `target` version (all by default). Tests use it to build old schemas."""
    conn = await _connect(path)
    try:
        await _migrate(conn, target)
    finally:
        await conn.close()

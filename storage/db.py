"""The one owner of the SQLite file: connections, pragmas, migrations, transactions.

Two connections: a writer, serialised by an asyncio.Lock around BEGIN IMMEDIATE ... COMMIT
(one shared aiosqlite connection would interleave the transactions of concurrent handlers),
and a reader that in WAL mode sees only committed data.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import re
import sqlite3
from collections.abc import AsyncIterator, Iterable, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any

import aiosqlite

from bot.comeback import sql_match_key

Params = Sequence[Any] | dict[str, Any]
Row = sqlite3.Row

BUSY_TIMEOUT_MS = 10_000
_MIGRATION_NAME = re.compile(r"^(\d{3})_[a-z0-9_]+\.sql$")


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
    def __init__(self, path: Path, writer: aiosqlite.Connection, reader: aiosqlite.Connection):
        self.path = path
        self._writer = writer
        self._reader = reader
        self._write_lock = asyncio.Lock()

    @classmethod
    async def open(cls, path: Path) -> Database:
        """Open (creating the file and its folder) and bring the schema up to date."""
        path.parent.mkdir(parents=True, exist_ok=True)
        writer = await _connect(path)
        try:
            await _migrate(writer)
            reader = await _connect(path)
        except BaseException:
            await writer.close()
            raise
        return cls(path, writer, reader)

    async def close(self) -> None:
        try:
            await self._reader.close()
        finally:
            await self._writer.close()

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

"""The database on PostgreSQL (DATABASE_URL=postgresql://...), through psycopg 3 and its pool.

The same methods as storage.db.Database (storage/backend.py's Db), so the table modules run
unchanged on either backend:
- psycopg 3 rather than asyncpg: it has a sync API beside the async one, and Db.read runs a
  sync function over a connection in a thread (the card's queries in one hop), as SQLite's
  backend does in aiosqlite's thread; and psycopg_pool is maintained with it.
- SQL text is the modules' own: `?`, `?1` and `:name` become psycopg's `%s` and `%(name)s`
  (translate), outside string literals and comments; a literal `%` is doubled.
- Rows are read by index and by name (PgRow), like sqlite3.Row. Python bools are bound as
  0/1 (SQLite's booleans are integers, and so are the columns that hold them); numeric
  results (sum over BIGINT, avg) come back as int when whole, float otherwise, not Decimal.
- Write transactions are serialised as SQLite's BEGIN IMMEDIATE serialises them, across
  every process on the database (replicas): each takes a transaction-level advisory lock
  first. The writes of this bot are small and few; this keeps every read-then-write of the
  table modules (max(id) + 1 in /import, the next round number) correct without a retry loop.
- Reads outside a transaction see committed data (READ COMMITTED); Db.read and Db.snapshot
  read one snapshot (REPEATABLE READ, READ ONLY); Db.search stops at statement_timeout.
- Migrations are storage/migrations/postgres/NNN_name.sql, numbered as SQLite's; the version
  is the row of schema_version; two replicas starting at once migrate one after the other.

What is SQLite's only has no twin here: backups are the managed database's own, there is no
WAL to checkpoint, no lock file (several bots on one database is what PostgreSQL is for), and
a full disk is the server's to report (a failed write is an internal error, logged).
"""

from __future__ import annotations

import asyncio
import re
from collections.abc import AsyncIterator, Callable, Coroutine, Iterable, Sequence
from contextlib import AsyncExitStack, asynccontextmanager
from dataclasses import dataclass
from functools import lru_cache
from typing import Any, TypeVar

import psycopg
from psycopg import AsyncConnection, Connection
from psycopg import sql as pgsql
from psycopg.adapt import Dumper, Loader
from psycopg.rows import RowMaker
from psycopg_pool import AsyncConnectionPool, ConnectionPool

from bot.domain.errors import SearchTooSlow
from storage.backend import Params, PostgresUnusable, Row, SyncConn, SyncCursor, redacted
from storage.db import (
    SEARCH_SECONDS,
    HandledMark,
    handling,
    migrations,
    record_handled,
    schema_too_new,
)

T = TypeVar("T")
# Advisory lock keys (any bigint; these spell "tdwrite" and "tdmigrate" loosely).
WRITE_LOCK = 0x7464_7772_6974_65
MIGRATE_LOCK = 0x7464_6D69_6772_61
LEADER_LOCK = 0x7464_6C65_6164_65
POOL_MAX = 8


# ---------------------------------------------------------------------- SQL text and rows

_TOKEN = re.compile(
    r"'(?:[^']|'')*'"  # a string literal: left as it is
    r'|"[^"]*"'  # a quoted name
    r"|--[^\n]*"  # a comment
    r"|::"  # a PostgreSQL cast (in PostgreSQL-only text)
    r"|\?(\d+)"  # ?1: SQLite's numbered parameter
    r"|\?"  # ?: a positional parameter
    r"|(?<![:\w]):([A-Za-z_]\w*)"  # :name: a named parameter
    r"|%"  # psycopg's placeholder character, literal here
    r"|\bINDEXED BY \w+|\bNOT INDEXED\b"  # SQLite's planner hints (an index, a join order):
    r"|\bCROSS JOIN(?= [\w ]+ ON\b)"  # PostgreSQL plans without them (no CROSS JOIN ... ON)
)


@dataclass(frozen=True)
class Translated:
    sql: str
    numbered: bool  # ?N: the parameters are passed as {"pN": value}


@lru_cache(maxsize=2048)
def translate(sql: str) -> Translated:
    """One SQL text of the table modules in psycopg's placeholders."""
    numbered = False

    def replace(match: re.Match[str]) -> str:
        nonlocal numbered
        token = match.group(0)
        if match.group(1) is not None:
            numbered = True
            return f"%(p{match.group(1)})s"
        if match.group(2) is not None:
            return f"%({match.group(2)})s"
        if token == "?":
            return "%s"
        if token == "%":
            return "%%"
        if token.startswith(("INDEXED BY", "NOT INDEXED")):
            return ""
        if token == "CROSS JOIN":
            return "JOIN"
        return token

    return Translated(_TOKEN.sub(replace, sql), numbered)


def bind(sql: str, params: Params) -> tuple[str, Params]:
    translated = translate(sql)
    if translated.numbered and not isinstance(params, dict):
        return translated.sql, {f"p{i}": value for i, value in enumerate(params, 1)}
    return translated.sql, params


class PgRow(tuple[Any, ...]):
    """A row read by index (row[0]) and by name (row["id"]), as sqlite3.Row is."""

    _names: dict[str, int]

    def __new__(cls, values: Sequence[Any], names: dict[str, int]) -> PgRow:
        row = super().__new__(cls, values)
        row._names = names
        return row

    def __getitem__(self, key: Any) -> Any:
        if isinstance(key, str):
            return tuple.__getitem__(self, self._names[key])
        return tuple.__getitem__(self, key)

    def keys(self) -> list[str]:
        return list(self._names)


def pg_row(cursor: Any) -> RowMaker[PgRow]:
    names = {column.name: i for i, column in enumerate(cursor.description or ())}
    return lambda values: PgRow(values, names)


class _BoolAsInteger(Dumper):
    oid = psycopg.adapters.types["int8"].oid

    def dump(self, obj: Any) -> bytes:
        return b"1" if obj else b"0"


class _Number(Loader):
    """numeric (sum over BIGINT, avg): an int when whole, else a float."""

    def load(self, data: Any) -> int | float:
        text = bytes(data)
        if text.isdigit() or (text[:1] == b"-" and text[1:].isdigit()):
            return int(text)
        return float(text)


def _adapt(conn: Connection[Any] | AsyncConnection[Any]) -> None:
    conn.adapters.register_dumper(bool, _BoolAsInteger)
    conn.adapters.register_loader("numeric", _Number)


# Each connection's settings. No JIT: it compiles a statement whose planned cost passes
# jit_above_cost, and the report's and the digest's statements (well under a second of
# work each) spent longer compiling (up to 3.5 s for the year's report at 1M cases) than
# compiled code saves; the server's other defaults stand.
SESSION = "SET jit = off"


async def _configure(conn: AsyncConnection[Any]) -> None:
    _adapt(conn)
    await conn.set_autocommit(True)
    await conn.execute(SESSION)


def _configure_sync(conn: Connection[Any]) -> None:
    _adapt(conn)
    conn.autocommit = True
    conn.execute(SESSION)


# ---------------------------------------------------------------------- connections


class PgTx:
    """A pooled connection inside one write transaction."""

    backend = "PostgreSQL"

    def __init__(self, conn: AsyncConnection[Any]) -> None:
        self._conn = conn

    async def execute(self, sql: str, params: Params = ()) -> None:
        await self._conn.execute(*bind(sql, params))

    async def execute_rowcount(self, sql: str, params: Params = ()) -> int:
        cursor = await self._conn.execute(*bind(sql, params))
        return cursor.rowcount

    async def executemany(self, sql: str, rows: Iterable[Params]) -> None:
        text = translate(sql)
        batch = [bind(sql, row)[1] for row in rows] if text.numbered else list(rows)
        if batch:
            async with self._conn.cursor() as cursor:
                await cursor.executemany(text.sql, batch)

    async def append_rows(self, table: str, rows: Iterable[Sequence[object]]) -> None:
        async with self._conn.cursor() as cursor, cursor.copy(f"COPY {table} FROM STDIN") as copy:
            for row in rows:
                await copy.write_row(row)

    async def fetchone(self, sql: str, params: Params = ()) -> Row | None:
        cursor = await self._conn.execute(*bind(sql, params))
        return await cursor.fetchone() if cursor.description else None

    async def fetchall(self, sql: str, params: Params = ()) -> list[Row]:
        cursor = await self._conn.execute(*bind(sql, params))
        return await cursor.fetchall() if cursor.description else []


class PgSnapshot:
    """A connection inside one read-only transaction that sees one state of the data."""

    backend = "PostgreSQL"

    def __init__(self, conn: AsyncConnection[Any]) -> None:
        self._conn = conn

    async def fetchone(self, sql: str, params: Params = ()) -> Row | None:
        cursor = await self._conn.execute(*bind(sql, params))
        return await cursor.fetchone()

    async def fetchall(self, sql: str, params: Params = ()) -> list[Row]:
        cursor = await self._conn.execute(*bind(sql, params))
        return await cursor.fetchall()


class SyncAdapter:
    """What Db.read's function calls, `conn.execute(sql, params).fetchall()`, over a sync
    psycopg connection."""

    def __init__(self, conn: Connection[Any]) -> None:
        self._conn = conn

    def execute(self, sql: str, parameters: Any = (), /) -> SyncCursor:
        return self._conn.execute(*bind(sql, parameters))


_SNAPSHOT = "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY"


class PostgresDatabase:
    backend = "PostgreSQL"

    def __init__(
        self,
        url: str,
        pool: AsyncConnectionPool[AsyncConnection[Any]],
        sync_pool: ConnectionPool[Connection[Any]],
    ) -> None:
        self.url = url
        self.path = redacted(url)  # what /health and messages name
        self._pool = pool
        self._sync_pool = sync_pool
        self._write_lock = asyncio.Lock()  # this process's writers queue here, not in PG
        self._handled_marks = 0
        self._leader: AsyncConnection[Any] | None = None  # holds LEADER_LOCK while we lead
        self.commits = 0
        self.disk_full_episodes = 0  # a full disk is the server's (see the module's doc)

    @classmethod
    async def open(cls, url: str) -> PostgresDatabase:
        """Connect and bring the schema up to date; PostgresUnusable says why not."""
        where = redacted(url)
        pool: AsyncConnectionPool[AsyncConnection[Any]] = AsyncConnectionPool(
            url,
            min_size=1,
            max_size=POOL_MAX,
            kwargs={"row_factory": pg_row},
            configure=_configure,
            open=False,
        )
        try:
            await pool.open(wait=True, timeout=10)
        except Exception as err:
            await pool.close()
            raise PostgresUnusable(where, _first_line(err)) from err
        sync_pool: ConnectionPool[Connection[Any]] = ConnectionPool(
            url,
            min_size=0,
            max_size=POOL_MAX,
            kwargs={"row_factory": pg_row},
            configure=_configure_sync,
            open=False,
        )
        try:
            async with pool.connection() as conn:
                await migrate(conn, where)
            sync_pool.open()
        except BaseException as err:
            await pool.close()
            if isinstance(err, psycopg.Error):
                raise PostgresUnusable(where, _first_line(err)) from err
            raise
        return cls(url, pool, sync_pool)

    async def close(self) -> None:
        try:
            if self._leader is not None:
                await self._leader.close()  # the lock goes with the session
            await asyncio.to_thread(self._sync_pool.close)
        finally:
            await self._pool.close()

    async def leads(self) -> bool:
        """Whether this process is the replica that runs the daily jobs (the digest, the
        month's report): the one holding a session-level advisory lock on a connection of its
        own. When its process dies (or its connection does) the server drops the lock, and
        the next replica that asks takes it."""
        if self._leader is not None:
            try:
                await self._leader.execute("SELECT 1")
                return True
            except psycopg.Error:  # the session is gone, and the lock with it
                await self._leader.close()
                self._leader = None
        conn = await AsyncConnection.connect(self.url, autocommit=True)
        cursor = await conn.execute("SELECT pg_try_advisory_lock(%s)", (LEADER_LOCK,))
        row = await cursor.fetchone()
        if row is not None and row[0]:
            self._leader = conn
            return True
        await conn.close()
        return False

    async def settle(self) -> None:
        """Nothing runs in the background here (no WAL checkpoint)."""

    @asynccontextmanager
    async def transaction(self, *, of_update: bool = True) -> AsyncIterator[PgTx]:
        async with self._write_lock, self._pool.connection() as conn, conn.transaction():
            await conn.execute("SELECT pg_advisory_xact_lock(%s)", (WRITE_LOCK,))
            mark: HandledMark | None = handling.get() if of_update else None
            if mark is not None and mark.recorded:
                mark = None
            tx = PgTx(conn)
            if mark is not None:
                self._handled_marks += 1
                await record_handled(tx, mark, self._handled_marks)
            yield tx
        self.commits += 1
        if mark is not None:
            mark.recorded = True

    async def write(
        self, work: Callable[[PgTx], Coroutine[Any, Any, T]], *, of_update: bool = True
    ) -> T:
        """SQLite's Database.write (a transaction's work in one hop to the writer's thread)
        is, here, transaction(): psycopg's calls are round trips to the server either way."""
        async with self.transaction(of_update=of_update) as tx:
            return await work(tx)

    async def fetchone(self, sql: str, params: Params = ()) -> Row | None:
        async with self._pool.connection() as conn:
            cursor = await conn.execute(*bind(sql, params))
            return await cursor.fetchone()

    async def fetchall(self, sql: str, params: Params = ()) -> list[Row]:
        async with self._pool.connection() as conn:
            cursor = await conn.execute(*bind(sql, params))
            return await cursor.fetchall()

    async def read(self, work: Callable[[SyncConn], T]) -> T:
        """Several statements in one snapshot, run in a thread over a sync connection (the
        same function SQLite's backend runs in its reader's thread)."""

        def in_thread() -> T:
            with self._sync_pool.connection() as conn:
                conn.execute(_SNAPSHOT)
                try:
                    return work(SyncAdapter(conn))
                finally:
                    conn.execute("COMMIT")

        return await asyncio.to_thread(in_thread)

    @asynccontextmanager
    async def snapshot(self, *, of: str | None = None) -> AsyncIterator[PgSnapshot]:
        """A read-only transaction; `of`: in the snapshot that pg_export_snapshot named."""
        async with self._pool.connection() as conn:
            await conn.execute(_SNAPSHOT)
            try:
                if of is not None:
                    await conn.execute(
                        pgsql.SQL("SET TRANSACTION SNAPSHOT {}").format(pgsql.Literal(of))
                    )
                yield PgSnapshot(conn)
            finally:
                await conn.execute("COMMIT")

    @asynccontextmanager
    async def snapshots(self, count: int) -> AsyncIterator[list[PgSnapshot]]:
        """SQLite's Database.snapshots: `count` connections in one snapshot, the first's
        exported to the others, so that their statements run side by side on the server
        (the report's compliance statement on one, its other statements on another)."""
        async with AsyncExitStack() as stack:
            first = await stack.enter_async_context(self.snapshot())
            readers = [first]
            if count > 1:
                row = await first.fetchone("SELECT pg_export_snapshot()")
                assert row is not None
                for _ in range(count - 1):
                    readers.append(await stack.enter_async_context(self.snapshot(of=row[0])))
            yield readers

    async def search(
        self, sql: str, params: Params = (), *, seconds: float = SEARCH_SECONDS
    ) -> list[Row]:
        """A scan stopped with SearchTooSlow after `seconds` (statement_timeout)."""
        async with self._pool.connection() as conn:
            try:
                async with conn.transaction():
                    await conn.execute(
                        "SELECT set_config('statement_timeout', %s, true)",
                        (f"{int(seconds * 1000)}ms",),
                    )
                    cursor = await conn.execute(*bind(sql, params))
                    return await cursor.fetchall()
            except psycopg.errors.QueryCanceled:
                raise SearchTooSlow(f"stopped after {seconds} s") from None

    async def schema_version(self) -> int:
        row = await self.fetchone("SELECT version FROM schema_version")
        return int(row[0]) if row else 0


async def check_postgres(url: str) -> None:
    """What `python -m bot` does before it starts on PostgreSQL: connect, migrate, close."""
    db = await PostgresDatabase.open(url)
    await db.close()


def _first_line(err: BaseException) -> str:
    text = str(err).strip() or type(err).__name__
    return text.splitlines()[0]


# ---------------------------------------------------------------------- migrations


async def migrate(conn: AsyncConnection[Any], where: str, target: int | None = None) -> None:
    """Each pending migration in its own transaction, under an advisory lock, so that two
    replicas starting together apply each once."""
    await conn.execute("CREATE TABLE IF NOT EXISTS schema_version (version INTEGER NOT NULL)")
    shipped = migrations("postgres")
    for migration in shipped:
        if target is not None and migration.version > target:
            break
        async with conn.transaction():
            await conn.execute("SELECT pg_advisory_xact_lock(%s)", (MIGRATE_LOCK,))
            current = await _version(conn)
            if current > len(shipped):
                raise PostgresUnusable(where, schema_too_new(current))
            if migration.version <= current:
                continue
            await conn.execute(migration.sql.encode())  # a script: no parameters
            await conn.execute("DELETE FROM schema_version")
            await conn.execute(
                "INSERT INTO schema_version (version) VALUES (%s)", (migration.version,)
            )


async def _version(conn: AsyncConnection[Any]) -> int:
    cursor = await conn.execute("SELECT max(version) FROM schema_version")
    row = await cursor.fetchone()
    return int(row[0]) if row and row[0] is not None else 0

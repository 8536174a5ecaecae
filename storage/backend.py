"""What the table modules need of a database, whichever backend holds it: storage.db's
Database (SQLite, the embedded default) or storage.postgres' PostgresDatabase (DATABASE_URL).

The modules write one SQL text per query, in the form both dialects accept, with `?`, `?1` or
`:name` placeholders (PostgresDatabase translates them); rows are read by index and by name.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Coroutine, Iterable, Iterator, Sequence
from contextlib import AbstractAsyncContextManager
from typing import Any, Protocol, TypeVar

Params = Sequence[Any] | dict[str, Any]
T = TypeVar("T")


class Row(Protocol):
    """A result row: sqlite3.Row, or storage.postgres.PgRow."""

    def __getitem__(self, key: Any, /) -> Any: ...

    def __iter__(self) -> Iterator[Any]: ...

    def __len__(self) -> int: ...

    def keys(self) -> list[str]: ...


class SyncCursor(Protocol):
    def fetchone(self) -> Any: ...

    def fetchall(self) -> list[Any]: ...


class SyncConn(Protocol):
    """What a function given to Db.read may call: sqlite3.Connection, or the PostgreSQL
    backend's thin adapter over a sync psycopg connection."""

    def execute(self, sql: str, parameters: Any = (), /) -> SyncCursor: ...


class Reader(Protocol):
    """What reads need: the database itself, a Snapshot, or a transaction."""

    backend: str  # "SQLite" or "PostgreSQL", as /health names it; where a statement differs

    async def fetchone(self, sql: str, params: Params = ()) -> Row | None: ...

    async def fetchall(self, sql: str, params: Params = ()) -> Sequence[Row]: ...


class Tx(Reader, Protocol):
    """The writer's connection inside one write transaction."""

    async def execute(self, sql: str, params: Params = ()) -> object: ...

    async def execute_rowcount(self, sql: str, params: Params = ()) -> int: ...

    async def executemany(self, sql: str, rows: Iterable[Params]) -> None: ...

    async def append_rows(self, table: str, rows: Iterable[Sequence[object]]) -> None:
        """Add rows of every column of `table`, in its order: an INSERT per row on SQLite,
        one COPY on PostgreSQL (six times quicker there for an import's 100,000 rows)."""
        ...


class Db(Reader, Protocol):
    commits: int
    disk_full_episodes: int

    def transaction(self, *, of_update: bool = True) -> AbstractAsyncContextManager[Tx]: ...

    async def write(
        self, work: Callable[[Tx], Coroutine[Any, Any, T]], *, of_update: bool = True
    ) -> T:
        """`transaction()` around `work`, in as few round trips as the backend allows."""
        ...

    def snapshot(self) -> AbstractAsyncContextManager[Reader]: ...

    def snapshots(self, count: int) -> AbstractAsyncContextManager[Sequence[Reader]]: ...

    async def read(self, work: Callable[[SyncConn], T]) -> T: ...

    async def search(
        self, sql: str, params: Params = (), *, seconds: float = ...
    ) -> Sequence[Row]: ...

    async def schema_version(self) -> int: ...

    async def leads(self) -> bool:
        """Whether this process runs the daily jobs (one replica of several on PostgreSQL)."""
        ...

    async def settle(self) -> None: ...

    async def close(self) -> None: ...


# What the bot says of a PostgreSQL database before and without loading psycopg (the bot on
# SQLite never loads it).
class PostgresUnusable(Exception):
    """The database at DATABASE_URL cannot be used: one line, the password left out."""

    def __init__(self, where: str, cause: str) -> None:
        super().__init__(f"Cannot use the PostgreSQL database {where}: {cause}")
        self.where = where
        self.cause = cause


def redacted(url: str) -> str:
    """The URL without its password, for messages and /health."""
    return re.sub(r"(://[^:/@]*):[^@]*@", r"\1:***@", url)

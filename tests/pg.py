"""A throwaway PostgreSQL 15 cluster for the tests that run on both backends.

Started once per test process (each pytest-xdist worker has its own) by storage/pg_server.py,
without fsync; stopped at the end of the session. Each test gets a database of its own, copied
from a template that is migrated once. Missing server binaries fail the PostgreSQL runs
loudly: CI's machines have them.
"""

from __future__ import annotations

import asyncio
import itertools
import os
from dataclasses import dataclass, field
from typing import Any

import psycopg

from storage.pg_server import Server, start_server
from storage.postgres import PostgresDatabase, bind

# The database of the test running now: "" for the SQLite file of its tmp_path, or the URL
# of its PostgreSQL database (set by tests/conftest.py's database_url fixture). The helpers
# that write or read rows beside the bot (tests/factories.py, tests/e2e/harness.py) use it.
current_url = ""
TEMPLATE = "takedown_template"


@dataclass
class Cluster(Server):
    _names: itertools.count[int] = field(default_factory=itertools.count)

    def fresh_database(self) -> str:
        """A new database with the bot's schema (a copy of the migrated template); its URL."""
        return self.create_database(f"t{os.getpid()}_{next(self._names)}", TEMPLATE)

    def empty_database(self) -> str:
        """A new database without any table (what an operator creates for the bot)."""
        return self.create_database(f"e{os.getpid()}_{next(self._names)}")


def start_cluster() -> Cluster:
    cluster = Cluster(start_server(quick=True).folder)
    try:
        cluster.create_database(TEMPLATE)
        asyncio.run(_migrate(cluster.url(TEMPLATE)))
    except BaseException:
        cluster.stop()
        raise
    return cluster


class SyncConnection:
    """A plain connection to the test's PostgreSQL database, used as the tests use
    sqlite3's: conn.execute(sql, params) with the SQL text of storage (its placeholders)."""

    def __init__(self, url: str) -> None:
        self._conn = psycopg.connect(url, autocommit=True)

    def execute(self, sql: str, params: Any = ()) -> psycopg.Cursor[tuple[Any, ...]]:
        return self._conn.execute(*bind(sql, params))

    def close(self) -> None:
        self._conn.close()


async def _migrate(url: str) -> None:
    db = await PostgresDatabase.open(url)
    await db.close()

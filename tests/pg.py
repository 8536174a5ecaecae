"""A throwaway PostgreSQL 15 cluster for the tests that run on both backends.

Started once per test process (each pytest-xdist worker has its own) in a temp folder, as
the `postgres` user when the tests run as root (initdb refuses root), listening on a unix
socket in that folder only (no TCP port to collide on); stopped at the end of the session.
Each test gets a database of its own, copied from a template that is migrated once.
Missing server binaries fail the PostgreSQL runs loudly: CI's machines have them.
"""

from __future__ import annotations

import asyncio
import itertools
import os
import shutil
import subprocess
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import psycopg

from storage.postgres import PostgresDatabase, bind

PG_BIN = Path(os.environ.get("PG_BIN", "/usr/lib/postgresql/15/bin"))
# The database of the test running now: "" for the SQLite file of its tmp_path, or the URL
# of its PostgreSQL database (set by tests/conftest.py's database_url fixture). The helpers
# that write or read rows beside the bot (tests/factories.py, tests/e2e/harness.py) use it.
current_url = ""
TEMPLATE = "takedown_template"
# Durability is not what these tests are about: no fsync makes each test's database quick.
_SERVER_OPTIONS = (
    "-c listen_addresses= -c fsync=off -c synchronous_commit=off -c full_page_writes=off"
    " -c max_connections=200"
)


def _as_postgres(*command: str | Path) -> list[str]:
    args = [str(part) for part in command]
    return ["runuser", "-u", "postgres", "--", *args] if os.geteuid() == 0 else args


@dataclass
class Cluster:
    folder: Path
    _names: itertools.count[int] = field(default_factory=itertools.count)

    def url(self, database: str) -> str:
        return f"postgresql://postgres@/{database}?host={self.folder}"

    def admin(self) -> psycopg.Connection[tuple[object, ...]]:
        return psycopg.connect(self.url("postgres"), autocommit=True)

    def fresh_database(self) -> str:
        """A new database with the bot's schema (a copy of the migrated template); its URL."""
        name = f"t{os.getpid()}_{next(self._names)}"
        with self.admin() as conn:
            conn.execute(f'CREATE DATABASE "{name}" TEMPLATE {TEMPLATE} STRATEGY FILE_COPY')
        return self.url(name)

    def empty_database(self) -> str:
        """A new database without any table (what an operator creates for the bot)."""
        name = f"e{os.getpid()}_{next(self._names)}"
        with self.admin() as conn:
            conn.execute(f'CREATE DATABASE "{name}"')
        return self.url(name)

    def drop(self, url: str) -> None:
        name = url.rsplit("/", 1)[1].split("?", 1)[0]
        with self.admin() as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')

    def stop(self) -> None:
        subprocess.run(
            _as_postgres(PG_BIN / "pg_ctl", "-D", self.folder / "data", "-m", "immediate", "stop"),
            check=False,
            capture_output=True,
        )
        shutil.rmtree(self.folder, ignore_errors=True)


def start_cluster() -> Cluster:
    if not (PG_BIN / "initdb").exists():
        raise RuntimeError(
            f"PostgreSQL 15 server binaries not found in {PG_BIN} (initdb, pg_ctl): install"
            " postgresql-15, or set PG_BIN; the PostgreSQL half of the storage suite needs them"
        )
    folder = Path(tempfile.mkdtemp(prefix="takedown-pg-"))
    if os.geteuid() == 0:
        shutil.chown(folder, "postgres", "postgres")
    cluster = Cluster(folder)
    try:
        _run(PG_BIN / "initdb", "-D", folder / "data", "-A", "trust", "-U", "postgres",
             "--no-sync", "-E", "UTF8", "--locale=C.UTF-8")  # fmt: skip
        _run(PG_BIN / "pg_ctl", "-D", folder / "data", "-l", folder / "log", "-w",
             "-o", f"-k {folder} {_SERVER_OPTIONS}", "start")  # fmt: skip
        with cluster.admin() as conn:
            conn.execute(f"CREATE DATABASE {TEMPLATE}")
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


def _run(*command: str | Path) -> None:
    done = subprocess.run(_as_postgres(*command), capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise RuntimeError(f"{Path(command[0]).name} failed: {done.stderr.strip() or done.stdout}")

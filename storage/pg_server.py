"""A PostgreSQL 15 server of one's own in a temp folder, for the test suite and `make bench`;
never the bot's (a unit's PostgreSQL is a server of its own: DATABASE_URL).

initdb refuses to run as root, so as root the server runs as the `postgres` user. It listens on
a unix socket in its folder only (no TCP port to collide on) and is gone when stopped.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path

import psycopg

PG_BIN = Path(os.environ.get("PG_BIN", "/usr/lib/postgresql/15/bin"))
# For the tests, whose subject is not durability: no fsync makes each test's database quick.
# The bench leaves the server as a unit runs it (fsync, synchronous commits).
QUICK = "-c fsync=off -c synchronous_commit=off -c full_page_writes=off"


@dataclass
class Server:
    folder: Path

    def url(self, database: str) -> str:
        return f"postgresql://postgres@/{database}?host={self.folder}"

    def admin(self) -> psycopg.Connection[tuple[object, ...]]:
        return psycopg.connect(self.url("postgres"), autocommit=True)

    def create_database(self, name: str, template: str | None = None) -> str:
        """A new database (an empty one, or a copy of `template`); its URL."""
        copy = f" TEMPLATE {template} STRATEGY FILE_COPY" if template else ""
        with self.admin() as conn:
            conn.execute(f'CREATE DATABASE "{name}"{copy}')  # our names, not input
        return self.url(name)

    def drop(self, url: str) -> None:
        name = url.rsplit("/", 1)[1].split("?", 1)[0]
        with self.admin() as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')

    def stop(self) -> None:
        subprocess.run(
            as_postgres(PG_BIN / "pg_ctl", "-D", self.folder / "data", "-m", "immediate", "stop"),
            check=False,
            capture_output=True,
        )
        shutil.rmtree(self.folder, ignore_errors=True)


def binaries_missing() -> str | None:
    """Why no server can be started here (one line), or None."""
    if (PG_BIN / "initdb").exists():
        return None
    return (
        f"PostgreSQL 15 server binaries not found in {PG_BIN} (initdb, pg_ctl): install"
        " postgresql-15, or set PG_BIN"
    )


def start_server(*, quick: bool) -> Server:
    """initdb and start; RuntimeError with the reason if the binaries are missing or fail."""
    if why := binaries_missing():
        raise RuntimeError(why)
    folder = Path(tempfile.mkdtemp(prefix="takedown-pg-"))
    if os.geteuid() == 0:
        shutil.chown(folder, "postgres", "postgres")
    server = Server(folder)
    options = f"-k {folder} -c listen_addresses= -c max_connections=200"
    try:
        _run(PG_BIN / "initdb", "-D", folder / "data", "-A", "trust", "-U", "postgres",
             *(["--no-sync"] if quick else []), "-E", "UTF8", "--locale=C.UTF-8")  # fmt: skip
        _run(PG_BIN / "pg_ctl", "-D", folder / "data", "-l", folder / "log", "-w",
             "-o", f"{options} {QUICK if quick else ''}", "start")  # fmt: skip
    except BaseException:
        server.stop()
        raise
    return server


def as_postgres(*command: str | Path) -> list[str]:
    args = [str(part) for part in command]
    return ["runuser", "-u", "postgres", "--", *args] if os.geteuid() == 0 else args


def _run(*command: str | Path) -> None:
    done = subprocess.run(as_postgres(*command), capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise RuntimeError(f"{Path(command[0]).name} failed: {done.stderr.strip() or done.stdout}")

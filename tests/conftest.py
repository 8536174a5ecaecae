"""Test-wide settings."""

import os
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest
from hypothesis import settings

from storage.backend import Db
from storage.db import Database
from storage.postgres import PostgresDatabase
from storage.store import Store
from tests import pg
from tests.pg import Cluster, start_cluster

# CI must be repeatable: the same examples every run (a new failure found locally, where the
# examples vary, prints its reproducing example). No wall-clock deadlines on a shared machine.
settings.register_profile("ci", derandomize=True, deadline=None, print_blob=True)
settings.register_profile("dev", deadline=None, print_blob=True)
settings.load_profile("ci" if os.environ.get("CI") else "dev")


BACKENDS = ("sqlite", "postgres")


# Whole files about what only SQLite has: its WAL checkpoints, and the update inbox (a SQLite
# file of each process's own on either backend; its tests read the database file itself).
SQLITE_ONLY_FILES = frozenset({"tests/test_checkpoint.py", "tests/test_inbox.py"})
# The end-to-end files that run on PostgreSQL too: the main command flows (the others, and
# tests/robustness/, run on SQLite; tests/e2e/conftest.py sets the bots' database).
E2E_ON_BOTH = frozenset(
    f"tests/e2e/test_{name}_e2e.py"
    for name in (
        "card", "comeback", "corrections", "digest", "digest_once", "evidence", "excel",
        "export", "flag", "foundation", "health", "import", "lists", "packet",
        "packet_fit_to_send", "people", "privacy", "report", "requests", "wording",
    )
)  # fmt: skip


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    """Every test that opens a store or a database through these fixtures runs on both
    backends, but those marked sqlite_only (they open the SQLite file themselves, or read
    SQLite's query plans) and those of SQLITE_ONLY_FILES."""
    if "backend" in metafunc.fixturenames:
        where = metafunc.definition.path.relative_to(ROOT).as_posix()
        only = (
            metafunc.definition.get_closest_marker("sqlite_only")
            or where in SQLITE_ONLY_FILES
            or (where.startswith("tests/e2e/") and where not in E2E_ON_BOTH)
        )
        if not only:
            metafunc.parametrize("backend", BACKENDS)


@pytest.fixture
def backend() -> str:
    """The backend of a test that runs on SQLite only (the others are parametrized above)."""
    return "sqlite"


@pytest.fixture(scope="session")
def pg_cluster() -> Iterator[Cluster]:
    """This test process's PostgreSQL cluster (tests/pg.py), started on first use."""
    cluster = start_cluster()
    try:
        yield cluster
    finally:
        cluster.stop()


@pytest.fixture
def database_url(request: pytest.FixtureRequest, backend: str) -> Iterator[str]:
    """'' on SQLite; on PostgreSQL the URL of a fresh database with the bot's schema."""
    if backend == "sqlite":
        yield ""
        return
    cluster: Cluster = request.getfixturevalue("pg_cluster")
    url = cluster.fresh_database()
    pg.current_url = url
    try:
        yield url
    finally:
        pg.current_url = ""
        cluster.drop(url)


@pytest.fixture
async def store(tmp_path: Path, database_url: str) -> AsyncIterator[Store]:
    """A store on a fresh database: the SQLite file tmp_path / "t.db" (tests marked
    sqlite_only may open it directly), or a PostgreSQL database (tests/pg.py)."""
    opened = await Store.open(tmp_path / "t.db", database_url=database_url)
    try:
        yield opened
    finally:
        await opened.close()


@pytest.fixture
async def db(tmp_path: Path, database_url: str) -> AsyncIterator[Db]:
    """A bare database on either backend, for the storage layer below the Store."""
    database: Db = (
        await PostgresDatabase.open(database_url)
        if database_url
        else await Database.open(tmp_path / "t.db")
    )
    try:
        yield database
    finally:
        await database.close()


# What `make check` leaves out (pytest -m "not slow"), besides the tests marked one by one:
# whole files that start bot processes, sleep through retries and time limits, draw charts and
# PDFs, walk every command (help examples), or run many
# hypothesis examples on real databases. `make test` (CI) runs them all.
SLOW_FILES = frozenset(
    {
        "tests/e2e/test_bad_database_e2e.py",
        "tests/e2e/test_digest_e2e.py",
        "tests/e2e/test_digest_once_e2e.py",
        "tests/e2e/test_disk_full_e2e.py",
        "tests/e2e/test_fake_bot_api.py",
        "tests/e2e/test_help_e2e.py",
        "tests/e2e/test_replicas_e2e.py",
        "tests/e2e/test_report_e2e.py",
        "tests/e2e/test_retry_e2e.py",
        "tests/e2e/test_slow_download_e2e.py",
        "tests/e2e/test_webhook_e2e.py",
        "tests/test_backup.py",
        "tests/test_charts.py",
        "tests/test_history_properties.py",
        "tests/test_report_paths.py",
        "tests/test_stats_storage.py",
        "tests/test_webhook_settings.py",
    }
)
ROOT = Path(__file__).resolve().parent.parent


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        where = item.path.relative_to(ROOT).as_posix()
        if where in SLOW_FILES or where.startswith("tests/robustness/") or _on_postgres(item):
            item.add_marker(pytest.mark.slow)


def _on_postgres(item: pytest.Item) -> bool:
    """The PostgreSQL runs of the suite are left to `make test` (the quick loop stays quick):
    a cluster to start, a database per test. tests/test_postgres.py runs in both."""
    params = getattr(item, "callspec", None)
    return params is not None and params.params.get("backend") == "postgres"

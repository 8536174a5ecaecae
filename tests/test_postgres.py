"""The PostgreSQL backend's own rules (storage/postgres.py): the SQL text it is given, the
migrations numbered as SQLite's, one schema on both, what it says when it cannot be used, and
the write transactions and handled marks shared by every process on one database."""

from __future__ import annotations

import asyncio
import datetime as dt
import sqlite3
from pathlib import Path

import pytest

from bot.runtime.settings import Settings, SettingsError, load_settings
from storage.backend import PostgresUnusable, redacted
from storage.db import HandledMark, UpdateAlreadyHandled, handling, migrations
from storage.postgres import (
    LEADER_LOCK,
    PgRow,
    PostgresDatabase,
    bind,
    translate,
)
from storage.store import Store
from tests.pg import Cluster

AT = dt.datetime(2026, 11, 2, 6, 0, tzinfo=dt.UTC)


def test_both_backends_have_the_same_migration_numbers() -> None:
    assert [m.version for m in migrations("postgres")] == [m.version for m in migrations()]
    assert [m.name for m in migrations("postgres")] == [m.name for m in migrations()]


def test_placeholders_become_psycopgs_outside_literals_and_comments() -> None:
    sql = "SELECT '?', ':x', 5 % 2, a::text -- what? :y\nFROM t WHERE a = ? AND b = :name"
    assert translate(sql).sql == (
        "SELECT '?', ':x', 5 %% 2, a::text -- what? :y\nFROM t WHERE a = %s AND b = %(name)s"
    )
    assert bind("SELECT ?2, ?1, ?2", ("a", "b")) == (
        "SELECT %(p2)s, %(p1)s, %(p2)s",
        {"p1": "a", "p2": "b"},
    )


def test_sqlites_planner_hints_are_left_out() -> None:
    sql = "SELECT 1 FROM r INDEXED BY r_by_sent CROSS JOIN c ON c.id = r.case_id CROSS JOIN d"
    assert translate(sql).sql == "SELECT 1 FROM r  JOIN c ON c.id = r.case_id CROSS JOIN d"
    assert translate("SELECT 1 FROM r NOT INDEXED WHERE a").sql == "SELECT 1 FROM r  WHERE a"


def test_a_row_is_read_by_index_and_by_name() -> None:
    row = PgRow((7, "x"), {"id": 0, "platform": 1})
    assert (row[0], row["platform"], tuple(row), row.keys()) == (
        7,
        "x",
        (7, "x"),
        ["id", "platform"],
    )
    assert dict(row) == {"id": 7, "platform": "x"}


def test_the_password_never_shows() -> None:
    assert redacted("postgresql://bot:s3cret@db.internal/takedown") == (
        "postgresql://bot:***@db.internal/takedown"
    )


def test_database_url_must_be_postgresql(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DATABASE_URL", "mysql://db/takedown")
    with pytest.raises(SettingsError, match="DATABASE_URL"):
        load_settings()
    monkeypatch.setenv("DATABASE_URL", "postgresql://bot@db/takedown")
    assert load_settings().database_url.get_secret_value() == "postgresql://bot@db/takedown"
    monkeypatch.delenv("DATABASE_URL")
    assert Settings(_env_file=None).database_url.get_secret_value() == ""  # the SQLite file


async def test_an_unreachable_server_is_one_line_without_the_password(tmp_path: Path) -> None:
    url = f"postgresql://bot:s3cret@/takedown?host={tmp_path}&connect_timeout=1"
    with pytest.raises(PostgresUnusable) as raised:
        await PostgresDatabase.open(url)
    message = str(raised.value)
    assert "s3cret" not in message and "\n" not in message
    assert message.startswith("Cannot use the PostgreSQL database postgresql://bot:***@")


async def test_an_empty_database_gets_the_schema_and_health_says_postgresql(
    pg_cluster: Cluster,
) -> None:
    url = pg_cluster.empty_database()
    try:
        store = await Store.open(Path("unused.db"), database_url=url)
        try:
            health = await store.health()
        finally:
            await store.close()
        assert (health.backend, health.schema_version) == ("PostgreSQL", len(migrations()))
        assert health.path == url and health.file_bytes > 0
        again = await PostgresDatabase.open(url)  # up to date: nothing applied twice
        await again.close()
    finally:
        pg_cluster.drop(url)


async def test_a_newer_schema_is_refused(pg_cluster: Cluster) -> None:
    url = pg_cluster.fresh_database()
    try:
        db = await PostgresDatabase.open(url)
        async with db.transaction() as tx:
            await tx.execute("UPDATE schema_version SET version = 99")
        await db.close()
        with pytest.raises(PostgresUnusable, match="schema version 99 is newer"):
            await PostgresDatabase.open(url)
    finally:
        pg_cluster.drop(url)


async def test_both_backends_have_the_same_tables_and_columns(
    pg_cluster: Cluster, tmp_path: Path
) -> None:
    store = await Store.open(tmp_path / "t.db")
    await store.close()
    with sqlite3.connect(tmp_path / "t.db") as conn:
        tables = [
            row[0] for row in conn.execute("SELECT name FROM sqlite_schema WHERE type = 'table'")
        ]
        sqlite = {
            (table, row[1])
            for table in tables
            for row in conn.execute(f"PRAGMA table_info({table})")
        }
    conn.close()
    db = await PostgresDatabase.open(pg_cluster.url("takedown_template"))
    try:
        rows = await db.fetchall(
            "SELECT table_name, column_name FROM information_schema.columns"
            " WHERE table_schema = 'public' AND table_name <> 'schema_version'"
        )
    finally:
        await db.close()
    assert {(row[0], row[1]) for row in rows} == sqlite


async def test_sqlites_functions_answer_as_sqlites_inlined_and_parallel_safe(
    pg_cluster: Cluster,
) -> None:
    """Version 12: the stand-ins for SQLite's scalar functions give SQLite's answers (NULL when
    an argument of max or min is), are inlined by the planner (no function call per row) and
    may run in a parallel plan."""
    values = (
        "SELECT max(3, 5), max(5, 3), max(NULL, 5), min(3, 5), min(5, NULL),"
        " iif(1 > 2, 'a', 'b'), instr('abcb', 'b')"
    )
    with sqlite3.connect(":memory:") as lite:
        expected = lite.execute(values).fetchone()
    lite.close()
    url = pg_cluster.fresh_database()
    db = await PostgresDatabase.open(url)
    try:
        assert tuple(await db.fetchone(values) or ()) == expected
        plan = await db.fetchall(
            "EXPLAIN (VERBOSE) SELECT max(sent_at, outcome_at), min(sent_at, outcome_at),"
            " iif(sent_at > outcome_at, 1, 0) FROM request_rounds"
        )
        output = " ".join(row[0] for row in plan)
        assert "CASE WHEN" in output and "max(" not in output and "min(" not in output
        unsafe = await db.fetchall(
            "SELECT proname FROM pg_proc WHERE pronamespace = 'public'::regnamespace"
            " AND proname IN ('iif', 'max', 'min', 'instr', 'json_array', 'json_each')"
            " AND proparallel <> 's'"
        )
        assert unsafe == []
    finally:
        await db.close()
        pg_cluster.drop(url)


async def test_snapshots_are_connections_of_their_own_reading_one_state(
    pg_cluster: Cluster,
) -> None:
    """Database.snapshots(2) (the report's): two connections, so their statements run side
    by side on the server, both reading the data as it was when they opened, whatever is
    written meanwhile."""
    url = pg_cluster.fresh_database()
    db = await PostgresDatabase.open(url)
    try:
        async with db.snapshots(2) as readers:
            async with db.transaction(of_update=False) as tx:
                await tx.execute("INSERT INTO audit (at, user_id, action) VALUES (0, 1, 'x')")
            seen = [await reader.fetchone("SELECT COUNT(*) FROM audit") for reader in readers]
            pids = [await reader.fetchone("SELECT pg_backend_pid()") for reader in readers]
        now = await db.fetchone("SELECT COUNT(*) FROM audit")
        assert [row[0] for row in seen if row] == [0, 0] and now is not None and now[0] == 1
        assert len({row[0] for row in pids if row}) == 2
    finally:
        await db.close()
        pg_cluster.drop(url)


async def test_replicas_handle_an_update_once(pg_cluster: Cluster) -> None:
    """Two processes' databases on one PostgreSQL: the handled mark of the first that writes
    makes the other's copy of the update change nothing."""
    url = pg_cluster.fresh_database()
    one, two = await PostgresDatabase.open(url), await PostgresDatabase.open(url)
    try:

        async def handle(db: PostgresDatabase, who: str) -> str:
            token = handling.set(HandledMark(77, AT))
            try:
                async with db.transaction() as tx:
                    await tx.execute(
                        "INSERT INTO audit (at, user_id, action) VALUES (?, 1, ?)", (0, who)
                    )
                    await asyncio.sleep(0.05)  # both are inside their transaction at once
                return "written"
            except UpdateAlreadyHandled:
                return "already handled"
            finally:
                handling.reset(token)

        results = await asyncio.gather(handle(one, "one"), handle(two, "two"))
        assert sorted(results) == ["already handled", "written"]
        audit = await one.fetchall("SELECT action FROM audit")
        assert len(audit) == 1
        marks = await two.fetchall("SELECT update_id FROM processed_updates")
        assert [row[0] for row in marks] == [77]
    finally:
        await one.close()
        await two.close()
        pg_cluster.drop(url)


async def test_one_replica_leads_and_another_takes_over_when_its_session_dies(
    pg_cluster: Cluster,
) -> None:
    url = pg_cluster.fresh_database()
    one, two, three = [await PostgresDatabase.open(url) for _ in range(3)]
    try:
        assert await one.leads() and await one.leads()  # held: asked again, still
        assert not await two.leads() and not await three.leads()
        with pg_cluster.admin() as admin:  # the leader's process dies: its session ends
            admin.execute(
                "SELECT pg_terminate_backend(pid) FROM pg_locks"
                " WHERE locktype = 'advisory' AND granted AND objid = %s",
                (LEADER_LOCK & 0xFFFFFFFF,),
            )
        assert not await one.leads() or not await two.leads()  # never two leaders
        assert await two.leads() != await one.leads()
        await (one if await one.leads() else two).close()  # a leader stops
        assert await three.leads()
    finally:
        for db in (one, two, three):
            await db.close()
        pg_cluster.drop(url)

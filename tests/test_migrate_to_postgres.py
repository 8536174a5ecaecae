"""`python -m bot migrate-to-postgres` (storage/copy.py): a SQLite database that has been used
(flags, an import, rounds and outcomes, a correction, a packet, names, a digest) copied into an
empty PostgreSQL one: the same rows, the same card and figures, the ids going on after it."""

from __future__ import annotations

import asyncio
import datetime as dt
import sqlite3
from pathlib import Path
from zoneinfo import ZoneInfo

import psycopg
import pytest

from bot.__main__ import main
from bot.domain import Outcome, Platform, Role, compliance
from bot.domain.people import Name
from bot.grammar.flag import parse_flag
from storage.copy import TABLES, CopyRefused, copy_to_postgres
from storage.store import Store
from tests.pg import Cluster

T0 = dt.datetime(2026, 11, 2, 6, 0, tzinfo=dt.UTC)
H = dt.timedelta(hours=1)
GROUPS = ["TTP", "BLA", "BLF"]
SLA = dt.timedelta(hours=72)
TZ = ZoneInfo("Asia/Karachi")


async def used_database(path: Path) -> None:
    store = await Store.open(path, admin_ids=[1])
    try:
        await store.people.keep(2, Name("Ayesha", "K.", "ayesha"), T0)
        await store.members.grant(2, Role.REVIEWER, by=1, at=T0)
        flagged = [
            await store.cases.report(parse_flag(text, GROUPS), 2, T0)
            for text in (
                "x.com/ttp_media TTP followers=1200 recruits",
                "t.me/bla_news BLA",
                "instagram.com/blf_voice BLF followers=40",
            )
        ]
        ids = [result.case_id for result in flagged]
        await store.cases.report_many(
            [parse_flag("x.com/ttp_media2 TTP", GROUPS), parse_flag("t.me/bla_news BLA", GROUPS)],
            3,
            T0 + H,
            name="list.csv",
        )
        await store.requests.open_rounds(ids, by=2, at=T0 + H)
        await store.requests.record_outcome(ids[0], Outcome.REMOVED, by=2, at=T0 + 5 * H)
        await store.requests.record_outcome(ids[1], Outcome.REJECTED, by=2, at=T0 + 6 * H)
        await store.requests.correct(ids[1], Outcome.RESTRICTED, "misread", by=2, at=T0 + 7 * H)
        await store.packets.create(Platform.INSTAGRAM, [ids[2]], by=2, at=T0 + 8 * H, tz=TZ)
        await store.cases.add_note(ids[2], "still posting", 2, T0 + 9 * H)
    finally:
        await store.close()


def sqlite_counts(path: Path) -> dict[str, int]:
    with sqlite3.connect(path) as conn:
        counts = {t: conn.execute(f"SELECT count(*) FROM {t}").fetchone()[0] for t in TABLES}
    conn.close()
    return counts


async def test_a_used_database_is_copied_whole_and_goes_on_from_its_ids(
    tmp_path: Path, pg_cluster: Cluster
) -> None:
    source = tmp_path / "t.db"
    await used_database(source)
    url = pg_cluster.empty_database()
    try:
        copied = await copy_to_postgres(source, url, T0 + 10 * H)
        assert copied.rows == sqlite_counts(source)
        assert copied.rows["cases"] == 4 and copied.rows["outcome_versions"] == 3
        assert (copied.figures.sent, copied.figures.actioned) == (3, 2)
        with psycopg.connect(url) as conn:  # settled: the planner's statistics, no dead work
            settled = conn.execute(
                "SELECT relname FROM pg_stat_user_tables"
                " WHERE last_analyze IS NOT NULL AND last_vacuum IS NOT NULL"
            ).fetchall()
        assert {name for (name,) in settled} == set(TABLES)

        lite = await Store.open(source)
        pg = await Store.open(tmp_path / "unused.db", database_url=url)
        try:
            for case_id in (1, 2, 3, 4):
                assert await pg.cases.card(case_id) == await lite.cases.card(case_id)
            win = compliance.window("30d", T0 + 10 * H)
            for by in ("platform", "group"):
                assert await pg.stats.table(by, win, T0 + 10 * H, SLA) == await lite.stats.table(
                    by, win, T0 + 10 * H, SLA
                )
            [last] = await pg.audit.recent(limit=1)
            assert last.action == "migrated to postgres"
            assert last.detail.startswith(f"from {source}: members 1, people 1, cases 4")
            new = await pg.cases.report(parse_flag("x.com/fresh_one TTP", GROUPS), 2, T0 + 11 * H)
            assert new.case_id == 5  # after the copied ids, not over them
        finally:
            await lite.close()
            await pg.close()
    finally:
        pg_cluster.drop(url)


async def test_a_database_with_rows_is_not_copied_into(tmp_path: Path, pg_cluster: Cluster) -> None:
    source = tmp_path / "t.db"
    await used_database(source)
    url = pg_cluster.fresh_database()
    try:
        store = await Store.open(tmp_path / "unused.db", database_url=url)
        await store.cases.report(parse_flag("x.com/already_there TTP", GROUPS), 2, T0)
        await store.close()
        with pytest.raises(CopyRefused, match="not empty .cases has rows"):
            await copy_to_postgres(source, url, T0)
    finally:
        pg_cluster.drop(url)


def test_the_command_says_what_it_copied(
    tmp_path: Path, pg_cluster: Cluster, monkeypatch: pytest.MonkeyPatch, capsys
) -> None:
    source = tmp_path / "t.db"
    asyncio.run(used_database(source))
    url = pg_cluster.empty_database()
    try:
        monkeypatch.setenv("DATABASE_PATH", str(source))
        monkeypatch.setenv("DATABASE_URL", url)
        assert main(["migrate-to-postgres"]) == 0
        said = capsys.readouterr().out
        assert said.startswith(f"Copied {source} into {url}: ")
        assert "cases 4, reports 5" in said and "3 requests sent, 2 actioned" in said
        assert main(["migrate-to-postgres"]) == 1  # again: the target is no longer empty
        assert "is not empty" in capsys.readouterr().err
        monkeypatch.setenv("DATABASE_PATH", str(tmp_path / "none.db"))
        assert main(["migrate-to-postgres"]) == 1
        assert "nothing to copy" in capsys.readouterr().err
    finally:
        pg_cluster.drop(url)

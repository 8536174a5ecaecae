"""`python -m bot migrate-to-postgres`: the SQLite database copied into an empty PostgreSQL one.

Every table, every row, with its own ids, in one PostgreSQL transaction (all or nothing), by
COPY; then each table's id sequence is moved past its largest id, so new rows go on from
there. Checked: the rows of each table counted on both sides before it commits, then the
compliance figures of all time (the same statement, Stats.table, on both backends); if these
differ the copy is emptied again. The filled tables are vacuumed and analyzed before that check
(`_settle`). The SQLite file is left as it was (brought to the newest schema first, as a start
does). The copy is audited in PostgreSQL.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import sqlite3
from collections.abc import Iterator
from contextlib import closing
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import psycopg

from bot.domain import compliance
from bot.domain.compliance import Figures
from storage.audit import Audit
from storage.backend import redacted
from storage.db import Database
from storage.postgres import PostgresDatabase
from storage.stats import Stats

# Parents before children (the foreign keys are checked row by row).
TABLES = (
    "members",
    "people",
    "cases",
    "reports",
    "evidence",
    "request_rounds",
    "outcome_versions",
    "follower_counts",
    "case_notes",
    "comebacks",
    "packets",
    "packet_cases",
    "content_links",
    "audit",
    "digests_sent",
    "processed_updates",
)
_BATCH = 10_000


class CopyRefused(Exception):
    """Nothing was copied; the message is one line saying why."""


@dataclass(frozen=True)
class Copied:
    source: Path
    target: str  # the URL without its password
    rows: dict[str, int]  # table -> rows copied (equal on both sides)
    figures: Figures  # all-time compliance totals, equal on both sides


async def copy_to_postgres(source: Path, url: str, now: dt.datetime) -> Copied:
    """Copy `source` into the empty database at `url`; CopyRefused if it is not empty or the
    two disagree after the copy (then nothing is left in it)."""
    if not await asyncio.to_thread(source.is_file):
        raise CopyRefused(f"No SQLite database at {source}: nothing to copy.")
    sqlite_db = await Database.open(source)  # the newest schema, as PostgreSQL's
    try:
        expected = await _all_time(Stats(sqlite_db), now)
    finally:
        await sqlite_db.close()
    target = await PostgresDatabase.open(url)  # creates the tables if they are not there
    try:
        rows = await asyncio.to_thread(_copy, source, url)
        await asyncio.to_thread(_settle, url)
        figures = await _all_time(Stats(target), now)
        if figures != expected:
            await asyncio.to_thread(_empty, url)
            raise CopyRefused(
                f"The copy's figures differ from the SQLite database's ({figures} !="
                f" {expected}): nothing is left in PostgreSQL."
            )
        detail = f"from {source}: " + ", ".join(f"{t} {n}" for t, n in rows.items() if n)
        await Audit(target).add(0, "migrated to postgres", now, detail=detail[:1000])
    finally:
        await target.close()
    return Copied(source, redacted(url), rows, figures)


async def _all_time(stats: Stats, now: dt.datetime) -> Figures:
    table = await stats.table("platform", compliance.window("all", now), now, dt.timedelta(0))
    return table.total


def _copy(source: Path, url: str) -> dict[str, int]:
    with (
        closing(sqlite3.connect(f"file:{source}?mode=ro", uri=True)) as lite,
        psycopg.connect(url) as pg,
        pg.transaction(),
    ):
        _refuse_unless_empty(pg)
        # The rows come with the values the SQLite triggers gave them; PostgreSQL's twins
        # (a round's platform and group, its followers at action) would only redo that.
        pg.execute("ALTER TABLE request_rounds DISABLE TRIGGER USER")
        rows = {table: _copy_table(lite, pg, table) for table in TABLES}
        pg.execute("ALTER TABLE request_rounds ENABLE TRIGGER USER")
        for table in TABLES:
            _sequence_past_max(pg, table)
        for table, count in rows.items():
            [(copied,)] = pg.execute(f"SELECT count(*) FROM {table}").fetchall()
            if copied != count:
                raise CopyRefused(f"{table}: {count} rows in SQLite, {copied} copied")
    return rows


def _settle(url: str) -> None:
    """VACUUM (ANALYZE) the tables just filled, as autovacuum would in its own time: the
    planner's statistics (else the first statements are planned for empty tables), the
    visibility map (else no index-only scans) and the rows' hint bits (else the first reads
    of every page write it)."""
    with psycopg.connect(url, autocommit=True) as pg:  # VACUUM runs outside a transaction
        for table in TABLES:
            pg.execute(f"VACUUM (ANALYZE) {table}")


def _refuse_unless_empty(pg: psycopg.Connection[Any]) -> None:
    for table in TABLES:
        if pg.execute(f"SELECT 1 FROM {table} LIMIT 1").fetchone():  # our names, not input
            raise CopyRefused(
                f"The PostgreSQL database is not empty ({table} has rows): copy into an empty one."
            )


def _copy_table(lite: sqlite3.Connection, pg: psycopg.Connection[Any], table: str) -> int:
    columns = [row[1] for row in lite.execute(f"PRAGMA table_info({table})")]
    names = ", ".join(columns)
    count = 0
    with pg.cursor().copy(f"COPY {table} ({names}) FROM STDIN") as copy:
        for batch in _batches(lite.execute(f"SELECT {names} FROM {table} ORDER BY rowid")):
            for row in batch:
                copy.write_row(row)
            count += len(batch)
    return count


def _batches(cursor: sqlite3.Cursor) -> Iterator[list[Any]]:
    while batch := cursor.fetchmany(_BATCH):
        yield batch


def _sequence_past_max(pg: psycopg.Connection[Any], table: str) -> None:
    found = pg.execute(
        "SELECT pg_get_serial_sequence(table_name, column_name) FROM information_schema.columns"
        " WHERE table_schema = 'public' AND table_name = %s AND column_name = 'id'",
        (table,),
    ).fetchone()
    sequence = found[0] if found else None
    if sequence is not None:
        pg.execute(
            f"SELECT setval(%s, max(id)) FROM {table} HAVING max(id) IS NOT NULL", (sequence,)
        )


def _empty(url: str) -> None:
    with psycopg.connect(url) as pg, pg.transaction():
        pg.execute("TRUNCATE " + ", ".join(TABLES))

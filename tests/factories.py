"""Plain-SQL helpers that put cases and request rounds into a database file for tests.

They do not go through the /flag and /request code on purpose: the figures are tested on
rows as they are stored, whatever code wrote them.
"""

from __future__ import annotations

import datetime as dt
import sqlite3
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from bot.domain import Outcome, Platform
from bot.domain.compliance import OutcomeVersion, RoundHistory, RoundRow
from storage.db import from_ts, to_ts
from tests import pg

REPORTER = 500


def connect(path: Path) -> Any:
    """A plain connection to the database the Store has already migrated: the SQLite file at
    `path`, or the test's PostgreSQL database when it runs on that backend (tests/pg.py)."""
    if pg.current_url:
        return pg.SyncConnection(pg.current_url)
    conn = sqlite3.connect(path, isolation_level=None)
    conn.execute("PRAGMA busy_timeout = 10000")
    conn.execute("PRAGMA foreign_keys = ON")
    return conn


def insert_case(
    conn: sqlite3.Connection,
    *,
    platform: Platform,
    handle: str,
    group: str = "TTP",
    followers: int | None = None,
    created_at: dt.datetime,
    state: str = "requested",
) -> int:
    cursor = conn.execute(
        "INSERT INTO cases (platform, handle, grp, category, followers, state, created_at,"
        " created_by, updated_at) VALUES (?, ?, ?, 'other', ?, ?, ?, ?, ?) RETURNING id",
        (
            platform.value,
            handle,
            group,
            followers,
            state,
            to_ts(created_at),
            REPORTER,
            to_ts(created_at),
        ),
    )
    return int(cursor.fetchone()[0])


def insert_round(
    conn: sqlite3.Connection,
    *,
    case_id: int,
    sent_at: dt.datetime,
    outcome: Outcome | None = None,
    outcome_at: dt.datetime | None = None,
    restored_at: dt.datetime | None = None,
    round_no: int | None = None,
    followers_at_action: int | None = None,
) -> int:
    """A round as it stands, with its outcome's version recorded at its outcome time (an
    actioned round without `followers_at_action` gets its case's followers, migration 007)."""
    if round_no is None:
        row = conn.execute(
            "SELECT COALESCE(MAX(round_no), 0) + 1 FROM request_rounds WHERE case_id = ?",
            (case_id,),
        ).fetchone()
        round_no = int(row[0])
    cursor = conn.execute(
        "INSERT INTO request_rounds (case_id, round_no, sent_at, sent_by, outcome, outcome_at,"
        " restored_at, followers_at_action) VALUES (?, ?, ?, ?, ?, ?, ?, ?) RETURNING id",
        (
            case_id,
            round_no,
            to_ts(sent_at),
            REPORTER,
            None if outcome is None else outcome.value,
            None if outcome_at is None else to_ts(outcome_at),
            None if restored_at is None else to_ts(restored_at),
            followers_at_action,
        ),
    )
    round_id = int(cursor.fetchone()[0])
    conn.execute(
        "INSERT INTO outcome_versions (case_id, round_no, outcome, outcome_at, recorded_at,"
        " recorded_by, followers_at_action) SELECT case_id, round_no, outcome, outcome_at,"
        " outcome_at, sent_by, followers_at_action FROM request_rounds"
        " WHERE id = ? AND outcome IS NOT NULL",
        (round_id,),
    )
    return round_id


def all_round_rows(conn: sqlite3.Connection) -> list[RoundRow]:
    """Every stored round as it stands, as the pure functions of bot.domain.compliance take
    them."""
    rows = conn.execute(
        "SELECT case_id, platform, grp, sent_at, outcome, outcome_at, followers_at_action,"
        " restored_at FROM request_rounds"
    ).fetchall()
    return [
        RoundRow(
            case_id=case_id,
            platform=Platform(platform),
            group=grp,
            sent_at=from_ts(sent_at),
            outcome=None if outcome is None else Outcome(outcome),
            outcome_at=None if outcome_at is None else from_ts(outcome_at),
            followers_at_action=followers,
            restored_at=None if restored is None else from_ts(restored),
        )
        for case_id, platform, grp, sent_at, outcome, outcome_at, followers, restored in rows
    ]


def round_histories(conn: sqlite3.Connection) -> list[RoundHistory]:
    """Every stored round with all its outcome versions in the order recorded."""
    versions: dict[tuple[int, int], list[OutcomeVersion]] = {}
    for case_id, round_no, outcome, outcome_at, recorded_at, followers in conn.execute(
        "SELECT case_id, round_no, outcome, outcome_at, recorded_at, followers_at_action"
        " FROM outcome_versions ORDER BY recorded_at, id"
    ):
        versions.setdefault((case_id, round_no), []).append(
            OutcomeVersion(Outcome(outcome), from_ts(outcome_at), from_ts(recorded_at), followers)
        )
    return [
        RoundHistory(
            case_id=case_id,
            platform=Platform(platform),
            group=grp,
            sent_at=from_ts(sent_at),
            versions=versions.get((case_id, round_no), []),
            restored_at=None if restored is None else from_ts(restored),
        )
        for case_id, round_no, platform, grp, sent_at, restored in conn.execute(
            "SELECT case_id, round_no, platform, grp, sent_at, restored_at FROM request_rounds"
        )
    ]


def clear(
    conn: sqlite3.Connection,
    tables: Iterable[str] = (
        "outcome_versions",
        "follower_counts",
        "case_notes",
        "request_rounds",
        "cases",
    ),
) -> None:
    for table in tables:
        conn.execute(f"DELETE FROM {table}")  # table names are ours, not input

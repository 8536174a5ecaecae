"""Plain-SQL helpers that put cases and request rounds into a database file for tests.

They do not go through the /flag and /request code on purpose: the figures are tested on
rows as they are stored, whatever code wrote them.
"""

from __future__ import annotations

import datetime as dt
import sqlite3
from collections.abc import Iterable
from pathlib import Path

from bot.domain import Outcome, Platform
from bot.domain.compliance import RoundRow
from storage.db import from_ts, to_ts

REPORTER = 500


def connect(path: Path) -> sqlite3.Connection:
    """A plain connection to a file the Store has already migrated."""
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
        " created_by, updated_at) VALUES (?, ?, ?, 'other', ?, ?, ?, ?, ?)",
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
    assert cursor.lastrowid is not None
    return cursor.lastrowid


def insert_round(
    conn: sqlite3.Connection,
    *,
    case_id: int,
    sent_at: dt.datetime,
    outcome: Outcome | None = None,
    outcome_at: dt.datetime | None = None,
    restored_at: dt.datetime | None = None,
    round_no: int | None = None,
) -> int:
    if round_no is None:
        row = conn.execute(
            "SELECT COALESCE(MAX(round_no), 0) + 1 FROM request_rounds WHERE case_id = ?",
            (case_id,),
        ).fetchone()
        round_no = int(row[0])
    cursor = conn.execute(
        "INSERT INTO request_rounds (case_id, round_no, sent_at, sent_by, outcome, outcome_at,"
        " restored_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
        (
            case_id,
            round_no,
            to_ts(sent_at),
            REPORTER,
            None if outcome is None else outcome.value,
            None if outcome_at is None else to_ts(outcome_at),
            None if restored_at is None else to_ts(restored_at),
        ),
    )
    assert cursor.lastrowid is not None
    return cursor.lastrowid


def all_round_rows(conn: sqlite3.Connection) -> list[RoundRow]:
    """Every stored round as the pure functions of bot.domain.compliance take them."""
    rows = conn.execute(
        "SELECT r.case_id, c.platform, c.grp, c.followers, r.sent_at, r.outcome, r.outcome_at"
        " FROM request_rounds r JOIN cases c ON c.id = r.case_id"
    ).fetchall()
    return [
        RoundRow(
            case_id=case_id,
            platform=Platform(platform),
            group=grp,
            followers=followers,
            sent_at=from_ts(sent_at),
            outcome=None if outcome is None else Outcome(outcome),
            outcome_at=None if outcome_at is None else from_ts(outcome_at),
        )
        for case_id, platform, grp, followers, sent_at, outcome, outcome_at in rows
    ]


def clear(conn: sqlite3.Connection, tables: Iterable[str] = ("request_rounds", "cases")) -> None:
    for table in tables:
        conn.execute(f"DELETE FROM {table}")  # table names are ours, not input

"""Upgrading a database that already holds data: version 1 -> 2 keeps every row and fills
`cases.match_key` for the existing cases ("" where the handle is not a name)."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from storage.db import migrate_file

CASES = [
    # id, platform, handle, state, expected key
    (1, "x", "ttp_media", "actioned", "ttp"),
    (2, "telegram", "ttp.media.official", "flagged", "ttp"),
    (3, "whatsapp", "+923001234567", "requested", None),
    (4, "facebook", "id:100012345", "flagged", None),
    (5, "youtube", "c:almirsaad", "refused", "almirsaad"),
    (6, "instagram", "bla_news", "dismissed", "bla"),
]


def _fill_version_1(path: Path) -> None:
    with sqlite3.connect(path) as conn:
        assert conn.execute("PRAGMA user_version").fetchone()[0] == 1
        conn.execute(
            "INSERT INTO members (user_id, role, granted_by, granted_at)"
            " VALUES (7, 'reporter', 100, 1000)"
        )
        for case_id, platform, handle, state, _ in CASES:
            conn.execute(
                "INSERT INTO cases (id, platform, handle, grp, category, followers, state,"
                " created_at, created_by, updated_at) VALUES (?, ?, ?, 'TTP', 'other', 10, ?,"
                " 1000, 7, 1000)",
                (case_id, platform, handle, state),
            )
            conn.execute(
                "INSERT INTO reports (case_id, reporter_id, reported_at, source, category, note)"
                " VALUES (?, 7, 1000, ?, 'other', 'seen in a group')",
                (case_id, handle),
            )
        conn.execute(
            "INSERT INTO request_rounds (case_id, round_no, sent_at, sent_by, ref, outcome,"
            " outcome_at, outcome_by) VALUES (1, 1, 2000, 100, 'R1', 'removed', 3000, 100)"
        )
        conn.execute(
            "INSERT INTO audit (at, user_id, action, case_id, before, after)"
            " VALUES (3000, 100, 'outcome', 1, 'requested', 'actioned')"
        )


async def test_version_1_with_data_upgrades_to_2_intact_with_match_keys(tmp_path: Path):
    path = tmp_path / "old.db"
    await migrate_file(path, target=1)
    _fill_version_1(path)
    with sqlite3.connect(path) as conn:
        before = {
            table: conn.execute(f"SELECT * FROM {table} ORDER BY rowid").fetchall()
            for table in ("members", "cases", "reports", "request_rounds", "audit")
        }

    await migrate_file(path, target=2)  # version 3 onwards: tests/robustness/
    db = sqlite3.connect(path)
    db.row_factory = sqlite3.Row
    try:
        assert db.execute("PRAGMA user_version").fetchone()[0] == 2
        for table, rows in before.items():
            after = db.execute(f"SELECT * FROM {table} ORDER BY rowid").fetchall()
            if table == "cases":  # one more column at the end
                assert [tuple(row)[:-1] for row in after] == rows
            else:
                assert [tuple(row) for row in after] == rows
        keys = {row["id"]: row["match_key"] for row in db.execute("SELECT * FROM cases")}
        assert keys == {case[0]: case[4] or "" for case in CASES}  # "": not a name
        plan = db.execute(
            "EXPLAIN QUERY PLAN SELECT id FROM cases WHERE platform = 'x' AND match_key = 'ttp'"
        ).fetchall()
        assert any("cases_by_match_key" in row["detail"] for row in plan)
    finally:
        db.close()

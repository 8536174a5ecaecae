"""Migrations: a database at EVERY earlier schema version, holding data, upgrades to the
newest with every row intact, and the bot then works on it.

Generic over storage.db.migrations(): for each version v the file is built with
`migrate_file(path, target=v)`, filled with the sample rows below (only the tables and
columns that exist at v), opened by the bot (which upgrades it), and compared. A migration
that adds a table or a NOT NULL column without a default makes this test ask for sample
values here; one that drops or rewrites a column must say so in REWRITTEN.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path
from typing import Any

import pytest

from storage.db import Database, migrate_file, migrations
from tests.robustness.driver import ADMIN, InProcessBot

# The robustness tests are slow: `make test` runs them, `make check` leaves them out.
pytestmark = pytest.mark.slow

NEWEST = migrations()[-1].version
EARLIER = [m.version for m in migrations() if m.version < NEWEST]
NOTE = "یہ اکاؤنٹ <b>bold</b> '; DROP TABLE cases; -- & ✓"

# Rows valid at every version, in insertion order (foreign keys first). A column a version
# does not have is left out when filling that version.
SAMPLES: dict[str, list[dict[str, Any]]] = {
    "members": [
        {"user_id": 7, "role": "reporter", "display_name": "Ali", "granted_by": ADMIN,
         "granted_at": 1_000},
        {"user_id": 8, "role": "reviewer", "display_name": NOTE, "granted_by": ADMIN,
         "granted_at": 1_001},
    ],
    "cases": [
        {"id": 1, "platform": "x", "handle": "ttp_media", "grp": "TTP", "category": "propaganda",
         "followers": 12_500, "state": "actioned", "created_at": 1_000, "created_by": 7,
         "updated_at": 3_000, "dismissed_reason": None, "match_key": None},
        {"id": 2, "platform": "telegram", "handle": "bla_news", "grp": "BLA",
         "category": "recruitment", "followers": None, "state": "requested", "created_at": 1_100,
         "created_by": 7, "updated_at": 2_100, "dismissed_reason": None, "match_key": None},
        {"id": 3, "platform": "x", "handle": "ttp_media2", "grp": "TTP", "category": "other",
         "followers": 0, "state": "flagged", "created_at": 4_000, "created_by": 8,
         "updated_at": 4_000, "dismissed_reason": None, "match_key": None},
        {"id": 4, "platform": "whatsapp", "handle": "+923001234567", "grp": "BLF",
         "category": "fundraising", "followers": 3, "state": "dismissed", "created_at": 1_200,
         "created_by": 7, "updated_at": 1_300, "dismissed_reason": NOTE, "match_key": None},
        {"id": 5, "platform": "youtube", "handle": "c:almirsaad", "grp": "TTP",
         "category": "hate", "followers": 2_000_000, "state": "refused", "created_at": 1_400,
         "created_by": 8, "updated_at": 2_400, "dismissed_reason": None, "match_key": None},
    ],
    "reports": [
        {"id": n, "case_id": case, "reporter_id": who, "reported_at": 1_000 + n,
         "source": f"https://x.com/{case}", "category": "other", "followers": None, "note": NOTE}
        for n, (case, who) in enumerate([(1, 7), (1, 8), (2, 7), (3, 8), (4, 7), (5, 8)], 1)
    ],
    "evidence": [
        {"id": 1, "case_id": 1, "report_id": 1, "added_by": 7, "added_at": 1_001,
         "chat_id": 7, "message_id": 55, "text": NOTE, "forward_origin": "channel @x (-1), post 3",
         "file_id": "AgAD", "file_kind": "photo"},
    ],
    "request_rounds": [
        {"id": 1, "case_id": 1, "round_no": 1, "sent_at": 2_000, "sent_by": 8, "ref": "X-1",
         "outcome": "removed", "outcome_at": 3_000, "outcome_by": 8, "outcome_note": NOTE,
         "restored_at": None},
        {"id": 2, "case_id": 2, "round_no": 1, "sent_at": 2_100, "sent_by": 8, "ref": "",
         "outcome": None, "outcome_at": None, "outcome_by": None, "outcome_note": "",
         "restored_at": None},
        {"id": 3, "case_id": 5, "round_no": 1, "sent_at": 1_500, "sent_by": 8, "ref": "Y-1",
         "outcome": "rejected", "outcome_at": 2_400, "outcome_by": 8, "outcome_note": "",
         "restored_at": None},
    ],
    "audit": [
        {"id": 1, "at": 1_000, "user_id": 7, "action": "flag", "case_id": 1, "before": None,
         "after": "flagged", "detail": "x.com/ttp_media"},
        {"id": 2, "at": 3_000, "user_id": 8, "action": "outcome", "case_id": 1,
         "before": "requested", "after": "actioned", "detail": NOTE},
        {"id": 3, "at": 3_100, "user_id": 555, "action": "refused", "case_id": None,
         "before": None, "after": None, "detail": "/flag"},
    ],
    "processed_updates": [{"update_id": 90_001, "processed_at": 3_000}],
    "comebacks": [
        {"id": 1, "case_id": 3, "original_case_id": 1, "score": 1.0, "found_at": 4_000},
    ],
    "packets": [
        {"id": 1, "platform": "x", "ref": "TD-x-19700101-1", "created_at": 4_100,
         "created_by": 8, "marked_at": None, "marked_by": None},
    ],
    "packet_cases": [{"packet_id": 1, "position": 1, "case_id": 3}],
    "outcome_versions": [
        {"id": 1, "case_id": 1, "round_no": 1, "outcome": "removed", "outcome_at": 3_000,
         "recorded_at": 3_000, "recorded_by": 8, "followers_at_action": 12_500, "note": NOTE,
         "reason": ""},
    ],
    "case_notes": [
        {"id": 1, "case_id": 1, "note": NOTE, "noted_at": 3_500, "noted_by": 7},
    ],
    "follower_counts": [
        {"id": 1, "case_id": 1, "followers": 12_500, "seen_at": 1_000, "seen_by": 7,
         "source": "flag"},
    ],
    "content_links": [
        {"id": 1, "case_id": 1, "url": "https://x.com/ttp_media/status/1789", "source": "flag",
         "added_at": 1_001, "added_by": 7},
    ],
    "people": [
        {"user_id": 7, "first_name": "Ali", "last_name": NOTE, "username": "ali",
         "seen_at": 1_000},
    ],
    "digests_sent": [
        {"chat_id": -1001, "digest_day": "1970-01-01", "as_of": 3_000, "late": 0,
         "parts_sent": 2, "sent_at": 3_100},
    ],
}  # fmt: skip

# (table, column) pairs a migration rewrites on purpose, and the version that does it.
REWRITTEN: dict[tuple[str, str], int] = {("cases", "match_key"): 5}


def schema(conn: sqlite3.Connection) -> dict[str, list[tuple[str, bool, bool]]]:
    """table -> [(column, not null, has a default)]."""
    tables = [
        row[0]
        for row in conn.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"
        )
    ]
    return {
        table: [
            (col[1], bool(col[3]), col[4] is not None)
            for col in conn.execute(f'PRAGMA table_info("{table}")')
        ]
        for table in tables
    }


# The comeback keys the bot has written by version 5 (which keys every case once; from then
# on every new case is keyed): a file at version 5 or later holds them.
KEYS = {1: "ttp", 2: "bla", 3: "ttp", 4: "", 5: "almirsaad"}


def fill(path: Path, version: int) -> dict[str, tuple[list[str], list[tuple[Any, ...]]]]:
    """Insert the samples the file's schema has room for; returns, per table, the columns
    filled and the rows as read back."""
    conn = sqlite3.connect(path)
    try:
        tables = schema(conn)
        missing = sorted(set(tables) - set(SAMPLES))
        assert not missing, f"add sample rows for the new tables {missing} to SAMPLES"
        filled: dict[str, tuple[list[str], list[tuple[Any, ...]]]] = {}
        with conn:
            for table, rows in SAMPLES.items():
                if table not in tables:
                    continue
                names = [name for name, _, _ in tables[table]]
                unknown = [
                    name
                    for name, not_null, has_default in tables[table]
                    if not_null and not has_default and name not in rows[0]
                ]
                assert not unknown, f"add sample values for {table}.{unknown} to SAMPLES"
                columns = [name for name in names if name in rows[0]]
                marks = ", ".join("?" for _ in columns)
                if table == "cases" and version >= 5:
                    rows = [{**row, "match_key": KEYS[row["id"]]} for row in rows]
                conn.executemany(
                    f'INSERT INTO "{table}" ({", ".join(columns)}) VALUES ({marks})',
                    [tuple(row[c] for c in columns) for row in rows],
                )
        for table in SAMPLES:
            if table in tables:
                columns = [name for name, _, _ in tables[table] if name in SAMPLES[table][0]]
                filled[table] = (columns, read(conn, table, columns))
    finally:
        conn.close()
    return filled


def read(conn: sqlite3.Connection, table: str, columns: list[str]) -> list[tuple[Any, ...]]:
    return conn.execute(f'SELECT {", ".join(columns)} FROM "{table}" ORDER BY rowid').fetchall()


@pytest.mark.parametrize("version", EARLIER)
async def test_database_at_an_earlier_version_upgrades_with_its_data_intact(
    version: int, tmp_path: Path
):
    path = tmp_path / f"v{version}.db"
    await migrate_file(path, target=version)
    conn = sqlite3.connect(path)
    assert conn.execute("PRAGMA user_version").fetchone()[0] == version
    conn.close()
    filled = fill(path, version)
    assert sum(len(rows) for _, rows in filled.values()) > 0

    db = await Database.open(path)  # what the bot does at start-up: upgrade
    try:
        assert await db.schema_version() == NEWEST
    finally:
        await db.close()

    conn = sqlite3.connect(path)
    try:
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        assert conn.execute("PRAGMA foreign_key_check").fetchall() == []
        newest = schema(conn)
        for table, (columns, rows) in filled.items():
            assert table in newest, f"version {NEWEST} lost table {table}"
            kept = [c for c in columns if REWRITTEN.get((table, c), 0) <= version]
            lost = [c for c in kept if c not in {name for name, _, _ in newest[table]}]
            assert not lost, f"{table} lost columns {lost} (list them in REWRITTEN if meant)"
            after = read(conn, table, kept)
            before = [tuple(row[columns.index(c)] for c in kept) for row in rows]
            assert after == before, f"{table} changed when upgrading from version {version}"
        # version 5: every case has its comeback key ('' for a handle that is not a name)
        keys = conn.execute("SELECT id, match_key FROM cases ORDER BY id").fetchall()
        assert keys == list(KEYS.items())
        if version < 7:
            # version 7: actioned rounds keep the last known followers as their followers at
            # action; every outcome is a dated version; follower counts seen are kept
            at_action = "SELECT id, followers_at_action FROM request_rounds ORDER BY id"
            assert conn.execute(at_action).fetchall() == [(1, 12_500), (2, None), (3, None)]
            versions = "SELECT case_id, round_no, outcome, recorded_at FROM outcome_versions"
            assert sorted(conn.execute(versions).fetchall()) == [
                (1, 1, "removed", 3_000),
                (5, 1, "rejected", 2_400),
            ]
            counts = "SELECT case_id, followers FROM follower_counts ORDER BY case_id"
            assert conn.execute(counts).fetchall() == [(1, 12_500), (3, 0), (4, 3), (5, 2_000_000)]
        if version < 9:
            # version 9: a file kept before files were downloaded is marked as such
            status = "SELECT id, file_status, sha256 FROM evidence"
            assert conn.execute(status).fetchall() == [(1, "not_fetched", None)]
        # version 3: every round carries its case's platform and group, the old rounds too;
        # version 11: and its category
        case_of = {c["id"]: (c["platform"], c["grp"], c["category"]) for c in SAMPLES["cases"]}
        copies = conn.execute("SELECT id, platform, grp, category FROM request_rounds ORDER BY id")
        assert copies.fetchall() == [
            (r["id"], *case_of[r["case_id"]]) for r in SAMPLES["request_rounds"]
        ]
    finally:
        conn.close()

    # and the bot works on the upgraded file, with the old data
    async with InProcessBot(path) as bot:
        card = await bot.ask(ADMIN, "/status #1")
        assert "x:@ttp_media" in card.plain and "State: actioned" in card.plain
        assert "Reports: 2" in card.plain
        again = await bot.ask(7, "/flag x.com/TTP_Media TTP")
        assert "already reported" in again.plain
        new = await bot.ask(7, "/flag x.com/ttp_media_tv TTP")
        assert "New case #6" in new.plain and "looks like a comeback of #1" in new.plain
        pending = await bot.ask(ADMIN, "/pending")
        assert "telegram:@bla_news" in pending.plain
        stats = await bot.ask(ADMIN, "/stats all")
        assert "33% of 3" in stats.plain  # removed / (removed + rejected + expired #2)
        report = await bot.ask(ADMIN, "/report year")  # through the indexes of version 11
        assert "5 accounts identified, 3 requests, 1 actioned, compliance 33% of 3" in report.plain
        await bot.ask(8, "/outcome #2 removed")
        audit = await bot.ask(ADMIN, "/audit #2")
        assert "requested → actioned" in audit.plain
        assert bot.errors == [] and bot.api.refused == []


def test_every_version_is_covered():
    """The upgrade test runs for every version but the newest (which has nothing to upgrade
    to), so a new migration is covered the day it is added."""
    assert list(range(1, NEWEST)) == EARLIER
    assert NEWEST == len(migrations()) >= 2

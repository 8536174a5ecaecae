"""Issue 14, item 10: /health through the real Application (admins only)."""

from __future__ import annotations

import asyncio
import datetime as dt
import os

import pytest

from storage.db import migrations
from tests import pg
from tests.clock import ManualClock
from tests.e2e.harness import ADMIN, running_bot
from tests.e2e.test_digest_e2e import NOW

VIEWER = 401


async def test_health_shows_version_uptime_database_backup_and_digests(fake_api, tmp_path):
    db = tmp_path / "t.db"
    backups = tmp_path / "backups"
    backups.mkdir()
    for name, hours_ago in (("takedown-20261101-0300.db", 25), ("takedown-20261102-0300.db", 1)):
        path = backups / name
        path.write_bytes(b"x" * 2048)
        stamp = (NOW - dt.timedelta(hours=hours_ago)).timestamp()
        os.utime(path, (stamp, stamp))
    fake_api.fail_chat(-1002, 403, "Forbidden: bot was kicked from the group chat")
    clock = ManualClock(NOW + dt.timedelta(minutes=2))  # down at 09:00: a late digest on start
    chats = [-1001, -1002]
    async with running_bot(fake_api, db, clock=clock, digest_chat_ids=chats, backup_dir=backups):
        await fake_api.wait_for(lambda s: s.chat_id == -1001)
        for _ in range(100):  # until the bot has tried -1002 too (refused: kicked)
            if any(p.get("chat_id") == -1002 for _, p in fake_api.calls):
                break
            await asyncio.sleep(0.05)
        await asyncio.sleep(0.3)  # the delivery is recorded after the message is out
        clock.advance(dt.timedelta(hours=3, minutes=5))
        [health] = await fake_api.ask(ADMIN, "/health")
        await fake_api.ask(ADMIN, f"/grant {VIEWER} viewer")
        [refused] = await fake_api.ask(VIEWER, "/health")
        [bad] = await fake_api.ask(ADMIN, "/health now")
    lines = health.plain.splitlines()
    assert lines[:3] == ["Health", "Version: 0.1.0", "Up since 2026-11-02 09:02 (3 h 5 min)"]
    assert lines[3].endswith(f"schema version {len(migrations())}")
    if pg.current_url:  # no WAL, no backups of the bot's own
        assert lines[3].startswith(f"Database: PostgreSQL, {pg.current_url}, ")
        assert "WAL" not in lines[3]
        assert lines[4] == (
            "Backups: the PostgreSQL server's own (the bot makes none). "
            "The daily digest and the month's report: sent by this replica."
        )
    else:
        assert lines[3].startswith(f"Database: SQLite, {db}, ")
        assert lines[4] == (
            f"Last backup: takedown-20261102-0300.db, 2026-11-02 08:00, 2 KB (in {backups})"
        )
    assert lines[5:8] == [
        "Last digest delivered:",
        "  chat -1001: digest of 2026-11-02, sent 2026-11-02 09:02, late",
        "  chat -1002: none yet",
    ]
    assert lines[8].startswith("Updates handled in the last 2 days: ")
    # The /health update itself is kept and is being handled while it answers.
    assert lines[8].endswith("Updates kept and not yet handled: 1.")
    assert refused.plain == "This needs the admin role; you are viewer."
    assert bad.plain.startswith("Unknown word 'now': /health takes none.")


@pytest.mark.sqlite_only  # the bot's own backups (PostgreSQL: the server's, above)
async def test_health_without_a_backup_folder_says_none_yet(fake_api, tmp_path):
    missing = tmp_path / "no-backups-here"
    async with running_bot(fake_api, tmp_path / "t.db", backup_dir=missing):
        [health] = await fake_api.ask(ADMIN, "/health")
    assert f"Last backup: none yet in {missing}" in health.plain
    assert "Daily digest: DIGEST_CHAT_IDS is empty, no chat gets it" in health.plain

"""Issue 14, backups: a backup made while 200 /flags run concurrently through the real
Application holds every report committed before it started, each with its audit entry (one
consistent snapshot), passes integrity_check, and restored in place of the database gives
exactly that. The daily job runs at BACKUP_TIME in TIMEZONE; a failed one reaches the admins."""

from __future__ import annotations

import asyncio
import datetime as dt
import sqlite3
from pathlib import Path

from bot.runtime.jobs import BACKUP_JOB
from storage.backup import restore
from storage.lock import hold_lock
from tests.robustness.driver import ADMIN, InProcessBot
from tests.test_db_faults import made

MEMBERS = [3000 + n for n in range(10)]
FLAGS = 200


def reports(path: Path) -> set[tuple[str, int]]:
    """(handle, reporter) of every report, and a check that each has its audit entry."""
    with sqlite3.connect(f"file:{path}?mode=ro", uri=True) as conn:
        rows = conn.execute(
            "SELECT c.handle, r.reporter_id, c.id FROM reports r JOIN cases c ON c.id = r.case_id"
        ).fetchall()
        audited = {
            (row[0], row[1])
            for row in conn.execute("SELECT case_id, user_id FROM audit WHERE action = 'flag'")
        }
    conn.close()
    assert {(case_id, reporter) for _, reporter, case_id in rows} <= audited
    return {(handle, reporter) for handle, reporter, _ in rows}


async def test_backup_during_200_concurrent_flags_then_restore(tmp_path):
    database = tmp_path / "t.db"
    folder = tmp_path / "backups"
    await made(database, rows=40_000)  # ~20 MB: the copy takes a while, the flags go on
    async with InProcessBot(database, backup_dir=folder) as bot:
        for member in MEMBERS:
            assert "is now reporter" in (await bot.ask(ADMIN, f"/grant {member} reporter")).plain
        updates = [
            bot.message(MEMBERS[n % len(MEMBERS)], f"/flag x.com/load_{n} TTP note {n}")
            for n in range(FLAGS)
        ]
        await bot.feed(updates[:50], replies=50)  # answered, so committed
        committed = reports(database)
        backup = asyncio.create_task(bot.store.backups.make(folder, 14, bot.clock.now()))
        rest = asyncio.create_task(bot.feed(updates[50:], replies=FLAGS - 50))
        made_backup = await backup
        committed_by_its_end = reports(database)
        await rest
        assert bot.errors == []
    everything = reports(database)
    assert len(everything) == FLAGS

    in_backup = reports(made_backup.path)
    assert committed <= in_backup <= everything
    print(
        f"\nbackup during {FLAGS} flags: {len(committed)} committed before it began, "
        f"{len(in_backup)} in it, {len(committed_by_its_end)} committed when it ended"
    )
    assert len(committed_by_its_end) > len(in_backup)  # flags committed while it ran
    with sqlite3.connect(made_backup.path) as conn:
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    conn.close()

    with hold_lock(database):  # as `python -m bot restore` does (the bot is stopped)
        restored = restore(made_backup.path, database, bot.clock.now() + dt.timedelta(minutes=1))
    assert restored.sha256 == made_backup.sha256
    assert reports(database) == in_backup
    assert restored.replaced is not None and reports(restored.replaced) == everything
    with sqlite3.connect(database) as conn:
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    conn.close()

    async with InProcessBot(database, backup_dir=folder) as again:  # the bot runs on it
        reply = await again.ask(ADMIN, "/status x:@load_0")
        assert ("Case #" in reply.plain) == (("load_0", MEMBERS[0]) in in_backup)
        assert again.errors == []


async def test_daily_backup_runs_at_backup_time_and_a_failure_reaches_the_admins(tmp_path):
    folder = tmp_path / "backups"
    async with InProcessBot(tmp_path / "t.db", backup_dir=folder, backup_time="03:00") as bot:
        assert bot.app.job_queue is not None
        [job] = bot.app.job_queue.get_jobs_by_name(BACKUP_JOB)
        local = job.next_t.astimezone(bot.settings.timezone)  # type: ignore[union-attr]
        assert (local.hour, local.minute) == (3, 0)
        assert str(bot.settings.timezone) == "Asia/Karachi"
        await job.run(bot.app)
        [backup] = [p for p in folder.iterdir() if p.suffix == ".db"]
        [entry] = [e for e in await bot.store.audit.recent() if e.action == "backup"]
        assert backup.name in entry.detail

    broken = Path("/proc/foo/backups")
    async with InProcessBot(tmp_path / "t.db", backup_dir=broken) as bot:
        assert bot.app.job_queue is not None
        [job] = bot.app.job_queue.get_jobs_by_name(BACKUP_JOB)
        await job.run(bot.app)
        [told] = bot.texts_to(ADMIN)
        assert told.startswith("The daily backup failed: backup of") and "/proc/foo" in told
        [entry] = [e for e in await bot.store.audit.recent() if e.action == "backup failed"]
        assert "/proc/foo" in entry.detail

"""Backups (storage/backup.py) and `python -m bot backup` / `restore FILE`: checked, hashed,
private, rotated; a restore refuses what it cannot trust and keeps the file it replaces."""

from __future__ import annotations

import datetime as dt
import hashlib
import os
import shutil
import sqlite3
import stat
import subprocess
import sys
from pathlib import Path

import pytest

from storage.backup import RestoreRefused, backups_in, restore
from storage.db import newest_version
from storage.lock import hold_lock
from storage.store import Store
from tests.e2e.bot_process import REPO_ROOT
from tests.robustness.driver import fingerprint
from tests.test_db_faults import damage_a_page, made

AT = dt.datetime(2026, 12, 1, 22, 0, tzinfo=dt.UTC)  # 03:00 in Asia/Karachi


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def count(path: Path, table: str = "audit") -> int:
    with sqlite3.connect(path) as conn:
        result = int(conn.execute(f"SELECT count(*) FROM {table}").fetchone()[0])
    conn.close()
    return result


def cli(tmp_path: Path, *args: str, **env: str) -> subprocess.CompletedProcess[str]:
    environment = {
        "PATH": "/usr/bin:/bin",
        "PYTHONPATH": str(REPO_ROOT),
        "DATABASE_PATH": str(tmp_path / "t.db"),
        "BACKUP_DIR": str(tmp_path / "backups"),
        **env,
    }
    return subprocess.run(
        [sys.executable, "-m", "bot", *args],
        cwd=tmp_path,
        env=environment,
        capture_output=True,
        text=True,
        timeout=60,
    )


async def test_a_backup_is_checked_hashed_private_and_audited(tmp_path):
    database = await made(tmp_path / "t.db", rows=50)
    folder = tmp_path / "backups"
    store = await Store.open(database)
    try:
        made_backup = await store.backups.make(folder, 14, AT)
        [entry] = [e for e in await store.audit.recent() if e.action == "backup"]
    finally:
        await store.close()
    path = made_backup.path
    assert path.name == "t-20261201T220000Z.db"
    assert made_backup.sha256 == hashlib.sha256(path.read_bytes()).hexdigest()
    hash_file = folder / "t-20261201T220000Z.db.sha256"
    assert hash_file.read_text() == f"{made_backup.sha256}  {path.name}\n"  # sha256sum -c
    assert made_backup.sha256 in entry.detail
    assert mode(folder) == 0o700 and mode(path) == 0o600 and mode(hash_file) == 0o600
    assert count(path) == 50  # the copy is complete and on its own (no -wal beside it)
    assert sorted(p.name for p in folder.iterdir()) == [path.name, hash_file.name]
    with sqlite3.connect(path) as conn:
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "delete"
    conn.close()


async def test_only_the_last_backup_keep_are_kept(tmp_path):
    database = await made(tmp_path / "t.db", rows=5)
    folder = tmp_path / "backups"
    store = await Store.open(database)
    try:
        names = []
        for day in range(6):
            names.append((await store.backups.make(folder, 3, AT + dt.timedelta(days=day))).path)
        again = await store.backups.make(folder, 3, AT + dt.timedelta(days=5))  # same second
    finally:
        await store.close()
    assert again.path.name == "t-20261206T220000Z-1.db"
    kept = backups_in(folder, database)
    assert kept == [names[4], names[5], again.path]
    left = sorted(p.name for p in folder.iterdir())
    assert left == sorted([p.name for p in kept] + [p.name + ".sha256" for p in kept])


def write_wrong_hash(path: Path) -> None:
    Path(f"{path}.sha256").write_text(f"{'0' * 64}  {path.name}\n")


def refused_restore(file: Path, database: Path) -> str:
    before = fingerprint(database)
    with pytest.raises(RestoreRefused) as caught:
        restore(file, database, AT)
    assert fingerprint(database) == before  # the database is untouched
    left = [
        p.name for p in database.parent.iterdir() if ".restoring" in p.name or ".replaced" in p.name
    ]
    assert left == []  # no copy left behind, nothing renamed
    message = str(caught.value)
    assert message.startswith("Not restored: ") and "\n" not in message
    return message


async def test_restore_refuses_what_it_cannot_trust(tmp_path):
    database = await made(tmp_path / "t.db", rows=5)
    good = await made(tmp_path / "other" / "good.db", rows=2000)
    (tmp_path / "other" / "good.db.lock").unlink(missing_ok=True)

    garbage = tmp_path / "garbage.db"
    garbage.write_bytes(os.urandom(50_000))
    assert "it is not an SQLite database" in refused_restore(garbage, database)

    damaged = tmp_path / "damaged.db"
    shutil.copy(good, damaged)
    with sqlite3.connect(good) as conn:
        pages = conn.execute("PRAGMA page_count").fetchone()[0]
    conn.close()
    damage_a_page(damaged, pages // 2)
    assert "it is damaged" in refused_restore(damaged, database)

    newer = tmp_path / "newer.db"
    shutil.copy(good, newer)
    with sqlite3.connect(newer) as conn:
        conn.execute(f"PRAGMA user_version = {newest_version() + 1}")
    conn.close()
    assert "is newer than this bot's" in refused_restore(newer, database)

    changed = tmp_path / "changed.db"
    shutil.copy(good, changed)
    write_wrong_hash(changed)
    assert "does not match its hash" in refused_restore(changed, database)

    assert "no file" in refused_restore(tmp_path / "missing.db", database)


async def test_backup_then_restore_from_the_command_line(tmp_path):
    database = await made(tmp_path / "t.db", rows=30)
    backed_up = cli(tmp_path, "backup")
    assert backed_up.returncode == 0, backed_up.stderr
    [line] = backed_up.stdout.strip().splitlines()
    assert line.startswith(f"Backup {tmp_path / 'backups'}/t-") and "sha256" in line
    [backup] = backups_in(tmp_path / "backups", database)

    store = await Store.open(database)  # written after the backup: not in it
    try:
        await store.audit.add(1, "after", AT)
    finally:
        await store.close()
    after_backup = count(database)

    restored = cli(tmp_path, "restore", str(backup))
    assert restored.returncode == 0, restored.stderr
    [line] = restored.stdout.strip().splitlines()
    assert line.startswith(f"Restored {backup}")
    [replaced] = [p for p in tmp_path.iterdir() if p.name.startswith("t.db.replaced-")]
    assert str(replaced) in line
    assert count(replaced) == after_backup  # the replaced file is kept, whole
    with sqlite3.connect(database) as conn:
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        actions = [row[0] for row in conn.execute("SELECT action FROM audit")]
    conn.close()
    assert "after" not in actions  # the backup's content, not the replaced file's
    assert "backup" not in actions  # its own audit entry came after the copy
    assert actions[-1] == "restore"


async def test_restore_is_refused_while_the_bot_holds_the_database(tmp_path):
    database = await made(tmp_path / "t.db", rows=3)
    backup = cli(tmp_path, "backup")
    assert backup.returncode == 0, backup.stderr
    [file] = backups_in(tmp_path / "backups", database)
    with hold_lock(database):  # as the running bot does
        refused = cli(tmp_path, "restore", str(file))
    assert refused.returncode != 0
    [line] = refused.stderr.strip().splitlines()
    assert line.startswith("Not restored: The database") and "in use by another bot" in line
    assert not [p for p in tmp_path.iterdir() if ".replaced-" in p.name]


def test_backup_of_a_missing_database_says_so(tmp_path):
    result = cli(tmp_path, "backup")
    assert result.returncode == 1
    assert result.stderr.strip() == f"No database at {tmp_path / 't.db'}: nothing to back up."
    assert not (tmp_path / "t.db").exists()

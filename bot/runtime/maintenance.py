"""`python -m bot backup` and `python -m bot restore FILE`: the operator's commands for backups.

Each prints one line and returns the process's exit code. A backup can be made while the bot
runs (it reads one consistent snapshot); a restore refuses to run while the bot holds the
database's lock, and holds it itself until the new file is in place.
"""

from __future__ import annotations

import asyncio
import sys
from pathlib import Path

from bot.domain.clock import SystemClock
from bot.runtime.settings import Settings
from storage.backend import PostgresUnusable
from storage.backup import ON_POSTGRES, BackupFailed, Restored, RestoreRefused, restore
from storage.copy import CopyRefused, copy_to_postgres
from storage.db import DatabaseUnusable
from storage.lock import DatabaseInUse, hold_lock
from storage.store import Store


def _say(text: str, *, error: bool = False) -> None:
    print(text, file=sys.stderr if error else sys.stdout)


async def backup_now(settings: Settings) -> int:
    database = settings.database_path
    if settings.database_url.get_secret_value():
        _say(f"No backup made: {ON_POSTGRES}.", error=True)
        return 1
    if not database.is_file():
        _say(f"No database at {database}: nothing to back up.", error=True)
        return 1
    try:
        store = await Store.open(database)
    except DatabaseUnusable as err:
        _say(str(err), error=True)
        return 1
    try:
        made = await store.backups.make(
            settings.backup_dir, settings.backup_keep, SystemClock().now()
        )
    except BackupFailed as err:
        _say(str(err), error=True)
        return 1
    finally:
        await store.close()
    _say(
        f"Backup {made.path} ({made.size:,} bytes, sha256 {made.sha256}); "
        f"{made.kept} kept in {settings.backup_dir}."
    )
    return 0


def migrate_to_postgres(settings: Settings) -> int:
    """Copy the SQLite file (DATABASE_PATH) into the empty PostgreSQL database of
    DATABASE_URL, the bot stopped (its lock held meanwhile), and say what was copied."""
    url = settings.database_url.get_secret_value()
    if not url:
        _say("Set DATABASE_URL=postgresql://... to the empty database to copy into.", error=True)
        return 2
    database = settings.database_path
    try:
        with hold_lock(database):
            copied = asyncio.run(copy_to_postgres(database, url, SystemClock().now()))
    except DatabaseInUse as err:
        _say(f"Not copied: {err}", error=True)
        return 1
    except (CopyRefused, DatabaseUnusable, PostgresUnusable) as err:
        _say(str(err), error=True)
        return 1
    counts = ", ".join(f"{table} {n:,}" for table, n in copied.rows.items())
    total = copied.figures
    _say(
        f"Copied {database} into {copied.target}: {sum(copied.rows.values()):,} rows"
        f" ({counts}). The rows of every table and the figures of all time agree"
        f" ({total.sent:,} requests sent, {total.actioned:,} actioned, reach"
        f" {total.reach_removed:,}). The SQLite file is left as it was; the bot now runs on"
        " PostgreSQL while DATABASE_URL is set."
    )
    return 0


def restore_from(settings: Settings, file: Path) -> int:
    database = settings.database_path
    if settings.database_url.get_secret_value():
        _say(f"Not restored: {ON_POSTGRES}; restore with the server's own tools.", error=True)
        return 1
    try:
        with hold_lock(database):
            restored = restore(file, database, SystemClock().now())
            asyncio.run(_audit(database, file, restored))
    except DatabaseInUse as err:
        _say(f"Not restored: {err}", error=True)
        return 1
    except (RestoreRefused, DatabaseUnusable) as err:
        _say(str(err), error=True)
        return 1
    kept = f"; the replaced file is kept as {restored.replaced}" if restored.replaced else ""
    _say(f"Restored {file} (sha256 {restored.sha256}) as {database}{kept}.")
    return 0


async def _audit(database: Path, file: Path, restored: Restored) -> None:
    """Opening the restored file also brings an older schema up to date."""
    store = await Store.open(database)
    try:
        replaced = restored.replaced.name if restored.replaced else "none"
        detail = f"from {file} sha256={restored.sha256} replaced={replaced}"
        await store.audit.add(0, "restore", SystemClock().now(), detail=detail)
    finally:
        await store.close()

"""What /health reads outside the database: the installed version and the backup folder."""

from __future__ import annotations

import datetime as dt
from importlib import metadata
from pathlib import Path

from bot.domain.records import BackupFile

DISTRIBUTION = "takedown-desk"


def version() -> str:
    try:
        return metadata.version(DISTRIBUTION)
    except metadata.PackageNotFoundError:
        return "unknown (not installed)"


def newest_backup(folder: Path) -> BackupFile | None:
    """The newest file in BACKUP_DIR by modification time; None when the folder is missing,
    empty or unreadable (backups are made by another part of the bot, and a folder that is
    not there yet must not break /health)."""
    newest: BackupFile | None = None
    try:
        entries = list(folder.iterdir())
    except OSError:
        return None
    for entry in entries:
        try:
            if entry.name.startswith(".") or not entry.is_file():
                continue
            info = entry.stat()
        except OSError:
            continue  # gone or unreadable meanwhile
        at = dt.datetime.fromtimestamp(info.st_mtime, dt.UTC)
        if newest is None or at > newest.at:
            newest = BackupFile(entry.name, at, info.st_size)
    return newest

"""Backups of the SQLite file, and the checks and the swap of a restore.

A backup is SQLite's online backup API run in one step: one read transaction, so the copy is
the database as of one commit, while the bot goes on writing (WAL readers do not block the
writer). The copy is checked (PRAGMA integrity_check), hashed (SHA-256, also written to
NAME.sha256 beside it in `sha256sum` format) and only then given its name; the oldest beyond
BACKUP_KEEP are deleted. Folders are created 0700 (storage.db.private_dir), files 0600: the
backups hold who reported what.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import hashlib
import logging
import os
import re
import sqlite3
from collections.abc import Iterator
from contextlib import closing, contextmanager
from dataclasses import dataclass
from pathlib import Path

from storage.audit import Audit
from storage.backend import Db
from storage.db import (
    BUSY_TIMEOUT_MS,
    Database,
    damaged,
    describe,
    newest_version,
    private_dir,
    schema_too_new,
)

HASH_SUFFIX = ".sha256"
ON_POSTGRES = (
    "the database is on PostgreSQL (DATABASE_URL): its backups are the server's own"
    " (pg_dump, or the managed database's snapshots); the bot makes none"
)
_CHUNK = 1 << 20
_STAMP = "%Y%m%dT%H%M%SZ"

logger = logging.getLogger(__name__)


class BackupFailed(Exception):
    """A backup could not be made; the message is one line."""


class RestoreRefused(Exception):
    """A file was not put in place of the database; the message is one line saying why."""


@dataclass(frozen=True)
class Backup:
    path: Path
    sha256: str
    size: int
    kept: int  # backups in the folder after the oldest were deleted


@dataclass(frozen=True)
class Restored:
    sha256: str
    schema_version: int
    replaced: Path | None  # the database file that was there, renamed; None if there was none


class Backups:
    def __init__(self, db: Db, audit: Audit) -> None:
        self.db = db
        self.audit = audit

    async def make(self, folder: Path, keep: int, at: dt.datetime) -> Backup:
        """One backup now, audited (a failure too, if the audit can still be written)."""
        if not isinstance(self.db, Database):
            raise BackupFailed(ON_POSTGRES)
        try:
            made = await asyncio.to_thread(make_backup, self.db.path, folder, keep, at)
        except BackupFailed as err:
            try:
                await self.audit.add(0, "backup failed", at, detail=str(err))
            except Exception as audit_err:  # the same full disk, most likely
                logger.warning("could not audit the failed backup: %s", audit_err)
            raise
        detail = f"{made.path.name} sha256={made.sha256} size={made.size}"
        await self.audit.add(0, "backup", at, detail=detail)
        return made


def backup_pattern(database: Path) -> re.Pattern[str]:
    """Names of the backups of `database`: STEM-YYYYMMDDTHHMMSSZ[-N].db."""
    return re.compile(rf"^{re.escape(database.stem)}-(\d{{8}}T\d{{6}}Z)(?:-(\d+))?\.db$")


def backups_in(folder: Path, database: Path) -> list[Path]:
    """The backups of `database` in `folder`, oldest first."""
    pattern = backup_pattern(database)
    found = []
    for path in folder.iterdir() if folder.is_dir() else ():
        match = pattern.match(path.name)
        if match:
            found.append(((match.group(1), int(match.group(2) or 0)), path))
    return [path for _, path in sorted(found)]


def make_backup(database: Path, folder: Path, keep: int, at: dt.datetime) -> Backup:
    """Blocking: run it in a thread."""
    try:
        private_dir(folder)
        target = _free_name(folder, database, at)
        partial = target.with_name(target.name + ".partial")
        with _removed_on_failure(partial):
            _create_private(partial)
            _copy(database, partial)
            _fsync(partial)
            digest = sha256_of(partial)
            hash_file = target.with_name(target.name + HASH_SUFFIX)
            with _removed_on_failure(hash_file):
                _write_private(hash_file, f"{digest}  {target.name}\n")
                os.replace(partial, target)
        _fsync(folder)
        kept = _rotate(folder, database, keep)
    except (OSError, sqlite3.Error) as err:
        cause = describe(database, err)
        raise BackupFailed(f"backup of {database} into {folder} failed: {cause}") from err
    return Backup(target, digest, target.stat().st_size, kept)


def _copy(database: Path, target: Path) -> None:
    """The consistent copy, made self-contained (rollback journal, not WAL) and checked."""
    if not database.is_file():
        raise BackupFailed(f"no database at {database}")
    with (
        closing(sqlite3.connect(database, timeout=BUSY_TIMEOUT_MS / 1000)) as source,
        closing(sqlite3.connect(target)) as copy,
    ):
        source.backup(copy)  # pages=-1: every page in one step, one read transaction
        copy.execute("PRAGMA journal_mode = DELETE")
        problems = _integrity_problems(copy)
    if problems:
        raise BackupFailed(f"the copy of {database} failed integrity_check: {damaged(problems)}")


def _integrity_problems(conn: sqlite3.Connection) -> list[str]:
    return [str(row[0]) for row in conn.execute("PRAGMA integrity_check") if row[0] != "ok"]


def _rotate(folder: Path, database: Path, keep: int) -> int:
    backups = backups_in(folder, database)
    for old in backups[:-keep]:
        old.unlink(missing_ok=True)
        old.with_name(old.name + HASH_SUFFIX).unlink(missing_ok=True)
    return min(len(backups), keep)


def _free_name(folder: Path, database: Path, at: dt.datetime) -> Path:
    """STEM-STAMP.db, or STEM-STAMP-N.db when two backups fall in the same second."""
    stamp = at.astimezone(dt.UTC).strftime(_STAMP)
    name = f"{database.stem}-{stamp}.db"
    number = 1
    while (folder / name).exists() or (folder / f"{name}.partial").exists():
        name = f"{database.stem}-{stamp}-{number}.db"
        number += 1
    return folder / name


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as file:
        while chunk := file.read(_CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


# ------------------------------------------------------------------ restore


def restore(file: Path, database: Path, at: dt.datetime) -> Restored:
    """Blocking. Check `file` (its hash in FILE.sha256 if there is one, integrity_check, a
    schema version this code knows) on a copy beside the database, then swap the copy in;
    the file it replaces is renamed DATABASE.replaced-STAMP (with its WAL, if any). The
    caller holds the database's lock: the bot must not run meanwhile."""
    if not file.is_file():
        raise RestoreRefused(f"Not restored: no file {file}")
    if database.exists() and file.resolve() == database.resolve():
        raise RestoreRefused(f"Not restored: {file} is the database itself")
    staged = database.with_name(database.name + ".restoring")
    try:
        with _removed_on_failure(staged):
            _remove_leftovers(staged)
            _create_private(staged)
            digest = _copy_hashing(file, staged)
            _check_hash(file, digest)
            version = _check_restorable(file, staged)
            _fsync(staged)
            replaced = _set_aside(database, at)
            os.replace(staged, database)
        _fsync(database.parent)
    except OSError as err:
        raise RestoreRefused(f"Not restored: {describe(database, err)}") from err
    return Restored(digest, version, replaced)


def _copy_hashing(source: Path, target: Path) -> str:
    digest = hashlib.sha256()
    with source.open("rb") as reading, target.open("wb") as writing:
        while chunk := reading.read(_CHUNK):
            digest.update(chunk)
            writing.write(chunk)
    return digest.hexdigest()


def _check_hash(file: Path, digest: str) -> None:
    hash_file = file.with_name(file.name + HASH_SUFFIX)
    if not hash_file.is_file():
        return  # a backup copied without its hash: integrity_check still guards it
    words = hash_file.read_text("utf-8", errors="replace").split()
    if not words or words[0].lower() != digest:
        raise RestoreRefused(
            f"Not restored: {file} does not match its hash in {hash_file.name} "
            "(changed or damaged since the backup)"
        )


def _check_restorable(file: Path, staged: Path) -> int:
    try:
        with closing(sqlite3.connect(staged)) as conn:
            problems = _integrity_problems(conn)
            version = int(conn.execute("PRAGMA user_version").fetchone()[0])
    except sqlite3.Error as err:
        raise RestoreRefused(f"Not restored: {file}: {describe(file, err)}") from err
    if problems:
        raise RestoreRefused(f"Not restored: {file}: {damaged(problems)}")
    if version > newest_version():
        raise RestoreRefused(f"Not restored: {file}: {schema_too_new(version)}")
    if version == 0:
        raise RestoreRefused(f"Not restored: {file} is an empty database, not a backup")
    return version


def _set_aside(database: Path, at: dt.datetime) -> Path | None:
    """Rename the database (and its WAL: a crashed bot leaves commits there) out of the way."""
    if not database.exists():
        return None
    stamp = at.astimezone(dt.UTC).strftime(_STAMP)
    replaced = database.with_name(f"{database.name}.replaced-{stamp}")
    number = 1
    while replaced.exists():
        replaced = database.with_name(f"{database.name}.replaced-{stamp}-{number}")
        number += 1
    os.replace(database, replaced)
    wal = Path(f"{database}-wal")
    if wal.exists():
        os.replace(wal, Path(f"{replaced}-wal"))
    Path(f"{database}-shm").unlink(missing_ok=True)  # rebuilt from the WAL when opened
    return replaced


def _remove_leftovers(staged: Path) -> None:
    """A restore that crashed leaves its copy; it was never in place of the database."""
    for path in (staged, Path(f"{staged}-wal"), Path(f"{staged}-shm"), Path(f"{staged}-journal")):
        path.unlink(missing_ok=True)


# ------------------------------------------------------------------ files


def _create_private(path: Path) -> None:
    os.close(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))


def _write_private(path: Path, text: str) -> None:
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as file:
        file.write(text)
        file.flush()
        os.fsync(file.fileno())


def _fsync(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


@contextmanager
def _removed_on_failure(path: Path) -> Iterator[None]:
    try:
        yield
    except BaseException:
        path.unlink(missing_ok=True)
        raise

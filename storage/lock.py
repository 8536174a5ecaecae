"""One bot per database: an exclusive lock on a file beside the SQLite file (NAME.lock), held
for the life of the process. It is an OS lock (flock): the kernel drops it when the process
ends, however it ends (SIGKILL included), so a crash never leaves it stale."""

from __future__ import annotations

import errno
import fcntl
import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from storage.db import DatabaseUnusable, private_dir


class DatabaseInUse(Exception):
    """Another process holds the lock of the database; the message is one line."""

    def __init__(self, database: Path, holder: str) -> None:
        who = f"another bot (pid {holder})" if holder else "another bot"
        super().__init__(
            f"The database {database} is in use by {who}: one bot per database; stop it first."
        )
        self.database = database


def lock_path(database: Path) -> Path:
    return database.with_name(database.name + ".lock")


@contextmanager
def hold_lock(database: Path) -> Iterator[None]:
    """Hold the database's lock inside the block; DatabaseInUse if another process has it."""
    path = lock_path(database)
    try:
        private_dir(database.parent)
    except OSError as err:  # /proc/foo/t.db: a folder nobody can create
        cause = f"its folder {database.parent} cannot be created ({err.strerror or err})"
        raise DatabaseUnusable(database, cause) from err
    try:
        fd = os.open(path, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o600)
    except OSError as err:
        cause = f"its lock file {path.name} cannot be created ({err.strerror or err})"
        if err.errno in (errno.EACCES, errno.EPERM, errno.EROFS):
            cause = f"the folder {database.parent} is not writable: {cause}"
        raise DatabaseUnusable(database, cause) from err
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            holder = os.pread(fd, 20, 0).decode("ascii", "replace").strip()
            raise DatabaseInUse(database, holder) from None
        # The pid is only for the refusal's message; the lock is what counts.
        os.ftruncate(fd, 0)
        os.pwrite(fd, f"{os.getpid()}\n".encode(), 0)
        yield
    finally:
        os.close(fd)  # closing the descriptor releases the lock

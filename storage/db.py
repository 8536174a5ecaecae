"""The one owner of the SQLite file: connections, pragmas, migrations, transactions.

Three connections: a writer, serialised by an asyncio.Lock around BEGIN IMMEDIATE ... COMMIT
(one shared aiosqlite connection would interleave the transactions of concurrent handlers),
a reader that in WAL mode sees only committed data, and one that only runs WAL checkpoints in
the background (see Database.transaction). Each scan of /find opens one more for itself, so
no other read waits behind it, and stops it at a deadline (Database.search).

The file, its -wal and -shm and the folders created for it are the bot's user's only (0600,
0700), whatever the umask: they name the people who report accounts.
"""

from __future__ import annotations

import asyncio
import contextvars
import datetime as dt
import errno
import logging
import os
import re
import sqlite3
import time
from collections.abc import AsyncIterator, Callable, Coroutine, Iterable, Sequence
from contextlib import AsyncExitStack, asynccontextmanager
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any, TypeVar

import aiosqlite

from bot.domain.comebacks import sql_match_key
from bot.domain.errors import SearchTooSlow
from storage.backend import Tx as AnyTx

Params = Sequence[Any] | dict[str, Any]
Row = sqlite3.Row
T = TypeVar("T")

BUSY_TIMEOUT_MS = 10_000
# A background checkpoint starts once the WAL file is larger than this: about SQLite's own
# wal_autocheckpoint threshold of 1000 pages. The writer's journal_size_limit is the same, so
# the file shrinks back to it after a checkpoint and its size keeps telling what is pending.
CHECKPOINT_WAL_BYTES = 4 * 1024 * 1024
# PRAGMA quick_check reads every page: about 1.5 s for 64 MiB on the development machine, but
# 16 s (warm cache) to 61 s (cold) for the 673 MB of a million cases. A bigger file is opened
# without it (its header, schema and writability are still checked); the daily backup's
# integrity_check reads all of it every night.
VERIFY_MAX_BYTES = 64 * 1024 * 1024
# After the disk was full, this much free space means it has room again (see _has_room).
ROOM_BYTES = 8 * 1024 * 1024
_MIGRATION_NAME = re.compile(r"^(\d{3})_[a-z0-9_]+\.sql$")
PRIVATE_FILE = 0o600
PRIVATE_DIR = 0o700
SEARCH_SECONDS = 5.0  # a /find scan longer than this is stopped (SearchTooSlow)
_PROGRESS_STEPS = 10_000  # SQLite VM steps between two looks at the search deadline
# Telegram may reuse update ids after a week of silence, so handled ids are forgotten.
HANDLED_KEEP_FOR = dt.timedelta(days=2)
PRUNE_HANDLED_EVERY = 500

logger = logging.getLogger(__name__)


class DatabaseUnusable(Exception):
    """The database cannot be used: the message is one line naming the file and the cause."""

    def __init__(self, path: Path, cause: str) -> None:
        super().__init__(f"Cannot use the database {path}: {cause}")
        self.path = path
        self.cause = cause


def is_disk_full(err: BaseException | None) -> bool:
    """A write failed for lack of space (SQLite's SQLITE_FULL, or ENOSPC from the OS), here
    or in what caused it."""
    seen = 0
    while err is not None and seen < 5:
        if isinstance(err, sqlite3.Error) and _primary_code(err) == sqlite3.SQLITE_FULL:
            return True
        if isinstance(err, OSError) and err.errno == errno.ENOSPC:
            return True
        err, seen = err.__cause__ or err.__context__, seen + 1
    return False


def _primary_code(err: sqlite3.Error) -> int:
    return int(getattr(err, "sqlite_errorcode", -1)) & 0xFF  # extended codes keep it low


def describe(path: Path, err: BaseException) -> str:
    """Why the file at `path` cannot be used, in words an operator acts on."""
    folder = path.parent
    if isinstance(err, OSError):
        return f"{err.strerror or err} ({err.filename or folder})"
    if not isinstance(err, sqlite3.Error):
        return str(err)
    name = getattr(err, "sqlite_errorname", "")
    match _primary_code(err):
        case sqlite3.SQLITE_CANTOPEN if path.exists():
            return f"the file cannot be opened (is it readable and {folder} writable?)"
        case sqlite3.SQLITE_CANTOPEN:
            return f"the file cannot be created: the folder {folder} is not writable"
        case sqlite3.SQLITE_READONLY if name == "SQLITE_READONLY_DIRECTORY":
            return f"the folder {folder} is read-only (SQLite keeps its -wal and -shm files there)"
        case sqlite3.SQLITE_READONLY:
            return f"the file is read-only ({err})"
        case sqlite3.SQLITE_NOTADB:
            return "it is not an SQLite database"
        case sqlite3.SQLITE_CORRUPT:
            return f"it is damaged ({err}); restore a backup with `python -m bot restore FILE`"
        case sqlite3.SQLITE_FULL:
            return "the disk is full"
        case _:
            return f"{err} ({name})" if name else str(err)


def to_ts(when: dt.datetime) -> int:
    """Timestamps are stored as UTC epoch seconds."""
    if when.tzinfo is None:
        raise ValueError("naive datetime: every timestamp must be timezone-aware")
    return int(when.timestamp())


def from_ts(value: int) -> dt.datetime:
    return dt.datetime.fromtimestamp(value, dt.UTC)


def from_ts_or_none(value: int | None) -> dt.datetime | None:
    return None if value is None else from_ts(value)


def private_dir(path: Path) -> None:
    """Create `path` and its missing parents as 0700 (an existing folder is left as it is:
    it may be shared on purpose, e.g. /tmp)."""
    missing = []
    for folder in (path, *path.parents):
        if folder.exists():
            break
        missing.append(folder)
    for folder in reversed(missing):
        try:
            folder.mkdir(mode=PRIVATE_DIR)
        except FileExistsError:
            continue
        folder.chmod(PRIVATE_DIR)  # mkdir's mode is masked by the umask; chmod is not


def private_file(path: Path) -> None:
    """Create `path` empty and 0600 if missing, whatever the umask; an existing file loses
    its group and other permissions (its owner's stay: a read-only database stays
    read-only, and is reported as such when opened)."""
    try:
        fd = os.open(path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, PRIVATE_FILE)
    except FileExistsError:
        _owner_only(path)
        return
    try:
        os.fchmod(fd, PRIVATE_FILE)
    finally:
        os.close(fd)


def _owner_only(path: Path) -> None:
    try:
        mode = path.stat().st_mode & 0o777
        if mode & 0o077:
            path.chmod(mode & 0o700)
    except FileNotFoundError:
        return
    except PermissionError:  # another user's file: opening it tells what is wrong
        logger.warning("cannot make %s private (not the owner)", path)


def private_database_files(path: Path) -> None:
    """The database and its -wal and -shm (SQLite creates these with the database file's
    mode; earlier versions of the bot left them 0644): the bot's user's only."""
    private_file(path)
    for suffix in ("-wal", "-shm"):
        _owner_only(Path(f"{path}{suffix}"))


@dataclass(frozen=True)
class Migration:
    version: int
    name: str
    sql: str


def migrations(dialect: str = "") -> list[Migration]:
    """Every migration shipped in storage/migrations, in order (`dialect` "postgres": their
    PostgreSQL twins in storage/migrations/postgres, numbered alike). Never edit an applied
    one."""
    folder = resources.files("storage.migrations")
    found = []
    for entry in (folder.joinpath(dialect) if dialect else folder).iterdir():
        match = _MIGRATION_NAME.match(entry.name)
        if match:
            found.append(Migration(int(match.group(1)), entry.name, entry.read_text("utf-8")))
    found.sort(key=lambda m: m.version)
    if [m.version for m in found] != list(range(1, len(found) + 1)):
        where = f"storage/migrations/{dialect}".rstrip("/")
        raise RuntimeError(f"{where} must be numbered 001, 002, ... without gaps")
    return found


@dataclass
class HandledMark:
    """The update being handled (set by the runtime for each update, see `handling`)."""

    update_id: int
    at: dt.datetime
    recorded: bool = False  # its first write transaction committed, with the mark in it


# The update the current task handles. The first write transaction of that update records it
# in processed_updates inside the same transaction: what a handler wrote and the mark that it
# was handled commit together, or neither does, so a crash never leaves one without the other.
handling: contextvars.ContextVar[HandledMark | None] = contextvars.ContextVar(
    "handling", default=None
)


class UpdateAlreadyHandled(Exception):
    """The update's mark was already there: a second copy of it is being handled. Its
    transaction is rolled back, so the copy changes nothing."""


class Tx:
    """The writer connection inside one transaction (Database.transaction): each call is one
    hop to the connection's thread and back."""

    backend = "SQLite"

    def __init__(self, conn: aiosqlite.Connection) -> None:
        self._conn = conn

    async def execute(self, sql: str, params: Params = ()) -> int | None:
        """Run one statement; returns lastrowid (useful after INSERT)."""
        row = await self._conn.execute_insert(sql, params)  # one hop: statement and rowid
        return None if row is None else int(row[0])

    async def execute_rowcount(self, sql: str, params: Params = ()) -> int:
        cursor = await self._conn.execute(sql, params)
        count = cursor.rowcount
        await cursor.close()
        return count

    async def executemany(self, sql: str, rows: Iterable[Params]) -> None:
        await self._conn.executemany(sql, rows)

    async def append_rows(self, table: str, rows: Iterable[Sequence[object]]) -> None:
        batch = list(rows)
        if batch:
            marks = ", ".join("?" * len(batch[0]))
            await self.executemany(f"INSERT INTO {table} VALUES ({marks})", batch)

    async def fetchone(self, sql: str, params: Params = ()) -> Row | None:
        return await _fetchone(self._conn, sql, params)

    async def fetchall(self, sql: str, params: Params = ()) -> list[Row]:
        return await _fetchall(self._conn, sql, params)


class _InlineTx(Tx):
    """The same calls made from inside the writer's own thread (Database.write): each runs at
    once, so a coroutine using only these never suspends and runs to its end in one go."""

    def __init__(self, raw: sqlite3.Connection) -> None:
        self._raw = raw

    async def execute(self, sql: str, params: Params = ()) -> int | None:
        return self._raw.execute(sql, params).lastrowid

    async def execute_rowcount(self, sql: str, params: Params = ()) -> int:
        return self._raw.execute(sql, params).rowcount

    async def executemany(self, sql: str, rows: Iterable[Params]) -> None:
        self._raw.executemany(sql, rows)

    async def fetchone(self, sql: str, params: Params = ()) -> Row | None:
        row: Row | None = self._raw.execute(sql, params).fetchone()
        return row

    async def fetchall(self, sql: str, params: Params = ()) -> list[Row]:
        return self._raw.execute(sql, params).fetchall()


Work = Callable[[Tx], Coroutine[Any, Any, T]]


def _run_inline(work: Coroutine[Any, Any, T]) -> T:
    """Run a coroutine whose awaits are all _InlineTx calls to its end, here and now."""
    try:
        work.send(None)
    except StopIteration as done:
        result: T = done.value
        return result
    work.close()
    raise RuntimeError("a Database.write work awaited something other than its transaction")


class Snapshot:
    """A connection of its own inside one read transaction (Database.snapshot)."""

    backend = "SQLite"

    def __init__(self, conn: aiosqlite.Connection) -> None:
        self._conn = conn

    async def fetchone(self, sql: str, params: Params = ()) -> Row | None:
        return await _fetchone(self._conn, sql, params)

    async def fetchall(self, sql: str, params: Params = ()) -> list[Row]:
        return await _fetchall(self._conn, sql, params)


# Each await on an aiosqlite connection is a hop to its thread and back; a query in one hop
# (rather than execute, fetch, close) makes /status and /flag about twice as fast.
async def _fetchall(conn: aiosqlite.Connection, sql: str, params: Params) -> list[Row]:
    return list(await conn.execute_fetchall(sql, params))


async def _fetchone(conn: aiosqlite.Connection, sql: str, params: Params) -> Row | None:
    """The first row; meant for queries of one row (it fetches them all in one hop)."""
    rows = await _fetchall(conn, sql, params)
    return rows[0] if rows else None


class Database:
    backend = "SQLite"  # as /health names it (storage/backend.py's Db)

    def __init__(
        self,
        path: Path,
        writer: aiosqlite.Connection,
        reader: aiosqlite.Connection,
        checkpointer: aiosqlite.Connection,
    ):
        self.path = path
        self._writer = writer
        self._reader = reader
        self._checkpointer = checkpointer
        self._write_lock = asyncio.Lock()
        self._wal = Path(f"{path}-wal")
        self._checkpoint: asyncio.Task[None] | None = None  # the last one, kept referenced
        self._closing = False
        self._handled_marks = 0
        self._disk_full = False
        self.commits = 0  # write transactions committed since open (tests, benchmark)
        # COMMITs begun, and those not finished yet (see snapshots).
        self._commits_begun = 0
        self._committing = 0
        # How many times the disk filled up (a write failed for lack of space after the disk
        # had room, see _has_room): whoever tells the admins remembers the last one told.
        self.disk_full_episodes = 0

    @classmethod
    async def open(cls, path: Path, *, verify: bool = False) -> Database:
        """Open (creating the file and its folder) and bring the schema up to date; with
        `verify`, also read every page (PRAGMA quick_check). A file that cannot be used raises
        DatabaseUnusable, with no connection left open."""
        try:
            return await cls._open(path, verify)
        except (sqlite3.Error, OSError) as err:
            raise DatabaseUnusable(path, describe(path, err)) from err

    @classmethod
    async def _open(cls, path: Path, verify: bool) -> Database:
        private_dir(path.parent)
        private_database_files(path)
        async with AsyncExitStack() as opened:  # a failure closes what was opened so far
            writer = await _connect(path)
            opened.push_async_callback(writer.close)
            await _check_schema_version(path, writer)
            if verify:
                await _quick_check(path, writer)
            await _migrate(writer)
            await _probe_write(writer)
            # Commits never copy the WAL back into the database file inline: see transaction().
            await writer.execute("PRAGMA wal_autocheckpoint = 0")
            await writer.execute(f"PRAGMA journal_size_limit = {CHECKPOINT_WAL_BYTES}")
            reader = await _connect(path)
            opened.push_async_callback(reader.close)
            checkpointer = await _connect(path)
            opened.pop_all()  # success: the Database owns all three now
        private_database_files(path)  # the -wal and -shm exist now
        return cls(path, writer, reader, checkpointer)

    async def close(self) -> None:
        self._closing = True  # no new checkpoint from here on
        await self.settle()
        try:
            await self._reader.close()
        finally:
            try:
                await self._checkpointer.close()
            finally:
                await self._writer.close()  # the last one checkpoints and removes the WAL

    @asynccontextmanager
    async def transaction(self, *, of_update: bool = True) -> AsyncIterator[Tx]:
        """`of_update=False`: a write that is not the handled update's own (a member's name
        kept on the way in), so it does not take the update's handled mark."""
        async with self._write_lock:
            mark = self._mark_to_record(of_update)
            await self._writer.execute("BEGIN IMMEDIATE")
            try:
                tx = Tx(self._writer)
                if mark is not None:
                    await self._record_handled(tx, mark)
                yield tx
                async with self._committing_now():
                    await self._writer.commit()
            except BaseException as err:
                # Also after a failed COMMIT (a full disk): an open transaction left behind
                # would refuse every BEGIN after it.
                if self._writer.in_transaction:
                    await self._writer.rollback()
                self._note_failure(err)
                raise
            await self._committed(mark)

    async def write(self, work: Work[T], *, of_update: bool = True) -> T:
        """`transaction()` in one hop: `work(tx)` runs inside the writer connection's own
        thread, between its BEGIN IMMEDIATE and COMMIT, so a /flag's fifteen statements cost
        one round trip to that thread, not fifteen. `work` is an ordinary coroutine function
        that awaits only its `tx` (the same one runs under transaction() as well); anything
        else it awaits is a RuntimeError, and the transaction is rolled back. aiosqlite has
        no public call for this: `_execute` is the door its own methods use (as in read)."""
        async with self._write_lock:
            mark = self._mark_to_record(of_update)
            conn = self._writer

            def in_thread() -> T:
                raw = conn._conn
                raw.execute("BEGIN IMMEDIATE")
                try:
                    tx = _InlineTx(raw)
                    if mark is not None:
                        _run_inline(self._record_handled(tx, mark))
                    result = _run_inline(work(tx))
                    raw.execute("COMMIT")
                except BaseException:
                    if raw.in_transaction:  # also after a failed COMMIT, as in transaction()
                        raw.execute("ROLLBACK")
                    raise
                return result

            try:
                async with self._committing_now():  # the COMMIT is in the hop
                    result: T = await conn._execute(in_thread)  # type: ignore[no-untyped-call]
            except BaseException as err:
                self._note_failure(err)
                raise
            await self._committed(mark)
            return result

    @asynccontextmanager
    async def _committing_now(self) -> AsyncIterator[None]:
        self._commits_begun += 1
        self._committing += 1
        try:
            yield
        finally:
            self._committing -= 1

    def _mark_to_record(self, of_update: bool) -> HandledMark | None:
        """The handled update's mark, if this transaction is the first of the update's to
        commit (it then records the mark with what it writes)."""
        mark = handling.get() if of_update else None
        return None if mark is None or mark.recorded else mark

    async def _committed(self, mark: HandledMark | None) -> None:
        self.commits += 1
        if mark is not None:
            mark.recorded = True
        if self._disk_full:
            self._disk_full = not await self._has_room()
        self._start_checkpoint_if_due()

    async def _has_room(self) -> bool:
        """After a write failed for lack of space, a commit that fits does not yet mean the
        space came back (a small row fits where a report does not): ROOM_BYTES free on the
        disk and below the file's own limit (PRAGMA max_page_count) do."""
        [(pages_left, page_size)] = await self._writer.execute_fetchall(
            "SELECT (SELECT max_page_count FROM pragma_max_page_count)"
            " - (SELECT page_count FROM pragma_page_count),"
            " (SELECT page_size FROM pragma_page_size)"
        )
        disk = os.statvfs(self.path.parent)
        return bool(min(pages_left * page_size, disk.f_bavail * disk.f_frsize) >= ROOM_BYTES)

    def _note_failure(self, err: BaseException) -> None:
        if is_disk_full(err) and not self._disk_full:
            self._disk_full = True
            self.disk_full_episodes += 1

    async def _record_handled(self, tx: Tx, mark: HandledMark) -> None:
        self._handled_marks += 1
        await record_handled(tx, mark, self._handled_marks)

    # Why checkpoints run here and not in COMMIT: with SQLite's default wal_autocheckpoint the
    # COMMIT that pushes the WAL past 1000 pages also copies the whole WAL back into the
    # database file, and the handler waits for that copy before it can reply (~0.5 s after an
    # /import of 100,000 rows). So the writer never checkpoints, and after a commit that left a
    # big WAL a task runs PRAGMA wal_checkpoint(PASSIVE) on a connection of its own: PASSIVE
    # takes no lock that the writer or the readers wait for, it copies what it can and leaves
    # the rest to the next one.
    def _start_checkpoint_if_due(self) -> None:
        """Cheap (one stat) because it runs after every commit; never raises."""
        if self._closing or (self._checkpoint is not None and not self._checkpoint.done()):
            return
        try:
            wal_bytes = self._wal.stat().st_size
        except FileNotFoundError:
            return  # no WAL, nothing to copy back
        except OSError:
            logger.exception("cannot stat %s; no checkpoint this time", self._wal)
            return
        if wal_bytes > CHECKPOINT_WAL_BYTES:
            self._checkpoint = asyncio.create_task(self._run_checkpoint(), name="wal-checkpoint")

    async def _run_checkpoint(self) -> None:
        try:
            await self._checkpointer.execute_fetchall("PRAGMA wal_checkpoint(PASSIVE)")
        except Exception as err:
            if not is_disk_full(err):
                logger.exception("background WAL checkpoint of %s failed", self.path)
                return
            # Each commit would log it again; the next checkpoint copies what this one left.
            logger.warning("WAL checkpoint of %s postponed: the disk is full", self.path)

    async def settle(self) -> None:
        """Wait for the background checkpoint, if one is running (tests, benchmark, close)."""
        task = self._checkpoint
        if task is not None:
            await asyncio.wait({task})  # its errors are logged in the task, not raised here

    async def fetchone(self, sql: str, params: Params = ()) -> Row | None:
        return await _fetchone(self._reader, sql, params)

    async def read(self, work: Callable[[sqlite3.Connection], T]) -> T:
        """Several statements in one round trip and one snapshot: `work` runs in the reader
        connection's own thread, inside a read transaction (a card's nine queries cost one
        hop to that thread, not nine). aiosqlite has no public call for this: `_execute` is
        the door its own methods use to that thread."""
        conn = self._reader

        def in_thread() -> T:
            raw = conn._conn
            raw.execute("BEGIN")
            try:
                return work(raw)
            finally:
                raw.execute("COMMIT")  # a read transaction: nothing to write back

        result: T = await conn._execute(in_thread)  # type: ignore[no-untyped-call]
        return result

    async def fetchall(self, sql: str, params: Params = ()) -> list[Row]:
        return await _fetchall(self._reader, sql, params)

    @asynccontextmanager
    async def snapshot(self) -> AsyncIterator[Snapshot]:
        """Long reads (the periodic report: seconds at a million cases) on a connection of
        their own, opened for them, so the reads of other commands do not queue behind them;
        in one read transaction, so every statement sees the same data."""
        async with self.snapshots(1) as (snapshot,):
            yield snapshot

    @asynccontextmanager
    async def snapshots(self, count: int) -> AsyncIterator[list[Snapshot]]:
        """`count` connections of their own that read one and the same snapshot: long reads
        run side by side on both cores (the periodic report). Read transactions begun while
        no COMMIT is under way, with none begun until the last of them has read, see the
        same committed data (one bot per database, storage/lock.py: every COMMIT is this
        process's); else they are begun again."""
        conns: list[aiosqlite.Connection] = []
        try:
            for _ in range(count):
                conns.append(await _connect(self.path))
            while True:
                begun = self._commits_begun
                if not self._committing:
                    for conn in conns:
                        await conn.execute("BEGIN")
                        # the read transaction takes its snapshot at its first read
                        await conn.execute_fetchall("SELECT count(*) FROM sqlite_schema")
                    if self._commits_begun == begun and not self._committing:
                        break
                    for conn in conns:
                        await conn.rollback()
                await asyncio.sleep(0.001)
            yield [Snapshot(conn) for conn in conns]
        finally:
            for conn in conns:
                await conn.close()  # ends its read transaction

    async def search(self, sql: str, params: Params = (), *, seconds: float = SEARCH_SECONDS
                     ) -> list[Row]:  # fmt: skip
        """A scan (the text search of /find) on a connection of its own, opened for it (a
        few milliseconds), so neither the reads of other commands nor other searches queue
        behind it; stopped with SearchTooSlow after `seconds`."""
        deadline = time.monotonic() + seconds

        def past_deadline() -> int:  # SQLite's progress handler: non-zero stops the statement
            return int(time.monotonic() > deadline)

        conn = await _connect(self.path)
        try:
            await conn.set_progress_handler(past_deadline, _PROGRESS_STEPS)
            return await _fetchall(conn, sql, params)
        except sqlite3.OperationalError as err:
            if "interrupted" in str(err):
                raise SearchTooSlow(f"stopped after {seconds} s") from None
            raise
        finally:
            await conn.close()

    async def schema_version(self) -> int:
        row = await self.fetchone("PRAGMA user_version")
        return int(row[0]) if row else 0

    async def leads(self) -> bool:
        """One bot per SQLite file (storage/lock.py): it runs the daily jobs."""
        return True


async def _connect(path: Path) -> aiosqlite.Connection:
    # isolation_level=None: we write BEGIN/COMMIT ourselves instead of sqlite3's implicit ones.
    conn = await aiosqlite.connect(path, isolation_level=None)
    try:
        conn.row_factory = sqlite3.Row
        await conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
        await conn.execute("PRAGMA journal_mode = WAL")
        await conn.execute("PRAGMA synchronous = NORMAL")
        await conn.execute("PRAGMA foreign_keys = ON")
        await conn.create_function("comeback_key", 2, sql_match_key, deterministic=True)  # 002
    except BaseException:
        await conn.close()  # its thread would keep the process alive
        raise
    return conn


def newest_version() -> int:
    """The schema version this code brings a database to."""
    return len(migrations())


async def _check_schema_version(path: Path, conn: aiosqlite.Connection) -> None:
    version = await _user_version(conn)
    if version > newest_version():
        raise DatabaseUnusable(path, schema_too_new(version))


def schema_too_new(version: int) -> str:
    return (
        f"its schema version {version} is newer than this bot's ({newest_version()}): "
        "run the newer bot"
    )


async def _quick_check(path: Path, conn: aiosqlite.Connection) -> None:
    """Every page read once (PRAGMA quick_check: integrity_check without comparing each index
    with its table, several times faster)."""
    rows = await conn.execute_fetchall("PRAGMA quick_check")
    problems = [str(row[0]) for row in rows if row[0] != "ok"]
    if problems:
        raise DatabaseUnusable(path, damaged(problems))


def damaged(problems: Sequence[str]) -> str:
    more = f" and {len(problems) - 1} more problems" if len(problems) > 1 else ""
    first = " ".join(problems[0].split())  # quick_check's lines may hold new lines
    return f"it is damaged ({first}{more}); restore a backup with `python -m bot restore FILE`"


async def _probe_write(conn: aiosqlite.Connection) -> None:
    """A read-only file opens and reads; the first write would fail. Setting the version to
    itself fails at once on such a file, and the rollback leaves nothing written."""
    version = await _user_version(conn)
    await conn.execute("BEGIN IMMEDIATE")
    try:
        await conn.execute(f"PRAGMA user_version = {version}")
    finally:
        await conn.rollback()


async def _user_version(conn: aiosqlite.Connection) -> int:
    rows = list(await conn.execute_fetchall("PRAGMA user_version"))
    return int(rows[0][0]) if rows else 0


async def _migrate(conn: aiosqlite.Connection, target: int | None = None) -> None:
    """Apply each pending migration in its own transaction, bumping PRAGMA user_version."""
    current = await _user_version(conn)
    for migration in migrations():
        if migration.version <= current or (target is not None and migration.version > target):
            continue
        version = f"PRAGMA user_version = {migration.version}"
        script = f"BEGIN IMMEDIATE;\n{migration.sql}\n;{version};\nCOMMIT;"
        try:
            await conn.executescript(script)
        except BaseException:
            if conn.in_transaction:
                await conn.rollback()
            raise


async def migrate_file(path: Path, target: int | None = None) -> None:
    """Bring a file to `target` version (all by default). Tests use it to build old schemas."""
    conn = await _connect(path)
    try:
        await _migrate(conn, target)
    finally:
        await conn.close()


async def check_file(path: Path) -> None:
    """What `python -m bot` does before it starts: open (creating) the file, bring it up to
    date, read every page if the file is small enough (VERIFY_MAX_BYTES), close.
    DatabaseUnusable says what is wrong."""
    db = await Database.open(path, verify=_small_enough_to_verify(path))
    await db.close()


def _small_enough_to_verify(path: Path) -> bool:
    return not path.exists() or path.stat().st_size <= VERIFY_MAX_BYTES


async def record_handled(tx: AnyTx, mark: HandledMark, marks_so_far: int) -> None:
    """The update's handled mark in its first write transaction, on either backend (the
    PostgreSQL one's too, storage/postgres.py): a second copy of the update, here or in
    another process on the same database, finds it and raises UpdateAlreadyHandled. Old
    marks are pruned every PRUNE_HANDLED_EVERY marks."""
    if marks_so_far % PRUNE_HANDLED_EVERY == 1:
        await tx.execute(
            "DELETE FROM processed_updates WHERE processed_at < ?",
            (to_ts(mark.at - HANDLED_KEEP_FOR),),
        )
    inserted = await tx.execute_rowcount(
        "INSERT INTO processed_updates (update_id, processed_at) VALUES (?, ?)"
        " ON CONFLICT DO NOTHING",
        (mark.update_id, to_ts(mark.at)),
    )
    if inserted != 1:
        raise UpdateAlreadyHandled(mark.update_id)

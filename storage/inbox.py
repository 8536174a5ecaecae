"""The inbox: every update as it was received, kept before Telegram is told it arrived.

Python-telegram-bot confirms a polled update with its next getUpdates, and a webhook update
with the 200 it answers, both before the update is handled: a crash in between would lose it.
So each update is written here first (bot/runtime/inbox.py) and handled from here; on start
what was kept and not handled is handled.

Why a file of its own beside the database (`<database>-inbox`) and not a table in it: the
receipt must not queue behind a long write on the database's write lock (a 100,000-row
/import holds it for seconds, while Telegram keeps posting). Which update was *handled* is
decided in the main database (processed_updates, written in the same transaction as what the
handler wrote, see storage.db.Database.transaction); the inbox's own handled mark is only
what lets it skip and prune the rows, so losing one to a crash costs a look at the main
database on start, or one more answer to a command that only read.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import json
import logging
from pathlib import Path

import aiosqlite

from storage.db import is_disk_full, private_database_files, private_dir, to_ts

log = logging.getLogger(__name__)

# Handled rows are kept this long: Telegram redelivers an unconfirmed update within a day,
# and one received again while its row is here is recognised and skipped.
KEEP_FOR = dt.timedelta(days=2)
PRUNE_EVERY = 500

_SCHEMA = """
CREATE TABLE IF NOT EXISTS inbox (
    seq         INTEGER PRIMARY KEY,     -- receipt order
    update_id   INTEGER NOT NULL UNIQUE,
    body        TEXT    NOT NULL,        -- the update's JSON, as received
    received_at INTEGER NOT NULL,
    handled_at  INTEGER,
    replays     INTEGER NOT NULL DEFAULT 0  -- times its handling began after a restart
);
CREATE INDEX IF NOT EXISTS inbox_unhandled ON inbox (seq) WHERE handled_at IS NULL;
CREATE INDEX IF NOT EXISTS inbox_handled_at ON inbox (handled_at) WHERE handled_at IS NOT NULL;
"""


# An update waiting to be kept: its id, body, receipt time and who waits for the answer.
_Receipt = tuple[int, str, int, "asyncio.Future[bool]"]


def inbox_path(database_path: Path) -> Path:
    return Path(f"{database_path}-inbox")


class Inbox:
    def __init__(self, path: Path, conn: aiosqlite.Connection) -> None:
        self.path = path
        self._conn = conn
        self._marks = 0
        # Each write sets the connection's synchronous level first; the lock keeps another
        # task's write from coming between the two.
        self._lock = asyncio.Lock()
        self._to_keep: list[_Receipt] = []
        self._keeper: asyncio.Task[None] | None = None
        self._to_mark: list[int] = []
        self._mark_at: dt.datetime | None = None
        self._marker: asyncio.Task[None] | None = None

    @classmethod
    async def open(cls, database_path: Path) -> Inbox:
        path = inbox_path(database_path)
        private_dir(path.parent)
        private_database_files(path)  # only the bot's user may read what members sent
        conn = await aiosqlite.connect(path, isolation_level=None)
        try:
            await conn.execute("PRAGMA journal_mode = WAL")
            await conn.executescript(_SCHEMA)
        except BaseException:
            await conn.close()
            raise
        return cls(path, conn)

    async def close(self) -> None:
        await self.settle()
        await self._conn.close()

    async def settle(self) -> None:
        """Wait until the marks asked for with mark_soon are written (close, tests)."""
        while self._marker is not None and not self._marker.done():
            await asyncio.wait({self._marker})

    async def keep(self, update_id: int, body: str, at: dt.datetime) -> bool:
        """Keep an update on receipt. False if it was received before: a redelivery, handled
        or queued already.

        Updates received at the same time (webhook posts, a burst) are kept by one synced
        commit (group commit): each sync costs 3-5 ms here, and one per update would let
        updates in no faster than about 250 a second."""
        waiting: asyncio.Future[bool] = asyncio.get_running_loop().create_future()
        self._to_keep.append((update_id, body, to_ts(at), waiting))
        if self._keeper is None or self._keeper.done():
            self._keeper = asyncio.create_task(self._keep_waiting(), name="inbox-keep")
        return await waiting

    async def _keep_waiting(self) -> None:
        async with self._lock:
            while self._to_keep:
                batch, self._to_keep = self._to_keep, []
                try:
                    new = await self._insert(batch)
                except Exception as err:
                    for *_, waiting in batch:
                        waiting.set_exception(err)
                    continue
                for update_id, _, _, waiting in batch:
                    waiting.set_result(update_id in new)
                    new.discard(update_id)  # a second copy in the same batch was not new

    async def _insert(self, batch: list[_Receipt]) -> set[int]:
        """One statement, so one commit; the ids that were not there before."""
        # FULL: the receipt is on disk (the WAL synced) before Telegram hears it arrived,
        # so that even a power cut after the confirmation keeps it.
        await self._conn.execute("PRAGMA synchronous = FULL")
        rows = await self._conn.execute_fetchall(
            "INSERT OR IGNORE INTO inbox (update_id, body, received_at)"
            " SELECT value ->> 0, value ->> 1, value ->> 2 FROM json_each(?) ORDER BY key"
            " RETURNING update_id",
            (json.dumps([[update_id, body, at] for update_id, body, at, _ in batch]),),
        )
        return {int(row[0]) for row in rows}

    def mark_soon(self, update_id: int, at: dt.datetime) -> None:
        """mark_handled, off the update's path: the marks of the updates handled meanwhile
        are written together by a task, after the reply (a mark lost to a crash costs what a
        lost one costs, see the module docstring, and nothing else)."""
        self._to_mark.append(update_id)
        self._mark_at = at
        if self._marker is None or self._marker.done():
            self._marker = asyncio.create_task(self._mark_waiting(), name="inbox-mark")

    async def _mark_waiting(self) -> None:
        while self._to_mark and self._mark_at is not None:
            batch, self._to_mark = self._to_mark, []
            try:
                await self.mark_handled(batch, self._mark_at)
            except Exception as err:
                # A full disk is told once, by the write that failed (bot/runtime/faults.py).
                level = logging.DEBUG if is_disk_full(err) else logging.WARNING
                log.log(level, "could not mark updates %s handled in the inbox: %s", batch, err)

    async def mark_handled(self, update_ids: list[int], at: dt.datetime) -> None:
        self._marks += 1
        if self._marks % PRUNE_EVERY == 1:
            await self.prune(at)
        if not update_ids:
            return
        ids, ts = _json_ints(update_ids), to_ts(at)
        raw = self._conn._conn

        def in_thread() -> None:  # both statements in one hop to the connection's thread
            # NORMAL: a mark lost to a power cut costs a look at the main database on start
            # (or one more answer to a read), not a synced write per update.
            raw.execute("PRAGMA synchronous = NORMAL")
            raw.execute(
                "UPDATE inbox SET handled_at = ? WHERE handled_at IS NULL AND update_id IN"
                " (SELECT value FROM json_each(?))",
                (ts, ids),
            )

        async with self._lock:
            await self._conn._execute(in_thread)  # type: ignore[no-untyped-call]

    async def unhandled(self) -> list[tuple[int, str, int]]:
        """(update_id, body, replays) of every update kept and not marked handled, in
        receipt order."""
        rows = await self._conn.execute_fetchall(
            "SELECT update_id, body, replays FROM inbox WHERE handled_at IS NULL ORDER BY seq"
        )
        return [(int(row[0]), str(row[1]), int(row[2])) for row in rows]

    async def waiting(self) -> int:
        """How many updates are kept and not yet marked handled (/health)."""
        rows = list(
            await self._conn.execute_fetchall("SELECT count(*) FROM inbox WHERE handled_at IS NULL")
        )
        return int(rows[0][0])

    async def count_replays(self, update_ids: list[int]) -> None:
        """One more replay of each, as its handling begins (synced: a crash during the replay
        is what it counts)."""
        if not update_ids:
            return
        async with self._lock:
            await self._conn.execute("PRAGMA synchronous = FULL")
            await self._conn.execute(
                "UPDATE inbox SET replays = replays + 1 WHERE update_id IN"
                " (SELECT value FROM json_each(?))",
                (_json_ints(update_ids),),
            )

    async def prune(self, at: dt.datetime) -> None:
        """Forget handled updates older than KEEP_FOR (an indexed range delete)."""
        await self._conn.execute(
            "DELETE FROM inbox WHERE handled_at IS NOT NULL AND handled_at < ?",
            (to_ts(at - KEEP_FOR),),
        )


def _json_ints(values: list[int]) -> str:
    return "[" + ",".join(str(int(v)) for v in values) + "]"

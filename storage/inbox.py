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
from pathlib import Path

import aiosqlite

from storage.db import private_database_files, private_dir, to_ts

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
    replays     INTEGER NOT NULL DEFAULT 0  -- times queued again after a restart
);
CREATE INDEX IF NOT EXISTS inbox_unhandled ON inbox (seq) WHERE handled_at IS NULL;
CREATE INDEX IF NOT EXISTS inbox_handled_at ON inbox (handled_at) WHERE handled_at IS NOT NULL;
"""


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
        await self._conn.close()

    async def keep(self, update_id: int, body: str, at: dt.datetime) -> bool:
        """Keep an update on receipt (one statement, so one synced commit). False if it was
        received before: a redelivery, handled or queued already."""
        async with self._lock:
            # FULL: the receipt is on disk (the WAL synced) before Telegram hears it arrived,
            # so that even a power cut after the confirmation keeps it (3-5 ms here).
            await self._conn.execute("PRAGMA synchronous = FULL")
            cursor = await self._conn.execute(
                "INSERT OR IGNORE INTO inbox (update_id, body, received_at) VALUES (?, ?, ?)",
                (update_id, body, to_ts(at)),
            )
            kept = cursor.rowcount == 1
            await cursor.close()
        return kept

    async def mark_handled(self, update_ids: list[int], at: dt.datetime) -> None:
        self._marks += 1
        if self._marks % PRUNE_EVERY == 1:
            await self.prune(at)
        if not update_ids:
            return
        async with self._lock:
            # NORMAL: a mark lost to a power cut costs a look at the main database on start
            # (or one more answer to a read), not a synced write per update.
            await self._conn.execute("PRAGMA synchronous = NORMAL")
            await self._conn.execute(
                "UPDATE inbox SET handled_at = ? WHERE handled_at IS NULL AND update_id IN"
                " (SELECT value FROM json_each(?))",
                (to_ts(at), _json_ints(update_ids)),
            )

    async def unhandled(self) -> list[tuple[int, str, int]]:
        """(update_id, body, replays) of every update kept and not marked handled, in
        receipt order."""
        rows = await self._conn.execute_fetchall(
            "SELECT update_id, body, replays FROM inbox WHERE handled_at IS NULL ORDER BY seq"
        )
        return [(int(row[0]), str(row[1]), int(row[2])) for row in rows]

    async def count_replays(self, update_ids: list[int]) -> None:
        """One more replay of each (synced: a crash during the replay is what it counts)."""
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

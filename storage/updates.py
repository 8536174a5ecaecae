"""Update ids already handled: Telegram redelivers updates the bot did not acknowledge."""

from __future__ import annotations

import datetime as dt

from storage.db import Database, to_ts

# Telegram may reuse ids after a week of silence, so old ids are forgotten.
KEEP_FOR = dt.timedelta(days=2)
PRUNE_EVERY = 500


class ProcessedUpdates:
    def __init__(self, db: Database) -> None:
        self.db = db
        self._claims = 0

    async def claim(self, update_id: int, at: dt.datetime) -> bool:
        """True the first time an update id is seen; False for a redelivery."""
        self._claims += 1
        async with self.db.transaction() as tx:
            if self._claims % PRUNE_EVERY == 1:
                await tx.execute(
                    "DELETE FROM processed_updates WHERE processed_at < ?", (to_ts(at - KEEP_FOR),)
                )
            inserted = await tx.execute_rowcount(
                "INSERT OR IGNORE INTO processed_updates (update_id, processed_at) VALUES (?, ?)",
                (update_id, to_ts(at)),
            )
        return inserted == 1

    async def remembered(self) -> int:
        """How many update ids are kept (those handled in the last KEEP_FOR, about)."""
        row = await self.db.fetchone("SELECT count(*) FROM processed_updates")
        return int(row[0]) if row else 0

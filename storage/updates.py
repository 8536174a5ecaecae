"""Update ids already handled: Telegram redelivers updates the bot did not acknowledge.

The ids are written by storage.db.Database.transaction, in the transaction of what each
update wrote; this module only reads them, on the reader connection (never waiting for the
writer)."""

from __future__ import annotations

from collections.abc import Collection

from storage.backend import Db


class ProcessedUpdates:
    def __init__(self, db: Db) -> None:
        self.db = db

    async def handled_among(self, update_ids: Collection[int]) -> set[int]:
        """Which of these ids were handled (the updates a restart finds kept)."""
        rows = await self.db.fetchall(
            "SELECT update_id FROM processed_updates WHERE update_id IN"
            " (SELECT value FROM json_each(?))",
            ("[" + ",".join(str(int(i)) for i in update_ids) + "]",),
        )
        return {int(row[0]) for row in rows}

    async def remembered(self) -> int:
        """How many update ids are kept (those handled in the last KEEP_FOR, about)."""
        row = await self.db.fetchone("SELECT count(*) FROM processed_updates")
        return int(row[0]) if row else 0

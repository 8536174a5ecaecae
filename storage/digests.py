"""The digests sent: one row per chat and digest day (see migration 007)."""

from __future__ import annotations

import datetime as dt

from bot.domain.records import DigestDelivery
from storage.backend import Db, Row
from storage.db import from_ts, from_ts_or_none, to_ts


class DigestsSent:
    def __init__(self, db: Db) -> None:
        self.db = db

    async def begin(
        self, chat_id: int, day: dt.date, as_of: dt.datetime, *, late: bool
    ) -> DigestDelivery:
        """The delivery of this chat's digest for `day`: the one begun before (sent, or cut
        short by a failure or a restart), or a new one as of `as_of`."""
        async with self.db.transaction() as tx:
            await tx.execute(
                "INSERT INTO digests_sent (chat_id, digest_day, as_of, late)"
                " VALUES (?, ?, ?, ?) ON CONFLICT DO NOTHING",
                (chat_id, day.isoformat(), to_ts(as_of), int(late)),
            )
            row = await tx.fetchone(
                "SELECT * FROM digests_sent WHERE chat_id = ? AND digest_day = ?",
                (chat_id, day.isoformat()),
            )
        assert row is not None
        return _delivery(row)

    async def part_sent(self, chat_id: int, day: dt.date, parts_sent: int) -> None:
        async with self.db.transaction() as tx:
            await tx.execute(
                "UPDATE digests_sent SET parts_sent = ? WHERE chat_id = ? AND digest_day = ?",
                (parts_sent, chat_id, day.isoformat()),
            )

    async def finish(self, chat_id: int, day: dt.date, at: dt.datetime) -> None:
        async with self.db.transaction() as tx:
            await tx.execute(
                "UPDATE digests_sent SET sent_at = ? WHERE chat_id = ? AND digest_day = ?",
                (to_ts(at), chat_id, day.isoformat()),
            )

    async def latest_per_chat(self) -> list[DigestDelivery]:
        """Each chat's last digest delivered (sent_at set), by chat id."""
        rows = await self.db.fetchall(
            "SELECT d.* FROM digests_sent d"
            " WHERE d.sent_at IS NOT NULL AND d.digest_day = ("
            "   SELECT max(digest_day) FROM digests_sent"
            "    WHERE chat_id = d.chat_id AND sent_at IS NOT NULL)"
            " ORDER BY d.chat_id"
        )
        return [_delivery(row) for row in rows]


def _delivery(row: Row) -> DigestDelivery:
    return DigestDelivery(
        chat_id=int(row["chat_id"]),
        day=dt.date.fromisoformat(row["digest_day"]),
        as_of=from_ts(row["as_of"]),
        late=bool(row["late"]),
        parts_sent=int(row["parts_sent"]),
        sent_at=from_ts_or_none(row["sent_at"]),
    )

"""Members' Telegram names (bot.domain.people), kept as their updates bring them."""

from __future__ import annotations

import datetime as dt
import json
import logging
import sqlite3
from collections.abc import Iterable

from bot.domain.people import Name
from storage.backend import Db, Row, Tx
from storage.db import is_disk_full, to_ts

log = logging.getLogger(__name__)


class People:
    def __init__(self, db: Db) -> None:
        self.db = db
        # The name last written for each user: an update with the same name writes nothing
        # (most updates), so keeping names costs a look-up here, not a write transaction.
        self._written: dict[int, Name] = {}

    def unchanged(self, user_id: int, name: Name) -> bool:
        """True if `name` is the one last kept for the user (no database asked)."""
        return self._written.get(user_id) == name

    async def keep(self, user_id: int, name: Name, at: dt.datetime) -> bool:
        """Keep the user's name; True if it was new or had changed. A full disk is no reason
        to fail the update that brought the name: it is kept with a later one."""
        if self.unchanged(user_id, name):
            return False
        stored = await names_of(self.db, [user_id])
        changed = stored.get(user_id) != name
        if changed:
            try:
                # Not the update's own write: the command it carries takes its handled mark.
                async with self.db.transaction(of_update=False) as tx:
                    await tx.execute(
                        "INSERT INTO people (user_id, first_name, last_name, username, seen_at)"
                        " VALUES (?, ?, ?, ?, ?)"
                        " ON CONFLICT (user_id) DO UPDATE SET first_name = excluded.first_name,"
                        " last_name = excluded.last_name, username = excluded.username,"
                        " seen_at = excluded.seen_at",
                        (user_id, name.first, name.last, name.username, to_ts(at)),
                    )
            except (sqlite3.Error, OSError) as err:
                if not is_disk_full(err):
                    raise
                log.warning("the name of user %s is not kept: the disk is full", user_id)
                return False
        self._written[user_id] = name
        return changed


async def names_of(db: Db | Tx, user_ids: Iterable[int]) -> dict[int, Name]:
    """The kept names of these users (those the bot has seen)."""
    wanted = sorted(set(user_ids))
    if not wanted:
        return {}
    rows = await db.fetchall(NAMES_SQL, (json.dumps(wanted),))
    return dict(name_of(row) for row in rows)


# The kept names of the users in a JSON array of ids.
NAMES_SQL = (
    "SELECT user_id, first_name, last_name, username FROM people"
    " WHERE user_id IN (SELECT value FROM json_each(?))"
)


def name_of(row: Row) -> tuple[int, Name]:
    return row["user_id"], Name(row["first_name"], row["last_name"], row["username"])

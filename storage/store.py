"""Everything the handlers may ask of the database, behind one object."""

from __future__ import annotations

from collections.abc import Collection
from pathlib import Path

from storage.audit import Audit
from storage.backup import Backups
from storage.cases import Cases
from storage.comebacks import Comebacks
from storage.db import Database
from storage.members import Members
from storage.packets import Packets
from storage.requests import RequestRounds
from storage.stats import Stats
from storage.updates import ProcessedUpdates


class Store:
    def __init__(self, db: Database, admin_ids: Collection[int]) -> None:
        self.db = db
        self.audit = Audit(db)
        self.backups = Backups(db, self.audit)
        self.members = Members(db, admin_ids)
        self.updates = ProcessedUpdates(db)
        self.cases = Cases(db)
        self.stats = Stats(db)
        self.requests = RequestRounds(db)
        self.comebacks = Comebacks(db)
        self.packets = Packets(db, self.requests)

    @classmethod
    async def open(cls, path: Path, admin_ids: Collection[int] = ()) -> Store:
        return cls(await Database.open(path), admin_ids)

    async def close(self) -> None:
        await self.db.close()

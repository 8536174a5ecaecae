"""Everything the handlers may ask of the database, behind one object."""

from __future__ import annotations

from collections.abc import Collection
from pathlib import Path

from bot.domain.records import DatabaseHealth
from storage.audit import Audit
from storage.backend import Db
from storage.backup import Backups
from storage.cases import Cases
from storage.comebacks import Comebacks
from storage.db import Database
from storage.digests import DigestsSent
from storage.evidence import Evidences
from storage.members import Members
from storage.packets import Packets
from storage.people import People
from storage.reports import Reports
from storage.requests import RequestRounds
from storage.stats import Stats
from storage.updates import ProcessedUpdates


class Store:
    def __init__(self, db: Db, admin_ids: Collection[int]) -> None:
        self.db = db
        self.audit = Audit(db)
        self.backups = Backups(db, self.audit)
        # Roles are remembered only where this process is the one bot on its database.
        self.members = Members(db, admin_ids, remember_roles=db.backend == "SQLite")
        self.people = People(db)
        self.updates = ProcessedUpdates(db)
        self.cases = Cases(db)
        self.stats = Stats(db)
        self.reports = Reports(db)
        self.requests = RequestRounds(db)
        self.comebacks = Comebacks(db)
        self.packets = Packets(db, self.requests)
        self.digests = DigestsSent(db)
        self.evidence = Evidences(db)

    @classmethod
    async def open(
        cls, path: Path, admin_ids: Collection[int] = (), *, database_url: str = ""
    ) -> Store:
        """The SQLite file at `path`, or the PostgreSQL database of `database_url` if set."""
        if database_url:
            from storage.postgres import PostgresDatabase  # psycopg: only for PostgreSQL

            return cls(await PostgresDatabase.open(database_url), admin_ids)
        return cls(await Database.open(path), admin_ids)

    async def health(self) -> DatabaseHealth:
        """For /health: the file, its schema, the digests delivered, the updates handled."""
        if isinstance(self.db, Database):
            where, size, wal = str(self.db.path), _size(self.db.path), _wal_size(self.db.path)
        else:  # PostgreSQL: the database's size on the server, no WAL of the bot's own
            from storage.postgres import PostgresDatabase

            assert isinstance(self.db, PostgresDatabase)
            row = await self.db.fetchone("SELECT pg_database_size(current_database())")
            where, size, wal = self.db.path, int(row[0]) if row else 0, 0
        return DatabaseHealth(
            backend=self.db.backend,
            path=where,
            file_bytes=size,
            wal_bytes=wal,
            schema_version=await self.db.schema_version(),
            digests=await self.digests.latest_per_chat(),
            updates_handled=await self.updates.remembered(),
        )

    async def close(self) -> None:
        await self.db.close()


def _wal_size(path: Path) -> int:
    return _size(Path(f"{path}-wal"))


def _size(path: Path) -> int:
    try:
        return path.stat().st_size
    except OSError:
        return 0

"""The audit log: who changed what, when, with the state before and after."""

from __future__ import annotations

import datetime as dt

from bot.domain.records import AuditEntry, AuditFilter, AuditPage
from storage.backend import Db, Row, Tx
from storage.db import from_ts, to_ts
from storage.people import names_of

REFUSALS_EVERY = dt.timedelta(hours=1)  # one refusal entry per stranger and hour, counted


class Audit:
    def __init__(self, db: Db) -> None:
        self.db = db

    @staticmethod
    async def record(
        tx: Tx,
        user_id: int,
        action: str,
        at: dt.datetime,
        *,
        case_id: int | None = None,
        before: str | None = None,
        after: str | None = None,
        detail: str = "",
    ) -> int:
        """Write one entry inside the caller's transaction; returns its id."""
        entry = await tx.fetchone(
            "INSERT INTO audit (at, user_id, action, case_id, before, after, detail)"
            " VALUES (?, ?, ?, ?, ?, ?, ?) RETURNING id",
            (to_ts(at), user_id, action, case_id, before, after, detail),
        )
        assert entry is not None
        return int(entry[0])

    async def add(self, user_id: int, action: str, at: dt.datetime, *, detail: str = "") -> int:
        """An entry on its own (a refused stranger, an internal error)."""
        async with self.db.transaction() as tx:
            return await self.record(tx, user_id, action, at, detail=detail)

    async def refused(self, user_id: int, at: dt.datetime, *, detail: str) -> int:
        """A stranger's attempt: counted on their refusal entry of the last hour, or a new
        entry (with the first attempt's detail) once an hour has passed; returns its id."""
        async with self.db.transaction() as tx:
            row = await tx.fetchone(
                "SELECT id FROM audit WHERE action = 'refused' AND user_id = ? AND at > ?"
                " ORDER BY at DESC LIMIT 1",
                (user_id, to_ts(at - REFUSALS_EVERY)),
            )
            if row is not None:
                await tx.execute(
                    "UPDATE audit SET attempts = attempts + 1 WHERE id = ?", (row["id"],)
                )
                return int(row["id"])
            return await self.record(tx, user_id, "refused", at, detail=detail)

    async def recent(self, *, case_id: int | None = None, limit: int = 20) -> list[AuditEntry]:
        return (await self.page(AuditFilter(case_id=case_id), offset=0, limit=limit)).entries

    async def page(self, wanted: AuditFilter, *, offset: int, limit: int) -> AuditPage:
        """Entries matching `wanted`, newest first, `limit` from `offset`, with how many
        match in all and the names of the members they name."""
        # Only the conditions asked for, so audit_by_case serves a case's entries.
        params = {
            name: value
            for name, value in (
                ("case_id", wanted.case_id),
                ("user_id", wanted.user_id),
                ("action", wanted.action),
            )
            if value is not None
        }
        where = " AND ".join([f"{name} = :{name}" for name in params] or ["1 = 1"])
        total = await self.db.fetchone(f"SELECT count(*) FROM audit WHERE {where}", params)
        assert total is not None
        rows = await self.db.fetchall(
            f"SELECT * FROM audit WHERE {where} ORDER BY id DESC LIMIT :limit OFFSET :offset",
            {**params, "limit": limit, "offset": offset},
        )
        entries = [_entry(row) for row in rows]
        no_such_case = False
        if wanted.case_id is not None and not total[0]:
            case = await self.db.fetchone("SELECT 1 FROM cases WHERE id = ?", (wanted.case_id,))
            no_such_case = case is None
        named = [entry.user_id for entry in entries]
        return AuditPage(
            entries=entries,
            total=int(total[0]),
            offset=offset,
            people=await names_of(self.db, [*named, *filter(None, [wanted.user_id])]),
            no_such_case=no_such_case,
        )


def _entry(row: Row) -> AuditEntry:
    return AuditEntry(
        id=row["id"],
        at=from_ts(row["at"]),
        user_id=row["user_id"],
        action=row["action"],
        case_id=row["case_id"],
        before=row["before"],
        after=row["after"],
        detail=row["detail"],
        attempts=row["attempts"],
    )

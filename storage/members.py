"""Members and their roles. ADMIN_IDS are admins whatever the table says."""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection

from bot.domain import Role
from bot.domain.records import Member
from storage.audit import Audit
from storage.backend import Db
from storage.db import from_ts, to_ts
from storage.people import names_of

# Roles remembered at most for this many users (strangers included): a flood of strangers
# empties the memory rather than growing it.
REMEMBER_ROLES = 10_000


class Members:
    def __init__(self, db: Db, admin_ids: Collection[int], *, remember_roles: bool = True
                 ) -> None:  # fmt: skip
        self.db = db
        self.admin_ids = frozenset(admin_ids)
        # Every update asks for its sender's role: a look-up here, not a round trip. Exact
        # when this process is the only one writing the database (SQLite, storage/lock.py)
        # and every change of a role goes through grant and revoke, which forget what was
        # remembered; not with replicas on PostgreSQL, where another process may revoke.
        self._remember_roles = remember_roles
        self._roles: dict[int, Role | None] = {}
        self._changes = 0  # grants and revokes: a look-up that saw one begin is not kept

    async def role_of(self, user_id: int) -> Role | None:
        """The user's role, or None for a stranger."""
        if user_id in self.admin_ids:
            return Role.ADMIN
        if user_id in self._roles:
            return self._roles[user_id]
        changes = self._changes
        row = await self.db.fetchone("SELECT role FROM members WHERE user_id = ?", (user_id,))
        role = Role.from_key(row["role"]) if row else None
        if changes == self._changes:  # else it may have read the role a grant replaced
            self._remember(user_id, role)
        return role

    def _remember(self, user_id: int, role: Role | None) -> None:
        if not self._remember_roles:
            return
        if len(self._roles) >= REMEMBER_ROLES:
            self._roles.clear()
        self._roles[user_id] = role

    def _changing(self) -> None:
        self._changes += 1
        self._roles.clear()  # nothing read before the change is trusted after it

    async def grant(self, user_id: int, role: Role, *, by: int, at: dt.datetime) -> Role | None:
        """Give `user_id` a role; returns the role they had before (None if new)."""
        self._changing()
        async with self.db.transaction() as tx:
            row = await tx.fetchone("SELECT role FROM members WHERE user_id = ?", (user_id,))
            before = row["role"] if row else None
            await tx.execute(
                "INSERT INTO members (user_id, role, granted_by, granted_at)"
                " VALUES (?, ?, ?, ?)"
                " ON CONFLICT (user_id) DO UPDATE SET role = excluded.role,"
                " granted_by = excluded.granted_by, granted_at = excluded.granted_at",
                (user_id, role.key, by, to_ts(at)),
            )
            await Audit.record(
                tx, by, "grant", at, before=before, after=role.key, detail=f"user {user_id}"
            )
        self._changing()
        return Role.from_key(before) if before else None

    async def revoke(self, user_id: int, *, by: int, at: dt.datetime) -> Role | None:
        """Remove a member; returns the role they had (None if they were not a member)."""
        self._changing()
        async with self.db.transaction() as tx:
            row = await tx.fetchone("SELECT role FROM members WHERE user_id = ?", (user_id,))
            if row is None:
                return None
            await tx.execute("DELETE FROM members WHERE user_id = ?", (user_id,))
            await Audit.record(
                tx, by, "revoke", at, before=row["role"], after=None, detail=f"user {user_id}"
            )
        self._changing()
        return Role.from_key(row["role"])

    async def all(self) -> list[Member]:
        """Every member: the ADMIN_IDS admins first, then by role (highest first) and user
        id, each with the name their updates brought (bot.domain.people)."""
        rows = [
            row
            for row in await self.db.fetchall("SELECT * FROM members ORDER BY user_id")
            if row["user_id"] not in self.admin_ids  # ADMIN_IDS: admins whatever the row says
        ]
        by_setting = sorted(self.admin_ids)
        names = await names_of(self.db, [*by_setting, *(row["user_id"] for row in rows)])
        granted = [
            Member(
                user_id=row["user_id"],
                role=Role.from_key(row["role"]),
                name=names.get(row["user_id"]),
                granted_by=row["granted_by"],
                granted_at=from_ts(row["granted_at"]),
            )
            for row in rows
        ]
        return [
            *(
                Member(user_id, Role.ADMIN, names.get(user_id), None, None)
                for user_id in by_setting
            ),
            *sorted(granted, key=lambda member: -member.role),  # stable: by user id within a role
        ]

"""The /revoke reply. HTML."""

from __future__ import annotations

from bot.domain import Role


def revoked(user_id: int, before: Role | None) -> str:
    if before is None:
        return f"User {user_id} was not a member."
    return f"User {user_id} ({before.key}) is no longer a member."

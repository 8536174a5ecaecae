"""The /grant replies (and the ADMIN_IDS refusal /revoke shares). HTML."""

from __future__ import annotations

from bot.domain import Role


def admin_by_setting(user_id: int) -> str:
    """An ADMIN_IDS admin's role is the setting's: /grant and /revoke leave it alone."""
    return f"{user_id} is an admin through ADMIN_IDS; change the setting instead."


def shared_id_refused(user_id: int) -> str:
    return (
        f"{user_id} is not a person: Telegram sends the posts of every channel or anonymous "
        "admin as this id, so it cannot have a role."
    )


def granted(user_id: int, role: Role, before: Role | None) -> str:
    was = f" (was {before.key})" if before else ""
    return f"User {user_id} is now <b>{role.key}</b>{was}."

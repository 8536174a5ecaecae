"""Replies of /grant that are more than one fixed line."""

from __future__ import annotations


def shared_id_refused(user_id: int) -> str:
    return (
        f"{user_id} is not a person: Telegram sends the posts of every channel or anonymous "
        "admin as this id, so it cannot have a role."
    )

"""Who may see whom: the people who report accounts are who militant groups would target.

Pure: imports neither telegram nor aiosqlite.
"""

from __future__ import annotations

from bot.domain import Role

# Telegram's shared pseudo-users: a channel's posts in a group come "from" Channel_Bot, an
# anonymous group admin's from GroupAnonymousBot. Anyone may post as them: never a member.
CHANNEL_BOT = 136817688
ANONYMOUS_ADMIN_BOT = 1087968824
SHARED_IDS = frozenset({CHANNEL_BOT, ANONYMOUS_ADMIN_BOT})


def may_see_people(role: Role | None, *, private_chat: bool) -> bool:
    """Who reported or acted on a case (ids, names, forwarded authors): reviewers and admins,
    in a private chat only. Everyone else sees counts ("3 reports")."""
    return private_chat and role is not None and role >= Role.REVIEWER


def is_shared_id(user_id: int) -> bool:
    return user_id in SHARED_IDS

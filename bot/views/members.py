"""The /members reply: every member with their role and name. HTML."""

from __future__ import annotations

from collections.abc import Sequence
from zoneinfo import ZoneInfo

from bot.domain.records import Member
from bot.views.common import esc, local_time

MEMBERS_IN_PRIVATE = "The list names the team's members: ask for it in a private chat with me."
NO_NAME = "name not seen yet"


def member_line(member: Member, tz: ZoneInfo) -> str:
    name = member.name.full if member.name is not None and member.name.full else NO_NAME
    if member.granted_at is None:  # an admin through the setting, never granted
        how = "through ADMIN_IDS"
    else:
        how = f"since {local_time(member.granted_at, tz)}"
    return f"<b>{member.role.key}</b> {esc(name)} ({member.user_id}), {how}"


def members_list(members: Sequence[Member], tz: ZoneInfo) -> str:
    if not members:
        return "No members yet: /grant &lt;user_id&gt; &lt;role&gt; adds one."
    lines = [member_line(member, tz) for member in members]
    return f"<b>Members: {len(members)}</b>\n" + "\n".join(lines)

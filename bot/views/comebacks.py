"""Comebacks as users see them: the /comebacks reply, the /flag warning, the card lines and the
digest section. HTML; every user string through `esc`."""

from __future__ import annotations

from zoneinfo import ZoneInfo

from bot.domain import Platform
from bot.domain.accounts import AccountRef
from bot.domain.comebacks import Comeback
from bot.domain.records import ComebackList
from bot.views.common import esc, local_time


def _actioned_note(comeback: Comeback, tz: ZoneInfo) -> str:
    if comeback.original_actioned_at is None:
        return ""
    day = local_time(comeback.original_actioned_at, tz)[:10]
    return f" ({esc(comeback.original_outcome or 'actioned')} {day})"


def _across(comeback: Comeback) -> str:
    """` x:@name on X, another platform` for a comeback across platforms, else ""."""
    if not comeback.across_platforms or comeback.original_platform is None:
        return ""
    original = AccountRef(comeback.original_platform, comeback.original_handle)
    return f" {esc(original.short)} on {esc(comeback.original_platform.label)}, another platform"


def describe(comeback: Comeback, tz: ZoneInfo) -> str:
    """`looks like a comeback of #123 (removed 2026-10-02)`, HTML."""
    return (
        f"looks like a comeback of #{comeback.original_case_id}{_across(comeback)}"
        f"{_actioned_note(comeback, tz)}"
    )


def list_line(comeback: Comeback, tz: ZoneInfo) -> str:
    """One line of /comebacks and of the digest section."""
    return (
        f"#{comeback.case_id} {esc(comeback.platform.label)} {esc(comeback.handle)} "
        f"← #{comeback.original_case_id} {esc(comeback.original_handle)}{_across(comeback)}"
        f"{_actioned_note(comeback, tz)}"
    )


def comebacks_text(found: ComebackList, platform: Platform | None, tz: ZoneInfo) -> str:
    """The /comebacks reply: the newest open cases that look like actioned accounts."""
    where = f" on {platform.label}" if platform else ""
    if not found.comebacks:
        return f"No open case{where} looks like an actioned account."
    title = f"<b>Comebacks{where}: {found.total}</b> (open case ← actioned account it looks like)"
    lines = [title, *(list_line(item, tz) for item in found.comebacks)]
    if found.total > len(found.comebacks):
        lines.append(f"Showing the newest {len(found.comebacks)}.")
    return "\n".join(lines)


def flag_note(found: ComebackList, tz: ZoneInfo) -> str:
    """Appended to the /flag reply: a warning line for each of the best few actioned cases
    this one looks like, and how many more the card lists."""
    lines = [f"\n⚠️ #{item.case_id} {describe(item, tz)}" for item in found.comebacks]
    more = found.total - len(found.comebacks)
    if more > 0 and found.comebacks:
        lines.append(f"\n… and {more} more: /status #{found.comebacks[0].case_id}")
    return "".join(lines)


def card_lines(comebacks: list[Comeback], case_id: int, tz: ZoneInfo) -> str:
    """Appended to the /status card: the links of the case, in both directions."""
    lines = []
    for item in comebacks:
        if item.case_id == case_id:
            lines.append(f"Comeback: {describe(item, tz)}")
        else:
            lines.append(
                f"Comeback: #{item.case_id} {esc(item.handle)} looks like this account "
                f"(found {local_time(item.found_at, tz)[:10]})"
            )
    return "".join(f"\n{line}" for line in lines)


def digest_section(found: ComebackList, tz: ZoneInfo) -> str:
    """The digest's comeback section (last 24 h); empty text when there is nothing new."""
    if not found.total:
        return ""
    lines = [f"<b>Comebacks (last 24 h): {found.total}</b>"]
    lines += [list_line(item, tz) for item in found.comebacks]
    if found.total > len(found.comebacks):
        lines.append(f"… and {found.total - len(found.comebacks)} more: /comebacks")
    return "\n".join(lines)

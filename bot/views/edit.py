"""The /edit reply: each field's before and after. HTML."""

from __future__ import annotations

from bot.domain.records import CaseChanged
from bot.views.common import account_link, esc, one_line


def edited(result: CaseChanged) -> str:
    case = f"#{result.case_id} {account_link(result.account)}"
    if not result.changes:
        return f"Case {case}: nothing to change, it already has those values."
    lines = [f"Case {case} edited:"]
    lines += [
        f"{esc(c.name)}: {one_line(c.before, 60)} → {one_line(c.after, 60)}" for c in result.changes
    ]
    if any(c.name == "followers" for c in result.changes):
        lines.append("Rounds already actioned keep the followers the account had then.")
    return "\n".join(lines)

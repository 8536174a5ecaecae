"""The reply of /audit. Every member's text on one line, so no entry can forge another."""

from __future__ import annotations

from collections.abc import Sequence
from zoneinfo import ZoneInfo

from bot.domain.records import AuditEntry
from bot.views.common import esc, local_time, one_line

AUDIT_IN_PRIVATE = "The audit names the team's members: ask for it in a private chat with me."


def audit_line(entry: AuditEntry, tz: ZoneInfo) -> str:
    change = ""
    if entry.before is not None or entry.after is not None:
        change = f" {one_line(entry.before or '-', 40)} → {one_line(entry.after or '-', 40)}"
    case = f" #{entry.case_id}" if entry.case_id else ""
    times = f" ×{entry.attempts} within the hour" if entry.attempts > 1 else ""
    detail = f" ({one_line(entry.detail, 80)})" if entry.detail else ""
    return (
        f"{local_time(entry.at, tz)} user {entry.user_id} {esc(entry.action)}{case}"
        f"{change}{times}{detail}"
    )


def audit_list(entries: Sequence[AuditEntry], case_id: int | None, tz: ZoneInfo) -> str:
    if not entries:
        return "No audit entries yet."
    title = f"Audit of #{case_id}" if case_id else "Recent audit entries"
    return f"<b>{title}</b>\n" + "\n".join(audit_line(entry, tz) for entry in entries)

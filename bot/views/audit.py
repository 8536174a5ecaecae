"""The reply of /audit. Every member's text on one line, so no entry can forge another."""

from __future__ import annotations

from zoneinfo import ZoneInfo

from bot.domain.people import People, person
from bot.domain.records import AuditEntry, AuditFilter, AuditPage
from bot.grammar.audit import AuditQuery
from bot.views.common import esc, local_time, one_line, page_footer, plural

AUDIT_IN_PRIVATE = "The audit names the team's members: ask for it in a private chat with me."


def audit_line(entry: AuditEntry, people: People, tz: ZoneInfo) -> str:
    change = ""
    if entry.before is not None or entry.after is not None:
        change = f" {one_line(entry.before or '-', 40)} → {one_line(entry.after or '-', 40)}"
    case = f" #{entry.case_id}" if entry.case_id else ""
    times = f" ×{entry.attempts} within the hour" if entry.attempts > 1 else ""
    detail = f" ({one_line(entry.detail, 80)})" if entry.detail else ""
    who = esc(person(entry.user_id, people))
    return f"{local_time(entry.at, tz)} {who} {esc(entry.action)}{case}{change}{times}{detail}"


def audit_list(page: AuditPage, query: AuditQuery, tz: ZoneInfo) -> str:
    wanted = query.wanted
    if page.no_such_case:
        return f"There is no case #{wanted.case_id}."
    if page.total == 0:
        return "No audit entries match." if wanted != AuditFilter() else "No audit entries yet."
    title = f"Audit of #{wanted.case_id}" if wanted.case_id else "Audit"
    if wanted.user_id is not None:
        title += f" by {esc(person(wanted.user_id, page.people))}"
    if wanted.action is not None:
        title += f", action {esc(wanted.action)}"
    lines = [f"<b>{title}: {plural(page.total, 'entry', 'entries')}</b>, newest first"]
    lines += [audit_line(entry, page.people, tz) for entry in page.entries]
    footer = page_footer(page.total, page.offset, len(page.entries), query.command(query.page + 1))
    return "\n".join([*lines, footer] if footer else lines)

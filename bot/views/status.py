"""The /status reply: the case card, as HTML. Pure formatting.

Every user-supplied string goes through `esc`; line breaks inside user text are flattened so
no HTML tag spans two lines (views.common.split_message splits between lines).
"""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from bot.domain import CaseState
from bot.domain.accounts import AccountRef
from bot.domain.compliance import is_overdue
from bot.domain.people import person
from bot.domain.records import (
    CaseCard,
)
from bot.views.common import (
    account_link,
    esc,
    followers_text,
    local_time,
    one_line,
)
from bot.views.figures import hours

NOTE_PREVIEW = 200


def case_card(
    card: CaseCard, tz: ZoneInfo, *, show_people: bool, now: dt.datetime, sla: dt.timedelta
) -> str:
    """The card; who reported, captured evidence, forwarded it and acted on the case only
    with `show_people` (bot.domain.privacy.may_see_people): else the counts alone. An open
    round SLA old is marked overdue, as /pending marks it."""
    account = card.account
    lines = [
        f"<b>Case #{card.id}</b> · {esc(account.platform.label)} <code>{esc(account.short)}</code>",
        f'Link: <a href="{esc(account.url)}">{esc(account.url)}</a>',
        f"Group: {esc(card.group)} · Category: {esc(card.category)}",
        f"Followers (last known): {followers_text(card.followers)}",
        f"State: <b>{esc(card.state)}</b>",
    ]
    if card.state is CaseState.DISMISSED and card.dismissed_reason is not None:
        lines.append(f"Dismissed: {one_line(card.dismissed_reason, 300)}")
    people = card.people
    reporters = ", ".join(esc(person(user_id, people)) for user_id in card.reporters)
    if card.report_count > len(card.reporters):
        reporters += f" and {card.report_count - len(card.reporters)} more"
    if card.first_report_at and card.last_report_at:
        lines.append(
            f"<b>Reports: {card.report_count}</b> (first {local_time(card.first_report_at, tz)}, "
            f"last {local_time(card.last_report_at, tz)})"
            + (f" by {reporters}" if show_people else "")
        )
    for report in card.reports:
        details = [esc(report.category)]
        if report.followers is not None:
            details.append(f"{report.followers:,} followers")
        note = f": {one_line(report.note, NOTE_PREVIEW)}" if report.note else ""
        who = f" {esc(person(report.reporter_id, people))}" if show_people else " report"
        lines.append(f"• {local_time(report.reported_at, tz)}{who} ({', '.join(details)}){note}")
    if card.report_count > len(card.reports):
        lines.append(f"• … and {card.report_count - len(card.reports)} earlier reports")
    if card.evidence_count:
        lines.append(f"<b>Evidence: {card.evidence_count}</b>")
        for item in card.evidence:
            origin = ""
            if item.forward_origin and (show_people or _is_channel(item.forward_origin)):
                origin = f" from {one_line(item.forward_origin, 80)}"
            text = f": {one_line(item.text, 120)}" if item.text else ""
            by = f" by {esc(person(item.added_by, people))}" if show_people else ""
            lines.append(f"• {esc(item.kind)}{origin}, {local_time(item.added_at, tz)}{by}{text}")
    else:
        lines.append("Evidence: none")
    if card.rounds:
        lines.append("<b>Requests</b>")
    else:
        lines.append("Requests: none sent yet")
    for round_ in card.rounds:
        ref = f" ref {one_line(round_.ref, 60)}" if round_.ref else ""
        line = f"• Round {round_.round_no}: sent {local_time(round_.sent_at, tz)}{ref}"
        if round_.outcome is None or round_.outcome_at is None:
            line += " · no outcome yet"
            if card.state is not CaseState.DISMISSED and is_overdue(round_.sent_at, now, sla):
                line += (
                    f" · <b>OVERDUE</b> ({hours(now - round_.sent_at)} since sent,"
                    f" SLA {hours(sla)})"
                )
        else:
            took = round_.time_to_outcome or dt.timedelta()
            line += (
                f" · <b>{esc(round_.outcome)}</b> {local_time(round_.outcome_at, tz)} "
                f"(after {hours(took)})"
            )
        if round_.outcome_note:
            line += f" · {one_line(round_.outcome_note, 200)}"
        if round_.restored_at is not None:
            line += f" · restored {local_time(round_.restored_at, tz)}"
        lines.append(line)
    if card.notes:
        lines.append("<b>Notes</b>")
        for case_note in card.notes:
            by = f" by {esc(person(case_note.noted_by, people))}" if show_people else ""
            note = one_line(case_note.note, NOTE_PREVIEW)
            lines.append(f"• {local_time(case_note.noted_at, tz)}{by}: {note}")
    if card.history:
        lines.append("<b>History</b>")
        for entry in card.history:
            change = ""
            if entry.action in ("correct", "edit") and entry.before is not None:
                change = f" {one_line(entry.before, 60)} → {one_line(entry.after or '', 60)}"
            detail = f": {one_line(entry.detail, 200)}" if entry.detail else ""
            by = f" by {esc(person(entry.user_id, people))}" if show_people else ""
            lines.append(f"• {local_time(entry.at, tz)} {esc(entry.action)}{by}{change}{detail}")
    return "\n".join(lines)


def _is_channel(origin: str) -> bool:
    """A post forwarded from a public channel names the channel (the account under review,
    or one like it), not a person: it is shown to everyone. Users and chats are people."""
    return origin.startswith("channel ")


def no_case(case_id: int) -> str:
    return f"There is no case #{case_id}."


def not_flagged(account: AccountRef) -> str:
    return f"{account_link(account)} is not flagged."

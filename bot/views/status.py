"""Replies of /flag, /status, /find, /dismiss and /import, as HTML. Pure formatting.

Every user-supplied string goes through `esc`; line breaks inside user text are flattened so
no HTML tag spans two lines (render.split_message splits between lines).
"""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from bot.domain import CaseState
from bot.domain.accounts import AccountRef
from bot.grammar.flag import FlagCommand
from bot.grammar.import_ import RowError
from bot.views.common import esc, hours, local_time, truncate
from storage.cases import CaseCard, DismissResult, FindResult, ImportSummary, ReportResult

MAX_ERRORS = 30
NOTE_PREVIEW = 200


def one_line(text: str, limit: int) -> str:
    """User text on one line, cut to `limit`, escaped."""
    return esc(truncate(" ".join(text.split()), limit))


def account_link(account: AccountRef) -> str:
    return f'<a href="{esc(account.url)}">{esc(account.short)}</a>'


def followers_text(value: int | None) -> str:
    if value is None:
        return "unknown"
    if value >= 1_000_000:
        return f"{value:,} ({value / 1_000_000:.1f}m)"
    if value >= 10_000:
        return f"{value:,} ({value / 1_000:.1f}k)"
    return f"{value:,}"


def flag_result(result: ReportResult, cmd: FlagCommand) -> str:
    case = f"<b>#{result.case_id}</b> {account_link(result.account)}"
    reports = f"{result.report_count} report{'s' if result.report_count != 1 else ''}"
    if result.new_case:
        lines = [f"New case {case} ({esc(result.case_group)}, {esc(cmd.category)}): {reports}."]
    elif result.counted:
        lines = [f"Added your report to case {case}: {reports}."]
    else:
        lines = [f"You already reported case {case}; not counted twice ({reports})."]
    if result.reopened:
        lines.append("The case had been dismissed; it is open again (see /status for history).")
    if result.state is CaseState.ACTIONED:
        lines.append("This account is already actioned by the platform.")
    elif not result.new_case and result.state is not CaseState.FLAGGED:
        lines.append(f"State: {esc(result.state)}.")
    if not result.new_case and cmd.group != result.case_group:
        lines.append(
            f"Note: the case stays under {esc(result.case_group)} (first report); "
            f"your report says {esc(cmd.group)}."
        )
    if not result.new_case and cmd.category_given and cmd.category != result.case_category:
        lines.append(
            f"The case's category stays {esc(result.case_category)}; your report is kept as "
            f"{esc(cmd.category)}."
        )
    if cmd.followers is not None:
        lines.append(f"Followers: {followers_text(cmd.followers)}.")
    if result.evidence_kept:
        lines.append("The message you replied to is kept as evidence.")
    return "\n".join(lines)


def case_card(card: CaseCard, tz: ZoneInfo) -> str:
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
    reporters = ", ".join(str(user_id) for user_id in card.reporters)
    if card.report_count > len(card.reporters):
        reporters += f" and {card.report_count - len(card.reporters)} more"
    if card.first_report_at and card.last_report_at:
        lines.append(
            f"<b>Reports: {card.report_count}</b> (first {local_time(card.first_report_at, tz)}, "
            f"last {local_time(card.last_report_at, tz)}) by {reporters}"
        )
    for report in card.reports:
        details = [esc(report.category)]
        if report.followers is not None:
            details.append(f"{report.followers:,} followers")
        note = f": {one_line(report.note, NOTE_PREVIEW)}" if report.note else ""
        lines.append(
            f"• {local_time(report.reported_at, tz)} user {report.reporter_id} "
            f"({', '.join(details)}){note}"
        )
    if card.report_count > len(card.reports):
        lines.append(f"• … and {card.report_count - len(card.reports)} earlier reports")
    if card.evidence_count:
        lines.append(f"<b>Evidence: {card.evidence_count}</b>")
        for item in card.evidence:
            origin = f" from {one_line(item.forward_origin, 80)}" if item.forward_origin else ""
            text = f": {one_line(item.text, 120)}" if item.text else ""
            lines.append(
                f"• {esc(item.kind)}{origin}, {local_time(item.added_at, tz)} "
                f"by {item.added_by}{text}"
            )
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
    if card.history:
        lines.append("<b>History</b>")
        for entry in card.history:
            detail = f": {one_line(entry.detail, 200)}" if entry.detail else ""
            lines.append(
                f"• {local_time(entry.at, tz)} {esc(entry.action)} by {entry.user_id}{detail}"
            )
    return "\n".join(lines)


def not_flagged(account: AccountRef) -> str:
    return f"{account_link(account)} is not flagged."


def find_list(text: str, result: FindResult, tz: ZoneInfo) -> str:
    if not result.cases:
        return f"No cases match “{one_line(text, 60)}”."
    shown = len(result.cases)
    head = (
        f"<b>{result.total} case{'s' if result.total != 1 else ''}</b> match “{one_line(text, 60)}”"
    )
    if result.total > shown:
        head += f" (newest {shown} shown)"
    lines = [head + ":"]
    for case in result.cases:
        lines.append(
            f"#{case.id} {account_link(case.account)} · {esc(case.group)} · "
            f"{esc(case.state)} · {case.report_count} report{'s' if case.report_count != 1 else ''}"
            f" · {local_time(case.created_at, tz)}"
        )
    return "\n".join(lines)


def dismiss_result(result: DismissResult, reason: str) -> str:
    if result.account is None:
        return f"There is no case #{result.case_id}."
    case = f"#{result.case_id} {account_link(result.account)}"
    if result.dismissed:
        return f"Case {case} dismissed (was {esc(result.before)}): {one_line(reason, 300)}"
    if result.before is CaseState.DISMISSED:
        return f"Case {case} is already dismissed."
    return (
        f"Case {case} is {esc(result.before)}; only open cases (flagged, requested, refused) "
        "can be dismissed."
    )


def import_errors(errors: list[RowError], name: str) -> str:
    lines = [
        f"Nothing imported from {one_line(name, 80)}: {len(errors)} "
        f"row{'s have' if len(errors) != 1 else ' has'} problems. Fix them and send the file again."
    ]
    for error in errors[:MAX_ERRORS]:
        lines.append(f"Row {error.row}: {one_line(error.reason, 300)}")
    if len(errors) > MAX_ERRORS:
        lines.append(f"… and {len(errors) - MAX_ERRORS} more")
    return "\n".join(lines)


def import_summary(summary: ImportSummary, name: str) -> str:
    lines = [
        f"Imported {one_line(name, 80)}: {summary.rows:,} rows.",
        f"New cases: {summary.new_cases:,}",
        f"New reports: {summary.new_reports:,}",
        f"Duplicates (repeated in the file or reported by you before): {summary.duplicates:,}",
    ]
    if summary.reopened:
        lines.append(f"Dismissed cases reopened: {summary.reopened:,}")
    if summary.on_actioned:
        lines.append(f"Accounts already actioned: {summary.on_actioned:,}")
    return "\n".join(lines)

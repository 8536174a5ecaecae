"""The /flag reply: the case, its reports, and what the report changed. HTML."""

from __future__ import annotations

from zoneinfo import ZoneInfo

from bot.domain import CaseState
from bot.domain.records import (
    FlagCommand,
    HistoryLine,
    ReportResult,
)
from bot.views.common import account_link, esc, followers_text, local_time, one_line


def _dismissed(dismissal: HistoryLine | None, tz: ZoneInfo, show_people: bool) -> str:
    """A dismissed case stays dismissed: who dismissed it, when and why, and what to do."""
    text = "The case is dismissed"
    if dismissal is not None:
        by = f" by {dismissal.user_id}" if show_people else ""
        text += f"{by} on {local_time(dismissal.at, tz)}: {one_line(dismissal.detail, 200)}"
    return text + ". Your report is kept; a reviewer can /reopen it."


def flag_result(
    result: ReportResult, cmd: FlagCommand, tz: ZoneInfo, *, show_people: bool = False
) -> str:
    case = f"<b>#{result.case_id}</b> {account_link(result.account)}"
    reports = f"{result.report_count} report{'s' if result.report_count != 1 else ''}"
    if result.new_case:
        lines = [f"New case {case} ({esc(result.case_group)}, {esc(cmd.category)}): {reports}."]
    elif result.counted:
        lines = [f"Added your report to case {case}: {reports}."]
    else:
        lines = [f"You already reported case {case}; not counted twice ({reports})."]
    if result.state is CaseState.DISMISSED:
        lines.append(_dismissed(result.dismissal, tz, show_people))
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

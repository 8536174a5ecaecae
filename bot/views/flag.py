"""The /flag reply: the case, its reports, and what the report changed. HTML."""

from __future__ import annotations

from zoneinfo import ZoneInfo

from bot.domain import CaseState
from bot.domain.people import person
from bot.domain.records import (
    Dismissal,
    FlagCommand,
    ReportResult,
)
from bot.views.common import account_link, esc, followers_text, local_time, one_line


def flag_result(result: ReportResult, cmd: FlagCommand, tz: ZoneInfo, *, show_people: bool) -> str:
    """With `show_people` (bot.domain.privacy.may_see_people) it names who dismissed the case."""
    case = f"<b>#{result.case_id}</b> {account_link(result.account)}"
    reports = f"{result.report_count} report{'s' if result.report_count != 1 else ''}"
    if result.new_case:
        lines = [f"New case {case} ({esc(result.case_group)}, {esc(cmd.category)}): {reports}."]
    elif result.counted:
        lines = [f"Added your report to case {case}: {reports}."]
    else:
        lines = [f"You already reported case {case}; not counted twice ({reports})."]
        if cmd.note or cmd.followers is not None:
            lines.append("Your note and followers= value are kept on the case.")
    if result.dismissal is not None:
        lines.append(dismissed_note(result.dismissal, tz, show_people=show_people))
    elif result.state is CaseState.ACTIONED:
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


def dismissed_note(dismissal: Dismissal, tz: ZoneInfo, *, show_people: bool) -> str:
    """A /flag of a dismissed case does not reopen it (PRODUCT.md): who, when, why."""
    who = ""
    if show_people and dismissal.by is not None:
        who = f" by {esc(person(dismissal.by, dismissal.people))}"
    when = f" on {local_time(dismissal.at, tz)}" if dismissal.at is not None else ""
    why = f": {one_line(dismissal.reason, 200)}" if dismissal.reason else ""
    return (
        f"This case was dismissed{who}{when}{why}. It stays dismissed and your report is "
        "kept; a reviewer can /reopen it."
    )

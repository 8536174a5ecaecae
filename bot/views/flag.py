"""The /flag reply: the case, its reports, and what the report changed. HTML."""

from __future__ import annotations

from collections.abc import Sequence
from zoneinfo import ZoneInfo

from bot.domain import CaseState
from bot.domain.evidence import FileStatus
from bot.domain.people import person
from bot.domain.records import (
    Dismissal,
    Evidence,
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
    for url in cmd.links:
        lines.append(f"Content link kept: {esc(url)}")
    return "\n".join(lines)


def flag_reply(parts: Sequence[str], warnings: Sequence[str], evidence: Evidence | None) -> str:
    """The whole /flag reply: one part per account, the kept message, then the warnings."""
    lines = ["\n\n".join(parts)]
    if evidence is not None:
        lines.append(evidence_line(evidence))
    lines += [esc(warning) for warning in warnings]
    return "\n".join(lines)


def evidence_line(evidence: Evidence) -> str:
    """One line: the message kept, and what became of its file."""
    kept = "The message you replied to is kept as evidence"
    if evidence.post_link:
        kept += f" (post {esc(evidence.post_link)})"
    captured = evidence.captured
    kind = esc(evidence.file_kind or "file")
    if captured is None:
        return kept + "."
    if captured.status is FileStatus.KEPT:
        return (
            f"{kept}, with its {kind} ({size_text(captured.size)}, SHA-256 {esc(captured.sha256)})."
        )
    if captured.status is FileStatus.TOO_BIG:
        return f"{kept}; its {kind} is over the 20 MB Telegram hands to bots: recorded, not saved."
    if captured.status is FileStatus.DISK_FULL:
        return (
            f"The flag stands and the message is kept, but its {kind} was not saved: the evidence "
            "disk (EVIDENCE_DIR) is full. Tell an admin to free space there."
        )
    return f"{kept}; its {kind} was not saved ({esc(captured.error)}): recorded as such."


def size_text(size: int | None) -> str:
    if size is None:
        return "size unknown"
    if size < 1024:
        return f"{size} bytes"
    if size < 1024 * 1024:
        return f"{size / 1024:.0f} KB"
    return f"{size / (1024 * 1024):.1f} MB"


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

"""The /outcome replies and the answers to its buttons. HTML (button answers plain text)."""

from __future__ import annotations

from zoneinfo import ZoneInfo

from bot.domain import CaseState
from bot.domain.records import (
    AlreadyRecorded,
    OutcomeRecorded,
    Restored,
)
from bot.views.common import esc, one_line
from bot.views.figures import hours


def state_change(before: CaseState, after: CaseState) -> str:
    return f"{before} → {after}" if before is not after else f"still {after}"


def outcome_reply(result: OutcomeRecorded | Restored, tz: ZoneInfo) -> str:
    info = result.round
    who = esc(info.account.short)
    change = state_change(result.before, result.after)
    if isinstance(result, Restored):
        return (
            f"#{info.case_id} {who} <b>restored</b>: the account is back, the case is reopened "
            f"({change}). Send /request #{info.case_id} to ask the platform again."
        )
    assert info.outcome is not None and info.time_to_outcome is not None
    text = (
        f"#{info.case_id} round {info.round_no} {who}: <b>{esc(info.outcome.value)}</b> "
        f"after {hours(info.time_to_outcome)} ({change})."
    )
    if info.outcome_note:
        text += f"\nNote: {one_line(info.outcome_note, 300)}"
    if result.after is CaseState.REFUSED:
        text += f"\nTo escalate, send /request #{info.case_id} again (round {info.round_no + 1})."
    return text


def button_answer(result: OutcomeRecorded) -> str:
    """The short toast after a press (plain text, not HTML)."""
    info = result.round
    assert info.outcome is not None
    return f"Recorded: #{info.case_id} round {info.round_no} {info.outcome.value}."


def already_recorded(result: AlreadyRecorded) -> str:
    """Plain text for answerCallbackQuery."""
    info = result.round
    if info is None:
        return f"#{result.case_id} has no round {result.round_no}."
    if info.outcome is None:
        return f"Already recorded: #{info.case_id} round {info.round_no} is still open."
    return f"Already recorded: #{info.case_id} round {info.round_no} is {info.outcome.value}."

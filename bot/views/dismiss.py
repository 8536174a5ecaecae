"""The /dismiss reply. HTML."""

from __future__ import annotations

from bot.domain import CaseState
from bot.domain.records import (
    DismissResult,
)
from bot.views.common import account_link, esc, one_line


def dismiss_result(result: DismissResult, reason: str) -> str:
    if result.account is None:
        return f"There is no case #{result.case_id}."
    case = f"#{result.case_id} {account_link(result.account)}"
    if result.dismissed:
        text = f"Case {case} dismissed (was {esc(result.before)}): {one_line(reason, 300)}"
        if result.withdrawn_round is not None:
            text += (
                f"\nRequest round {result.withdrawn_round} is withdrawn: still counted as "
                "sent, no longer pending nor in the compliance percentage."
            )
        return text
    if result.before is CaseState.DISMISSED:
        return f"Case {case} is already dismissed."
    return (
        f"Case {case} is {esc(result.before)}; only open cases (flagged, requested, refused) "
        "can be dismissed."
    )

"""The /correct reply. HTML."""

from __future__ import annotations

from bot.domain.records import Corrected
from bot.views.common import esc, one_line
from bot.views.outcome import state_change


def corrected_reply(result: Corrected, reason: str) -> str:
    info = result.round
    assert info.outcome is not None
    return (
        f"#{info.case_id} round {info.round_no} {esc(info.account.short)}: "
        f"corrected from {esc(result.outcome_before.value)} to "
        f"<b>{esc(info.outcome.value)}</b> ({state_change(result.before, result.after)}): "
        f"{one_line(reason, 300)}\nThe earlier outcome is kept; figures follow from now on."
    )

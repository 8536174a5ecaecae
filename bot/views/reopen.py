"""The /reopen reply. HTML."""

from __future__ import annotations

from bot.domain.records import CaseChanged
from bot.views.common import account_link, esc, one_line


def reopened(result: CaseChanged, reason: str) -> str:
    [change] = result.changes
    return (
        f"Case #{result.case_id} {account_link(result.account)} reopened "
        f"({esc(change.before)} → {esc(change.after)}): {one_line(reason, 300)}"
    )

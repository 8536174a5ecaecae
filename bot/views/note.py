"""The /note reply. HTML."""

from __future__ import annotations

from bot.domain.records import CaseChanged
from bot.views.common import account_link, one_line


def note_added(result: CaseChanged) -> str:
    return (
        f"Note added to case #{result.case_id} {account_link(result.account)}: "
        f"{one_line(result.changes[0].after, 300)}"
    )

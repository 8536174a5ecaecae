"""The /pending reply: open request rounds, oldest first, overdue ones marked. HTML."""

from __future__ import annotations

import datetime as dt

from bot.domain.records import (
    PendingList,
)
from bot.grammar.pending import PendingCommand
from bot.views.common import esc, one_line, page_footer
from bot.views.figures import hours


def pending_text(listing: PendingList, cmd: PendingCommand, *, sla: dt.timedelta) -> str:
    scope = []
    if cmd.platform is not None:
        scope.append(cmd.platform.label)
    if cmd.overdue_only:
        scope.append("overdue only")
    where = f" ({', '.join(scope)})" if scope else ""
    if listing.total == 0:
        return f"No open requests{where}."
    title = (
        f"<b>Open requests{where}</b>: {listing.total}, {listing.overdue_total} overdue"
        f" (SLA {hours(sla)})"
    )
    lines = [title]
    for item in listing.rounds:
        info = item.round
        mark = " · <b>OVERDUE</b>" if item.overdue else ""
        ref = f" · ref {one_line(info.ref, 60)}" if info.ref else ""
        lines.append(
            f"#{info.case_id} {esc(info.account.short)} · round {info.round_no}"
            f" · {hours(item.age)}{mark}{ref}"
        )
    footer = page_footer(
        listing.total, listing.offset, len(listing.rounds), cmd.command(cmd.page + 1)
    )
    return "\n".join([*lines, footer] if footer else lines)

"""The /pending reply: open request rounds, oldest first, overdue ones marked. HTML."""

from __future__ import annotations

import datetime as dt

from bot.domain import Platform
from bot.domain.records import (
    PendingList,
)
from bot.views.common import esc, one_line
from bot.views.figures import hours


def pending_text(
    listing: PendingList,
    *,
    platform: Platform | None,
    overdue_only: bool,
    sla: dt.timedelta,
) -> str:
    scope = []
    if platform is not None:
        scope.append(platform.label)
    if overdue_only:
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
    rest = listing.total - len(listing.rounds)
    if rest > 0:
        lines.append(f"… and {rest} more.")
    return "\n".join(lines)

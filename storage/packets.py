"""Request packets: the cases one /packet listed, under its round reference.

A packet is written (packets + packet_cases, one transaction) when it is sent, so the
"mark these as requested" button opens rounds for exactly those cases and that reference,
through `RequestRounds.open_rounds` (one transaction, refusals one by one).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from zoneinfo import ZoneInfo

from bot.domain import CaseState, Platform, states
from bot.domain.accounts import AccountRef
from bot.domain.packets import MAX_PACKET_CASES, PacketRow, ref_prefix, round_ref
from bot.domain.records import MarkResult, PacketResult, Refusal
from storage import sql
from storage.db import Database, Row, Tx, from_ts, from_ts_or_none, to_ts
from storage.requests import RequestRounds

# A case may be put in a packet when a request is due for it (states.PACKET_STATES) and no
# round is open; the states are bound in the domain's order.
_ELIGIBLE = sql.placeholders(states.PACKET_STATES)
_ELIGIBLE_STATES = sql.ordered(states.PACKET_STATES)
NOTES_PER_CASE = 3
EVIDENCE_PER_CASE = 2

_ROWS_SQL = """
SELECT c.id, c.platform, c.handle, c.grp, c.category, c.followers, c.created_at, c.state,
       (SELECT count(*) FROM reports r WHERE r.case_id = c.id) AS report_count,
       (SELECT count(*) FROM evidence e WHERE e.case_id = c.id) AS evidence_count,
       EXISTS (SELECT 1 FROM request_rounds q
                WHERE q.case_id = c.id AND q.outcome IS NULL) AS has_open_round
  FROM cases c
"""


class Packets:
    def __init__(self, db: Database, requests: RequestRounds) -> None:
        self.db = db
        self.requests = requests

    async def create(
        self,
        platform: Platform,
        case_ids: Sequence[int] | None,
        *,
        by: int,
        at: dt.datetime,
        tz: ZoneInfo,
    ) -> PacketResult:
        """A packet of the given cases (None: every pending case of the platform, oldest
        first); cases not on the platform or not eligible are skipped with a reason."""
        async with self.db.transaction() as tx:
            skipped: list[Refusal] = []
            more = 0
            if case_ids is None:
                rows = await tx.fetchall(
                    _ROWS_SQL + f" WHERE c.platform = ? AND c.state IN {_ELIGIBLE}"
                    " ORDER BY c.created_at, c.id LIMIT ?",
                    (platform.value, *_ELIGIBLE_STATES, MAX_PACKET_CASES + 1),
                )
                if len(rows) > MAX_PACKET_CASES:
                    total = await tx.fetchone(
                        f"SELECT count(*) FROM cases WHERE platform = ? AND state IN {_ELIGIBLE}",
                        (platform.value, *_ELIGIBLE_STATES),
                    )
                    more = int(total[0]) - MAX_PACKET_CASES if total else 0
                    rows = rows[:MAX_PACKET_CASES]
                rows = [row for row in rows if not row["has_open_round"]]
            else:
                rows = []
                for case_id in dict.fromkeys(case_ids):
                    row = await tx.fetchone(_ROWS_SQL + " WHERE c.id = ?", (case_id,))
                    reason = _not_eligible(row, platform)
                    if row is None or reason:
                        skipped.append(Refusal(case_id, reason))
                    else:
                        rows.append(row)
            packet_rows = [await _packet_row(tx, row) for row in rows]
            day = at.astimezone(tz).date()
            prefix = ref_prefix(platform, day)
            count = await tx.fetchone(
                "SELECT count(*) FROM packets WHERE ref >= ? AND ref < ?", (prefix, prefix + "~")
            )
            ref = round_ref(platform, day, (int(count[0]) if count else 0) + 1)
            if not packet_rows:
                return PacketResult(None, ref, [], skipped, more)
            packet_id = await tx.execute(
                "INSERT INTO packets (platform, ref, created_at, created_by) VALUES (?, ?, ?, ?)",
                (platform.value, ref, to_ts(at), by),
            )
            assert packet_id is not None
            await tx.executemany(
                "INSERT INTO packet_cases (packet_id, position, case_id) VALUES (?, ?, ?)",
                [(packet_id, n, row.case_id) for n, row in enumerate(packet_rows, start=1)],
            )
        return PacketResult(packet_id, ref, packet_rows, skipped, more)

    async def mark_requested(
        self, packet_id: int, *, by: int, at: dt.datetime
    ) -> MarkResult | None:
        """Open one round per case of the packet with its reference (one transaction, through
        RequestRounds.open_rounds); None if there is no such packet."""
        packet = await self.db.fetchone(
            "SELECT ref, marked_at FROM packets WHERE id = ?", (packet_id,)
        )
        if packet is None:
            return None
        if packet["marked_at"] is not None:
            return MarkResult(packet["ref"], None, from_ts_or_none(packet["marked_at"]))
        cases = await self.db.fetchall(
            "SELECT case_id FROM packet_cases WHERE packet_id = ? ORDER BY position", (packet_id,)
        )
        batch = await self.requests.open_rounds(
            [row["case_id"] for row in cases], by=by, at=at, ref=packet["ref"]
        )
        async with self.db.transaction() as tx:
            await tx.execute(
                "UPDATE packets SET marked_at = ?, marked_by = ?"
                " WHERE id = ? AND marked_at IS NULL",
                (to_ts(at), by, packet_id),
            )
        return MarkResult(packet["ref"], batch)


def _not_eligible(row: Row | None, platform: Platform) -> str:
    if row is None:
        return "no such case"
    case_platform = Platform(row["platform"])
    if case_platform is not platform:
        return f"is on {case_platform.label}, not {platform.label}"
    if row["has_open_round"]:
        return "a request is already open"
    state = CaseState(row["state"])
    if state not in states.PACKET_STATES:
        return f"is {state.value}"
    return ""


async def _packet_row(tx: Tx, r: Row) -> PacketRow:
    case_id = r["id"]
    notes = await tx.fetchall(
        "SELECT note FROM reports WHERE case_id = ? AND note <> '' ORDER BY reported_at, id"
        " LIMIT ?",
        (case_id, NOTES_PER_CASE),
    )
    evidence = await tx.fetchall(
        "SELECT text FROM evidence WHERE case_id = ? AND text <> '' ORDER BY added_at, id LIMIT ?",
        (case_id, EVIDENCE_PER_CASE),
    )
    return PacketRow(
        case_id=case_id,
        account=AccountRef(Platform(r["platform"]), r["handle"]),
        group=r["grp"],
        category=r["category"],
        followers=r["followers"],
        first_seen=from_ts(r["created_at"]),
        report_count=r["report_count"],
        notes=tuple(n["note"] for n in notes),
        evidence_count=r["evidence_count"],
        evidence_texts=tuple(e["text"] for e in evidence),
    )

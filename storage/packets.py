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
from bot.domain.packets import (
    PACKET_HOLD,
    PACKET_PAGE,
    EarlierRequest,
    HeldCase,
    PacketFile,
    PacketRow,
    Recreates,
    ref_prefix,
    round_ref,
)
from bot.domain.records import MarkResult, PacketResult, Refusal
from storage import sql
from storage.audit import Audit
from storage.backend import Db, Row, Tx
from storage.db import from_ts, from_ts_or_none, to_ts
from storage.evidence import case_links, kept_files
from storage.requests import RequestRounds

# A case may be put in a packet when a request is due for it (states.PACKET_STATES) and no
# round is open; the states are bound in the domain's order.
_ELIGIBLE = sql.placeholders(states.PACKET_STATES)
_ELIGIBLE_STATES = sql.ordered(states.PACKET_STATES)
_ELIGIBLE_LIST = sql.in_list(states.PACKET_STATES)
LINKS_PER_CASE = 20
RECREATES_PER_CASE = 3

_ROWS_SQL = """
SELECT c.id, c.platform, c.handle, c.grp, c.category, c.followers, c.created_at, c.state,
       (SELECT count(*) FROM reports r WHERE r.case_id = c.id) AS report_count,
       EXISTS (SELECT 1 FROM request_rounds q
                WHERE q.case_id = c.id AND q.outcome IS NULL) AS has_open_round
  FROM cases c
"""
# Pending cases of a platform that may go in a packet now: no open round, and not in a packet
# of the hold period that was not marked as requested (that one lists them already).
_PENDING_WHERE = f"""
 WHERE c.platform = :platform AND c.state IN {_ELIGIBLE_LIST}
   AND NOT EXISTS (SELECT 1 FROM request_rounds q WHERE q.case_id = c.id AND q.outcome IS NULL)
   AND NOT EXISTS (SELECT 1 FROM packet_cases pc JOIN packets p ON p.id = pc.packet_id
                    WHERE pc.case_id = c.id AND p.marked_at IS NULL AND p.created_at >= :since)
"""
# The unmarked packet of the hold period that holds a case (the newest).
_HELD_SQL = """
SELECT p.ref, p.created_at FROM packet_cases pc JOIN packets p ON p.id = pc.packet_id
 WHERE pc.case_id = ? AND p.marked_at IS NULL AND p.created_at >= ?
 ORDER BY p.created_at DESC, p.id DESC LIMIT 1
"""
_HELD_PENDING_SQL = f"""
SELECT case_id, created_at, ref FROM (
SELECT c.id AS case_id, p.created_at, p.ref,
       row_number() OVER (PARTITION BY c.id ORDER BY p.created_at DESC, p.id DESC) AS newest
  FROM cases c JOIN packet_cases pc ON pc.case_id = c.id JOIN packets p ON p.id = pc.packet_id
 WHERE c.platform = :platform AND c.state IN {_ELIGIBLE_LIST}
   AND p.marked_at IS NULL AND p.created_at >= :since
   AND NOT EXISTS (SELECT 1 FROM request_rounds q WHERE q.case_id = c.id AND q.outcome IS NULL)
) AS held
 WHERE newest = 1 ORDER BY case_id
"""
# The actioned case a comeback re-creates, with its latest removal or restriction.
_RECREATES_SQL = f"""
SELECT o.platform, o.handle, a.outcome, a.outcome_at, a.ref
  FROM comebacks k JOIN cases o ON o.id = k.original_case_id
  LEFT JOIN request_rounds a ON a.id = (
       SELECT r.id FROM request_rounds r
        WHERE r.case_id = o.id AND r.outcome IN {sql.in_list(states.ACTIONED_OUTCOMES)}
        ORDER BY r.round_no DESC LIMIT 1)
 WHERE k.case_id = ? ORDER BY k.score DESC, k.original_case_id DESC LIMIT ?
"""


class Packets:
    def __init__(self, db: Db, requests: RequestRounds) -> None:
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
        """A packet of the given cases (None: a page of the platform's pending cases, oldest
        first); cases not on the platform or not eligible are skipped with a reason. A case in
        an unmarked packet of the last 7 days is named (`held`): asked for by number it is
        listed again, pending it is not (so the next /packet gives the next page). Sending
        the packet's evidence files is audited per case (chain of custody)."""
        since = to_ts(at - PACKET_HOLD)
        async with self.db.transaction() as tx:
            skipped: list[Refusal] = []
            more = 0
            if case_ids is None:
                rows, more, held = await _pending_page(tx, platform, since)
            else:
                rows, held = [], []
                for case_id in dict.fromkeys(case_ids):
                    row = await tx.fetchone(_ROWS_SQL + " WHERE c.id = ?", (case_id,))
                    reason = _not_eligible(row, platform)
                    if row is None or reason:
                        skipped.append(Refusal(case_id, reason))
                        continue
                    rows.append(row)
                    earlier = await tx.fetchone(_HELD_SQL, (case_id, since))
                    if earlier is not None:
                        held.append(
                            HeldCase(case_id, earlier["ref"], from_ts(earlier["created_at"]))
                        )
            packet_rows = [await _packet_row(tx, row) for row in rows]
            day = at.astimezone(tz).date()
            prefix = ref_prefix(platform, day)
            count = await tx.fetchone(
                "SELECT count(*) FROM packets WHERE ref >= ? AND ref < ?", (prefix, prefix + "~")
            )
            ref = round_ref(platform, day, (int(count[0]) if count else 0) + 1)
            if not packet_rows:
                return PacketResult(None, ref, [], skipped, more, held)
            packet = await tx.fetchone(
                "INSERT INTO packets (platform, ref, created_at, created_by)"
                " VALUES (?, ?, ?, ?) RETURNING id",
                (platform.value, ref, to_ts(at), by),
            )
            assert packet is not None
            packet_id = int(packet[0])
            await tx.executemany(
                "INSERT INTO packet_cases (packet_id, position, case_id) VALUES (?, ?, ?)",
                [(packet_id, n, row.case_id) for n, row in enumerate(packet_rows, start=1)],
            )
            for listed in packet_rows:
                if listed.files:
                    detail = f"exported in packet {ref}: {len(listed.files)} files"
                    await Audit.record(
                        tx, by, "evidence", at, case_id=listed.case_id, detail=detail
                    )
        return PacketResult(packet_id, ref, packet_rows, skipped, more, held)

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


async def _pending_page(
    tx: Tx, platform: Platform, since: int
) -> tuple[list[Row], int, list[HeldCase]]:
    """A page of the platform's pending cases, how many more wait, and those held."""
    params = {"platform": platform.value, "since": since}
    rows = await tx.fetchall(
        _ROWS_SQL + _PENDING_WHERE + " ORDER BY c.created_at, c.id LIMIT :limit",
        {**params, "limit": PACKET_PAGE + 1},
    )
    more = 0
    if len(rows) > PACKET_PAGE:
        total = await tx.fetchone("SELECT count(*) FROM cases c" + _PENDING_WHERE, params)
        more = int(total[0]) - PACKET_PAGE if total else 0
        rows = rows[:PACKET_PAGE]
    held = [
        HeldCase(r["case_id"], r["ref"], from_ts(r["created_at"]))
        for r in await tx.fetchall(_HELD_PENDING_SQL, params)
    ]
    return list(rows), more, held


async def _packet_row(tx: Tx, r: Row) -> PacketRow:
    """What the platform hears of a case: no member's note, name or id (PRODUCT.md)."""
    case_id = r["id"]
    links = await case_links(tx, [case_id], LINKS_PER_CASE)
    rounds = await tx.fetchall(
        "SELECT round_no, sent_at, ref, outcome FROM request_rounds WHERE case_id = ?"
        " ORDER BY round_no",
        (case_id,),
    )
    originals = await tx.fetchall(_RECREATES_SQL, (case_id, RECREATES_PER_CASE))
    files = await kept_files(tx, [case_id])
    return PacketRow(
        case_id=case_id,
        account=AccountRef(Platform(r["platform"]), r["handle"]),
        group=r["grp"],
        category=r["category"],
        followers=r["followers"],
        first_seen=from_ts(r["created_at"]),
        report_count=r["report_count"],
        links=tuple(link.url for link in links[case_id]),
        earlier=tuple(
            EarlierRequest(q["round_no"], from_ts(q["sent_at"]), q["ref"], q["outcome"])
            for q in rounds
        ),
        recreates=tuple(
            Recreates(
                AccountRef(Platform(o["platform"]), o["handle"]),
                o["outcome"],
                from_ts_or_none(o["outcome_at"]),
                o["ref"] or "",
            )
            for o in originals
        ),
        files=tuple(
            PacketFile(
                case_id, f.stored_name, f.sha256 or "", f.file_size or 0, f.mime_type, f.added_at
            )
            for f in files[case_id]
        ),  # fmt: skip
    )

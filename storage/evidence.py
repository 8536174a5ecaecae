"""What is kept of a case as evidence: content links and kept messages with their files.

Written by /flag (storage/cases.py); read here by /evidence and /packet. Every look at or
export of evidence is audited in the same transaction that reads it (chain of custody).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from bot.domain import Platform
from bot.domain.accounts import AccountRef
from bot.domain.evidence import FileStatus, LinkSource
from bot.domain.records import ContentLink, EvidenceList, KeptItem
from storage.audit import Audit
from storage.backend import Db, Row, Tx
from storage.db import from_ts

# /evidence lists at most this many kept messages (newest first) and links.
LIST_LIMIT = 30

_ITEM_SQL = """
SELECT id, added_by, added_at, chat_id, message_id, text, forward_origin, post_link,
       file_kind, file_status, sha256, file_size, mime_type, stored_name, file_error
  FROM evidence
"""


class Evidences:
    def __init__(self, db: Db) -> None:
        self.db = db

    async def look(self, case_id: int, *, by: int, at: dt.datetime) -> EvidenceList | None:
        """/evidence: the case's evidence, the look audited; None if there is no such case."""
        async with self.db.transaction() as tx:
            case = await tx.fetchone("SELECT platform, handle FROM cases WHERE id = ?", (case_id,))
            if case is None:
                return None
            links = await case_links(tx, [case_id], LIST_LIMIT)
            rows = await tx.fetchall(
                _ITEM_SQL + " WHERE case_id = ? ORDER BY added_at DESC, id DESC LIMIT ?",
                (case_id, LIST_LIMIT),
            )
            items = [kept_item(row) for row in rows]
            files = sum(item.file_status is FileStatus.KEPT for item in items)
            detail = (
                f"looked: {len(links[case_id])} links, {len(items)} kept messages, "
                f"{files} files kept"
            )
            await Audit.record(tx, by, "evidence", at, case_id=case_id, detail=detail)
        account = AccountRef(Platform(case["platform"]), case["handle"])
        return EvidenceList(case_id, account, links[case_id], items)


async def case_links(tx: Tx, case_ids: Sequence[int], limit: int) -> dict[int, list[ContentLink]]:
    """The content links of each case, oldest first, at most `limit` each."""
    found: dict[int, list[ContentLink]] = {case_id: [] for case_id in case_ids}
    for case_id in case_ids:
        rows = await tx.fetchall(
            "SELECT url, source, added_at, added_by FROM content_links WHERE case_id = ?"
            " ORDER BY added_at, id LIMIT ?",
            (case_id, limit),
        )
        found[case_id] = [
            ContentLink(row["url"], LinkSource(row["source"]), from_ts(row["added_at"]),
                        row["added_by"])
            for row in rows
        ]  # fmt: skip
    return found


async def kept_files(tx: Tx, case_ids: Sequence[int]) -> dict[int, list[KeptItem]]:
    """The files kept in EVIDENCE_DIR of each case, oldest first (one row per file a case
    holds: the same bytes kept twice are one file)."""
    found: dict[int, list[KeptItem]] = {case_id: [] for case_id in case_ids}
    for case_id in case_ids:
        rows = await tx.fetchall(
            _ITEM_SQL + " WHERE case_id = ? AND file_status = 'kept'"
            " AND id IN (SELECT min(id) FROM evidence WHERE case_id = ? AND file_status = 'kept'"
            " GROUP BY sha256) ORDER BY added_at, id",
            (case_id, case_id),
        )
        found[case_id] = [kept_item(row) for row in rows]
    return found


def kept_item(row: Row) -> KeptItem:
    status = row["file_status"]
    return KeptItem(
        id=row["id"],
        added_by=row["added_by"],
        added_at=from_ts(row["added_at"]),
        chat_id=row["chat_id"],
        message_id=row["message_id"],
        text=row["text"],
        forward_origin=row["forward_origin"],
        post_link=row["post_link"],
        file_kind=row["file_kind"],
        file_status=FileStatus(status) if status is not None else None,
        sha256=row["sha256"],
        file_size=row["file_size"],
        mime_type=row["mime_type"],
        stored_name=row["stored_name"],
        file_error=row["file_error"],
    )

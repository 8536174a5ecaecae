"""Cases and their reports: /flag, /import, /status, /find, /dismiss.

One case per real account `(platform, canonical handle)`; one report per member and case.
The first report decides the case's group and category; each report keeps its own.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from bot.domain import CaseState, Platform, states
from bot.domain.accounts import AccountRef
from bot.domain.records import (
    CaseCard,
    CaseSummary,
    DismissResult,
    Evidence,
    EvidenceLine,
    FindResult,
    FlagCommand,
    FlagRow,
    HistoryLine,
    ImportSummary,
    ReportLine,
    ReportResult,
)
from storage import sql
from storage.audit import Audit
from storage.db import Database, Row, Tx, from_ts, from_ts_or_none, to_ts
from storage.requests import case_rounds

# /import's SQL spells these states (storage/sql.py): a new case's, and the one move a report
# makes on a known case, reopening a dismissed one (Event.REPORT in bot/domain/states.py).
_NEW = sql.literal(states.NEW_CASE_STATE)
_DISMISSED = sql.literal(CaseState.DISMISSED)
_REOPENED = sql.literal(states.after_report(CaseState.DISMISSED))
_ACTIONED = sql.literal(CaseState.ACTIONED)
CARD_REPORTS = 10
CARD_EVIDENCE = 5
CARD_REPORTERS = 30


class Cases:
    def __init__(self, db: Database) -> None:
        self.db = db

    # ------------------------------------------------------------------ writing

    async def report(
        self, cmd: FlagCommand, reporter: int, at: dt.datetime, evidence: Evidence | None = None
    ) -> ReportResult:
        """One /flag: a new case, or one more report (at most one per member) on the case."""
        ts = to_ts(at)
        ref = cmd.account
        async with self.db.transaction() as tx:
            row = await tx.fetchone(
                "SELECT id, grp, category, state FROM cases WHERE platform = ? AND handle = ?",
                (ref.platform.value, ref.handle),
            )
            reopened = False
            if row is None:
                case_id = await tx.execute(
                    # With its comeback match key, so the /flag hook need not key it later.
                    "INSERT INTO cases (platform, handle, grp, category, followers, state,"
                    " created_at, created_by, updated_at, match_key)"
                    " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9,"
                    " coalesce(comeback_key(?1, ?2), ''))",
                    (
                        ref.platform.value,
                        ref.handle,
                        cmd.group,
                        cmd.category.value,
                        cmd.followers,
                        states.NEW_CASE_STATE.value,
                        ts,
                        reporter,
                        ts,
                    ),
                )
                assert case_id is not None
                group, category, state = cmd.group, cmd.category.value, states.NEW_CASE_STATE
                await Audit.record(
                    tx, reporter, "flag", at, case_id=case_id, after=state.value, detail=cmd.source
                )
            else:
                case_id, group, category = row["id"], row["grp"], row["category"]
                before = CaseState(row["state"])
                state = states.after_report(before)
                reopened = state is not before
                if reopened:
                    await Audit.record(
                        tx,
                        reporter,
                        "reopen",
                        at,
                        case_id=case_id,
                        before=before.value,
                        after=state.value,
                        detail="flagged again",
                    )
                await tx.execute(
                    "UPDATE cases SET state = ?, followers = coalesce(?, followers),"
                    " updated_at = ? WHERE id = ?",
                    (state.value, cmd.followers, ts, case_id),
                )
            report_id = await self._add_report(tx, case_id, reporter, ts, cmd)
            counted = report_id is not None
            if row is not None:
                await Audit.record(
                    tx,
                    reporter,
                    "report",
                    at,
                    case_id=case_id,
                    before=state.value,
                    after=state.value,
                    detail=cmd.source if counted else "repeat by the same member, not counted",
                )
            if evidence is not None:
                await self._add_evidence(tx, case_id, report_id, reporter, ts, evidence)
            if row is None:
                report_count = 1  # the report that created the case
            else:
                count_row = await tx.fetchone(
                    "SELECT count(*) FROM reports WHERE case_id = ?", (case_id,)
                )
                assert count_row is not None
                report_count = int(count_row[0])
        return ReportResult(
            case_id=case_id,
            account=ref,
            new_case=row is None,
            counted=counted,
            report_count=report_count,
            state=state,
            reopened=reopened,
            case_group=group,
            case_category=category,
            evidence_kept=evidence is not None,
        )

    @staticmethod
    async def _add_report(
        tx: Tx, case_id: int, reporter: int, ts: int, cmd: FlagCommand
    ) -> int | None:
        """The new report's id, or None when this member had reported the case before."""
        row = await tx.fetchone(
            "INSERT INTO reports (case_id, reporter_id, reported_at, source, category,"
            " followers, note) VALUES (?, ?, ?, ?, ?, ?, ?)"
            " ON CONFLICT (case_id, reporter_id) DO NOTHING RETURNING id",
            (case_id, reporter, ts, cmd.source, cmd.category.value, cmd.followers, cmd.note),
        )
        return None if row is None else int(row["id"])

    @staticmethod
    async def _add_evidence(
        tx: Tx, case_id: int, report_id: int | None, by: int, ts: int, evidence: Evidence
    ) -> None:
        await tx.execute(
            "INSERT INTO evidence (case_id, report_id, added_by, added_at, chat_id, message_id,"
            " text, forward_origin, file_id, file_kind) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (
                case_id,
                report_id,
                by,
                ts,
                evidence.chat_id,
                evidence.message_id,
                evidence.text,
                evidence.forward_origin,
                evidence.file_id,
                evidence.file_kind,
            ),
        )

    async def report_many(
        self,
        rows: Sequence[FlagRow] | Sequence[FlagCommand],
        reporter: int,
        at: dt.datetime,
        *,
        name: str = "",
    ) -> ImportSummary:
        """An /import: every row a report by `reporter`, all in one transaction, set-based.

        An account repeated in the file counts once (its first row decides group, category,
        note and the report; its last followers= value is kept). New cases are numbered in
        the order of the file, so an /export imports again in the same order.

        New cases are written without their comeback match key (NULL): keying 78,000 handles
        and placing them in `cases_by_match_key` took ~0.5 s of a 100,000-row import at 1M
        cases. A new case is not actioned, so no comeback probe needs its key; the caller
        keys them after replying (`Comebacks.fill_missing_keys`), /comebacks keys what is
        left first, and a case is keyed at the latest when an outcome is recorded."""
        params = {"ts": to_ts(at), "by": reporter}
        accounts = _import_accounts(rows)
        async with self.db.transaction() as tx:
            await tx.execute("DROP TABLE IF EXISTS temp.import_accounts")
            await tx.execute("DROP TABLE IF EXISTS temp.import_known")
            await tx.execute("DROP TABLE IF EXISTS temp.import_new")
            # pos: the account's first row in the file (0-based).
            await tx.execute(
                "CREATE TEMP TABLE import_accounts (pos INTEGER PRIMARY KEY, platform TEXT,"
                " handle TEXT, source TEXT, grp TEXT, category TEXT, followers INTEGER,"
                " last_followers INTEGER, note TEXT)"
            )
            await tx.executemany(
                "INSERT INTO import_accounts VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)", accounts
            )
            # The accounts that already have a case: their state before, and whether this
            # member has reported them already.
            await tx.execute(
                """
                CREATE TEMP TABLE import_known AS
                SELECT a.pos, c.id AS case_id, c.state AS state_before,
                       EXISTS (SELECT 1 FROM reports x
                                WHERE x.case_id = c.id AND x.reporter_id = :by) AS reported
                  FROM import_accounts a
                  JOIN cases c ON c.platform = a.platform AND c.handle = a.handle
                """,
                params,
            )
            # The others get the next case numbers, in the order of the file.
            await tx.execute(
                """
                CREATE TEMP TABLE import_new AS
                SELECT pos, (SELECT coalesce(max(id), 0) FROM main.cases)
                            + row_number() OVER (ORDER BY pos) AS case_id
                  FROM import_accounts
                 WHERE pos NOT IN (SELECT pos FROM import_known)
                """
            )
            await tx.execute(
                f"""
                INSERT INTO cases (id, platform, handle, grp, category, followers, state,
                                   created_at, created_by, updated_at)
                SELECT n.case_id, a.platform, a.handle, a.grp, a.category, a.last_followers,
                       {_NEW}, :ts, :by, :ts
                  FROM import_new n JOIN import_accounts a USING (pos)
                 ORDER BY n.pos
                """,
                params,
            )
            await tx.execute(
                f"""
                INSERT INTO audit (at, user_id, action, case_id, before, after, detail)
                SELECT :ts, :by, 'flag', case_id, NULL, {_NEW}, 'import'
                  FROM import_new ORDER BY pos
                """,
                params,
            )
            await tx.execute(
                f"""
                INSERT INTO audit (at, user_id, action, case_id, before, after, detail)
                SELECT :ts, :by, 'reopen', case_id, {_DISMISSED}, {_REOPENED},
                       'flagged again by import'
                  FROM import_known WHERE state_before = {_DISMISSED} ORDER BY pos
                """,
                params,
            )
            # Like /flag: a dismissed case opens again, a known case takes the newest
            # followers= value. Two statements: writing `state` rewrites its index entries
            # (cases_by_state, cases_by_match_key), so only the reopened cases get it.
            await tx.execute(
                f"""
                UPDATE cases SET state = {_REOPENED}
                 WHERE id IN (SELECT case_id FROM import_known WHERE state_before = {_DISMISSED})
                """
            )
            await tx.execute(
                """
                UPDATE cases
                   SET followers = coalesce(a.last_followers, cases.followers), updated_at = :ts
                  FROM import_known k JOIN import_accounts a USING (pos)
                 WHERE cases.id = k.case_id
                """,
                params,
            )
            await tx.execute(
                """
                INSERT INTO audit (at, user_id, action, case_id, before, after, detail)
                SELECT :ts, :by, 'report', k.case_id, c.state, c.state, 'import'
                  FROM import_known k JOIN cases c ON c.id = k.case_id
                 WHERE NOT k.reported
                 ORDER BY k.pos
                """,
                params,
            )
            await tx.execute(
                """
                INSERT INTO reports (case_id, reporter_id, reported_at, source, category,
                                     followers, note)
                SELECT case_id, :by, :ts, a.source, a.category, a.followers, a.note
                  FROM (SELECT pos, case_id FROM import_new
                        UNION ALL
                        SELECT pos, case_id FROM import_known WHERE NOT reported)
                  JOIN import_accounts a USING (pos)
                 ORDER BY pos
                """,
                params,
            )
            counts = await tx.fetchone(
                f"""
                SELECT (SELECT count(*) FROM import_new),
                       count(*) FILTER (WHERE NOT reported),
                       count(*) FILTER (WHERE state_before = {_DISMISSED}),
                       count(*) FILTER (WHERE state_before = {_ACTIONED})
                  FROM import_known
                """
            )
            assert counts is not None
            new_cases = int(counts[0])
            new_reports = new_cases + int(counts[1])
            summary = ImportSummary(
                rows=len(rows),
                new_cases=new_cases,
                new_reports=new_reports,
                duplicates=len(rows) - new_reports,
                reopened=int(counts[2]),
                on_actioned=int(counts[3]),
            )
            await Audit.record(
                tx,
                reporter,
                "import",
                at,
                detail=(
                    f"{name[:100]}: {summary.rows} rows, {summary.new_cases} new cases, "
                    f"{summary.new_reports} new reports, {summary.duplicates} duplicates, "
                    f"{summary.reopened} reopened"
                ),
            )
            for table in ("import_new", "import_known", "import_accounts"):
                await tx.execute(f"DROP TABLE temp.{table}")
        return summary

    async def dismiss(self, case_id: int, reason: str, by: int, at: dt.datetime) -> DismissResult:
        """Close an open case as not actionable; kept, with the reason, never deleted."""
        async with self.db.transaction() as tx:
            row = await tx.fetchone(
                "SELECT platform, handle, state FROM cases WHERE id = ?", (case_id,)
            )
            if row is None:
                return DismissResult(case_id, None, None, dismissed=False)
            before = CaseState(row["state"])
            account = _account(row)
            after = states.after(before, states.Event.DISMISS)
            if after is None:
                return DismissResult(case_id, account, before, dismissed=False)
            await tx.execute(
                "UPDATE cases SET state = ?, dismissed_reason = ?, updated_at = ? WHERE id = ?",
                (after.value, reason, to_ts(at), case_id),
            )
            await Audit.record(
                tx,
                by,
                "dismiss",
                at,
                case_id=case_id,
                before=before.value,
                after=after.value,
                detail=reason,
            )
        return DismissResult(case_id, account, before, dismissed=True)

    # ------------------------------------------------------------------ reading

    async def case_id_of(self, account: AccountRef) -> int | None:
        row = await self.db.fetchone(
            "SELECT id FROM cases WHERE platform = ? AND handle = ?",
            (account.platform.value, account.handle),
        )
        return None if row is None else int(row["id"])

    async def card(self, case_id: int) -> CaseCard | None:
        """Everything /status shows about one case."""
        case = await self.db.fetchone("SELECT * FROM cases WHERE id = ?", (case_id,))
        if case is None:
            return None
        totals = await self.db.fetchone(
            "SELECT count(*), min(reported_at), max(reported_at) FROM reports WHERE case_id = ?",
            (case_id,),
        )
        assert totals is not None
        reporters = await self.db.fetchall(
            "SELECT reporter_id FROM reports WHERE case_id = ? ORDER BY reported_at, id LIMIT ?",
            (case_id, CARD_REPORTERS),
        )
        reports = await self.db.fetchall(
            "SELECT reporter_id, reported_at, source, category, followers, note FROM reports"
            " WHERE case_id = ? ORDER BY reported_at DESC, id DESC LIMIT ?",
            (case_id, CARD_REPORTS),
        )
        evidence_count = await self.db.fetchone(
            "SELECT count(*) FROM evidence WHERE case_id = ?", (case_id,)
        )
        assert evidence_count is not None
        evidence = await self.db.fetchall(
            "SELECT added_by, added_at, file_kind, text, forward_origin FROM evidence"
            " WHERE case_id = ? ORDER BY added_at DESC, id DESC LIMIT ?",
            (case_id, CARD_EVIDENCE),
        )
        history = await self.db.fetchall(
            "SELECT at, user_id, action, detail FROM audit"
            " WHERE case_id = ? AND action IN ('dismiss', 'reopen') ORDER BY id",
            (case_id,),
        )
        return CaseCard(
            id=case_id,
            account=_account(case),
            group=case["grp"],
            category=case["category"],
            followers=case["followers"],
            state=CaseState(case["state"]),
            created_at=from_ts(case["created_at"]),
            created_by=case["created_by"],
            dismissed_reason=case["dismissed_reason"],
            report_count=int(totals[0]),
            first_report_at=from_ts_or_none(totals[1]),
            last_report_at=from_ts_or_none(totals[2]),
            reporters=[int(row[0]) for row in reporters],
            reports=[
                ReportLine(
                    reporter_id=row["reporter_id"],
                    reported_at=from_ts(row["reported_at"]),
                    source=row["source"],
                    category=row["category"],
                    followers=row["followers"],
                    note=row["note"],
                )
                for row in reports
            ],
            evidence_count=int(evidence_count[0]),
            evidence=[
                EvidenceLine(
                    added_by=row["added_by"],
                    added_at=from_ts(row["added_at"]),
                    kind=row["file_kind"] or "text",
                    text=row["text"],
                    forward_origin=row["forward_origin"],
                )
                for row in evidence
            ],
            rounds=await case_rounds(self.db, case_id),
            history=[
                HistoryLine(
                    at=from_ts(row["at"]),
                    user_id=row["user_id"],
                    action=row["action"],
                    detail=row["detail"],
                )
                for row in history
            ],
        )

    async def find(
        self, text: str, account: AccountRef | None = None, limit: int = 20
    ) -> FindResult:
        """Cases whose handle or a report's note contains `text` (ASCII letters in any case)
        or that are `account`, newest first. Raises SearchTooSlow past its deadline.

        instr() rather than LIKE: LIKE '%aaa...ab%' backtracks at every position of a note
        (7-8 s over 5,218 notes of 4,000 `a`); instr compares with memcmp, ~0.2 s there.
        An FTS5 trigram index was tried and is worse on such text (30 s: every trigram of a
        repeated letter is at every position). One scan: the hits are counted and paged."""
        params = {
            "needle": _ascii_lower(text),
            "platform": account.platform.value if account else None,
            "handle": account.handle if account else None,
            "limit": limit,
        }
        rows = await self.db.search(
            """
            WITH hits (id) AS MATERIALIZED (
                SELECT id FROM cases WHERE instr(lower(handle), :needle) > 0
                 UNION
                SELECT case_id FROM reports WHERE instr(lower(note), :needle) > 0
                 UNION
                SELECT id FROM cases WHERE platform = :platform AND handle = :handle
            )
            SELECT c.id, c.platform, c.handle, c.grp, c.state, c.created_at,
                   (SELECT count(*) FROM reports r WHERE r.case_id = c.id) AS report_count,
                   (SELECT count(*) FROM hits) AS total
              FROM hits JOIN cases c ON c.id = hits.id
             ORDER BY c.created_at DESC, c.id DESC
             LIMIT :limit
            """,
            params,
        )
        return FindResult(
            cases=[
                CaseSummary(
                    id=row["id"],
                    account=_account(row),
                    group=row["grp"],
                    state=CaseState(row["state"]),
                    report_count=row["report_count"],
                    created_at=from_ts(row["created_at"]),
                )
                for row in rows
            ],
            total=int(rows[0]["total"]) if rows else 0,
        )


def _import_accounts(rows: Sequence[FlagRow] | Sequence[FlagCommand]) -> list[tuple[object, ...]]:
    """One row per account of an import, in the order of its first row: (position of that
    row, platform, handle, source, group, category, followers, last followers= value, note)."""
    first: dict[tuple[str, str], int] = {}
    last_followers: dict[tuple[str, str], int] = {}
    flag_rows = [row if isinstance(row, FlagRow) else FlagRow.of(row) for row in rows]
    for pos, row in enumerate(flag_rows):
        key = (row.platform, row.handle)
        first.setdefault(key, pos)
        if row.followers is not None:
            last_followers[key] = row.followers
    accounts: list[tuple[object, ...]] = []
    for key, pos in first.items():
        row = flag_rows[pos]
        accounts.append(
            (
                pos,
                *key,
                row.source,
                row.group,
                row.category,
                row.followers,
                last_followers.get(key),
                row.note,
            )
        )
    return accounts


def _account(row: Row) -> AccountRef:
    return AccountRef(Platform(row["platform"]), row["handle"])


_ASCII_LOWER = str.maketrans("ABCDEFGHIJKLMNOPQRSTUVWXYZ", "abcdefghijklmnopqrstuvwxyz")


def _ascii_lower(text: str) -> str:
    """What SQLite's lower() does (ASCII letters only), so both sides compare alike."""
    return text.translate(_ASCII_LOWER)

"""Cases and their reports: /flag, /import, /status, /find, /dismiss.

One case per real account `(platform, canonical handle)`; one report per member and case.
The first report decides the case's group and category; each report keeps its own.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from bot.domain import CaseState, Platform
from bot.domain.accounts import AccountRef
from bot.domain.records import (
    CaseCard,
    CaseSummary,
    Dismissal,
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
from storage.audit import Audit
from storage.db import Database, Row, Tx, from_ts, from_ts_or_none, to_ts
from storage.requests import case_rounds

# States a case can be dismissed from; `actioned` and `dismissed` are closed.
DISMISSABLE = frozenset({CaseState.FLAGGED, CaseState.REQUESTED, CaseState.REFUSED})
CARD_REPORTS = 10
CARD_EVIDENCE = 5
CARD_REPORTERS = 30
# The audit detail of a member's second report of a case (/flag and /import).
REPEAT = "repeat by the same member, not counted"


class Cases:
    def __init__(self, db: Database) -> None:
        self.db = db

    # ------------------------------------------------------------------ writing

    async def report(
        self, cmd: FlagCommand, reporter: int, at: dt.datetime, evidence: Evidence | None = None
    ) -> ReportResult:
        """One /flag: a new case, or one more report (at most one per member) on the case.

        A known case keeps its state (a dismissed case stays dismissed: only a reviewer
        reopens it), group and category, and takes the report's followers= as its last known
        followers. A member's repeat is not counted, but their report keeps its note and
        followers= (`_kept_note`); /import follows the same rule row by row."""
        ts = to_ts(at)
        ref = cmd.account
        async with self.db.transaction() as tx:
            row = await tx.fetchone(
                "SELECT id, grp, category, state FROM cases WHERE platform = ? AND handle = ?",
                (ref.platform.value, ref.handle),
            )
            if row is None:
                case_id = await self._new_case(tx, cmd, reporter, ts)
                group, category, state = cmd.group, cmd.category.value, CaseState.FLAGGED
                await Audit.record(
                    tx, reporter, "flag", at, case_id=case_id, after=state.value, detail=cmd.source
                )
                report_id = await self._add_report(tx, case_id, reporter, ts, cmd)
                counted, report_count, dismissal = True, 1, None
            else:
                case_id, group, category = row["id"], row["grp"], row["category"]
                state = CaseState(row["state"])
                report_id, counted = await self._report_known(tx, case_id, state, reporter, at, cmd)
                report_count = await _report_count(tx, case_id)
                dismissed = state is CaseState.DISMISSED
                dismissal = await _dismissal(tx, case_id) if dismissed else None
            if evidence is not None:
                await self._add_evidence(tx, case_id, report_id, reporter, ts, evidence)
        return ReportResult(
            case_id=case_id,
            account=ref,
            new_case=row is None,
            counted=counted,
            report_count=report_count,
            state=state,
            dismissal=dismissal,
            case_group=group,
            case_category=category,
            evidence_kept=evidence is not None,
        )

    @staticmethod
    async def _new_case(tx: Tx, cmd: FlagCommand, reporter: int, ts: int) -> int:
        ref = cmd.account
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
                CaseState.FLAGGED.value,
                ts,
                reporter,
                ts,
            ),
        )
        assert case_id is not None
        return case_id

    @staticmethod
    async def _report_known(
        tx: Tx, case_id: int, state: CaseState, reporter: int, at: dt.datetime, cmd: FlagCommand
    ) -> tuple[int, bool]:
        """A report on a case that exists: (the member's report id, whether it is new)."""
        ts = to_ts(at)
        await tx.execute(
            "UPDATE cases SET followers = coalesce(?, followers), updated_at = ? WHERE id = ?",
            (cmd.followers, ts, case_id),
        )
        mine = await tx.fetchone(
            "SELECT id, note FROM reports WHERE case_id = ? AND reporter_id = ?",
            (case_id, reporter),
        )
        if mine is None:
            report_id = await Cases._add_report(tx, case_id, reporter, ts, cmd)
        else:
            report_id = int(mine["id"])
            await tx.execute(
                "UPDATE reports SET note = ?, followers = coalesce(?, followers) WHERE id = ?",
                (_kept_note(mine["note"], cmd.note), cmd.followers, report_id),
            )
        await Audit.record(
            tx,
            reporter,
            "report",
            at,
            case_id=case_id,
            before=state.value,
            after=state.value,
            detail=cmd.source if mine is None else REPEAT,
        )
        return report_id, mine is None

    @staticmethod
    async def _add_report(tx: Tx, case_id: int, reporter: int, ts: int, cmd: FlagCommand) -> int:
        report_id = await tx.execute(
            "INSERT INTO reports (case_id, reporter_id, reported_at, source, category,"
            " followers, note) VALUES (?, ?, ?, ?, ?, ?, ?)",
            (case_id, reporter, ts, cmd.source, cmd.category.value, cmd.followers, cmd.note),
        )
        assert report_id is not None
        return report_id

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
        rows: Sequence[FlagRow | FlagCommand],
        reporter: int,
        at: dt.datetime,
        *,
        name: str = "",
    ) -> ImportSummary:
        """An /import: every row a report by `reporter`, all in one transaction, set-based.

        The same outcome as `report` row by row (tests/test_report_paths.py holds it), but a
        known case keeps its followers too (PRODUCT.md: an import never changes a case's
        state, group, category or followers). An account repeated in the file counts once:
        its first row decides group, category and source; the later rows are repeats by the
        same member (audited, notes kept, the last followers= value kept). New cases are
        numbered in the order of the file, so an /export imports again in the same order.

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
            # pos: the account's first row in the file (0-based); followers: its last
            # followers= value; note: its rows' notes kept as `_kept_note` keeps them;
            # repeats: its rows after the first.
            await tx.execute(
                "CREATE TEMP TABLE import_accounts (pos INTEGER PRIMARY KEY, platform TEXT,"
                " handle TEXT, source TEXT, grp TEXT, category TEXT, followers INTEGER,"
                " note TEXT, repeats INTEGER)"
            )
            await tx.executemany(
                "INSERT INTO import_accounts VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                [account.values for account in accounts.values()],
            )
            # The accounts that already have a case: their state, and this member's report.
            await tx.execute(
                """
                CREATE TEMP TABLE import_known AS
                SELECT a.pos, c.id AS case_id, c.state AS state,
                       (SELECT x.id FROM reports x
                         WHERE x.case_id = c.id AND x.reporter_id = :by) AS report_id
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
                """
                INSERT INTO cases (id, platform, handle, grp, category, followers, state,
                                   created_at, created_by, updated_at)
                SELECT n.case_id, a.platform, a.handle, a.grp, a.category, a.followers,
                       'flagged', :ts, :by, :ts
                  FROM import_new n JOIN import_accounts a USING (pos)
                 ORDER BY n.pos
                """,
                params,
            )
            await tx.execute(
                """
                INSERT INTO audit (at, user_id, action, case_id, before, after, detail)
                SELECT :ts, :by, 'flag', case_id, NULL, 'flagged', 'import'
                  FROM import_new ORDER BY pos
                """,
                params,
            )
            # A known case keeps its state, group, category and followers.
            await tx.execute(
                "UPDATE cases SET updated_at = :ts WHERE id IN (SELECT case_id FROM import_known)",
                params,
            )
            await tx.execute(
                """
                INSERT INTO audit (at, user_id, action, case_id, before, after, detail)
                SELECT :ts, :by, 'report', case_id, state, state, 'import'
                  FROM import_known WHERE report_id IS NULL ORDER BY pos
                """,
                params,
            )
            await self._audit_repeats(tx, params)
            await tx.execute(
                """
                INSERT INTO reports (case_id, reporter_id, reported_at, source, category,
                                     followers, note)
                SELECT case_id, :by, :ts, a.source, a.category, a.followers, a.note
                  FROM (SELECT pos, case_id FROM import_new
                        UNION ALL
                        SELECT pos, case_id FROM import_known WHERE report_id IS NULL)
                  JOIN import_accounts a USING (pos)
                 ORDER BY pos
                """,
                params,
            )
            await self._keep_repeated_reports(tx, accounts)
            summary = await self._import_summary(tx, len(rows))
            await Audit.record(
                tx,
                reporter,
                "import",
                at,
                detail=(
                    f"{name[:100]}: {summary.rows} rows, {summary.new_cases} new cases, "
                    f"{summary.new_reports} new reports, {summary.duplicates} duplicates, "
                    f"{summary.on_dismissed} on dismissed cases"
                ),
            )
            for table in ("import_new", "import_known", "import_accounts"):
                await tx.execute(f"DROP TABLE temp.{table}")
        return summary

    @staticmethod
    async def _audit_repeats(tx: Tx, params: dict[str, int]) -> None:
        """One `report` audit row per repeat, as /flag writes: each row of an account after
        its first, and its first row too where this member had reported the case before."""
        await tx.execute(
            """
            INSERT INTO audit (at, user_id, action, case_id, before, after, detail)
            WITH RECURSIVE n (i) AS (
                     SELECT 1 UNION ALL
                     SELECT i + 1 FROM n WHERE i <= (SELECT max(repeats) FROM import_accounts)
                 ),
                 touched (pos, case_id, state, repeats) AS (
                     SELECT n.pos, n.case_id, 'flagged', a.repeats
                       FROM import_new n JOIN import_accounts a USING (pos)
                     UNION ALL
                     SELECT k.pos, k.case_id, k.state,
                            a.repeats + (k.report_id IS NOT NULL)
                       FROM import_known k JOIN import_accounts a USING (pos)
                 )
            SELECT :ts, :by, 'report', t.case_id, t.state, t.state, :repeat
              FROM touched t JOIN n ON n.i <= t.repeats
             ORDER BY t.pos, n.i
            """,
            {**params, "repeat": f"import: {REPEAT}"},
        )

    @staticmethod
    async def _keep_repeated_reports(
        tx: Tx, accounts: dict[tuple[str, str], _ImportAccount]
    ) -> None:
        """The importer's reports made before this file keep its notes and followers= values,
        as a /flag of each row would keep them. Few rows: a member seldom imports what they
        reported already."""
        mine = await tx.fetchall(
            "SELECT k.report_id, r.note, a.platform, a.handle FROM import_known k"
            " JOIN reports r ON r.id = k.report_id JOIN import_accounts a USING (pos)"
        )
        updates = []
        for row in mine:
            account = accounts[(row["platform"], row["handle"])]
            note = row["note"]
            for new in account.notes:
                note = _kept_note(note, new)
            updates.append((note, account.followers, row["report_id"]))
        await tx.executemany(
            "UPDATE reports SET note = ?, followers = coalesce(?, followers) WHERE id = ?",
            updates,
        )

    @staticmethod
    async def _import_summary(tx: Tx, rows: int) -> ImportSummary:
        counts = await tx.fetchone(
            """
            SELECT (SELECT count(*) FROM import_new),
                   count(*),
                   count(*) FILTER (WHERE report_id IS NULL),
                   count(*) FILTER (WHERE state = 'dismissed'),
                   count(*) FILTER (WHERE state = 'actioned')
              FROM import_known
            """
        )
        assert counts is not None
        new_cases = int(counts[0])
        new_reports = new_cases + int(counts[2])
        return ImportSummary(
            rows=rows,
            new_cases=new_cases,
            new_reports=new_reports,
            duplicates=rows - new_reports,
            on_known=int(counts[1]),
            on_dismissed=int(counts[3]),
            on_actioned=int(counts[4]),
        )

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
            if before not in DISMISSABLE:
                return DismissResult(case_id, account, before, dismissed=False)
            await tx.execute(
                "UPDATE cases SET state = ?, dismissed_reason = ?, updated_at = ? WHERE id = ?",
                (CaseState.DISMISSED.value, reason, to_ts(at), case_id),
            )
            await Audit.record(
                tx,
                by,
                "dismiss",
                at,
                case_id=case_id,
                before=before.value,
                after=CaseState.DISMISSED.value,
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


class _ImportAccount:
    """One account of an import, from its rows in the order of the file."""

    __slots__ = ("first", "followers", "notes", "pos", "repeats")

    def __init__(self, pos: int, first: FlagRow) -> None:
        self.pos, self.first = pos, first
        self.followers = first.followers
        self.notes = [first.note]
        self.repeats = 0

    def add(self, row: FlagRow) -> None:
        self.repeats += 1
        if row.followers is not None:
            self.followers = row.followers
        self.notes.append(row.note)

    @property
    def note(self) -> str:
        """The note of a new report: the first row's, with the repeats' kept."""
        note = ""
        for new in self.notes:
            note = _kept_note(note, new)
        return note

    @property
    def values(self) -> tuple[object, ...]:
        row = self.first
        return (
            self.pos,
            row.platform,
            row.handle,
            row.source,
            row.group,
            row.category,
            self.followers,
            self.note,
            self.repeats,
        )


def _import_accounts(
    rows: Sequence[FlagRow | FlagCommand],
) -> dict[tuple[str, str], _ImportAccount]:
    """The accounts of an import by (platform, handle), in the order of their first rows."""
    accounts: dict[tuple[str, str], _ImportAccount] = {}
    for pos, given in enumerate(rows):
        row = FlagRow.of(given) if isinstance(given, FlagCommand) else given
        account = accounts.get((row.platform, row.handle))
        if account is None:
            accounts[(row.platform, row.handle)] = _ImportAccount(pos, row)
        else:
            account.add(row)
    return accounts


def _kept_note(kept: str, new: str) -> str:
    """A member's report note after they report the case again with `new`: both are kept
    (`; ` between), unless `new` is empty or already in it."""
    if not new or new in kept:
        return kept
    return f"{kept}; {new}" if kept else new


async def _report_count(tx: Tx, case_id: int) -> int:
    row = await tx.fetchone("SELECT count(*) FROM reports WHERE case_id = ?", (case_id,))
    assert row is not None
    return int(row[0])


async def _dismissal(tx: Tx, case_id: int) -> Dismissal:
    """Who dismissed the case, when and why: its last `dismiss` audit entry."""
    row = await tx.fetchone(
        "SELECT user_id, at, detail FROM audit WHERE case_id = ? AND action = 'dismiss'"
        " ORDER BY id DESC LIMIT 1",
        (case_id,),
    )
    if row is None:  # dismissed before the audit kept it (or by hand): the reason only
        case = await tx.fetchone("SELECT dismissed_reason FROM cases WHERE id = ?", (case_id,))
        assert case is not None
        return Dismissal(by=None, at=None, reason=case["dismissed_reason"] or "")
    return Dismissal(by=row["user_id"], at=from_ts(row["at"]), reason=row["detail"])


def _account(row: Row) -> AccountRef:
    return AccountRef(Platform(row["platform"]), row["handle"])


_ASCII_LOWER = str.maketrans("ABCDEFGHIJKLMNOPQRSTUVWXYZ", "abcdefghijklmnopqrstuvwxyz")


def _ascii_lower(text: str) -> str:
    """What SQLite's lower() does (ASCII letters only), so both sides compare alike."""
    return text.translate(_ASCII_LOWER)

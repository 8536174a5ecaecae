"""Cases and their reports: /flag, /import, /status, /find, /dismiss.

One case per real account `(platform, canonical handle)`; one report per member and case.
The first report decides the case's group and category; each report keeps its own.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import AsyncIterable, AsyncIterator, Sequence
from dataclasses import dataclass

from bot.domain import CaseState, Outcome, Platform, states
from bot.domain.accounts import AccountRef
from bot.domain.comebacks import sql_match_key
from bot.domain.evidence import LinkSource
from bot.domain.records import (
    CaseCard,
    CaseChanged,
    CaseSummary,
    Dismissal,
    DismissResult,
    Evidence,
    EvidenceLine,
    FieldChange,
    FindResult,
    FlagCommand,
    FlagRow,
    HistoryLine,
    ImportSummary,
    NoteLine,
    Refusal,
    ReportLine,
    ReportResult,
)
from storage import sql
from storage.audit import Audit
from storage.backend import Db, Row, SyncConn, Tx
from storage.comebacks import FLAG_LIMIT, LINKS_OF_CASE_SQL, comeback_of, link_case
from storage.db import from_ts, from_ts_or_none, to_ts
from storage.people import NAMES_SQL, name_of, names_of
from storage.requests import ROUNDS_OF_CASE_SQL, decide_round, round_info

# /import's SQL spells these states (storage/sql.py): a new case's, and those its summary
# counts. A report moves no case (Event.REPORT in bot/domain/states.py).
_NEW = sql.literal(states.NEW_CASE_STATE)
_DISMISSED = sql.literal(CaseState.DISMISSED)
_ACTIONED = sql.literal(CaseState.ACTIONED)
# The temporary tables of an /import (see Cases.report_many).
_IMPORT_TABLES = ("import_accounts", "import_later", "import_repeats", "import_known", "import_new")
CARD_REPORTS = 10
CARD_EVIDENCE = 5
CARD_REPORTERS = 30
CARD_NOTES = 10
# The audit detail of a member's second report of a case (/flag and /import).
REPEAT = "repeat by the same member, not counted"


class Cases:
    def __init__(self, db: Db) -> None:
        self.db = db

    # ------------------------------------------------------------------ writing

    async def report(
        self, cmd: FlagCommand, reporter: int, at: dt.datetime, evidence: Evidence | None = None
    ) -> ReportResult:
        """One /flag: a new case, or one more report (at most one per member) on the case.

        A known case keeps its state (a dismissed case stays dismissed: only a reviewer
        /reopens it), group and category; its followers= is a fact seen (the last known
        count, audited as an edit). A member's repeat is not counted, but its note is kept as
        a case note; /import follows the same rule row by row (tests/test_report_paths.py)."""
        return await self.db.write(lambda tx: self._report(tx, cmd, reporter, at, evidence))

    async def report_all(
        self,
        cmds: Sequence[FlagCommand],
        reporter: int,
        at: dt.datetime,
        evidence: Evidence | None = None,
    ) -> list[ReportResult]:
        """A /flag of several accounts: `report` for each, in one transaction; the message it
        replied to is evidence for each of them."""

        async def each(tx: Tx) -> list[ReportResult]:
            return [await self._report(tx, cmd, reporter, at, evidence) for cmd in cmds]

        return await self.db.write(each)

    async def _report(
        self, tx: Tx, cmd: FlagCommand, reporter: int, at: dt.datetime, evidence: Evidence | None
    ) -> ReportResult:
        ts = to_ts(at)
        ref = cmd.account
        row = await tx.fetchone(
            "SELECT id, grp, category, state, followers FROM cases"
            " WHERE platform = ? AND handle = ?",
            (ref.platform.value, ref.handle),
        )
        dismissal: Dismissal | None = None
        if row is None:
            created = await tx.fetchone(
                # With its comeback match key, so the /flag hook need not key it later.
                "INSERT INTO cases (platform, handle, grp, category, followers, state,"
                " created_at, created_by, updated_at, match_key)"
                " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id",
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
                    sql_match_key(ref.platform.value, ref.handle) or "",
                ),
            )
            assert created is not None
            case_id = int(created[0])
            group, category, state = cmd.group, cmd.category.value, states.NEW_CASE_STATE
            await Audit.record(
                tx, reporter, "flag", at, case_id=case_id, after=state.value, detail=cmd.source
            )
        else:
            case_id, group, category = row["id"], row["grp"], row["category"]
            before = CaseState(row["state"])
            state = states.after_report(before)  # a report moves no case (PRODUCT.md)
            dismissal = await _dismissal(tx, case_id) if state is CaseState.DISMISSED else None
            await _known_followers(tx, case_id, row["followers"], cmd.followers, reporter, at)
        if cmd.followers is not None:
            await tx.execute(
                "INSERT INTO follower_counts (case_id, followers, seen_at, seen_by, source)"
                " VALUES (?, ?, ?, ?, 'flag')",
                (case_id, cmd.followers, ts, reporter),
            )
        report_id = await self._add_report(tx, case_id, reporter, ts, cmd)
        counted = report_id is not None
        if not counted and cmd.note:
            # A repeat by the same member is not a second report, but its note is kept.
            await tx.execute(
                "INSERT INTO case_notes (case_id, note, noted_at, noted_by) VALUES (?, ?, ?, ?)",
                (case_id, cmd.note, ts, reporter),
            )
        if row is not None:
            await Audit.record(
                tx,
                reporter,
                "report",
                at,
                case_id=case_id,
                before=before.value,
                after=state.value,
                detail=cmd.source if counted else REPEAT,
            )
        links = [(url, LinkSource.FLAG) for url in cmd.links]
        if evidence is not None:
            await self._add_evidence(tx, case_id, report_id, reporter, ts, evidence)
            if evidence.post_link:
                links.append((evidence.post_link, LinkSource.FORWARD))
        await _add_links(tx, case_id, links, reporter, ts)
        if row is None:
            report_count = 1  # the report that created the case
        else:
            count_row = await tx.fetchone(
                "SELECT count(*) FROM reports WHERE case_id = ?", (case_id,)
            )
            assert count_row is not None
            report_count = int(count_row[0])
        # In the same transaction: one write per /flag (issue 15), and a re-created account
        # of an actioned case is news the reporter gets in this reply.
        comebacks = await link_case(tx, case_id, ref, state, at, limit=FLAG_LIMIT)
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
            comebacks=comebacks,
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
        captured = evidence.captured
        await tx.execute(
            "INSERT INTO evidence (case_id, report_id, added_by, added_at, chat_id, message_id,"
            " text, forward_origin, file_id, file_kind, post_link, file_status, sha256,"
            " file_size, mime_type, stored_name, file_error)"
            " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
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
                evidence.post_link,
                captured.status.value if captured else None,
                captured.sha256 if captured else None,
                captured.size if captured else evidence.file_size,
                captured.mime_type if captured else evidence.mime_type,
                captured.stored_name if captured else "",
                captured.error if captured else "",
            ),
        )

    async def report_many(
        self,
        rows: Sequence[FlagRow | FlagCommand] | AsyncIterable[Sequence[FlagRow]],
        reporter: int,
        at: dt.datetime,
        *,
        name: str = "",
    ) -> ImportSummary:
        """An /import: every row a report by `reporter`, all in one transaction, set-based.

        The same outcome as `report` row by row (tests/test_report_paths.py holds it), but a
        known case keeps its followers too (PRODUCT.md: an import never changes a case's
        state, group, category or followers; /edit does). An account repeated in the file
        counts once: its first row decides group, category, note and the report (its last
        followers= value is a new case's count); the later rows are repeats by the same
        member (audited, their notes kept as case notes). New cases are numbered in the order
        of the file, so an /export imports again in the same order.

        `rows`: a list, or the file's rows in chunks as they are read (the handler streams
        them: the whole file is never held in memory). An exception from them (the file's
        bad rows, found after some chunks were written) rolls the whole import back.

        New cases are written without their comeback match key (NULL): keying 78,000 handles
        and placing them in `cases_by_match_key` took ~0.5 s of a 100,000-row import at 1M
        cases. A new case is not actioned, so no comeback probe needs its key; the caller
        keys them after replying (`Comebacks.fill_missing_keys`), /comebacks keys what is
        left first, and a case is keyed at the latest when an outcome is recorded."""
        params = {"ts": to_ts(at), "by": reporter}
        async with self.db.transaction() as tx:
            for table in _IMPORT_TABLES:
                await tx.execute(f"DROP TABLE IF EXISTS {table}")
            count = await _import_accounts(tx, rows)
            # The accounts that already have a case: their state before, and whether this
            # member has reported them already.
            await tx.execute(
                """
                CREATE TEMP TABLE import_known AS
                SELECT a.pos, c.id AS case_id, c.state AS state_before,
                       CASE WHEN EXISTS (SELECT 1 FROM reports x
                                WHERE x.case_id = c.id AND x.reporter_id = :by)
                            THEN 1 ELSE 0 END AS reported
                  FROM import_accounts a
                  JOIN cases c ON c.platform = a.platform AND c.handle = a.handle
                 ORDER BY a.platform, a.handle
                """,
                params,
            )
            # The others get the next case numbers, in the order of the file.
            await tx.execute(
                """
                CREATE TEMP TABLE import_new AS
                SELECT pos, (SELECT coalesce(max(id), 0) FROM cases)
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
            # A known case keeps its state, group, category and followers (/edit changes
            # them, /reopen reopens): only the new cases' follower counts are facts to keep.
            await tx.execute(
                """
                INSERT INTO follower_counts (case_id, followers, seen_at, seen_by, source)
                SELECT n.case_id, a.last_followers, :ts, :by, 'import'
                  FROM import_new n JOIN import_accounts a USING (pos)
                 WHERE a.last_followers IS NOT NULL
                 ORDER BY n.pos
                """,
                params,
            )
            await tx.execute(
                """
                INSERT INTO audit (at, user_id, action, case_id, before, after, detail)
                SELECT :ts, :by, 'report', k.case_id, c.state, c.state, 'import'
                  FROM import_known k JOIN cases c ON c.id = k.case_id
                 WHERE k.reported = 0
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
                        SELECT pos, case_id FROM import_known WHERE reported = 0) AS t
                  JOIN import_accounts a USING (pos)
                 ORDER BY pos
                """,
                params,
            )
            await self._audit_repeats(tx, params)
            await self._keep_repeat_notes(tx, params)
            summary = await self._import_summary(tx, count)
            await Audit.record(
                tx,
                reporter,
                "import",
                at,
                detail=(
                    f"{name[:100]}: {summary.rows} rows, {summary.new_cases} new cases, "
                    f"{summary.new_reports} new reports, {summary.duplicates} duplicates, "
                    f"{summary.on_known} known cases left as they were, "
                    f"{summary.on_dismissed} of them dismissed"
                ),
            )
            for table in _IMPORT_TABLES:
                await tx.execute(f"DROP TABLE {table}")
        return summary

    @staticmethod
    async def _audit_repeats(tx: Tx, params: dict[str, int]) -> None:
        """One `report` audit row per repeat, as /flag writes: each row of an account after
        its first, and its first row too where this member had reported the case before."""
        await tx.execute(
            f"""
            INSERT INTO audit (at, user_id, action, case_id, before, after, detail)
            WITH RECURSIVE n (i) AS (
                     SELECT 1 UNION ALL
                     SELECT i + 1 FROM n WHERE i <= (SELECT max(repeats) FROM import_accounts)
                 ),
                 touched (pos, case_id, state, repeats) AS (
                     SELECT n.pos, n.case_id, {_NEW}, a.repeats
                       FROM import_new n JOIN import_accounts a USING (pos)
                     UNION ALL
                     SELECT k.pos, k.case_id, k.state_before, a.repeats + k.reported
                       FROM import_known k JOIN import_accounts a USING (pos)
                 )
            SELECT :ts, :by, 'report', t.case_id, t.state, t.state, :repeat
              FROM touched t JOIN n ON n.i <= t.repeats
             ORDER BY t.pos, n.i
            """,
            {**params, "repeat": f"import: {REPEAT}"},
        )

    @staticmethod
    async def _keep_repeat_notes(tx: Tx, params: dict[str, int]) -> None:
        """A repeat's note is kept as a case note, as /flag keeps it: the rows after an
        account's first, and its first row where this member had reported the case before."""
        await tx.execute(
            """
            INSERT INTO case_notes (case_id, note, noted_at, noted_by)
            SELECT case_id, note, :ts, :by FROM (
                SELECT k.pos, -1 AS row, k.case_id, a.note
                  FROM import_known k JOIN import_accounts a USING (pos)
                 WHERE k.reported = 1 AND a.note != ''
                UNION ALL
                SELECT t.pos, r.row, t.case_id, r.note
                  FROM (SELECT pos, case_id FROM import_new
                        UNION ALL
                        SELECT pos, case_id FROM import_known) t
                  JOIN import_repeats r USING (pos)
                 WHERE r.note != ''
            ) AS repeats
             ORDER BY pos, row
            """,
            params,
        )

    @staticmethod
    async def _import_summary(tx: Tx, rows: int) -> ImportSummary:
        counts = await tx.fetchone(
            f"""
            SELECT (SELECT count(*) FROM import_new),
                   count(*) FILTER (WHERE reported = 0),
                   count(*),
                   count(*) FILTER (WHERE state_before = {_ACTIONED}),
                   count(*) FILTER (WHERE state_before = {_DISMISSED})
              FROM import_known
            """
        )
        assert counts is not None
        new_cases = int(counts[0])
        new_reports = new_cases + int(counts[1])
        return ImportSummary(
            rows=rows,
            new_cases=new_cases,
            new_reports=new_reports,
            duplicates=rows - new_reports,
            on_known=int(counts[2]),
            on_actioned=int(counts[3]),
            on_dismissed=int(counts[4]),
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
            after = states.after(before, states.Event.DISMISS)
            if after is None:
                return DismissResult(case_id, account, before, dismissed=False)
            await tx.execute(
                "UPDATE cases SET state = ?, dismissed_reason = ?, updated_at = ? WHERE id = ?",
                (after.value, reason, to_ts(at), case_id),
            )
            # A round left open is withdrawn: sent, but no longer chased nor counted.
            open_round = await tx.fetchone(
                "SELECT round_no FROM request_rounds WHERE case_id = ? AND outcome IS NULL",
                (case_id,),
            )
            withdrawn = None if open_round is None else int(open_round["round_no"])
            if withdrawn is not None:
                await decide_round(
                    tx,
                    case_id,
                    withdrawn,
                    Outcome.WITHDRAWN,
                    by=by,
                    ts=to_ts(at),
                    note="case dismissed",
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
        return DismissResult(case_id, account, before, dismissed=True, withdrawn_round=withdrawn)

    async def add_note(
        self, case_id: int, note: str, by: int, at: dt.datetime
    ) -> CaseChanged | Refusal:
        """A dated note on the case (/note), audited."""
        async with self.db.transaction() as tx:
            row = await _case_row(tx, case_id)
            if row is None:
                return Refusal(case_id, f"There is no case #{case_id}.")
            await tx.execute(
                "INSERT INTO case_notes (case_id, note, noted_at, noted_by) VALUES (?, ?, ?, ?)",
                (case_id, note, to_ts(at), by),
            )
            await Audit.record(tx, by, "note", at, case_id=case_id, detail=note)
        return CaseChanged(case_id, _account(row), [FieldChange("note", "", note)])

    async def reopen(
        self, case_id: int, reason: str, by: int, at: dt.datetime
    ) -> CaseChanged | Refusal:
        """A dismissed case open again (state flagged), with the reason audited."""
        async with self.db.transaction() as tx:
            row = await _case_row(tx, case_id)
            if row is None:
                return Refusal(case_id, f"There is no case #{case_id}.")
            before = CaseState(row["state"])
            refusal = states.reopen_refusal(case_id, before)
            if refusal is not None:
                return Refusal(case_id, refusal)
            after = states.after_reopen(before)
            await tx.execute(
                "UPDATE cases SET state = ?, dismissed_reason = NULL, updated_at = ? WHERE id = ?",
                (after.value, to_ts(at), case_id),
            )
            await Audit.record(
                tx, by, "reopen", at, case_id=case_id, before=before, after=after, detail=reason
            )
        return CaseChanged(case_id, _account(row), [FieldChange("state", before, after)])

    async def edit(
        self,
        case_id: int,
        *,
        group: str | None,
        category: str | None,
        followers: int | None,
        by: int,
        at: dt.datetime,
    ) -> CaseChanged | Refusal:
        """Correct the case's group, category or last known followers; each change audited
        with its before/after. A follower count is kept as one more count seen now."""
        ts = to_ts(at)
        async with self.db.transaction() as tx:
            row = await _case_row(tx, case_id)
            if row is None:
                return Refusal(case_id, f"There is no case #{case_id}.")
            wanted = {"grp": group, "category": category, "followers": followers}
            changes: list[FieldChange] = []
            for column, value in wanted.items():
                if value is None or value == row[column]:
                    continue
                name = "group" if column == "grp" else column
                before = "unknown" if row[column] is None else str(row[column])
                changes.append(FieldChange(name, before, str(value)))
                await tx.execute(
                    # Column names are ours (the keys above), never input.
                    f"UPDATE cases SET {column} = ?, updated_at = ? WHERE id = ?",
                    (value, ts, case_id),
                )
                await Audit.record(
                    tx, by, "edit", at, case_id=case_id, before=before, after=str(value),
                    detail=name,
                )  # fmt: skip
            if followers is not None:
                await tx.execute(
                    "INSERT INTO follower_counts (case_id, followers, seen_at, seen_by, source)"
                    " VALUES (?, ?, ?, ?, 'edit')",
                    (case_id, followers, ts, by),
                )
        return CaseChanged(case_id, _account(row), changes)

    # ------------------------------------------------------------------ reading

    async def case_id_of(self, account: AccountRef) -> int | None:
        row = await self.db.fetchone(
            "SELECT id FROM cases WHERE platform = ? AND handle = ?",
            (account.platform.value, account.handle),
        )
        return None if row is None else int(row["id"])

    async def card(self, wanted: int | AccountRef) -> CaseCard | None:
        """Everything /status shows about one case (by number or account), read in one round
        trip and one snapshot (issue 15: the card's queries were nine hops)."""
        rows = await self.db.read(lambda conn: _card_rows(conn, wanted))
        return None if rows is None else _card(rows)

    async def find(
        self, text: str, account: AccountRef | None = None, limit: int = 20, offset: int = 0
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
            "offset": offset,
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
             LIMIT :limit OFFSET :offset
            """,
            params,
        )
        if not rows and offset > 0:  # past the last page: still say how many there are
            return FindResult([], (await self.find(text, account, 1)).total, offset)
        return FindResult(
            offset=offset,
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


async def _import_accounts(
    tx: Tx, rows: Sequence[FlagRow | FlagCommand] | AsyncIterable[Sequence[FlagRow]]
) -> int:
    """Fill temp.import_accounts: one row per account of an import, at the position of its
    first row in the file (pos, from 1): that row's platform, handle, source, group,
    category, followers, the last followers= value of the account's rows (a new case's
    count), note, and how many rows after the first it has (repeats); and temp.import_repeats:
    those later rows, (pos of the account's first, their own pos, followers, note). The rows
    go in a chunk per executemany, as they are read: a list of 100,000 rows' parameters is
    100 MB of Python objects, and binding them in one call holds the GIL for a second,
    starving the event loop. How many rows there were."""
    await tx.execute(
        "CREATE TEMP TABLE import_accounts (pos INTEGER PRIMARY KEY, platform TEXT,"
        " handle TEXT, source TEXT, grp TEXT, category TEXT, followers INTEGER,"
        " last_followers INTEGER, note TEXT, repeats INTEGER)"
    )
    await tx.execute(
        "CREATE TEMP TABLE import_later (row INTEGER PRIMARY KEY, platform TEXT, handle TEXT,"
        " followers INTEGER, note TEXT)"
    )
    # The accounts seen, one str each (a tuple and an int per account took 23 MB more at
    # 100,000 rows); the position of a later row's first is found by SQL, for the few such.
    seen: set[str] = set()
    count = 0
    async for chunk in rows if isinstance(rows, AsyncIterable) else _one_chunk(rows):
        accounts: list[tuple[object, ...]] = []
        later: list[tuple[object, ...]] = []
        for row in chunk:
            count += 1
            key = f"{row.platform} {row.handle}"  # one key per account: a platform has no space
            if key in seen:
                later.append((count, row.platform, row.handle, row.followers, row.note))
            else:
                seen.add(key)
                # last_followers starts as the row's own followers, repeats at 0
                accounts.append((count, *row[:6], row.followers, row.note, 0))
        await tx.append_rows("import_accounts", accounts)
        await tx.append_rows("import_later", later)
    await tx.execute(
        "CREATE TEMP TABLE import_repeats (pos INTEGER, row INTEGER, followers INTEGER,"
        " note TEXT, PRIMARY KEY (pos, row))"
    )
    await tx.execute(
        """
        INSERT INTO import_repeats
        SELECT a.pos, l.row, l.followers, l.note
          FROM import_later l JOIN import_accounts a USING (platform, handle)
        """
    )
    await tx.execute(
        """
        UPDATE import_accounts
           SET repeats = (SELECT count(*) FROM import_repeats r WHERE r.pos = import_accounts.pos),
               last_followers = coalesce(
                   (SELECT r.followers FROM import_repeats r
                     WHERE r.pos = import_accounts.pos AND r.followers IS NOT NULL
                     ORDER BY r.row DESC LIMIT 1),
                   followers)
         WHERE pos IN (SELECT pos FROM import_repeats)
        """
    )
    return count


async def _one_chunk(rows: Sequence[FlagRow | FlagCommand]) -> AsyncIterator[list[FlagRow]]:
    yield [row if isinstance(row, FlagRow) else FlagRow.of(row) for row in rows]


async def _add_links(
    tx: Tx, case_id: int, links: Sequence[tuple[str, LinkSource]], by: int, ts: int
) -> None:
    """Keep the content links with the case, each once (the first capture stays)."""
    await tx.executemany(
        "INSERT INTO content_links (case_id, url, source, added_at, added_by)"
        " VALUES (?, ?, ?, ?, ?) ON CONFLICT (case_id, url) DO NOTHING",
        [(case_id, url, source.value, ts, by) for url, source in links],
    )


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
    return Dismissal(
        by=row["user_id"],
        at=from_ts(row["at"]),
        reason=row["detail"],
        people=await names_of(tx, [row["user_id"]]),
    )


async def _known_followers(
    tx: Tx, case_id: int, before: int | None, seen: int | None, by: int, at: dt.datetime
) -> None:
    """A /flag of a known case with followers= updates its last known count, audited with the
    before and after (a dismissed case too: the count is a fact seen, not a state)."""
    if seen is None or seen == before:
        return
    await tx.execute(
        "UPDATE cases SET followers = ?, updated_at = ? WHERE id = ?", (seen, to_ts(at), case_id)
    )
    await Audit.record(
        tx,
        by,
        "edit",
        at,
        case_id=case_id,
        before="unknown" if before is None else str(before),
        after=str(seen),
        detail="followers",
    )


async def _case_row(tx: Tx, case_id: int) -> Row | None:
    return await tx.fetchone(
        "SELECT platform, handle, state, grp, category, followers FROM cases WHERE id = ?",
        (case_id,),
    )


def _account(row: Row) -> AccountRef:
    return AccountRef(Platform(row["platform"]), row["handle"])


_ASCII_LOWER = str.maketrans("ABCDEFGHIJKLMNOPQRSTUVWXYZ", "abcdefghijklmnopqrstuvwxyz")


def _ascii_lower(text: str) -> str:
    """What SQLite's lower() does (ASCII letters only), so both sides compare alike."""
    return text.translate(_ASCII_LOWER)


@dataclass(frozen=True)
class _CardRows:
    case: Row
    totals: Row
    reporters: list[Row]
    reports: list[Row]
    evidence_count: int
    evidence: list[Row]
    rounds: list[Row]
    history: list[Row]
    notes: list[Row]
    links: list[Row]
    people: list[Row]  # the names of everyone the card names


def _card_rows(conn: SyncConn, wanted: int | AccountRef) -> _CardRows | None:
    """The card's queries, run in the reader's thread (Database.read)."""
    if isinstance(wanted, AccountRef):
        case = conn.execute(
            "SELECT * FROM cases WHERE platform = ? AND handle = ?",
            (wanted.platform.value, wanted.handle),
        ).fetchone()
    else:
        case = conn.execute("SELECT * FROM cases WHERE id = ?", (wanted,)).fetchone()
    if case is None:
        return None
    case_id = case["id"]

    def rows(sql: str, *params: object) -> list[Row]:
        return conn.execute(sql, params).fetchall()

    reporters = rows(
        "SELECT reporter_id FROM reports WHERE case_id = ? ORDER BY reported_at, id LIMIT ?",
        case_id,
        CARD_REPORTERS,
    )
    reports = rows(
        "SELECT reporter_id, reported_at, source, category, followers, note FROM reports"
        " WHERE case_id = ? ORDER BY reported_at DESC, id DESC LIMIT ?",
        case_id,
        CARD_REPORTS,
    )
    evidence = rows(
        "SELECT added_by, added_at, file_kind, text, forward_origin FROM evidence"
        " WHERE case_id = ? ORDER BY added_at DESC, id DESC LIMIT ?",
        case_id,
        CARD_EVIDENCE,
    )
    history = rows(
        "SELECT at, user_id, action, detail, before, after FROM audit"
        " WHERE case_id = ? AND action IN ('dismiss', 'reopen', 'correct', 'edit')"
        " ORDER BY id",
        case_id,
    )
    notes = rows(
        "SELECT * FROM (SELECT noted_at, noted_by, note, id FROM case_notes"
        " WHERE case_id = ? ORDER BY noted_at DESC, id DESC LIMIT ?) AS latest"
        " ORDER BY noted_at, id",
        case_id,
        CARD_NOTES,
    )
    named = {
        *(row[0] for row in reporters),
        *(row["reporter_id"] for row in reports),
        *(row["added_by"] for row in evidence),
        *(row["user_id"] for row in history),
        *(row["noted_by"] for row in notes),
    }
    return _CardRows(
        case=case,
        totals=rows(
            "SELECT count(*), min(reported_at), max(reported_at) FROM reports WHERE case_id = ?",
            case_id,
        )[0],
        reporters=reporters,
        reports=reports,
        evidence_count=int(rows("SELECT count(*) FROM evidence WHERE case_id = ?", case_id)[0][0]),
        evidence=evidence,
        rounds=rows(ROUNDS_OF_CASE_SQL, case_id),
        history=history,
        notes=notes,
        links=rows(LINKS_OF_CASE_SQL, case_id, case_id),
        people=rows(NAMES_SQL, json.dumps(sorted(named))),
    )


def _card(rows: _CardRows) -> CaseCard:
    case, totals = rows.case, rows.totals
    return CaseCard(
        id=case["id"],
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
        reporters=[int(row[0]) for row in rows.reporters],
        reports=[
            ReportLine(
                reporter_id=row["reporter_id"],
                reported_at=from_ts(row["reported_at"]),
                source=row["source"],
                category=row["category"],
                followers=row["followers"],
                note=row["note"],
            )
            for row in rows.reports
        ],
        evidence_count=rows.evidence_count,
        evidence=[
            EvidenceLine(
                added_by=row["added_by"],
                added_at=from_ts(row["added_at"]),
                kind=row["file_kind"] or "text",
                text=row["text"],
                forward_origin=row["forward_origin"],
            )
            for row in rows.evidence
        ],
        rounds=[round_info(row) for row in rows.rounds],
        history=[
            HistoryLine(
                at=from_ts(row["at"]),
                user_id=row["user_id"],
                action=row["action"],
                detail=row["detail"],
                before=row["before"],
                after=row["after"],
            )
            for row in rows.history
        ],
        notes=[
            NoteLine(from_ts(row["noted_at"]), row["noted_by"], row["note"]) for row in rows.notes
        ],
        comebacks=[comeback_of(row) for row in rows.links],
        people=dict(name_of(row) for row in rows.people),
    )

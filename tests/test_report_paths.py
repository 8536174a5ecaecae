"""/flag and /import are one rule written twice (Cases.report row by row, Cases.report_many
set-based): the same rows through both, on two copies of the same database, leave the same
cases, reports and audit rows.

What legitimately differs, and is normalised here: the audit detail names the channel (the
account as typed for /flag, `import` for /import) and /import adds one summary row; new
cases of an import get their comeback keys after the reply (filled here as the handler does);
an import never changes a known case's followers, a /flag takes its followers= value (a count
seen: the case's followers and updated_at, an audited `edit`, a dated follower count).
"""

from __future__ import annotations

import asyncio
import datetime as dt
import itertools
from pathlib import Path
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.domain import CaseState, Category
from bot.domain.accounts import parse_account
from bot.domain.records import FlagCommand, ReportResult
from storage.cases import REPEAT
from storage.store import Store

T0 = dt.datetime(2026, 11, 2, 6, 0, tzinfo=dt.UTC)
AT = T0 + dt.timedelta(days=3)
IMPORTER, OTHERS = 300, (201, 202)
GROUPS = ("TTP", "BLA", "BLF")
# A few accounts on a few platforms, each written in more than one way.
ACCOUNTS = {
    "x:@alpha": ("x.com/alpha", "https://twitter.com/Alpha?s=20"),
    "x:@beta": ("x.com/beta", "mobile.twitter.com/BETA"),
    "telegram:@gamma": ("t.me/gamma", "t.me/s/Gamma"),
    "instagram:@delta": ("instagram.com/delta", "instagr.am/Delta"),
    "tiktok:@eps": ("tiktok.com/@eps", "tiktok.com/@EPS/video/1"),
}
STATES = (
    CaseState.FLAGGED,
    CaseState.REQUESTED,
    CaseState.ACTIONED,
    CaseState.REFUSED,
    CaseState.DISMISSED,
)
NOTES = ("", "", "recruits", "posts videos", "recruits; posts videos")


def command(source: str, group: str, category: Category, followers: int | None, note: str):
    return FlagCommand(parse_account(source), source, group, category, followers, note)


commands = st.builds(
    command,
    source=st.sampled_from(list(ACCOUNTS)).flatmap(lambda key: st.sampled_from(ACCOUNTS[key])),
    group=st.sampled_from(GROUPS),
    category=st.sampled_from(list(Category)),
    followers=st.none() | st.integers(0, 3_000_000),
    note=st.sampled_from(NOTES),
)
# A case before the import: its account, its state, and who reported it (the importer too).
existing = st.tuples(
    st.sampled_from(list(ACCOUNTS)),
    st.sampled_from(STATES),
    st.lists(st.sampled_from((*OTHERS, IMPORTER)), min_size=1, max_size=3, unique=True),
    commands,
)


async def prepare(store: Store, before: list[tuple[str, CaseState, list[int], FlagCommand]]):
    """The same cases in both databases: reported by their members, then put in their state
    (dismissed through /dismiss, so the audit knows who; the others as a round would)."""
    for key, state, reporters, cmd in before:
        given = command(key, cmd.group, cmd.category, cmd.followers, cmd.note)
        for minutes, reporter in enumerate(reporters):
            result = await store.cases.report(given, reporter, T0 + dt.timedelta(minutes=minutes))
        if state is CaseState.DISMISSED:
            await store.cases.dismiss(result.case_id, "parody", by=OTHERS[0], at=T0)
        elif state is not CaseState.FLAGGED:
            async with store.db.transaction() as tx:
                await tx.execute(
                    "UPDATE cases SET state = ? WHERE id = ?", (state.value, result.case_id)
                )


async def table(store: Store, sql: str) -> list[dict[str, Any]]:
    return [dict(row) for row in await store.db.fetchall(sql)]


async def snapshot(store: Store) -> dict[str, Any]:
    cases = await table(store, "SELECT * FROM cases ORDER BY id")
    reports = await table(
        store, "SELECT * FROM reports ORDER BY case_id, reporter_id"
    )  # ids differ: the two paths write them in another order
    audit = await table(store, "SELECT * FROM audit WHERE action NOT IN ('import', 'edit')")
    notes = await table(store, "SELECT case_id, note, noted_at, noted_by FROM case_notes")
    return {
        "edits": await table(
            store, "SELECT case_id, before, after, detail FROM audit WHERE action = 'edit'"
        ),
        "notes": sorted((tuple(note.values()) for note in notes), key=repr),
        "cases": cases,
        "reports": [{k: v for k, v in r.items() if k != "id"} for r in reports],
        "audit": sorted(
            (
                (a["at"], a["user_id"], a["action"], a["case_id"], a["before"], a["after"])
                + (REPEAT in a["detail"],)
                for a in audit
            ),
            key=repr,
        ),
    }


async def both_paths(
    folder: Path, before: list[Any], rows: list[FlagCommand]
) -> tuple[dict[str, Any], dict[str, Any], list[Any], Any]:
    flagged = await Store.open(folder / "flag.db")
    imported = await Store.open(folder / "import.db")
    try:
        await prepare(flagged, before)
        await prepare(imported, before)
        results = [await flagged.cases.report(row, IMPORTER, AT) for row in rows]
        summary = await imported.cases.report_many(rows, IMPORTER, AT, name="rows.csv")
        await imported.comebacks.fill_missing_keys()
        return await snapshot(flagged), await snapshot(imported), results, summary
    finally:
        await flagged.close()
        await imported.close()


def dedup(before: list[Any]) -> list[Any]:
    """One earlier case per account."""
    seen: dict[str, Any] = {}
    for item in before:
        seen.setdefault(item[0], item)
    return list(seen.values())


counter = itertools.count()


@settings(max_examples=40, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    before=st.lists(existing, max_size=4).map(dedup),
    rows=st.lists(commands, min_size=1, max_size=12),
)
def test_flag_row_by_row_and_import_leave_the_same_cases_reports_and_audit(
    tmp_path: Path, before: list[Any], rows: list[FlagCommand]
) -> None:
    folder = tmp_path / str(next(counter))
    folder.mkdir()
    flagged, imported, results, summary = asyncio.run(both_paths(folder, before, rows))

    known = {parse_account(key) for key, *_ in before}
    # The one legitimate difference in the cases: /flag takes a known case's followers=,
    # /import keeps them. Checked against each rule, then set aside.
    for flag_case, import_case in zip(flagged["cases"], imported["cases"], strict=False):
        account = parse_account(f"{flag_case['platform']}:{flag_case['handle']}")
        if account in known:
            given = [row.followers for row in rows if row.account == account]
            original = next(c[3].followers for c in before if parse_account(c[0]) == account)
            latest = next((f for f in reversed(given) if f is not None), None)
            assert flag_case["followers"] == (original if latest is None else latest)
            assert import_case["followers"] == original
            flag_case["followers"] = import_case["followers"]
            flag_case["updated_at"] = import_case["updated_at"]
    # each /flag's followers= that changed a case's count is an audited edit; /import edits none
    assert imported.pop("edits") == []
    assert all(edit["detail"] == "followers" for edit in flagged.pop("edits"))
    assert flagged == imported

    # Both keep every state as it was: a dismissed case stays dismissed.
    states = {c["id"]: c["state"] for c in imported["cases"]}
    assert all(result.state.value == states[result.case_id] for result in results)
    # and the /import summary counts what the /flag results say, account by account
    first: dict[int, ReportResult] = {}
    for result in results:
        first.setdefault(result.case_id, result)
    assert summary.rows == len(rows)
    assert summary.new_cases == sum(r.new_case for r in first.values())
    assert summary.new_reports == sum(r.counted for r in results)
    assert summary.duplicates == len(rows) - summary.new_reports
    assert summary.on_known == sum(not r.new_case for r in first.values())
    on_dismissed = [r for r in first.values() if r.state is CaseState.DISMISSED]
    assert summary.on_dismissed == len(on_dismissed)
    assert all(r.dismissal is not None and r.dismissal.reason == "parody" for r in on_dismissed)
    on_actioned = [r for r in first.values() if r.state is CaseState.ACTIONED and not r.new_case]
    assert summary.on_actioned == len(on_actioned)

"""Cases against a real SQLite file: one case per account, reports, evidence, dismiss/reopen,
the card (with request rounds), find, and the set-based import."""

from __future__ import annotations

import datetime as dt

import pytest

from bot.domain import CaseState
from bot.domain.accounts import parse_account
from bot.domain.records import Dismissal, Evidence, FlagCommand, Refusal
from bot.grammar.flag import parse_flag
from storage.db import to_ts
from storage.store import Store

T0 = dt.datetime(2026, 11, 2, 6, 0, tzinfo=dt.UTC)
GROUPS = ["TTP", "BLA", "BLF"]
ALI, SARA, IMPORTER = 201, 202, 300


def flag(text: str) -> FlagCommand:
    return parse_flag(text, GROUPS)


async def audit_of(store: Store, case_id: int) -> list[tuple[str, str | None, str | None]]:
    entries = await store.audit.recent(case_id=case_id, limit=100)
    return [(e.action, e.before, e.after) for e in reversed(entries)]


async def test_same_account_from_two_urls_is_one_case_with_two_reports(store: Store) -> None:
    first = await store.cases.report(flag("https://twitter.com/Foo?s=20 TTP"), ALI, T0)
    second = await store.cases.report(flag("x.com/foo ttp hate"), SARA, T0 + dt.timedelta(hours=1))
    assert first.new_case and first.counted and first.report_count == 1
    assert second.case_id == first.case_id
    assert not second.new_case and second.counted and second.report_count == 2
    assert second.case_category == "other"  # first report wins; the report keeps its own
    card = await store.cases.card(first.case_id)
    assert card is not None
    assert card.report_count == 2 and card.reporters == [ALI, SARA]
    assert [r.category for r in card.reports] == ["hate", "other"]
    assert (card.first_report_at, card.last_report_at) == (T0, T0 + dt.timedelta(hours=1))
    assert await audit_of(store, first.case_id) == [
        ("flag", None, "flagged"),
        ("report", "flagged", "flagged"),
    ]


async def test_same_member_twice_is_not_double_counted(store: Store) -> None:
    await store.cases.report(flag("x.com/foo TTP recruits"), ALI, T0)
    again = await store.cases.report(flag("x.com/FOO TTP followers=2m posts videos"), ALI, T0)
    assert not again.counted and again.report_count == 1
    card = await store.cases.card(again.case_id)
    assert card is not None and card.followers == 2_000_000  # last known followers kept
    # PRODUCT.md: the repeat keeps the member's note (a case note) and followers (the
    # case's last known count); their one report stays as first written.
    [mine] = card.reports
    assert (mine.note, mine.followers) == ("recruits", None)
    assert [note.note for note in card.notes] == ["posts videos"]
    assert (await audit_of(store, again.case_id))[-1] == ("report", "flagged", "flagged")


async def test_later_group_does_not_change_the_case(store: Store) -> None:
    first = await store.cases.report(flag("x.com/foo TTP"), ALI, T0)
    second = await store.cases.report(flag("x.com/foo BLA"), SARA, T0)
    assert second.case_group == "TTP"
    card = await store.cases.card(first.case_id)
    assert card is not None and card.group == "TTP"


async def test_evidence_is_kept_with_the_report(store: Store) -> None:
    evidence = Evidence(7, 99, "recruitment post", "channel @bad (5), post 3", "FILE1", "photo")
    result = await store.cases.report(flag("t.me/bad_channel TTP"), ALI, T0, evidence=evidence)
    card = await store.cases.card(result.case_id)
    assert card is not None and card.evidence_count == 1
    item = card.evidence[0]
    assert (item.kind, item.text, item.forward_origin) == (
        "photo",
        "recruitment post",
        "channel @bad (5), post 3",
    )


async def test_dismissed_case_flagged_again_stays_dismissed_and_only_reopen_reopens(
    store: Store,
) -> None:
    # PRODUCT.md: flagging a dismissed case does not reopen it; the reply says who dismissed
    # it, when and why. (Before issue 12 a /flag reopened it.)
    case_id = (await store.cases.report(flag("x.com/foo TTP"), ALI, T0)).case_id
    done = await store.cases.dismiss(case_id, "parody account", by=IMPORTER, at=T0)
    assert done.dismissed and done.before is CaseState.FLAGGED
    again = await store.cases.dismiss(case_id, "again", by=IMPORTER, at=T0)
    assert not again.dismissed and again.before is CaseState.DISMISSED
    later = T0 + dt.timedelta(days=1)
    flagged = await store.cases.report(flag("x.com/foo TTP followers=300"), SARA, later)
    assert flagged.state is CaseState.DISMISSED and flagged.counted
    assert flagged.dismissal == Dismissal(by=IMPORTER, at=T0, reason="parody account")
    card = await store.cases.card(case_id)
    assert card is not None and card.state is CaseState.DISMISSED and card.report_count == 2
    assert card.followers == 300  # a count seen is a fact, whatever the state
    reopened = await store.cases.reopen(case_id, "linked after all", by=IMPORTER, at=later)
    assert not isinstance(reopened, Refusal)
    card = await store.cases.card(case_id)
    assert card is not None and card.state is CaseState.FLAGGED
    assert [(h.action, h.detail) for h in card.history] == [
        ("dismiss", "parody account"),
        ("edit", "followers"),
        ("reopen", "linked after all"),
    ]
    assert await audit_of(store, case_id) == [
        ("flag", None, "flagged"),
        ("dismiss", "flagged", "dismissed"),
        ("edit", "unknown", "300"),
        ("report", "dismissed", "dismissed"),
        ("reopen", "dismissed", "flagged"),
    ]


async def test_a_repeat_flag_keeps_the_members_note_and_audits_the_followers(
    store: Store,
) -> None:
    case_id = (await store.cases.report(flag("x.com/foo TTP followers=100"), ALI, T0)).case_id
    later = T0 + dt.timedelta(hours=1)
    repeat = await store.cases.report(flag("x.com/foo TTP followers=200 new videos"), ALI, later)
    assert not repeat.counted and repeat.report_count == 1
    card = await store.cases.card(case_id)
    assert card is not None and card.followers == 200
    assert [(n.note, n.noted_by) for n in card.notes] == [("new videos", ALI)]
    assert ("edit", "100", "200") in await audit_of(store, case_id)


async def test_dismiss_unknown_and_actioned_cases(store: Store) -> None:
    assert (await store.cases.dismiss(999, "x", by=1, at=T0)).account is None
    case_id = (await store.cases.report(flag("x.com/foo TTP"), ALI, T0)).case_id
    async with store.db.transaction() as tx:
        await tx.execute("UPDATE cases SET state = 'actioned' WHERE id = ?", (case_id,))
    result = await store.cases.dismiss(case_id, "x", by=1, at=T0)
    assert not result.dismissed and result.before is CaseState.ACTIONED
    flagged = await store.cases.report(flag("x.com/foo TTP"), SARA, T0)
    assert flagged.state is CaseState.ACTIONED and flagged.counted and flagged.dismissal is None


async def test_card_lists_request_rounds(store: Store) -> None:
    case_id = (await store.cases.report(flag("x.com/foo TTP"), ALI, T0)).case_id
    sent, done = to_ts(T0), to_ts(T0 + dt.timedelta(hours=30))
    async with store.db.transaction() as tx:
        await tx.execute(
            "INSERT INTO request_rounds (case_id, round_no, sent_at, sent_by, ref, outcome,"
            " outcome_at, outcome_by, outcome_note) VALUES (?, 1, ?, 1, 'T-1', 'rejected', ?, 1,"
            " 'not violating')",
            (case_id, sent, done),
        )
        await tx.execute(
            "INSERT INTO request_rounds (case_id, round_no, sent_at, sent_by) VALUES (?, 2, ?, 1)",
            (case_id, done),
        )
    card = await store.cases.card(case_id)
    assert card is not None
    assert [(r.round_no, r.outcome, r.ref) for r in card.rounds] == [
        (1, "rejected", "T-1"),
        (2, None, ""),
    ]
    assert card.rounds[0].time_to_outcome == dt.timedelta(hours=30)
    assert card.rounds[1].time_to_outcome is None


async def test_find_by_handle_or_note_newest_first_and_literal(store: Store) -> None:
    await store.cases.report(flag("x.com/alpha_one TTP"), ALI, T0)
    await store.cases.report(flag("x.com/beta TTP recruits for alpha"), ALI, T0 + dt.timedelta(1))
    await store.cases.report(flag("x.com/gamma TTP 100%_sure"), ALI, T0 + dt.timedelta(2))
    found = await store.cases.find("alpha")
    assert [c.account.handle for c in found.cases] == ["beta", "alpha_one"]
    assert found.total == 2
    assert [c.account.handle for c in (await store.cases.find("0%_")).cases] == ["gamma"]
    assert (await store.cases.find("%")).total == 1  # a wildcard is matched literally
    limited = await store.cases.find("a", limit=2)
    assert len(limited.cases) == 2 and limited.total == 3
    by_account = await store.cases.find("twitter.com/ALPHA_ONE", parse_account("x:@alpha_one"))
    assert [c.account.handle for c in by_account.cases] == ["alpha_one"]


async def test_hostile_text_is_stored_literally(store: Store) -> None:
    note = "'; DROP TABLE cases; -- <script>alert(1)</script> یہ اکاؤنٹ"
    result = await store.cases.report(flag(f"x.com/foo TTP {note}"), ALI, T0)
    card = await store.cases.card(result.case_id)
    assert card is not None and card.reports[0].note == note


async def test_import_in_one_transaction_with_summary(store: Store) -> None:
    existing = (await store.cases.report(flag("x.com/old TTP"), ALI, T0)).case_id
    mine = (await store.cases.report(flag("x.com/mine TTP"), IMPORTER, T0)).case_id
    dismissed = (await store.cases.report(flag("x.com/gone TTP"), ALI, T0)).case_id
    await store.cases.dismiss(dismissed, "false positive", by=1, at=T0)
    rows = [
        flag("x.com/new1 BLA hate followers=10"),
        flag("twitter.com/NEW1 TTP followers=20"),  # same account again: a duplicate
        flag("x.com/old BLF propaganda followers=5k"),
        flag("x.com/mine TTP"),  # reported by the importer before: a duplicate
        flag("x.com/gone TTP"),
        flag("t.me/new_channel TTP"),
    ]
    later = T0 + dt.timedelta(hours=2)
    summary = await store.cases.report_many(rows, IMPORTER, later, name="list.csv")
    assert (summary.rows, summary.new_cases, summary.new_reports, summary.duplicates) == (
        6,
        2,
        4,
        2,
    )
    assert (summary.on_known, summary.on_dismissed) == (3, 1)
    new1 = await store.cases.case_id_of(parse_account("x:@new1"))
    assert new1 is not None
    card = await store.cases.card(new1)
    assert card is not None
    assert (card.group, card.category, card.followers, card.report_count) == ("BLA", "hate", 20, 1)
    old = await store.cases.card(existing)
    assert old is not None
    # a known case keeps its group, category and followers: /edit changes them. PRODUCT.md:
    # dismissed cases stay dismissed. (Before issue 12 an import took the file's followers=
    # and reopened the case.)
    assert (old.group, old.category, old.followers, old.report_count) == ("TTP", "other", None, 2)
    gone = await store.cases.card(dismissed)
    assert gone is not None and gone.state is CaseState.DISMISSED and gone.report_count == 2
    assert await audit_of(store, dismissed) == [
        ("flag", None, "flagged"),
        ("dismiss", "flagged", "dismissed"),
        ("report", "dismissed", "dismissed"),
    ]
    # the repeated row is a repeat by the same member, audited as /flag audits it
    assert await audit_of(store, new1) == [
        ("flag", None, "flagged"),
        ("report", "flagged", "flagged"),
    ]
    mine_card = await store.cases.card(mine)
    assert mine_card is not None and mine_card.report_count == 1
    summary_entry = (await store.audit.recent(limit=1))[0]
    assert summary_entry.action == "import" and "list.csv: 6 rows" in summary_entry.detail
    # New cases are numbered in file order and written without their comeback keys, which
    # the handler fills after replying.
    keys = "SELECT id, handle, match_key FROM cases WHERE id > ? ORDER BY id"
    new_cases = [tuple(row) for row in await store.db.fetchall(keys, (dismissed,))]
    assert new_cases == [(new1, "new1", None), (new1 + 1, "new_channel", None)]
    assert await store.comebacks.fill_missing_keys() == 2
    new_cases = [tuple(row) for row in await store.db.fetchall(keys, (dismissed,))]
    assert new_cases == [(new1, "new1", "new"), (new1 + 1, "new_channel", "new")]


async def test_failed_import_writes_nothing(store: Store) -> None:
    await store.cases.report(flag("x.com/foo TTP"), ALI, T0)
    bad = parse_flag("x.com/bar TTP", GROUPS)
    # A value the database refuses (negative followers) fails the whole transaction.
    broken = FlagCommand(bad.account, bad.source, bad.group, bad.category, -1, "")
    with pytest.raises(Exception, match="(?i)check"):
        await store.cases.report_many([flag("x.com/baz TTP"), broken], IMPORTER, T0)
    assert (await store.cases.find("ba")).total == 0
    assert len(await store.audit.recent(limit=100)) == 1
    # and the next import works (the temporary tables went with the rollback)
    summary = await store.cases.report_many([flag("x.com/baz TTP")], IMPORTER, T0)
    assert summary.new_cases == 1


async def test_a_case_dismissed_without_an_audit_entry_is_told_by_its_reason(store: Store) -> None:
    # Dismissed before the audit kept who did it (data of an old version, a fix by hand).
    case_id = (await store.cases.report(flag("x.com/foo TTP"), ALI, T0)).case_id
    async with store.db.transaction() as tx:
        await tx.execute(
            "UPDATE cases SET state = 'dismissed', dismissed_reason = 'satire' WHERE id = ?",
            (case_id,),
        )
    later = await store.cases.report(flag("x.com/foo TTP"), SARA, T0)
    assert later.dismissal == Dismissal(by=None, at=None, reason="satire")
    assert later.state is CaseState.DISMISSED

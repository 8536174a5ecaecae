"""Comeback links in a real SQLite file: index probes, linking, listing, the digest window."""

from __future__ import annotations

import datetime as dt
import sqlite3

import pytest

from bot.domain import CaseState, Outcome, Platform
from bot.domain.comebacks import Comeback
from bot.grammar.flag import parse_flag
from storage.comebacks import FILL_BATCH, FLAG_LIMIT, PROBE_LIMIT
from storage.store import Store

T0 = dt.datetime(2026, 10, 1, 12, 0, tzinfo=dt.UTC)
REPORTER = 7
REVIEWER = 8
GROUPS = ["TTP", "BLA", "BLF"]


async def flag(store: Store, text: str, at: dt.datetime = T0) -> int:
    result = await store.cases.report(parse_flag(text, GROUPS), REPORTER, at)
    return result.case_id


async def card_links(store: Store, case_id: int) -> list[Comeback]:
    card = await store.cases.card(case_id)
    assert card is not None
    return card.comebacks


async def action(store: Store, case_id: int, outcome: Outcome, at: dt.datetime) -> None:
    await store.requests.open_rounds([case_id], by=REVIEWER, at=at)
    await store.requests.record_outcome(case_id, outcome, by=REVIEWER, at=at)


async def test_a_new_case_is_linked_to_the_removed_account_it_looks_like(store: Store):
    original = await flag(store, "instagram.com/ttp_media TTP")
    await action(store, original, Outcome.REMOVED, T0 + dt.timedelta(days=1))
    later = T0 + dt.timedelta(days=5)
    comeback = await flag(store, "instagram.com/ttp.media.official TTP", later)

    links = await store.comebacks.link_new_case(comeback, later)

    assert [(c.case_id, c.original_case_id) for c in links] == [(comeback, original)]
    assert links[0].original_outcome == "removed"
    assert links[0].original_actioned_at == T0 + dt.timedelta(days=1)
    assert links[0].found_at == later
    # idempotent: a second /flag of the same account adds no second link
    again = await store.comebacks.link_new_case(comeback, later + dt.timedelta(hours=1))
    assert again == links
    assert [c.case_id for c in await card_links(store, original)] == [comeback]


async def test_only_actioned_cases_are_candidates_and_a_short_key_stays_on_its_platform(
    store: Store,
):
    open_case = await flag(store, "x.com/bla_news BLA")  # flagged, never actioned
    refused = await flag(store, "x.com/bla_tv BLA")
    await action(store, refused, Outcome.REJECTED, T0)
    other_platform = await flag(store, "t.me/bla_media BLA")
    await action(store, other_platform, Outcome.REMOVED, T0)
    restricted = await flag(store, "x.com/bla_official BLA")
    await action(store, restricted, Outcome.RESTRICTED, T0)
    new = await flag(store, "x.com/bla_news2 BLA", T0 + dt.timedelta(days=1))
    # /flag writes each new case's match key with it: nothing is left to key lazily.
    assert await store.comebacks.fill_missing_keys() == 0
    keys = await store.db.fetchall("SELECT match_key FROM cases ORDER BY id")
    assert [row["match_key"] for row in keys] == ["bla", "bla", "bla", "bla", "bla"]

    found = await store.comebacks.candidates_for(new)

    assert [c.original_case_id for c in found] == [restricted]
    assert open_case not in {c.original_case_id for c in found}


async def test_the_same_handle_or_a_long_key_on_another_platform_is_a_candidate(store: Store):
    removed_x = await flag(store, "x.com/umar_media_ttp TTP")
    await action(store, removed_x, Outcome.REMOVED, T0)
    removed_tg = await flag(store, "t.me/khorasan_voice TTP")
    await action(store, removed_tg, Outcome.REMOVED, T0)
    same_handle = await flag(store, "tiktok.com/@umar_media_ttp TTP", T0 + dt.timedelta(days=1))
    same_key = await flag(store, "instagram.com/khorasan.voice TTP", T0 + dt.timedelta(days=1))

    [by_handle] = await store.comebacks.candidates_for(same_handle)
    [by_key] = await store.comebacks.candidates_for(same_key)

    assert (by_handle.original_case_id, by_handle.reason) == (
        removed_x, "same handle on another platform"
    )  # fmt: skip
    assert (by_key.original_case_id, by_key.reason) == (removed_tg, "same name on another platform")


async def test_near_misses_and_phone_numbers_are_not_linked(store: Store):
    removed = await flag(store, "x.com/bbc_news BLA")
    await action(store, removed, Outcome.REMOVED, T0)
    number = await flag(store, "wa.me/923001234567 BLA")
    await action(store, number, Outcome.REMOVED, T0)
    near = await flag(store, "x.com/bla_news BLA")
    other_number = await flag(store, "wa.me/923001234568 BLA")

    assert await store.comebacks.link_new_case(near, T0) == []
    assert await store.comebacks.link_new_case(other_number, T0) == []


async def test_a_one_letter_typo_is_found_through_the_prefix_probe(store: Store):
    original = await flag(store, "instagram.com/tehreek_taliban TTP")
    await action(store, original, Outcome.REMOVED, T0)
    typo = await flag(store, "instagram.com/tehreek_talibaan TTP")
    await store.comebacks.fill_missing_keys()
    found = await store.comebacks.candidates_for(typo)
    assert [c.original_case_id for c in found] == [original]
    assert found[0].score < 1.0


async def test_a_dismissed_case_is_not_linked(store: Store):
    original = await flag(store, "x.com/ttp_media TTP")
    new = await flag(store, "x.com/ttp_media2 TTP")  # before the original was removed
    await store.cases.dismiss(new, "a news outlet", REVIEWER, T0)
    await action(store, original, Outcome.REMOVED, T0)
    assert await store.comebacks.link_new_case(new, T0) == []


async def test_a_flag_links_its_case_in_its_own_transaction(store: Store):
    """One write transaction per /flag (issue 15): the report and its comeback links."""
    original = await flag(store, "x.com/ttp_media TTP")
    await action(store, original, Outcome.REMOVED, T0)
    commits = store.db.commits
    result = await store.cases.report(parse_flag("x.com/ttp_media2 TTP", GROUPS), REPORTER, T0)
    assert store.db.commits == commits + 1
    assert [c.original_case_id for c in result.comebacks.comebacks] == [original]
    assert result.comebacks.total == 1


async def test_a_flag_names_its_best_links_and_counts_the_rest(store: Store):
    """A name shared by many removed accounts: the /flag's reply names FLAG_LIMIT of them,
    best first, and counts them all; the card keeps every link."""
    originals = []
    for handle in ("ttpmedia", "ttp_media", "ttp_media1", "ttpmedia2", "ttp_media_tv"):
        case_id = await flag(store, f"x.com/{handle} TTP")
        await action(store, case_id, Outcome.REMOVED, T0)
        originals.append(case_id)
    result = await store.cases.report(parse_flag("x.com/ttp_media_new TTP", GROUPS), REPORTER, T0)
    named = result.comebacks.comebacks
    assert len(named) == FLAG_LIMIT and result.comebacks.total == len(originals)
    assert [c.original_case_id for c in named] == sorted(originals, reverse=True)[:FLAG_LIMIT]
    assert len(await card_links(store, result.case_id)) == len(originals)


async def test_scan_links_open_cases_flagged_before_the_original_was_removed(store: Store):
    comeback = await flag(store, "x.com/umar_media_new TTP")  # flagged first
    original = await flag(store, "x.com/umar_media TTP")
    tg_case = await flag(store, "t.me/sangar_tv BLF")
    tg_original = await flag(store, "t.me/sangar_news BLF")
    assert await store.comebacks.link_new_case(comeback, T0) == []  # nothing actioned yet
    await action(store, original, Outcome.REMOVED, T0 + dt.timedelta(days=1))
    await action(store, tg_original, Outcome.REMOVED, T0 + dt.timedelta(days=1))

    listed = await store.comebacks.scan(T0 + dt.timedelta(days=2))
    assert listed.total == 2
    assert {(c.case_id, c.original_case_id) for c in listed.comebacks} == {
        (comeback, original),
        (tg_case, tg_original),
    }
    only_x = await store.comebacks.scan(T0 + dt.timedelta(days=2), Platform.X)
    assert [(c.case_id, c.platform) for c in only_x.comebacks] == [(comeback, Platform.X)]

    # once the comeback itself is actioned it leaves the list (still linked on its card)
    await action(store, comeback, Outcome.REMOVED, T0 + dt.timedelta(days=3))
    after = await store.comebacks.scan(T0 + dt.timedelta(days=3), Platform.X)
    assert after.total == 0
    assert [c.case_id for c in await card_links(store, comeback)] == [comeback]


async def test_found_between_is_the_digest_window(store: Store):
    original = await flag(store, "x.com/ttp_media TTP")
    await action(store, original, Outcome.REMOVED, T0)
    await flag(store, "x.com/ttp_media2 TTP", T0 + dt.timedelta(hours=1))  # linked as flagged
    new = await flag(store, "x.com/ttp_media3 TTP", T0 + dt.timedelta(hours=30))

    window = await store.comebacks.found_between(
        T0 + dt.timedelta(hours=10), T0 + dt.timedelta(hours=34)
    )
    assert [c.case_id for c in window.comebacks] == [new]
    assert window.total == 1


async def test_the_digest_names_ten_comebacks_and_counts_the_rest(store: Store):
    """The digest's cost does not grow with the day's flags: ten links read, the rest counted."""
    original = await flag(store, "x.com/ttp_media TTP")
    await action(store, original, Outcome.REMOVED, T0)
    for n in range(12):
        await flag(store, f"x.com/ttp_media{n + 2} TTP", T0 + dt.timedelta(minutes=n + 1))
    found = await store.comebacks.found_between(T0, T0 + dt.timedelta(hours=1))
    assert found.total == 12
    assert len(found.comebacks) == 10
    assert [c.handle for c in found.comebacks][:2] == ["ttp_media13", "ttp_media12"]


@pytest.mark.sqlite_only  # writes the SQLite file itself
async def test_a_case_written_without_a_key_is_keyed_when_actioned(store: Store, tmp_path):
    """/import (and a loader on plain sqlite3) leave match_key NULL; the probes read only the
    keys of actioned cases, and recording an outcome keys the case."""
    with sqlite3.connect(tmp_path / "t.db") as conn:
        conn.execute(
            "INSERT INTO cases (id, platform, handle, grp, category, state, created_at,"
            " created_by, updated_at) VALUES (50, 'instagram', 'hakkal_media', 'BLA', 'other',"
            " 'flagged', 0, 1, 0), (51, 'whatsapp', '+923001112223', 'BLA', 'other',"
            " 'flagged', 0, 1, 0)"
        )
    await action(store, 50, Outcome.REMOVED, T0)
    new = await flag(store, "instagram.com/hakkal.news.backup BLA")
    links = await store.comebacks.link_new_case(new, T0)
    assert [c.original_case_id for c in links] == [50]
    keys = await store.db.fetchall("SELECT id, match_key FROM cases WHERE id IN (50, 51)")
    assert [tuple(row) for row in keys] == [(50, "hakkal"), (51, None)]


@pytest.mark.sqlite_only  # writes the SQLite file itself
async def test_fill_missing_keys_keys_every_case_in_batches(store: Store, tmp_path):
    with sqlite3.connect(tmp_path / "t.db") as conn:
        conn.executemany(
            "INSERT INTO cases (platform, handle, grp, category, state, created_at,"
            " created_by, updated_at) VALUES (?, ?, 'BLA', 'other', 'flagged', 0, 1, 0)",
            [("x", f"ttp_media{n}") for n in range(FILL_BATCH + 7)]
            + [("whatsapp", "+923001112223")],
        )
    assert await store.comebacks.fill_missing_keys() == FILL_BATCH + 8
    keys = await store.db.fetchall("SELECT match_key, count(*) FROM cases GROUP BY 1 ORDER BY 1")
    assert [tuple(row) for row in keys] == [("", 1), ("ttp", FILL_BATCH + 7)]
    assert await store.comebacks.fill_missing_keys() == 0


@pytest.mark.sqlite_only  # SQLite's query plans
async def test_probes_use_the_index_and_are_bounded(store: Store):
    original = await flag(store, "x.com/ttp_media TTP")
    await action(store, original, Outcome.REMOVED, T0)
    plan = await store.db.fetchall(
        "EXPLAIN QUERY PLAN SELECT id, handle FROM cases WHERE platform = 'x'"
        " AND match_key >= 'tehr' AND match_key < 'tehr~' AND state = 'actioned'"
    )
    assert any("cases_by_match_key" in row["detail"] for row in plan)
    assert PROBE_LIMIT <= 500
    assert (await store.cases.card(original)) is not None
    assert CaseState.ACTIONED.value == "actioned"


async def test_scan_links_each_open_case_once_to_its_newest_look_alike(store: Store):
    open_case = await flag(store, "x.com/umar_media9 TTP")
    older = await flag(store, "x.com/umar_media TTP")
    newer = await flag(store, "x.com/umar_tv TTP")
    for original in (older, newer):
        await action(store, original, Outcome.REMOVED, T0)

    listed = await store.comebacks.scan(T0 + dt.timedelta(days=1))

    assert [(c.case_id, c.original_case_id) for c in listed.comebacks] == [(open_case, newer)]
    again = await store.comebacks.scan(T0 + dt.timedelta(days=2))  # nothing new to link
    assert again.comebacks == listed.comebacks

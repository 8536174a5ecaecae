"""Random histories: (a) the figures as of a time (Stats.table with as_of), over rounds,
outcomes, corrections, restorations and withdrawals, equal the pure arithmetic of
bot/domain/compliance.py over the rounds as they stood then, (b) they stay the same when later
facts are recorded, and (c) an /export imported again changes no case."""

from __future__ import annotations

import asyncio
import datetime as dt
import io
import sqlite3
from contextlib import aclosing
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.domain import Category, Outcome, Platform, compliance
from bot.domain.accounts import AccountRef
from bot.domain.compliance import Table
from bot.domain.states import is_actioned, is_platform_answer
from bot.grammar.flag import parse_flag
from bot.grammar.import_ import read_import
from bot.views.export import write_csv
from storage.db import from_ts, to_ts
from storage.store import Store
from tests.factories import clear, connect, insert_case, round_histories

NOW = dt.datetime(2026, 11, 2, 6, 0, tzinfo=dt.UTC)
D = dt.timedelta(days=1)
GROUPS = ["TTP", "BLA", "BLF"]
REVIEWER = 300

outcomes = st.sampled_from(list(Outcome))
# (which case, sent seconds before now, first outcome and its delay, a correction (outcome,
# seconds after the first) or None, restored seconds after the outcome or None, followers)
round_strategy = st.tuples(
    st.integers(0, 5),
    st.integers(0, 100 * 24 * 3600),
    st.one_of(st.none(), st.tuples(outcomes, st.integers(0, 10 * 24 * 3600))),
    st.one_of(st.none(), st.tuples(outcomes, st.integers(1, 20 * 24 * 3600))),
    st.one_of(st.none(), st.integers(1, 20 * 24 * 3600)),
    st.one_of(st.none(), st.integers(0, 1_000_000)),
)
Round = tuple[
    int, int, tuple[Outcome, int] | None, tuple[Outcome, int] | None, int | None, int | None
]


def _write(
    conn: sqlite3.Connection, cases: list[tuple[Platform, str]], rounds: list[Round]
) -> None:
    clear(conn)
    ids = [
        insert_case(conn, platform=p, handle=f"h{i}", group=g, created_at=NOW - 200 * D)
        for i, (p, g) in enumerate(cases)
    ]
    open_cases: set[int] = set()
    next_no: dict[int, int] = {}
    for index, ago, first, correction, restored, followers in rounds:
        case_id = ids[index % len(ids)]
        if first is None and case_id in open_cases:
            first = (Outcome.NO_RESPONSE, 1)  # one open round per case
        if first is None:
            open_cases.add(case_id)
            correction = None
        round_no = next_no[case_id] = next_no.get(case_id, 0) + 1
        sent = to_ts(NOW) - ago
        versions = []
        if first is not None:
            decided = sent + first[1]
            versions.append((first[0], decided, decided))
            if correction is not None:
                versions.append((correction[0], decided, decided + correction[1]))
        last = versions[-1][0] if versions else None
        restored_at = (
            versions[0][2] + restored
            if restored is not None and last is not None and is_actioned(last)
            else None
        )
        at_action = followers if last is not None and is_actioned(last) else None
        conn.execute(
            "INSERT INTO request_rounds (case_id, round_no, sent_at, sent_by, outcome,"
            " outcome_at, restored_at, followers_at_action) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            (
                case_id,
                round_no,
                sent,
                REVIEWER,
                last,
                versions[0][1] if versions else None,
                restored_at,
                at_action,
            ),
        )
        for outcome, outcome_at, recorded_at in versions:
            conn.execute(
                "INSERT INTO outcome_versions (case_id, round_no, outcome, outcome_at,"
                " recorded_at, recorded_by, followers_at_action) VALUES (?, ?, ?, ?, ?, ?, ?)",
                (
                    case_id,
                    round_no,
                    outcome,
                    outcome_at,
                    recorded_at,
                    REVIEWER,
                    followers if is_actioned(outcome) else None,
                ),
            )


async def _tables(
    path: Path, key: str, when: dt.datetime, sla: dt.timedelta, *, as_of: bool = True
) -> list[Table]:
    store = await Store.open(path)
    try:
        win = compliance.window(key, when)
        return [
            await store.stats.table(by, win, when, sla, groups=GROUPS, as_of=as_of)
            for by in ("platform", "group")
        ]
    finally:
        await store.close()


def _last_fact(conn: sqlite3.Connection) -> dt.datetime:
    row = conn.execute(
        "SELECT max(coalesce((SELECT max(recorded_at) FROM outcome_versions), 0),"
        " coalesce((SELECT max(max(sent_at, coalesce(restored_at, 0))) FROM request_rounds), 0))"
    ).fetchone()
    return from_ts(int(row[0]))


async def _create(path: Path) -> None:
    await (await Store.open(path)).close()


@settings(max_examples=40, deadline=None)
@given(
    cases=st.lists(
        st.tuples(st.sampled_from(list(Platform)), st.sampled_from(GROUPS)), min_size=1, max_size=6
    ),
    rounds=st.lists(round_strategy, max_size=30),
    back=st.integers(0, 60 * 24 * 3600),
    key=st.sampled_from(list(compliance.WINDOW_DAYS)),
    sla_hours=st.sampled_from([1, 72]),
)
def test_figures_as_of_a_time_equal_the_pure_arithmetic_and_ignore_later_facts(
    tmp_path_factory: pytest.TempPathFactory,
    cases: list[tuple[Platform, str]],
    rounds: list[Round],
    back: int,
    key: str,
    sla_hours: int,
) -> None:
    path = tmp_path_factory.mktemp("history") / "t.db"
    asyncio.run(_create(path))
    when = NOW - dt.timedelta(seconds=back)
    sla = dt.timedelta(hours=sla_hours)
    conn = connect(path)
    try:
        _write(conn, cases, rounds)
        histories = round_histories(conn)
        latest = _last_fact(conn)
    finally:
        conn.close()

    # the rounds as they stand (what /stats and the digest read) are the rounds as of any time
    # after the last fact
    assert asyncio.run(_tables(path, key, latest, sla, as_of=False)) == asyncio.run(
        _tables(path, key, latest, sla)
    )

    by_platform, by_group = asyncio.run(_tables(path, key, when, sla))

    rows = compliance.as_of(histories, when)
    win = compliance.window(key, when)
    assert by_platform.total == by_group.total == compliance.total(rows, win, when, sla)
    expected = compliance.by_platform(rows, win, when, sla)
    assert by_platform.rows == {p.value: f for p, f in expected.items()}
    assert by_group.rows == compliance.by_group(rows, win, when, sla)

    # (b) what is recorded after `when` changes nothing of the figures as of `when`
    conn = connect(path)
    try:
        later = to_ts(when) + 1
        conn.execute(
            "INSERT INTO outcome_versions (case_id, round_no, outcome, outcome_at, recorded_at,"
            " recorded_by, followers_at_action) SELECT case_id, round_no, 'removed',"
            " coalesce(outcome_at, ?1), ?1, 1, 5 FROM request_rounds",
            (later,),
        )
        conn.execute(
            "UPDATE request_rounds SET outcome = 'removed', outcome_at = coalesce(outcome_at, ?1),"
            " followers_at_action = 5, restored_at = coalesce(restored_at, ?1 + 10)",
            (later,),
        )
        first = conn.execute("SELECT min(id) FROM cases").fetchone()[0]
        conn.execute(
            "INSERT INTO request_rounds (case_id, round_no, sent_at, sent_by)"
            " VALUES (?, 1000, ?, 1)",
            (first, later),
        )
    finally:
        conn.close()
    assert asyncio.run(_tables(path, key, when, sla)) == [by_platform, by_group]


# (c) an /export then an /import of it changes no case: random cases through the bot's own
# storage (flags with followers and categories, requests, outcomes, dismissals, edits).
HANDLES = ["aaa_bbb", "ccc_ddd", "fake_news_pk", "x_y_z", "pk_media"]
action_strategy = st.tuples(
    st.sampled_from(["flag", "request", "outcome", "dismiss", "edit"]),
    st.sampled_from(HANDLES),
    st.sampled_from(GROUPS),
    st.sampled_from([*Category]),
    st.one_of(st.none(), st.integers(0, 10**9)),
    st.sampled_from([o for o in Outcome if is_platform_answer(o)]),
    st.sampled_from([100, 200, 300]),  # who
)


async def _export_import_round_trip(path: Path, actions: list[tuple[Any, ...]]) -> None:
    store = await Store.open(path)
    try:
        at = NOW
        for kind, handle, group, category, followers, outcome, who in actions:
            at += dt.timedelta(minutes=5)
            case_id = await store.cases.case_id_of(AccountRef(Platform.X, handle))
            if kind == "flag" or case_id is None:
                text = f"x.com/{handle} {group} {category}" + (
                    "" if followers is None else f" followers={followers}"
                )
                await store.cases.report(parse_flag(text, GROUPS), who, at)
            elif kind == "request":
                await store.requests.open_rounds([case_id], by=who, at=at)
            elif kind == "outcome":
                await store.requests.record_outcome(case_id, outcome, by=who, at=at)
            elif kind == "dismiss":
                await store.cases.dismiss(case_id, "not actionable", by=who, at=at)
            else:
                await store.cases.edit(
                    case_id, group=group, category=category.value, followers=followers, by=who,
                    at=at,
                )  # fmt: skip
        before = await _cases(store)
        out = io.BytesIO()
        async with aclosing(store.requests.export_rows()) as rows:
            await write_csv(rows, out, ZoneInfo("Asia/Karachi"))
        parsed = read_import(out.getvalue(), GROUPS)
        assert parsed.errors == []
        summary = await store.cases.report_many(parsed.rows, 400, at + D, name="export.csv")
        assert summary.new_cases == 0 and summary.on_known == len(before)
        assert await _cases(store) == before
    finally:
        await store.close()


async def _cases(store: Store) -> list[tuple[Any, ...]]:
    rows = await store.db.fetchall(
        "SELECT c.id, c.platform, c.handle, c.grp, c.category, c.followers, c.state,"
        " c.dismissed_reason, (SELECT group_concat(r.round_no || ':' || coalesce(r.outcome, ''))"
        " FROM request_rounds r WHERE r.case_id = c.id) FROM cases c ORDER BY c.id"
    )
    return [tuple(row) for row in rows]


@settings(max_examples=40, deadline=None)
@given(actions=st.lists(action_strategy, min_size=1, max_size=25))
def test_an_export_imported_again_changes_no_case(
    tmp_path_factory: pytest.TempPathFactory, actions: list[tuple[Any, ...]]
) -> None:
    path = tmp_path_factory.mktemp("roundtrip") / "t.db"
    asyncio.run(_export_import_round_trip(path, actions))

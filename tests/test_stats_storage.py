"""storage/stats.py: the SQL figures equal the pure arithmetic of bot/domain/compliance.py."""

from __future__ import annotations

import asyncio
import datetime as dt
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.domain import Outcome, Platform, compliance
from bot.domain.compliance import Figures, Window
from bot.domain.records import DigestTables
from bot.views.figures import format_compliance
from storage.stats import _DIGEST_SQL, _OUTCOMES_SQL, figures_sql
from storage.store import Store
from tests.factories import all_round_rows, clear, connect, insert_case, insert_round

NOW = dt.datetime(2026, 11, 2, 6, 0, tzinfo=dt.UTC)
SLA = dt.timedelta(hours=72)
H = dt.timedelta(hours=1)
D = dt.timedelta(days=1)
GROUPS = ["TTP", "BLA", "BLF"]

case_strategy = st.tuples(
    st.sampled_from(list(Platform)),
    st.sampled_from([*GROUPS, "OLD"]),
    st.one_of(st.none(), st.integers(0, 5_000_000)),
)
round_strategy = st.tuples(
    st.integers(0, 7),  # which case
    st.integers(-1, 130 * 24 * 3600),  # sent this many seconds before now (-1: just after)
    st.one_of(st.none(), st.sampled_from(list(Outcome))),
    st.integers(0, 20 * 24 * 3600),  # seconds from sent to outcome
)


def _store_rows(
    path: Path,
    cases: list[tuple[Platform, str, int | None]],
    rounds: list[tuple[int, int, Outcome | None, int]],
    now: dt.datetime,
) -> None:
    conn = connect(path)
    try:
        clear(conn)
        ids = [
            insert_case(
                conn, platform=p, handle=f"h{i}", group=g, followers=f, created_at=now - 200 * D
            )
            for i, (p, g, f) in enumerate(cases)
        ]
        open_cases: set[int] = set()
        base = now.replace(microsecond=0)
        for index, ago, outcome, delay in rounds:
            case_id = ids[index % len(ids)]
            if outcome is None and case_id in open_cases:
                outcome = Outcome.NO_RESPONSE  # one open round per case
            if outcome is None:
                open_cases.add(case_id)
            sent = base - dt.timedelta(seconds=ago)
            insert_round(
                conn,
                case_id=case_id,
                sent_at=sent,
                outcome=outcome,
                outcome_at=None if outcome is None else sent + dt.timedelta(seconds=delay),
            )
    finally:
        conn.close()


async def _create(path: Path) -> None:
    store = await Store.open(path)
    await store.close()


async def _tables(
    path: Path, win: Window, now: dt.datetime, sla: dt.timedelta, platform: Platform | None
) -> tuple[compliance.Figures, dict[str, compliance.Figures], dict[str, compliance.Figures]]:
    store = await Store.open(path)
    try:
        by_platform = await store.stats.table("platform", win, now, sla, platform=platform)
        by_group = await store.stats.table("group", win, now, sla, platform=platform, groups=GROUPS)
    finally:
        await store.close()
    assert by_platform.total == by_group.total
    return by_platform.total, by_platform.rows, by_group.rows


@settings(max_examples=50, deadline=None)
@given(
    cases=st.lists(case_strategy, min_size=1, max_size=8),
    rounds=st.lists(round_strategy, max_size=40),
    micro=st.sampled_from([0, 1, 500_000, 999_999]),
    sla_hours=st.sampled_from([1, 72, 240]),
    key=st.sampled_from(list(compliance.WINDOW_DAYS)),
    only=st.one_of(st.none(), st.sampled_from(list(Platform))),
)
def test_sql_figures_equal_the_pure_arithmetic(
    tmp_path_factory: pytest.TempPathFactory,
    cases: list[tuple[Platform, str, int | None]],
    rounds: list[tuple[int, int, Outcome | None, int]],
    micro: int,
    sla_hours: int,
    key: str,
    only: Platform | None,
) -> None:
    path, now, sla = _generated_database(tmp_path_factory, cases, rounds, micro, sla_hours)
    rows = [r for r in _round_rows(path) if only is None or r.platform is only]
    win = compliance.window(key, now)

    total, platforms, groups = asyncio.run(_tables(path, win, now, sla, only))

    assert total == compliance.total(rows, win, now, sla)
    _assert_rows_equal_the_pure_arithmetic(platforms, groups, rows, win, now, sla)


def _generated_database(
    tmp_path_factory: pytest.TempPathFactory,
    cases: list[tuple[Platform, str, int | None]],
    rounds: list[tuple[int, int, Outcome | None, int]],
    micro: int,
    sla_hours: int,
) -> tuple[Path, dt.datetime, dt.timedelta]:
    """A fresh database holding the generated cases and rounds; its `now` and SLA."""
    path = tmp_path_factory.mktemp("prop") / "t.db"
    now = NOW.replace(microsecond=micro)
    asyncio.run(_create(path))
    _store_rows(path, cases, rounds, now)
    return path, now, dt.timedelta(hours=sla_hours)


def _round_rows(path: Path) -> list[compliance.RoundRow]:
    conn = connect(path)
    try:
        return all_round_rows(conn)
    finally:
        conn.close()


def _assert_rows_equal_the_pure_arithmetic(
    platforms: dict[str, Figures],
    groups: dict[str, Figures],
    rows: list[compliance.RoundRow],
    win: Window,
    now: dt.datetime,
    sla: dt.timedelta,
) -> None:
    """Per platform in Platform order, per group in the configured order first."""
    expected_platforms = compliance.by_platform(rows, win, now, sla)
    assert platforms == {p.value: f for p, f in expected_platforms.items()}
    assert list(platforms) == [p.value for p in expected_platforms]
    expected_groups = compliance.by_group(rows, win, now, sla)
    assert groups == expected_groups
    known = [g for g in GROUPS if g in expected_groups]
    assert list(groups)[: len(known)] == known


async def _digest_tables(
    path: Path, win: Window, now: dt.datetime, sla: dt.timedelta
) -> DigestTables:
    store = await Store.open(path)
    try:
        return await store.stats.digest_tables(win, now, sla, groups=GROUPS)
    finally:
        await store.close()


@settings(max_examples=50, deadline=None)
@given(
    cases=st.lists(case_strategy, min_size=1, max_size=8),
    rounds=st.lists(round_strategy, max_size=40),
    micro=st.sampled_from([0, 1, 500_000, 999_999]),
    sla_hours=st.sampled_from([1, 72, 240]),
    key=st.sampled_from(["7d", "30d", "90d"]),
)
def test_digest_tables_in_one_statement_equal_the_pure_arithmetic(
    tmp_path_factory: pytest.TempPathFactory,
    cases: list[tuple[Platform, str, int | None]],
    rounds: list[tuple[int, int, Outcome | None, int]],
    micro: int,
    sla_hours: int,
    key: str,
) -> None:
    _check_digest_tables(tmp_path_factory, cases, rounds, micro, sla_hours, key)


# The digest ranks times to action within hourly buckets (storage/stats.py _BUCKET): many
# actioned rounds of one key in one bucket, equal times, times on either side of a bucket's
# edge and outcomes recorded before the request (negative times) must give the same medians.
crowded_round_strategy = st.tuples(
    st.integers(0, 3),
    st.integers(-1, 70 * 24 * 3600),
    st.one_of(st.none(), st.sampled_from([Outcome.REMOVED, Outcome.RESTRICTED, *Outcome])),
    st.one_of(
        st.sampled_from([-3601, -1, 0, 3599, 3600, 7199, 7200, 10799, 10800, 14400]),
        st.integers(-3600, 6 * 3600),
    ),
)


@settings(max_examples=40, deadline=None)
@given(
    cases=st.lists(case_strategy, min_size=1, max_size=4),
    rounds=st.lists(crowded_round_strategy, max_size=60),
    micro=st.sampled_from([0, 999_999]),
    sla_hours=st.sampled_from([1, 72]),
    key=st.sampled_from(["7d", "30d"]),
)
def test_digest_medians_equal_the_pure_arithmetic_when_rounds_share_buckets(
    tmp_path_factory: pytest.TempPathFactory,
    cases: list[tuple[Platform, str, int | None]],
    rounds: list[tuple[int, int, Outcome | None, int]],
    micro: int,
    sla_hours: int,
    key: str,
) -> None:
    _check_digest_tables(tmp_path_factory, cases, rounds, micro, sla_hours, key)


def _check_digest_tables(
    tmp_path_factory: pytest.TempPathFactory,
    cases: list[tuple[Platform, str, int | None]],
    rounds: list[tuple[int, int, Outcome | None, int]],
    micro: int,
    sla_hours: int,
    key: str,
) -> None:
    path, now, sla = _generated_database(tmp_path_factory, cases, rounds, micro, sla_hours)
    rows = _round_rows(path)
    win = compliance.window(key, now)

    tables = asyncio.run(_digest_tables(path, win, now, sla))

    _assert_rows_equal_the_pure_arithmetic(
        tables.platforms.rows, tables.groups.rows, rows, win, now, sla
    )
    total = compliance.total(rows, win, now, sla)
    assert tables.platforms.total == tables.groups.total == total
    before = compliance.by_platform(rows, win.previous(), now, sla)
    assert tables.previous == {p.value: f.rate for p, f in before.items()}


async def test_empty_database_gives_an_empty_table(store: Store) -> None:
    table = await store.stats.table("platform", compliance.window("30d", NOW), NOW, SLA)
    assert table.empty and table.rows == {} and table.total == compliance.EMPTY


async def test_window_edges_expired_pending_and_restored(store: Store, tmp_path: Path) -> None:
    conn = connect(tmp_path / "t.db")
    x = insert_case(conn, platform=Platform.X, handle="a", followers=900, created_at=NOW - 90 * D)
    fb = insert_case(conn, platform=Platform.FACEBOOK, handle="b", created_at=NOW - 90 * D)
    # X: before the window (not counted), restored after removal (actioned), expired, pending.
    insert_round(
        conn, case_id=x, sent_at=NOW - 31 * D, outcome=Outcome.REJECTED, outcome_at=NOW - 30 * D - H
    )
    insert_round(
        conn,
        case_id=x,
        sent_at=NOW - 20 * D,
        outcome=Outcome.REMOVED,
        outcome_at=NOW - 20 * D + 5 * H,
        restored_at=NOW - 10 * D,
    )
    insert_round(
        conn, case_id=x, sent_at=NOW - 9 * D, outcome=Outcome.NO_RESPONSE, outcome_at=NOW - 5 * D
    )
    insert_round(conn, case_id=x, sent_at=NOW - 4 * D)  # open, past the SLA: expired
    insert_round(conn, case_id=fb, sent_at=NOW - 2 * H)  # open, within the SLA: pending
    conn.close()

    table = await store.stats.table("platform", compliance.window("30d", NOW), NOW, SLA)
    fig_x, fig_fb = table.rows["x"], table.rows["facebook"]
    assert (fig_x.sent, fig_x.actioned, fig_x.rejected, fig_x.expired, fig_x.pending) == (
        3,
        1,
        0,
        2,
        0,
    )
    assert format_compliance(fig_x) == "33% of 3"
    assert fig_x.median_hours_to_action == 5.0
    assert fig_x.reach_removed == 0  # restored 10 days ago: no longer removed
    assert (fig_fb.sent, fig_fb.pending, format_compliance(fig_fb)) == (1, 1, "n/a")
    assert table.total.sent == 4 and table.total.reach_removed == 0

    then = NOW - 15 * D  # before the restoration: the account was out, 900 followers
    past = await store.stats.table(
        "platform", compliance.window("30d", then), then, SLA, as_of=True
    )
    assert (past.rows["x"].sent, past.rows["x"].actioned, past.rows["x"].reach_removed) == (
        2,
        1,
        900,
    )

    older = await store.stats.table("platform", compliance.window("90d", NOW), NOW, SLA)
    assert older.rows["x"].rejected == 1


async def test_activity_of_the_last_day_and_oldest_overdue(store: Store, tmp_path: Path) -> None:
    conn = connect(tmp_path / "t.db")
    old = insert_case(conn, platform=Platform.X, handle="old", created_at=NOW - 10 * D)
    cases = [
        insert_case(
            conn, platform=Platform.TIKTOK, handle=f"t{i}", group=g, created_at=NOW - (i + 1) * H
        )
        for i, g in enumerate(["TTP", "TTP", "BLA"])
    ]
    insert_round(
        conn, case_id=old, sent_at=NOW - 9 * D, outcome=Outcome.REMOVED, outcome_at=NOW - 3 * H
    )
    for i, case_id in enumerate(cases):
        insert_round(conn, case_id=case_id, sent_at=NOW - (i + 1) * H)
    overdue = []
    for i in range(7):
        case_id = insert_case(
            conn, platform=Platform.WHATSAPP, handle=f"+92300{i}", created_at=NOW - 30 * D
        )
        overdue.append(case_id)
        insert_round(conn, case_id=case_id, sent_at=NOW - (20 - i) * D)
    dismissed = insert_case(
        conn, platform=Platform.X, handle="withdrawn", created_at=NOW - 40 * D, state="dismissed"
    )
    insert_round(conn, case_id=dismissed, sent_at=NOW - 30 * D)  # oldest, but not chased
    conn.close()

    day = await store.stats.activity(NOW - D, NOW)
    assert day.new_cases == {"TTP": 2, "BLA": 1}
    assert day.sent == {Platform.TIKTOK: 3}
    assert day.outcomes == {Outcome.REMOVED: 1}

    if store.db.backend == "SQLite":  # its query plan (PostgreSQL plans for itself)
        plan = await store.db.fetchall(
            "EXPLAIN QUERY PLAN " + _OUTCOMES_SQL, {"start": 0, "end": 1}
        )
        assert "SEARCH request_rounds USING COVERING INDEX rounds_by_outcome" in plan[0]["detail"]

    oldest = await store.stats.oldest_overdue(NOW, SLA)
    assert [r.case_id for r in oldest] == overdue[:5]
    assert oldest[0].sent_at == NOW - 20 * D and oldest[0].platform is Platform.WHATSAPP


@pytest.mark.sqlite_only  # SQLite's query plans
async def test_window_query_reads_the_covering_index_rounds_by_sent(store: Store) -> None:
    params = {"before": 0, "start": 0, "end": 1, "expired_before": 0, "platform": "x"}
    for sql in [figures_sql("platform"), figures_sql("group"), _DIGEST_SQL]:
        plan = await store.db.fetchall("EXPLAIN QUERY PLAN " + sql, params)
        details = [str(row["detail"]) for row in plan]
        rounds = [d for d in details if "request_rounds" in d]
        window = (
            "SEARCH request_rounds USING COVERING INDEX rounds_by_sent (sent_at>? AND sent_at<?)"
        )
        assert rounds and all(d == window for d in rounds), details  # never the table itself
        assert not [d for d in details if "cases" in d], details  # the reach reads the rounds
        assert not any(d.startswith(("SCAN request_rounds", "SCAN cases")) for d in details)


async def test_rounds_carry_their_cases_platform_and_group_whoever_writes_them(
    store: Store, tmp_path: Path
) -> None:
    conn = connect(tmp_path / "t.db")
    x = insert_case(conn, platform=Platform.X, handle="a", group="BLA", created_at=NOW - 9 * D)
    tg = insert_case(conn, platform=Platform.TELEGRAM, handle="b", created_at=NOW - 9 * D)
    yt = insert_case(conn, platform=Platform.YOUTUBE, handle="c", created_at=NOW - 9 * D)
    insert_round(conn, case_id=x, sent_at=NOW - 8 * D, outcome=Outcome.REJECTED, outcome_at=NOW)
    conn.execute(  # copies given, and wrong: the case's win
        "INSERT INTO request_rounds (case_id, round_no, sent_at, sent_by, platform, grp)"
        " VALUES (?, 1, 1000, 1, 'whatsapp', 'BLF')",
        (tg,),
    )
    conn.close()
    batch = await store.requests.open_rounds([x, yt], by=1, at=NOW - D)  # the bot's writer
    assert len(batch.opened) == 2
    copies = "SELECT case_id, round_no, platform, grp FROM request_rounds ORDER BY id"
    rows = [tuple(r) for r in await store.db.fetchall(copies)]
    assert rows == [
        (x, 1, "x", "BLA"),
        (tg, 1, "telegram", "TTP"),
        (x, 2, "x", "BLA"),
        (yt, 1, "youtube", "TTP"),
    ]
    async with store.db.transaction() as tx:  # nothing moves a case today; if it ever does
        await tx.execute("UPDATE cases SET grp = 'BLF' WHERE id = ?", (x,))
    rows = [tuple(r) for r in await store.db.fetchall(copies)]
    assert rows[0] == (x, 1, "x", "BLF") and rows[2] == (x, 2, "x", "BLF")
    assert rows[1] == (tg, 1, "telegram", "TTP") and rows[3] == (yt, 1, "youtube", "TTP")

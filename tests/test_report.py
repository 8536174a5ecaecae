"""The periodic report (storage/reports.py, bot/views/report.py): on a generated history, its
figures equal the pure arithmetic of bot/domain/compliance.py, the PDF's text (read back with
pypdf) holds them, the same report as of one time is the same bytes whatever is recorded
after, and the summary keeps within Telegram's limits."""

from __future__ import annotations

import asyncio
import datetime as dt
import io
import random
import sqlite3
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from pypdf import PdfReader

from bot.domain import Category, Outcome, Platform, compliance
from bot.domain.compliance import Figures, RoundRow, Window
from bot.domain.periods import Period, PeriodKind
from bot.domain.records import Refusal, ReportFigures
from bot.runtime.jobs import MadeReport
from bot.views import report as view
from bot.views.common import MAX_CAPTION, MAX_TEXT
from bot.views.figures import change_from, format_compliance, format_count, format_median
from storage.copy import copy_to_postgres
from storage.db import from_ts, to_ts
from storage.store import Store
from tests.factories import connect, insert_case, insert_round, round_histories
from tests.pg import Cluster

TZ = ZoneInfo("Asia/Karachi")
NOW = dt.datetime(2026, 12, 1, 4, 0, tzinfo=dt.UTC)  # 09:00 on 1 December in Karachi
SLA = dt.timedelta(hours=72)
H = dt.timedelta(hours=1)
D = dt.timedelta(days=1)
GROUPS = ["TTP", "BLA", "BLF"]
CTX = view.ReportContext("Counter-Extremism Unit", TZ, 72)
NOVEMBER = Period(2026, PeriodKind.MONTH, 11)


def generate(path: Path, seed: int, now: dt.datetime = NOW, cases: int = 240) -> None:
    """Cases over the 14 months before `now` on every platform, group and category, with
    reports, request rounds (some with a reference shared by several), outcomes, some
    corrected later, restorations, withdrawn rounds and comebacks."""
    rnd = random.Random(seed)
    conn = connect(path)
    conn.execute("BEGIN")  # one transaction: a commit per row would take seconds
    try:
        ids = []
        for i in range(cases):
            created = now - dt.timedelta(seconds=rnd.randint(0, 425 * 86400))
            case_id = insert_case(
                conn,
                platform=rnd.choice(list(Platform)),
                handle=f"acc{i}",
                group=rnd.choice([*GROUPS, "OLD"]),
                followers=rnd.choice([None, 120, 4500, 80_000]),
                created_at=created,
            )
            category = rnd.choice(list(Category)).value
            conn.execute("UPDATE cases SET category = ? WHERE id = ?", (category, case_id))
            ids.append((case_id, created))
            for reporter in range(rnd.randint(1, 3)):
                conn.execute(
                    "INSERT INTO reports (case_id, reporter_id, reported_at, source, category)"
                    " VALUES (?, ?, ?, 'x', 'other')",
                    (case_id, 600 + reporter, to_ts(created + reporter * H)),
                )
            _rounds(conn, rnd, case_id, created, now)
        for _ in range(cases // 10):
            (new, at), (old, _) = rnd.sample(ids, 2)
            conn.execute(
                "INSERT OR IGNORE INTO comebacks (case_id, original_case_id, score, found_at)"
                " VALUES (?, ?, 0.9, ?)",
                (new, old, to_ts(at)),
            )
        conn.execute("COMMIT")
    finally:
        conn.close()


def _rounds(
    conn: sqlite3.Connection,
    rnd: random.Random,
    case_id: int,
    created: dt.datetime,
    now: dt.datetime,
) -> None:
    sent = created + dt.timedelta(seconds=rnd.randint(600, 4 * 86400))
    for _ in range(rnd.choice([0, 1, 1, 1, 2])):
        if sent > now:
            return
        outcome = rnd.choice([None, *Outcome])
        outcome_at = sent + dt.timedelta(seconds=rnd.randint(1800, 9 * 86400))
        if outcome is None or outcome_at > now:
            insert_round(conn, case_id=case_id, sent_at=sent)
            return  # one open round per case, the last
        restored = (
            outcome_at + 20 * D if outcome is Outcome.REMOVED and rnd.random() < 0.2 else None
        )
        insert_round(
            conn,
            case_id=case_id,
            sent_at=sent,
            outcome=outcome,
            outcome_at=outcome_at,
            restored_at=restored if restored and restored <= now else None,
        )
        if rnd.random() < 0.4:  # one reference for the requests sent that hour
            ref = f"REF-{to_ts(sent) // 3600}"
            conn.execute(
                "UPDATE request_rounds SET ref = ? WHERE case_id = ? AND sent_at = ?",
                (ref, case_id, to_ts(sent)),
            )
        sent = outcome_at + dt.timedelta(seconds=rnd.randint(600, 5 * 86400))


async def _figures(
    path: Path, period: Period, at: dt.datetime, *, as_of: bool = False, url: str = ""
) -> ReportFigures:
    store = await Store.open(path, database_url=url)
    try:
        return await store.reports.figures(period, at, TZ, SLA, GROUPS, as_of=as_of)
    finally:
        await store.close()


def figures_of(
    path: Path, period: Period, at: dt.datetime, *, as_of: bool = False, url: str = ""
) -> ReportFigures:
    """The report's figures from the SQLite file at `path`, or (url) from PostgreSQL."""
    return asyncio.run(_figures(path, period, at, as_of=as_of, url=url))


def made(tmp_path: Path, seed: int = 1, cases: int = 240) -> Path:
    path = tmp_path / f"h{seed}.db"

    async def create() -> None:
        store = await Store.open(path)
        await store.close()

    asyncio.run(create())
    generate(path, seed, cases=cases)
    return path


# ------------------------------------------------------------- the pure arithmetic, by hand


def _rows_as_of(path: Path, at: dt.datetime) -> list[RoundRow]:
    conn = connect(path)
    try:
        return compliance.as_of(round_histories(conn), at)
    finally:
        conn.close()


def _column(path: Path, sql: str) -> list[tuple[object, ...]]:
    conn = connect(path)
    try:
        return list(conn.execute(sql).fetchall())
    finally:
        conn.close()


def no_median(fig: Figures) -> Figures:
    return replace(fig, median_seconds_to_action=None)


def _count_in(win: Window, stamps: Iterator[int]) -> int:
    return sum(1 for stamp in stamps if win.contains(from_ts(stamp)))


def _cases_by_group(path: Path, win: Window) -> dict[str, int]:
    found: dict[str, int] = {}
    for created, group in _column(path, "SELECT created_at, grp FROM cases"):
        assert isinstance(created, int) and isinstance(group, str)
        if win.contains(from_ts(created)):
            found[group] = found.get(group, 0) + 1
    return found


@pytest.mark.parametrize(
    "period",
    [
        NOVEMBER,
        Period(2026, PeriodKind.QUARTER, 3),
        Period(2026, PeriodKind.HALF, 1),
        Period(2026, PeriodKind.YEAR, 1),  # not over: to date
    ],
    ids=lambda p: p.label,
)
@pytest.mark.parametrize("earlier", [False, True], ids=["now", "asof"])
def test_report_figures_equal_the_pure_arithmetic(
    tmp_path: Path, period: Period, earlier: bool
) -> None:
    path = made(tmp_path)
    at = NOW - 17 * D - 5 * H if earlier else NOW
    data = figures_of(path, period, at, as_of=earlier)
    rows = _rows_as_of(path, at)
    win = period.window(TZ, at)
    assert data.window == win and data.as_of == at

    platforms = compliance.by_platform(rows, win, at, SLA)
    assert data.platforms.rows == {p.value: f for p, f in platforms.items()}
    assert data.platforms.total == compliance.total(rows, win, at, SLA)
    assert data.groups.rows == compliance.by_group(rows, win, at, SLA)
    assert list(data.groups.rows)[:3] == [g for g in GROUPS if g in data.groups.rows][:3]
    before = period.previous().window(TZ, at)
    # the period before and the months carry no median (the report shows none for them)
    assert data.previous_platforms.rows == {
        p.value: no_median(f) for p, f in compliance.by_platform(rows, before, at, SLA).items()
    }
    assert data.previous_groups.rows == {
        g: no_median(f) for g, f in compliance.by_group(rows, before, at, SLA).items()
    }
    assert_categories_are_the_cases(path, data, rows, at)

    assert data.headline.figures == data.platforms.total
    assert data.headline.cases == _cases_by_group(path, win)
    reports = _column(path, "SELECT reported_at FROM reports")
    assert data.headline.reports == _count_in(win, (int(r[0]) for r in reports))  # type: ignore[call-overload]
    comebacks = _column(path, "SELECT found_at FROM comebacks")
    assert data.headline.comebacks == _count_in(win, (int(r[0]) for r in comebacks))  # type: ignore[call-overload]
    since = Window("since", None, win.end)
    assert data.since_first.figures == no_median(compliance.total(rows, since, at, SLA))
    assert data.since_first.cases == _cases_by_group(path, since)

    assert len(data.months) == 12 and data.months[-1].month == period.month_list()[-1]
    for month in data.months:
        expected = compliance.by_platform(rows, month.month.window(TZ, win.end), at, SLA)
        assert month.platforms == {p: no_median(f) for p, f in expected.items()}

    open_at = [r for r in rows if r.outcome is None and compliance.is_overdue(r.sent_at, at, SLA)]
    oldest = sorted(open_at, key=lambda r: r.sent_at)[:10]
    assert [o.case_id for o in data.overdue] == [r.case_id for r in oldest]


@pytest.mark.slow  # a PostgreSQL cluster (tests/pg.py)
def test_the_report_on_postgresql_is_the_report_on_sqlite(
    tmp_path: Path, pg_cluster: Cluster
) -> None:
    """The same history copied into PostgreSQL (migrate-to-postgres) gives the same figures,
    medians to the second: PostgreSQL's report statement counts its cells and reads its
    median buckets its own way (storage/stats.py, _report_sql)."""
    path = made(tmp_path, seed=11)
    url = pg_cluster.empty_database()
    try:
        asyncio.run(copy_to_postgres(path, url, NOW))
        for period in (NOVEMBER, Period(2026, PeriodKind.YEAR, 1)):
            for at, as_of in ((NOW, False), (NOW - 17 * D - 5 * H, True)):
                on_sqlite = figures_of(path, period, at, as_of=as_of)
                on_postgres = figures_of(path, period, at, as_of=as_of, url=url)
                assert on_postgres == on_sqlite
        # and the history is one with medians to compare: the year's, in every table
        tables = (on_sqlite.platforms, on_sqlite.groups, on_sqlite.categories)
        assert all(f.median_seconds_to_action for t in tables for f in t.rows.values())
    finally:
        pg_cluster.drop(url)


def assert_categories_are_the_cases(
    path: Path, data: ReportFigures, rows: list[RoundRow], at: dt.datetime
) -> None:
    """The table by category is the pure arithmetic over the rounds of the cases in each
    category as the cases stand."""
    category_of = {row[0]: row[1] for row in _column(path, "SELECT id, category FROM cases")}
    for category, fig in data.categories.rows.items():
        mine = [
            r
            for r in rows
            if category_of[r.case_id] == category and data.window.contains(r.sent_at)
        ]
        assert fig == compliance.figures(mine, at, SLA)
    assert sum(f.sent for f in data.categories.rows.values()) == data.platforms.total.sent


def test_an_edit_of_a_category_moves_the_cases_rounds_and_the_figures_stay_the_arithmetic(
    tmp_path: Path,
) -> None:
    """Rounds carry their case's category (migration 011) for the report's indexes: an /edit
    of the category moves every round of the case, and a round written without it (or with
    another) gets its case's."""
    path = made(tmp_path, seed=9)
    start = to_ts(NOVEMBER.window(TZ, NOW).start or NOW)
    asyncio.run(_edit_categories(path, start))
    conn = connect(path)
    try:  # rounds written by plain SQL: without a category, and with another one
        case = insert_case(conn, platform=Platform.X, handle="raw", created_at=NOW - 9 * D)
        sent = NOW - 8 * D
        insert_round(
            conn, case_id=case, sent_at=sent, outcome=Outcome.REJECTED, outcome_at=sent + H
        )
        conn.execute(
            "INSERT INTO request_rounds (case_id, round_no, sent_at, sent_by, category)"
            " VALUES (?, 2, ?, 1, 'hate')",
            (case, to_ts(NOW - 7 * D)),
        )
    finally:
        conn.close()
    pairs = _column(
        path,
        "SELECT r.category, c.category FROM request_rounds AS r"
        " JOIN cases AS c ON c.id = r.case_id",
    )
    assert pairs and all(mine == case_category for mine, case_category in pairs)
    data = figures_of(path, NOVEMBER, NOW)
    assert_categories_are_the_cases(path, data, _rows_as_of(path, NOW), NOW)


async def _edit_categories(path: Path, start: int) -> None:
    """/edit of the category of 30 cases with rounds sent in November, each to another."""
    store = await Store.open(path)
    try:
        rows = await store.db.fetchall(
            "SELECT DISTINCT r.case_id, c.category FROM request_rounds AS r"
            " JOIN cases AS c ON c.id = r.case_id WHERE r.sent_at > ? ORDER BY 1 LIMIT 30",
            (start,),
        )
        categories = [c.value for c in Category]
        for row in rows:
            other = categories[(categories.index(row["category"]) + 1) % len(categories)]
            changed = await store.cases.edit(
                row["case_id"], group=None, category=other, followers=None, by=1, at=NOW
            )
            assert not isinstance(changed, Refusal)
    finally:
        await store.close()


def test_half_years_are_the_months_summed_and_requests_are_counted_by_reference(
    tmp_path: Path,
) -> None:
    path = made(tmp_path, seed=2)
    data = figures_of(path, NOVEMBER, NOW)
    rows = _rows_as_of(path, NOW)
    refs = _column(path, "SELECT platform, sent_at, ref FROM request_rounds")
    assert {row.half.label for row in data.halves} == {"2025-H2", "2026-H1", "2026-H2"}
    for row in data.halves:
        win = row.half.window(TZ, data.window.end)
        mine = [r for r in rows if r.platform is row.platform and win.contains(r.sent_at)]
        expected = compliance.figures(mine, NOW, SLA)
        assert (row.figures.sent, row.figures.actioned, row.figures.decided) == (
            expected.sent,
            expected.actioned,
            expected.decided,
        )
        sent = [
            ref
            for platform, at, ref in refs
            if platform == row.platform.value and win.contains(from_ts(int(at)))  # type: ignore[call-overload]
        ]
        assert row.requests == len({r for r in sent if r}) + sum(1 for r in sent if not r)

    text = view.csv_bytes(data, CTX).decode("utf-8")
    lines = text.splitlines()
    assert lines[0] == ",".join(view.CSV_HEADER)
    last = [row for row in data.halves if row.half.label == "2026-H2"][0]
    fig = last.figures
    assert (
        f"2026-H2,2026-07-01,2026-11-30,{last.platform.value},{last.requests},{fig.sent},"
        f"{fig.actioned},{fig.rejected},{fig.expired},{fig.pending},{fig.withdrawn},"
        f"{'' if fig.percent is None else fig.percent},{fig.decided}"
    ) in lines


def pdf_text(pdf: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages)


def test_the_pdf_text_holds_the_figures_of_the_generated_history(tmp_path: Path) -> None:
    path = made(tmp_path, seed=3)
    data = figures_of(path, NOVEMBER, NOW)
    pdf = view.pdf_bytes(data, CTX)
    assert pdf.startswith(b"%PDF-") and 2 <= len(PdfReader(io.BytesIO(pdf)).pages) <= 5
    text = pdf_text(pdf)
    assert "Counter-Extremism Unit: periodic report, November 2026" in text
    assert "Figures as of 2026-12-01 09:00 (Asia/Karachi)" in text
    assert "Requests sent 2026-11-01 to 2026-11-30" in text

    total, since = data.headline.figures, data.since_first.figures
    for name, now_cell, ever_cell in [
        ("Accounts identified (cases)", data.headline.identified, data.since_first.identified),
        ("Reported (reports)", data.headline.reports, data.since_first.reports),
        ("Requests sent", total.sent, since.sent),
        ("Accounts actioned (removed, restricted)", total.actioned, since.actioned),
        ("Comebacks found", data.headline.comebacks, data.since_first.comebacks),
    ]:
        assert f"{name}\n{format_count(now_cell)}\n{format_count(ever_cell)}" in text, name
    assert f"Compliance\n{format_compliance(total)}\n{format_compliance(since)}" in text

    previous = data.previous_platforms.rows
    for key, fig in data.platforms.rows.items():
        before = previous[key].rate if key in previous else None
        cells = [
            Platform(key).label,
            *(format_count(n) for n in (fig.sent, fig.actioned, fig.rejected, fig.expired)),
            format_count(fig.pending),
            format_count(fig.withdrawn),
            format_compliance(fig),
            format_median(fig),
            change_from(fig, before),
        ]
        assert "\n".join(cells) in text, key
    for group, fig in data.groups.rows.items():
        assert f"{group}\n{format_count(fig.sent)}\n{format_count(fig.actioned)}" in text
        assert format_compliance(fig) in text
    for category, fig in data.categories.rows.items():
        assert f"{category}\n{format_count(fig.sent)}\n{format_count(fig.actioned)}" in text
    assert data.overdue and all(f"#{o.case_id}\n" in text for o in data.overdue)


def test_a_report_as_of_a_time_is_the_same_bytes_whatever_is_recorded_after(
    tmp_path: Path,
) -> None:
    path = made(tmp_path, seed=4)
    at = NOW - 3 * D  # 28 November: the month is not over then
    first = figures_of(path, NOVEMBER, at, as_of=True)
    pdf, csv = view.pdf_bytes(first, CTX), view.csv_bytes(first, CTX)

    conn = connect(path)
    try:  # after `at`: a correction, an outcome, a restoration, a new case, report, round
        conn.execute(
            "INSERT INTO outcome_versions (case_id, round_no, outcome, outcome_at, recorded_at,"
            " recorded_by) SELECT case_id, round_no, 'rejected', outcome_at, ?, 1"
            " FROM request_rounds WHERE outcome = 'removed' AND sent_at > ?",
            (to_ts(NOW - H), to_ts(at - 20 * D)),
        )
        conn.execute(
            "UPDATE request_rounds SET outcome = 'rejected' WHERE outcome = 'removed'"
            " AND sent_at > ?",
            (to_ts(at - 20 * D),),
        )
        conn.execute(
            "UPDATE request_rounds SET outcome = 'removed', outcome_at = ? WHERE outcome IS NULL",
            (to_ts(NOW - 2 * H),),
        )
        conn.execute(
            "INSERT INTO outcome_versions (case_id, round_no, outcome, outcome_at, recorded_at,"
            " recorded_by) SELECT case_id, round_no, outcome, outcome_at, outcome_at, 1"
            " FROM request_rounds WHERE outcome_at = ?",
            (to_ts(NOW - 2 * H),),
        )
        conn.execute(
            "UPDATE request_rounds SET restored_at = ? WHERE outcome = 'restricted'",
            (to_ts(NOW - H),),
        )
        late = insert_case(conn, platform=Platform.X, handle="late", group="TTP", created_at=at + H)
        insert_round(conn, case_id=late, sent_at=at + 2 * H)
    finally:
        conn.close()

    again = figures_of(path, NOVEMBER, at, as_of=True)
    assert again == first
    assert view.pdf_bytes(again, CTX) == pdf
    assert view.csv_bytes(again, CTX) == csv
    assert figures_of(path, NOVEMBER, at) != first  # the facts after `at` did change things


def test_the_summary_and_captions_keep_within_telegrams_limits(tmp_path: Path) -> None:
    path = made(tmp_path, seed=5)
    conn = connect(path)
    many = [f"Group{i:03d}-with-a-long-name" for i in range(300)]
    try:
        for i, group in enumerate(many):
            insert_case(
                conn, platform=Platform.X, handle=f"g{i}", group=group, created_at=NOW - 10 * D
            )
    finally:
        conn.close()
    data = figures_of(path, NOVEMBER, NOW)
    summary = view.summary_text(data, CTX)
    assert len(summary) > MAX_TEXT  # 300 groups named: more than one message
    report = MadeReport(data, CTX, b"%PDF-")
    assert len(report.messages) >= 2 and all(len(m) <= MAX_TEXT for m in report.messages)
    assert "".join(report.messages).count("Group299-with-a-long-name") == 1
    for _, name, caption in report.documents:
        assert len(caption) <= MAX_CAPTION and name.startswith("report-2026-11-asof-")
    long_unit = view.ReportContext("U" * 2000, TZ, 72)
    assert len(view.pdf_caption(data, long_unit)) <= MAX_CAPTION


def test_a_period_without_requests_still_makes_a_report(tmp_path: Path) -> None:
    path = made(tmp_path, seed=6, cases=0)
    data = figures_of(path, NOVEMBER, NOW)
    assert data.platforms.empty and data.first_case_at is None and data.halves == []
    text = pdf_text(view.pdf_bytes(data, CTX))
    assert "No requests were sent in the period." in text
    summary = view.summary_text(data, CTX)
    assert "Accounts identified: 0" in summary and "Requests sent: 0" in summary


def test_medians_are_exact_with_many_rounds_in_one_bucket_and_on_bucket_edges(
    tmp_path: Path,
) -> None:
    """The report ranks times to action within 2-hour buckets (storage/stats.py): equal
    times, times either side of a bucket's edge and outcomes before the request (negative
    times) must give the medians of statistics.median."""
    path = made(tmp_path, seed=7, cases=0)
    rnd = random.Random(7)
    edges = [-3601, -1, 0, 1, 7199, 7200, 7201, 14400, 21599, 21600, 21601, 43199, 43200, 64800]
    conn = connect(path)
    conn.execute("BEGIN")
    try:
        for i in range(150):
            case = insert_case(
                conn,
                platform=rnd.choice([Platform.X, Platform.TIKTOK]),
                handle=f"m{i}",
                group=rnd.choice(GROUPS),
                created_at=NOW - 40 * D,
            )
            sent = NOW - dt.timedelta(days=rnd.randint(2, 29), seconds=rnd.randint(0, 86399))
            delay = dt.timedelta(seconds=rnd.choice(edges))
            insert_round(
                conn, case_id=case, sent_at=sent, outcome=Outcome.REMOVED, outcome_at=sent + delay
            )
        conn.execute("COMMIT")
    finally:
        conn.close()
    data = figures_of(path, NOVEMBER, NOW)
    rows = _rows_as_of(path, NOW)
    win = NOVEMBER.window(TZ, NOW)
    platforms = compliance.by_platform(rows, win, NOW, SLA)
    assert data.platforms.rows == {p.value: f for p, f in platforms.items()}
    assert data.groups.rows == compliance.by_group(rows, win, NOW, SLA)
    assert data.platforms.total == compliance.total(rows, win, NOW, SLA)
    assert data.platforms.total.actioned == 150


def test_the_report_reads_one_snapshot_on_a_connection_of_its_own(tmp_path: Path) -> None:
    """Its statements see the data as at their first; other reads go on beside it."""
    path = made(tmp_path, seed=8, cases=20)
    asyncio.run(_snapshot_and_a_write_beside_it(path))


async def _snapshot_and_a_write_beside_it(path: Path) -> None:
    store = await Store.open(path)
    try:
        async with store.db.snapshot() as read:
            before = await read.fetchone("SELECT COUNT(*) FROM cases")
            conn = connect(path)
            try:
                insert_case(conn, platform=Platform.X, handle="meanwhile", created_at=NOW)
            finally:
                conn.close()
            during = await read.fetchone("SELECT COUNT(*) FROM cases")
            beside = await store.db.fetchone("SELECT COUNT(*) FROM cases")  # not queued
        assert before is not None and during is not None and beside is not None
        assert before[0] == during[0] == 20 and beside[0] == 21
    finally:
        await store.close()

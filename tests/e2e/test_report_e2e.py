"""Issue 18 end to end: /report through the real Application and the fake Bot API, and the
report of the month before with the digest on the first day of a month, once per chat."""

from __future__ import annotations

import asyncio
import csv
import datetime as dt
import io
from pathlib import Path

import pytest
from pypdf import PdfReader

from bot.domain import Outcome, Platform
from tests.clock import ManualClock
from tests.e2e.fake_bot_api import FakeBotApi, SentMessage
from tests.e2e.harness import ADMIN, running_bot, stored
from tests.e2e.test_digest_e2e import daily_job
from tests.factories import connect, insert_case, insert_round

FIRST = dt.datetime(2026, 12, 1, 4, 0, tzinfo=dt.UTC)  # 1 December, 09:00 in Karachi
H = dt.timedelta(hours=1)
D = dt.timedelta(days=1)
CHAT = -1001


def seed(db: Path) -> None:
    """November: X 3 requests (removed, rejected, one open past the SLA), Facebook 1 removed
    (2,000 followers); October: X 1 rejected."""
    conn = connect(db)
    try:
        plan = [
            (Platform.X, FIRST - 20 * D, Outcome.REMOVED),
            (Platform.X, FIRST - 19 * D, Outcome.REJECTED),
            (Platform.X, FIRST - 10 * D, None),
            (Platform.FACEBOOK, FIRST - 5 * D, Outcome.REMOVED),
            (Platform.X, FIRST - 40 * D, Outcome.REJECTED),
        ]
        for i, (platform, sent, outcome) in enumerate(plan):
            case = insert_case(
                conn,
                platform=platform,
                handle=f"acc{i}",
                group="TTP" if i % 2 else "BLA",
                followers=2000 if platform is Platform.FACEBOOK else None,
                created_at=sent - H,
            )
            insert_round(
                conn,
                case_id=case,
                sent_at=sent,
                outcome=outcome,
                outcome_at=None if outcome is None else sent + 30 * H,
            )
    finally:
        conn.close()


def pdf_text(document: SentMessage) -> str:
    assert document.document is not None and document.document.startswith(b"%PDF-")
    pages = PdfReader(io.BytesIO(document.document)).pages
    return "\n".join(page.extract_text() for page in pages)


async def test_report_sends_a_summary_a_pdf_and_a_csv(fake_api: FakeBotApi, tmp_path: Path):
    db = tmp_path / "t.db"
    async with running_bot(fake_api, db, clock=ManualClock(FIRST + 2 * H)):
        seed(db)
        summary, pdf, table = await fake_api.ask(ADMIN, "/report", expect=3, timeout=30)
        [bad] = await fake_api.ask(ADMIN, "/report fortnight")
    assert [summary.method, pdf.method, table.method] == [
        "sendMessage",
        "sendDocument",
        "sendDocument",
    ]
    assert summary.plain.startswith("Takedown Desk: periodic report, November 2026\n")
    assert "Figures as of 2026-12-01 11:00 (Asia/Karachi)" in summary.plain
    assert "Accounts identified: 4 (TTP 2, BLA 2)" in summary.plain  # BANNED_GROUPS order
    # 2 actioned / (2 + 1 rejected + 1 expired)
    assert "Requests sent: 4; accounts actioned: 2; compliance 50% of 4" in summary.plain
    assert "Reach removed: 2,000 followers and 1 account of unknown size" in summary.plain
    assert "X 33% of 3 (+33 points from 0% of 1); Facebook 100% of 1 (new)" in summary.plain
    assert pdf.filename == "report-2026-11-asof-20261201T1100.pdf"
    assert pdf.caption and len(pdf.caption) <= 1024
    text = pdf_text(pdf)
    assert "Takedown Desk: periodic report, November 2026" in text
    assert "X\n3\n1\n1\n1\n0\n0\n33% of 3\n30 h\n+33 points from 0% of 1" in text
    assert "#3\nx:@acc2\nBLA\n1" in text  # the open request, overdue
    assert table.document is not None and table.filename
    rows = list(csv.DictReader(io.StringIO(table.document.decode("utf-8"))))
    assert [(r["half_year"], r["platform"], r["accounts_specified"]) for r in rows] == [
        ("2026-H2", "x", "4"),
        ("2026-H2", "facebook", "1"),
    ]
    assert bad.plain.startswith("Unknown period 'fortnight'")
    assert "Usage: /report [month|quarter|half|year|" in bad.plain


async def test_report_asof_gives_the_same_document_later(fake_api: FakeBotApi, tmp_path: Path):
    db = tmp_path / "t.db"
    clock = ManualClock(FIRST + 2 * H)
    ask = "/report 2026-11 asof=2026-12-01T10:00"
    async with running_bot(fake_api, db, clock=clock):
        seed(db)
        _, first, first_csv = await fake_api.ask(ADMIN, ask, expect=3, timeout=30)
        conn = connect(db)  # the open request is answered after 10:00
        conn.execute(
            "UPDATE request_rounds SET outcome = 'removed', outcome_at = ? WHERE outcome IS NULL",
            (int((FIRST + 90 * 60 * dt.timedelta(seconds=1)).timestamp()),),
        )
        conn.close()
        clock.advance(3 * D)
        _, again, again_csv = await fake_api.ask(ADMIN, ask, expect=3, timeout=30)
        summary, *_ = await fake_api.ask(ADMIN, "/report 2026-11", expect=3, timeout=30)
    assert first.document == again.document and first_csv.document == again_csv.document
    assert first.filename == again.filename == "report-2026-11-asof-20261201T1000.pdf"
    assert "compliance 75% of 4" in summary.plain  # as of now the open one is removed


def sent_kinds(api: FakeBotApi) -> list[str]:
    return [s.method for s in api.sent_to(CHAT)]


async def test_the_month_before_goes_out_with_the_digest_on_the_first_once(
    fake_api: FakeBotApi, tmp_path: Path
):
    db = tmp_path / "t.db"
    clock = ManualClock(FIRST - H)  # up before DIGEST_TIME: nothing to catch up
    async with running_bot(fake_api, db, clock=clock, digest_chat_ids=[CHAT]) as app:
        seed(db)
        clock.set(FIRST)
        await daily_job(app).run(app)
        await fake_api.wait_for(
            lambda s: s.chat_id == CHAT and (s.filename or "").endswith(".csv"), timeout=30
        )
        await daily_job(app).run(app)  # the job again the same day: nothing more
        await asyncio.sleep(0.5)
    kinds = sent_kinds(fake_api)
    assert kinds == ["sendMessage", "sendPhoto", "sendMessage", "sendDocument", "sendDocument"]
    report = fake_api.sent_to(CHAT)[2]
    assert report.plain.startswith("Takedown Desk: periodic report, November 2026\n")
    assert "Figures as of 2026-12-01 09:00" in report.plain
    assert stored(db, "SELECT digest_day, parts_sent FROM digests_sent") == [("2026-12-01", 5)]


@pytest.mark.slow  # two bot starts and the digest's retries: seconds
async def test_a_report_cut_short_by_a_restart_is_finished_not_repeated(
    fake_api: FakeBotApi, tmp_path: Path
):
    db = tmp_path / "t.db"
    clock = ManualClock(FIRST - H)
    async with running_bot(fake_api, db, clock=clock, digest_chat_ids=[CHAT]) as app:
        seed(db)
        fake_api.fail_method("sendDocument", 502, "Bad Gateway", times=None)
        clock.set(FIRST)
        await daily_job(app).run(app)  # the digest and the summary go out, the PDF does not
    assert sent_kinds(fake_api) == ["sendMessage", "sendPhoto", "sendMessage"]
    fake_api.unfail_method("sendDocument")
    async with running_bot(fake_api, db, clock=ManualClock(FIRST + H), digest_chat_ids=[CHAT]):
        await fake_api.wait_for(
            lambda s: s.chat_id == CHAT and (s.filename or "").endswith(".csv"), timeout=30
        )
        await asyncio.sleep(0.5)
    kinds = sent_kinds(fake_api)
    assert kinds == ["sendMessage", "sendPhoto", "sendMessage", "sendDocument", "sendDocument"]
    pdf = fake_api.sent_to(CHAT)[3]
    assert pdf.filename == "report-2026-11-asof-20261201T0900.pdf"  # as of the digest's time


async def test_no_report_with_the_digest_on_other_days(fake_api: FakeBotApi, tmp_path: Path):
    db = tmp_path / "t.db"
    clock = ManualClock(FIRST + 23 * H)
    async with running_bot(fake_api, db, clock=clock, digest_chat_ids=[CHAT]) as app:
        seed(db)
        clock.set(FIRST + D)
        await daily_job(app).run(app)
        await fake_api.wait_for(lambda s: s.chat_id == CHAT and s.method == "sendPhoto")
        await asyncio.sleep(0.5)
    assert sent_kinds(fake_api) == ["sendMessage", "sendPhoto"]

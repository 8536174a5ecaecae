"""Issue 5 end to end: /stats, /digest and the daily digest job through the fake Bot API."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path
from typing import Any

import pytest
from telegram.ext import Job

from bot.domain import Outcome, Platform
from bot.runtime.app import App
from bot.runtime.jobs import JOB_NAME
from tests.clock import ManualClock
from tests.e2e.fake_bot_api import FakeBotApi, SentMessage
from tests.e2e.harness import ADMIN, flag, running_bot
from tests.factories import connect, insert_case, insert_round

NOW = dt.datetime(2026, 11, 2, 4, 0, tzinfo=dt.UTC)  # 09:00 in Asia/Karachi
H = dt.timedelta(hours=1)
D = dt.timedelta(days=1)
PNG = b"\x89PNG\r\n\x1a\n"


def seed(db: Path) -> None:
    """X: 1 actioned, 2 rejected, 1 expired, 1 pending this month, 35% before; Facebook: 3/3."""
    conn = connect(db)
    try:
        x = [
            insert_case(
                conn,
                platform=Platform.X,
                handle=f"x{i}",
                group="TTP",
                followers=1000 * (i + 1),
                created_at=NOW - 50 * D,
            )
            for i in range(5)
        ]
        insert_round(
            conn,
            case_id=x[0],
            sent_at=NOW - 10 * D,
            outcome=Outcome.REMOVED,
            outcome_at=NOW - 10 * D + 6 * H,
            restored_at=NOW - 2 * D,
        )
        insert_round(
            conn,
            case_id=x[1],
            sent_at=NOW - 9 * D,
            outcome=Outcome.REJECTED,
            outcome_at=NOW - 8 * D,
        )
        insert_round(
            conn,
            case_id=x[2],
            sent_at=NOW - 8 * D,
            outcome=Outcome.REJECTED,
            outcome_at=NOW - 7 * D,
        )
        insert_round(conn, case_id=x[3], sent_at=NOW - 6 * D)  # expired: overdue
        insert_round(conn, case_id=x[4], sent_at=NOW - 5 * H)  # pending
        # the 30 days before: 7 of 20 actioned (35%)
        for i in range(20):
            old = insert_case(
                conn, platform=Platform.X, handle=f"old{i}", group="BLA", created_at=NOW - 70 * D
            )
            outcome = Outcome.REMOVED if i < 7 else Outcome.NO_RESPONSE
            insert_round(
                conn, case_id=old, sent_at=NOW - 40 * D, outcome=outcome, outcome_at=NOW - 39 * D
            )
        for i in range(3):
            fb = insert_case(
                conn,
                platform=Platform.FACEBOOK,
                handle=f"fb{i}",
                group="BLA",
                followers=500,
                created_at=NOW - 3 * H,
            )
            insert_round(
                conn,
                case_id=fb,
                sent_at=NOW - 2 * H,
                outcome=Outcome.RESTRICTED,
                outcome_at=NOW - H,
            )
    finally:
        conn.close()


def daily_job(app: App) -> Job[Any]:
    assert app.job_queue is not None
    [job] = app.job_queue.get_jobs_by_name(JOB_NAME)
    return job


def pre_block(text: str, after: str) -> str:
    found = re.search(re.escape(after) + r".*?(<pre>.*?</pre>)", text, re.S)
    assert found, text
    return found.group(1)


async def digest_messages(
    api: FakeBotApi, chat_id: int, start: int, photo: bool = True
) -> tuple[list[SentMessage], SentMessage | None]:
    if photo:
        chart = await api.wait_for(
            lambda s: s.chat_id == chat_id and s.method == "sendPhoto", after=start
        )
    else:
        chart = None
    texts = [s for s in api.sent_to(chat_id, start) if s.method == "sendMessage"]
    return texts, chart


async def test_digest_numbers_equal_stats_30d_and_the_chart_comes_with_it(fake_api, tmp_path):
    db = tmp_path / "t.db"
    async with running_bot(fake_api, db, clock=ManualClock(NOW)):
        seed(db)
        [stats] = await fake_api.ask(ADMIN, "/stats 30d")
        start = fake_api.mark()
        fake_api.push_message(ADMIN, "/digest")
        texts, chart = await digest_messages(fake_api, ADMIN, start)

    assert len(texts) == 1
    digest = texts[0]
    assert digest.plain.startswith("Daily digest, 2026-11-02 09:00 (Asia/Karachi)")
    table = pre_block(stats.text or "", "Compliance per platform")
    assert pre_block(digest.text or "", "Compliance per platform") == table
    rows = {line.split()[0]: line for line in table.split("\n")}
    assert "25% of 4" in rows["X"]  # 1 actioned / (1 + 2 rejected + 1 expired); 1 pending out
    assert rows["X"].split()[1:6] == ["5", "1", "2", "1", "1"]
    assert "100% of 3" in rows["Facebook"]
    assert "X 25% of 4, -10 points from 35% of 20; Facebook 100% of 3 (new)" in digest.plain
    assert "New cases: 3 (BLA 3)" in digest.plain
    assert "Requests sent: 4 (X 1, Facebook 3)" in digest.plain
    assert "Outcomes recorded: 3 (restricted 3)" in digest.plain
    # x0 (1,000 followers) was restored 2 days ago: out of the reach; Facebook's 3 x 500 stay
    assert "Reach removed, last 30 days: 1,500 followers" in digest.plain
    assert "Reach removed: 1,500 followers" in stats.plain
    assert "#4 x:@x3 (TTP), request 1 sent 2026-10-27 09:00, 6 d ago" in digest.plain
    assert chart is not None and chart.document is not None and chart.document.startswith(PNG)
    assert chart.caption and len(chart.caption) <= 1024


async def test_stats_by_group_per_platform_and_bad_words(fake_api, tmp_path):
    db = tmp_path / "t.db"
    async with running_bot(fake_api, db, clock=ManualClock(NOW)):
        seed(db)
        [by_group] = await fake_api.ask(ADMIN, "/stats 30d by group")
        [x_only] = await fake_api.ask(ADMIN, "/stats 90d x")
        [empty] = await fake_api.ask(ADMIN, "/stats 7d youtube")
        [bad] = await fake_api.ask(ADMIN, "/stats fortnight")
        # as of 3 days ago (local time): x0 not yet restored, Facebook's rounds not yet sent
        [before] = await fake_api.ask(ADMIN, "/stats 30d asof=2026-10-30T09:00")
        [future] = await fake_api.ask(ADMIN, "/stats asof=2026-12-01")
    assert "Figures as of 2026-10-30 09:00 (Asia/Karachi)" in before.plain
    assert "Facebook" not in before.plain
    assert "Reach removed: 1,000 followers" in before.plain
    assert "asof= is in the future" in future.plain
    groups = pre_block(by_group.text or "", "per group")
    assert re.search(r"\nTTP .* 25% of 4", groups) and re.search(r"\nBLA .*100% of 3", groups)
    assert "Compliance per platform to X, last 90 days" in x_only.plain
    assert "Facebook" not in x_only.plain and "33% of 24" in x_only.plain  # 8 of 24
    assert empty.plain == (
        "No requests to YouTube were sent in the last 7 days (as of 2026-11-02 09:00)."
    )
    assert bad.plain.startswith("Unknown word 'fortnight'")
    assert "Usage: /stats [7d|30d|90d|all] [platform|by group] [asof=" in bad.plain


async def test_digest_with_no_data_is_one_line_and_no_chart(fake_api, tmp_path):
    async with running_bot(fake_api, tmp_path / "t.db", clock=ManualClock(NOW)):
        sent = await fake_api.ask(ADMIN, "/digest", expect=0, quiet=1.0)
        [stats] = await fake_api.ask(ADMIN, "/stats")
    assert [s.method for s in sent] == ["sendMessage"]  # one line, no chart
    line = sent[0]
    assert line.plain.startswith("Daily digest, 2026-11-02 09:00: no requests in the last 30")
    assert "\n" not in line.plain
    assert stats.plain == "No requests were sent in the last 30 days (as of 2026-11-02 09:00)."


async def test_scheduled_digest_reaches_every_chat_despite_a_blocked_one(fake_api, tmp_path):
    db = tmp_path / "t.db"
    chats = [-1001, -1002, -1003]
    fake_api.fail_chat(-1001, 403, "Forbidden: bot was blocked by the user")
    fake_api.fail_chat(-1002, 400, "Bad Request: chat not found")
    clock = ManualClock(NOW - dt.timedelta(minutes=1))  # started before DIGEST_TIME
    async with running_bot(fake_api, db, clock=clock, digest_chat_ids=chats) as app:
        seed(db)
        job = daily_job(app)
        start = fake_api.mark()
        clock.set(NOW)
        await job.run(app)
        texts, chart = await digest_messages(fake_api, -1003, start)
    assert [t.plain.split("\n")[0] for t in texts] == [
        "Daily digest, 2026-11-02 09:00 (Asia/Karachi)"
    ]
    assert chart is not None and chart.document and chart.document.startswith(PNG)
    assert fake_api.sent_to(-1001, start) == [] and fake_api.sent_to(-1002, start) == []


async def test_long_digest_is_split_under_telegram_limits(fake_api, tmp_path):
    db = tmp_path / "t.db"
    groups = [f"GROUP{i:03d}" for i in range(150)]
    async with running_bot(fake_api, db, clock=ManualClock(NOW), groups=groups):
        conn = connect(db)
        for i, group in enumerate(groups):
            case_id = insert_case(
                conn,
                platform=list(Platform)[i % 7],
                handle=f"h{i}",
                group=group,
                created_at=NOW - 2 * H,
            )
            insert_round(
                conn,
                case_id=case_id,
                sent_at=NOW - H,
                outcome=Outcome.REMOVED,
                outcome_at=NOW - H / 2,
            )
        conn.close()
        start = fake_api.mark()
        fake_api.push_message(ADMIN, "/digest")
        texts, chart = await digest_messages(fake_api, ADMIN, start)
    assert len(texts) >= 3
    assert all(len(t.text or "") <= 4096 for t in texts)
    everything = "\n".join(t.plain for t in texts)
    assert all(group in everything for group in groups)  # nothing lost at the cuts
    assert chart is not None


@pytest.mark.parametrize(
    ("timezone", "now", "fires_at"),
    [
        # 09:00 in Karachi (UTC+5, no DST) is 04:00 UTC
        (
            "Asia/Karachi",
            dt.datetime(2026, 11, 2, 6, 0, tzinfo=dt.UTC),
            dt.datetime(2026, 11, 3, 4, 0, tzinfo=dt.UTC),
        ),
        (
            "Asia/Karachi",
            dt.datetime(2026, 11, 2, 3, 59, tzinfo=dt.UTC),
            dt.datetime(2026, 11, 2, 4, 0, tzinfo=dt.UTC),
        ),
        # London: GMT on Saturday 28 March 2026, BST from Sunday 29 March
        (
            "Europe/London",
            dt.datetime(2026, 3, 28, 10, 0, tzinfo=dt.UTC),
            dt.datetime(2026, 3, 29, 8, 0, tzinfo=dt.UTC),
        ),
        (
            "Europe/London",
            dt.datetime(2026, 3, 27, 10, 0, tzinfo=dt.UTC),
            dt.datetime(2026, 3, 28, 9, 0, tzinfo=dt.UTC),
        ),
        # back to GMT on Sunday 25 October 2026
        (
            "Europe/London",
            dt.datetime(2026, 10, 24, 10, 0, tzinfo=dt.UTC),
            dt.datetime(2026, 10, 25, 9, 0, tzinfo=dt.UTC),
        ),
    ],
)
async def test_daily_job_fires_at_digest_time_in_the_team_timezone(
    fake_api, tmp_path, timezone, now, fires_at
):
    async with running_bot(
        fake_api, tmp_path / "t.db", clock=ManualClock(now), timezone=timezone, digest_time="09:00"
    ) as app:
        job = daily_job(app)
        trigger = job.job.trigger
        # PTB's own trigger, asked for its next fire time after the injected now
        assert trigger.get_next_fire_time(None, now) == fires_at
        # and the live schedule (from the real clock) is 09:00 local too
        assert job.next_t is not None
        local = job.next_t.astimezone(app.bot_data["deps"].settings.timezone)
        assert (local.hour, local.minute) == (9, 0)


async def test_stats_count_what_flag_request_and_outcome_recorded(fake_api, tmp_path):
    clock = ManualClock(NOW)
    async with running_bot(fake_api, tmp_path / "t.db", clock=clock):
        ids = []
        for name in ("ttp_one", "ttp_two", "ttp_three"):
            ids.append(await flag(fake_api, f"x.com/{name} TTP followers=2k"))
        await fake_api.ask(ADMIN, "/request " + " ".join(f"#{i}" for i in ids))
        clock.advance(3 * H)
        await fake_api.ask(ADMIN, f"/outcome #{ids[0]} removed")
        await fake_api.ask(ADMIN, f"/outcome #{ids[1]} rejected")
        [stats] = await fake_api.ask(ADMIN, "/stats 7d")
    row = next(line for line in stats.plain.split("\n") if line.startswith("X "))
    assert row.split()[1:6] == ["3", "1", "1", "0", "1"]
    assert "50% of 2" in row and "3.0 h" in row
    assert "Reach removed: 2,000 followers" in stats.plain

"""Issue 14, item 3: the daily digest is sent once a day per chat, whatever Telegram or a
restart does: retried after a 502, sent late on start, finished (not repeated) after a cut."""

from __future__ import annotations

import asyncio
import datetime as dt
from pathlib import Path

from tests.clock import ManualClock
from tests.e2e.fake_bot_api import FakeBotApi
from tests.e2e.harness import FAST, running_bot, stored
from tests.e2e.test_digest_e2e import NOW, daily_job, seed

CHAT = -1001
MINUTE = dt.timedelta(minutes=1)


def rows(db: Path) -> list[tuple[int, str, int, int, bool]]:
    return [
        (chat, day, late, parts, sent_at is not None)
        for chat, day, late, parts, sent_at in stored(
            db, "SELECT chat_id, digest_day, late, parts_sent, sent_at FROM digests_sent"
        )
    ]


def kinds(api: FakeBotApi) -> list[str]:
    return [s.method for s in api.sent_to(CHAT)]


async def test_a_502_at_digest_time_is_retried_and_the_digest_goes_out_once(fake_api, tmp_path):
    db = tmp_path / "t.db"
    clock = ManualClock(NOW - MINUTE)  # up before DIGEST_TIME: nothing to catch up
    async with running_bot(fake_api, db, clock=clock, digest_chat_ids=[CHAT]) as app:
        seed(db)
        # more 502s than one call's own retries: the digest job tries the chat again later
        fake_api.fail_method("sendMessage", 502, "Bad Gateway", times=FAST.request_attempts + 1)
        clock.set(NOW)
        await daily_job(app).run(app)
        await fake_api.wait_for(lambda s: s.chat_id == CHAT and s.method == "sendPhoto")
        await daily_job(app).run(app)  # the job again the same day: nothing more
        await asyncio.sleep(0.5)
    assert kinds(fake_api) == ["sendMessage", "sendPhoto"]
    assert fake_api.sent_to(CHAT)[0].plain.startswith("Daily digest, 2026-11-02 09:00 (Asia")
    assert rows(db) == [(CHAT, "2026-11-02", 0, 2, True)]


async def test_down_at_digest_time_it_is_sent_on_start_marked_late_once(fake_api, tmp_path):
    db = tmp_path / "t.db"
    async with running_bot(
        fake_api, db, clock=ManualClock(NOW + 2 * MINUTE), digest_chat_ids=[CHAT]
    ):
        [late] = [await fake_api.wait_for(lambda s: s.chat_id == CHAT)]
    assert late.plain.startswith(
        "Daily digest, 2026-11-02 09:02, late: due at 09:00, when the bot was not running: "
    )
    async with running_bot(
        fake_api, db, clock=ManualClock(NOW + 9 * MINUTE), digest_chat_ids=[CHAT]
    ):
        await asyncio.sleep(1.0)  # a restart the same day sends nothing again
    assert kinds(fake_api) == ["sendMessage"]
    assert rows(db) == [(CHAT, "2026-11-02", 1, 1, True)]


async def test_no_late_digest_when_the_next_one_is_due_first(fake_api, tmp_path):
    db = tmp_path / "t.db"
    next_morning = NOW + dt.timedelta(hours=22)  # 07:00, two hours before the next digest
    async with running_bot(fake_api, db, clock=ManualClock(next_morning), digest_chat_ids=[CHAT]):
        await asyncio.sleep(1.0)
    assert kinds(fake_api) == [] and rows(db) == []


async def test_a_restart_after_a_partial_send_sends_only_what_was_missing(fake_api, tmp_path):
    db = tmp_path / "t.db"
    clock = ManualClock(NOW - MINUTE)
    async with running_bot(fake_api, db, clock=clock, digest_chat_ids=[CHAT]) as app:
        seed(db)
        fake_api.fail_method("sendPhoto", 502, "Bad Gateway", times=None)
        clock.set(NOW)
        await daily_job(app).run(app)  # the text goes out, the chart does not
    assert kinds(fake_api) == ["sendMessage"]
    assert rows(db) == [(CHAT, "2026-11-02", 0, 1, False)]

    fake_api.unfail_method("sendPhoto")
    async with running_bot(
        fake_api, db, clock=ManualClock(NOW + 30 * MINUTE), digest_chat_ids=[CHAT]
    ):
        chart = await fake_api.wait_for(lambda s: s.chat_id == CHAT and s.method == "sendPhoto")
        await asyncio.sleep(0.5)
    assert kinds(fake_api) == ["sendMessage", "sendPhoto"]  # the text not again
    assert chart.caption and "09:00" in chart.caption  # as of the digest's own time
    assert rows(db) == [(CHAT, "2026-11-02", 0, 2, True)]

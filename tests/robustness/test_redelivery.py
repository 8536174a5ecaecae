"""Redelivery: Telegram sends an update again when the bot did not acknowledge it before a
restart. The same update_id, processed again (after a restart, or twice at once), records
once: one case, one report, one outcome, one audit entry, and no second reply."""

from __future__ import annotations

import asyncio
import sqlite3
from pathlib import Path

import pytest

from tests.e2e.fake_bot_api import FakeBotApi
from tests.e2e.harness import running_bot
from tests.robustness.driver import ADMIN, InProcessBot, fingerprint

# The robustness tests are slow: `make test` runs them, `make check` leaves them out.
pytestmark = pytest.mark.slow

REPORTER, REVIEWER = 201, 301


def counts(db: Path) -> dict[str, int]:
    with sqlite3.connect(db) as conn:
        result = {
            "cases": conn.execute("SELECT count(*) FROM cases").fetchone()[0],
            "reports": conn.execute("SELECT count(*) FROM reports").fetchone()[0],
            "evidence": conn.execute("SELECT count(*) FROM evidence").fetchone()[0],
            "rounds": conn.execute("SELECT count(*) FROM request_rounds").fetchone()[0],
            "outcomes": conn.execute(
                "SELECT count(*) FROM request_rounds WHERE outcome IS NOT NULL"
            ).fetchone()[0],
            "audit": conn.execute("SELECT count(*) FROM audit").fetchone()[0],
        }
    conn.close()
    return result


async def test_same_update_after_a_restart_records_once(tmp_path: Path):
    db = tmp_path / "t.db"
    async with InProcessBot(db) as bot:
        await bot.ask(ADMIN, f"/grant {REPORTER} reporter")
        await bot.ask(ADMIN, f"/grant {REVIEWER} reviewer")
        flag = bot.message(REPORTER, "/flag https://t.me/s/Recruit_Channel TTP recruitment")
        first = await bot.send(flag)
        assert "New case #1" in first.plain
        request = bot.message(REVIEWER, "/request #1 ref=TG-1")
        [sent] = (await bot.send(request)).outputs
        press = bot.press(REVIEWER, sent, "o:1:1:removed")
        pressed = await bot.send(press)
        assert "removed" in pressed.plain
        grant = bot.message(ADMIN, "/grant 777 viewer")
        await bot.send(grant)
    before = counts(db)
    rows_before = fingerprint(db)
    assert before["cases"] == 1 and before["reports"] == 1 and before["outcomes"] == 1

    async with InProcessBot(db) as restarted:  # the same updates, delivered again
        for update in (flag, request, press, grant):
            again = await restarted.send(update)
            assert again.outputs == [], again.plain  # handled before: no second reply
        assert restarted.errors == []
        # the next, new update is handled normally and sees the first one's report
        repeat = await restarted.ask(REPORTER, "/flag t.me/recruit_channel TTP")
        assert "already reported" in repeat.plain and "1 report" in repeat.plain
    after = counts(db)
    assert after == before | {"audit": before["audit"] + 1}  # only the repeat's audit entry
    assert rows_before != fingerprint(db)


async def test_same_update_delivered_twice_at_once_records_once(tmp_path: Path):
    db = tmp_path / "t.db"
    async with InProcessBot(db) as bot:
        await bot.ask(ADMIN, f"/grant {REPORTER} reporter")
        updates = [
            bot.message(REPORTER, f"/flag x.com/twin_{n} BLA followers=1k") for n in range(20)
        ]
        # each update twice, all concurrently through the application's update queue
        await bot.feed(updates + updates, replies=len(updates))
        await asyncio.sleep(0.2)
        replies = bot.texts_to(REPORTER)
        assert len(replies) == len(updates)  # one reply per update id, not two
        assert bot.errors == []
    assert counts(db)["cases"] == 20 and counts(db)["reports"] == 20


async def test_redelivered_update_over_the_wire_after_restart_records_once(
    fake_api: FakeBotApi, tmp_path: Path
):
    """The same through long polling: the fake Bot API delivers the update again (same
    update_id) to a restarted bot, as Telegram does for an unacknowledged update."""
    db = tmp_path / "t.db"
    async with running_bot(fake_api, db):
        await fake_api.ask(ADMIN, f"/grant {REPORTER} reporter")
        mark = fake_api.mark()
        update = fake_api.push_message(REPORTER, "/flag youtube.com/@Hate_Preacher BLF hate")
        first = await fake_api.wait_for(lambda m: m.chat_id == REPORTER, after=mark)
        assert "New case #1" in first.plain
    before = counts(db)
    async with running_bot(fake_api, db):
        mark = fake_api.mark()
        fake_api.push_raw(update)
        await fake_api.wait_delivered(update["update_id"])
        [status] = await fake_api.ask(REPORTER, "/status youtube:@hate_preacher")
        assert "Reports: 1" in status.plain
        assert [m for m in fake_api.sent[mark:] if m.chat_id == REPORTER] == [status]
    assert counts(db) == before

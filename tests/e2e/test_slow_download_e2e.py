"""Issue 14, item 6: an /import file that trickles in (1 byte per 2 s) is given up after the
download limit with one clear line, and SIGTERM still stops the bot within 10 s."""

from __future__ import annotations

import asyncio
import sqlite3
import time

from bot.runtime.limits import Limits
from tests.e2e.bot_process import BotProcess
from tests.e2e.harness import ADMIN, running_bot

CSV = b"account,group,category,followers,note\nx.com/slow_one,TTP,,,\nx.com/slow_two,TTP,,,\n"


async def test_trickling_import_file_is_given_up_after_the_limit_with_one_line(fake_api, tmp_path):
    db = tmp_path / "t.db"
    fake_api.trickle_files(2.0)
    async with running_bot(fake_api, db, limits=Limits(download_seconds=2.0)):
        started = time.monotonic()
        [answer] = await fake_api.ask(ADMIN, None, document=(CSV, "slow.csv"), caption="/import")
        took = time.monotonic() - started
        [start] = await fake_api.ask(ADMIN, "/start")  # the bot goes on
    assert answer.plain == (
        "slow.csv did not arrive from Telegram within 2 s; nothing was imported. "
        "Send the file again."
    )
    assert 2.0 <= took < 5.0
    assert "Your role: admin" in start.plain
    with sqlite3.connect(db) as conn:
        assert conn.execute("SELECT count(*) FROM cases").fetchone()[0] == 0


async def test_sigterm_during_a_trickling_download_stops_the_bot_within_10_s(fake_api, tmp_path):
    env = {**fake_api.env(), "ADMIN_IDS": str(ADMIN), "DATABASE_PATH": str(tmp_path / "t.db")}
    fake_api.trickle_files(2.0)
    async with BotProcess(env, cwd=tmp_path, log_dir=tmp_path) as bot:
        await bot.wait_ready(fake_api)
        mark = len(fake_api.calls)
        fake_api.push_message(ADMIN, document=(CSV, "slow.csv"), caption="/import")
        await fake_api.wait_for_call("getFile", after=mark)
        await asyncio.sleep(1.0)  # the download has begun
        started = time.monotonic()
        code = await bot.stop(timeout=15.0)
        took = time.monotonic() - started
    assert took < 10.0, bot.output_tail()
    assert code == 0, bot.output_tail()
    [told] = fake_api.sent_to(ADMIN)  # the importer hears why, before the bot goes
    assert told.plain == (
        "slow.csv was still arriving from Telegram when the bot began to restart; nothing was "
        "imported. Send the file again in a minute."
    )

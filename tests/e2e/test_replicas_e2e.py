"""Issue 19: several bots on one PostgreSQL database. One replica runs the daily digest (and
the month's report with it); when it stops, another takes the daily jobs over, and what was
sent is not sent again. (Two copies of one update handled once: tests/test_postgres.py.)"""

from __future__ import annotations

import asyncio
import dataclasses
import datetime as dt
import signal
from contextlib import AsyncExitStack
from pathlib import Path
from typing import Any

import psycopg

from bot.runtime.deps import deps_of
from tests.clock import ManualClock
from tests.e2e.bot_process import BotProcess
from tests.e2e.fake_bot_api import FakeBotApi
from tests.e2e.harness import FAST, running_bot
from tests.e2e.test_digest_e2e import NOW
from tests.e2e.test_webhook_e2e import ADMIN, SECRET, free_port, post, start
from tests.pg import Cluster

CHAT = -1001


def stored_rows(url: str, sql: str) -> list[tuple[object, ...]]:
    with psycopg.connect(url) as conn:
        return conn.execute(sql.encode()).fetchall()


QUICK = dataclasses.replace(FAST, lead_every=0.2)


async def test_one_replica_sends_the_digest_and_another_takes_over_when_it_stops(
    fake_api: FakeBotApi, tmp_path: Path, pg_cluster: Cluster
) -> None:
    url = pg_cluster.fresh_database()
    clock = ManualClock(NOW + dt.timedelta(minutes=2))  # down at 09:00: a late digest on start
    replica: dict[str, Any] = {
        "clock": clock,
        "digest_chat_ids": [CHAT],
        "database_url": url,
        "limits": QUICK,
    }
    try:
        async with AsyncExitStack() as first:
            a = await first.enter_async_context(running_bot(fake_api, tmp_path / "a.db", **replica))
            await fake_api.wait_for(lambda s: s.chat_id == CHAT)  # the leader's late digest
            async with running_bot(fake_api, tmp_path / "b.db", **replica) as b:
                await asyncio.sleep(1.0)  # several of b's looks at the lead
                assert deps_of(a.bot_data).leading and not deps_of(b.bot_data).leading
                await first.aclose()  # the leader stops
                for _ in range(50):
                    if deps_of(b.bot_data).leading:
                        break
                    await asyncio.sleep(0.1)
                assert deps_of(b.bot_data).leading  # b runs the daily jobs now
                await asyncio.sleep(0.5)  # its catch-up: the day's digest was sent already
        assert [s.method for s in fake_api.sent_to(CHAT)] == ["sendMessage"]
    finally:
        pg_cluster.drop(url)


async def test_webhook_replicas_handle_an_update_once_and_a_new_one_leads_after_a_kill(
    fake_api: FakeBotApi, tmp_path: Path, pg_cluster: Cluster
) -> None:
    """Two `python -m bot` processes in webhook mode on one database, Telegram (the test)
    posting one update to both: one reply, one report. The first replica, which sent the
    digest it was started late for, is killed; a replica started after it runs the daily
    jobs, and the digest is not sent again."""
    url = pg_cluster.fresh_database()
    due = (dt.datetime.now(dt.UTC) - dt.timedelta(minutes=2)).strftime("%H:%M")
    bots: list[BotProcess] = []

    async def replica(name: str) -> tuple[BotProcess, str]:
        port = free_port()
        env = {
            **fake_api.env(),
            "DATABASE_URL": url,
            "DATABASE_PATH": str(tmp_path / name / "desk.db"),  # its own update inbox
            "ADMIN_IDS": str(ADMIN),
            "DIGEST_CHAT_IDS": str(CHAT),
            "DIGEST_TIME": due,
            "TIMEZONE": "UTC",
            "WEBHOOK_URL": "https://desk.example.org/tg/hook",
            "WEBHOOK_SECRET": SECRET,
            "WEBHOOK_LISTEN": f"127.0.0.1:{port}",
        }
        hook = f"http://127.0.0.1:{port}/tg/hook"
        (tmp_path / name).mkdir()
        bots.append(await start(fake_api, env, tmp_path / name, hook))
        return bots[-1], hook

    async def health(hook: str) -> str:
        mark = fake_api.mark()
        assert await post(hook, fake_api.push_message(ADMIN, "/health")) == 200
        answer = await fake_api.wait_for(lambda m: m.chat_id == ADMIN, after=mark, timeout=30)
        return answer.plain

    try:
        first, first_hook = await replica("a")
        await fake_api.wait_for(lambda m: m.chat_id == CHAT, timeout=60)  # its late digest
        for _ in range(300):  # every part of it out (with the month's report on the 1st)
            if stored_rows(url, "SELECT 1 FROM digests_sent WHERE sent_at IS NOT NULL"):
                break
            await asyncio.sleep(0.1)
        digest = [m.method for m in fake_api.sent_to(CHAT)]
        _, second_hook = await replica("b")
        mark = fake_api.mark()
        update = fake_api.push_message(ADMIN, "/flag x.com/replicated_acct TTP")
        statuses = await asyncio.gather(post(first_hook, update), post(second_hook, update))
        assert list(statuses) == [200, 200]
        reply = await fake_api.wait_for(lambda m: m.chat_id == ADMIN, after=mark, timeout=30)
        assert "#1" in reply.plain
        await asyncio.sleep(1.0)  # the other copy: handled by nobody else
        assert [m for m in fake_api.sent[mark:] if m.chat_id == ADMIN] == [reply]
        assert "sent by another replica" in await health(second_hook)

        assert first.process is not None
        first.process.send_signal(signal.SIGKILL)  # the leader dies
        await first.stop()
        _, third_hook = await replica("c")
        assert "sent by this replica" in await health(third_hook)
        await asyncio.sleep(1.0)  # its catch-up: the day's digest went out already
        assert [m.method for m in fake_api.sent_to(CHAT)] == digest
        assert stored_rows(url, "SELECT count(*) FROM reports") == [(1,)]
    finally:
        for bot in bots:
            await bot.stop()
        pg_cluster.drop(url)

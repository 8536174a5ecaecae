"""Issue 19: several bots on one PostgreSQL database. One replica runs the daily digest (and
the month's report with it); when it stops, another takes the daily jobs over, and what was
sent is not sent again. (Two copies of one update handled once: tests/test_postgres.py.)"""

from __future__ import annotations

import asyncio
import dataclasses
import datetime as dt
from contextlib import AsyncExitStack
from pathlib import Path
from typing import Any

from bot.runtime.deps import deps_of
from tests.clock import ManualClock
from tests.e2e.fake_bot_api import FakeBotApi
from tests.e2e.harness import FAST, running_bot
from tests.e2e.test_digest_e2e import NOW
from tests.pg import Cluster

CHAT = -1001
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

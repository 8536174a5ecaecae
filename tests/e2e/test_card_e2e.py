"""Issue 16 item 6: the case card marks an open request round overdue once it is SLA_HOURS
old, as /pending does (before: "no outcome yet" even at 21 days)."""

import datetime as dt

from tests.clock import ManualClock
from tests.e2e.fake_bot_api import FakeBotApi
from tests.e2e.harness import ADMIN, START, flag, running_bot


async def test_card_marks_an_open_round_overdue_from_the_sla_on(fake_api: FakeBotApi, tmp_path):
    clock = ManualClock(START)
    async with running_bot(fake_api, tmp_path / "t.db", clock):
        case_id = await flag(fake_api, "x.com/slow_platform TTP")
        await fake_api.ask(ADMIN, f"/request #{case_id} ref=X-1")
        clock.advance(dt.timedelta(hours=71))
        [fresh] = await fake_api.ask(ADMIN, f"/status #{case_id}")
        assert "no outcome yet" in fresh.plain and "OVERDUE" not in fresh.plain
        clock.advance(dt.timedelta(hours=1))
        [due] = await fake_api.ask(ADMIN, f"/status #{case_id}")
        assert "no outcome yet · OVERDUE (72 h since sent, SLA 72 h)" in due.plain
        clock.advance(dt.timedelta(days=21) - dt.timedelta(hours=72))
        [late] = await fake_api.ask(ADMIN, f"/status #{case_id}")
        assert "OVERDUE (504 h since sent, SLA 72 h)" in late.plain
        [pending] = await fake_api.ask(ADMIN, "/pending")
        assert "OVERDUE" in pending.plain  # the same boundary
        await fake_api.ask(ADMIN, f"/outcome #{case_id} removed")
        [decided] = await fake_api.ask(ADMIN, f"/status #{case_id}")
        assert "OVERDUE" not in decided.plain and "removed" in decided.plain

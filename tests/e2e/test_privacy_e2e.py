"""Issue 20 end to end, over HTTP through the fake Bot API (which parses our HTML as Telegram
does): shared pseudo-users, who is shown to whom, edited messages, escaping, floods.
The finer cases are in tests/robustness/test_access_privacy.py."""

from __future__ import annotations

import asyncio
import datetime as dt
from pathlib import Path

from bot.domain.flood import FloodLimit
from tests.e2e.fake_bot_api import FakeBotApi
from tests.e2e.harness import ADMIN, START, running_bot

GROUP = -100555
REPORTER, REVIEWER, VIEWER = 7_201_002, 7_301_002, 7_401_002


async def members(api: FakeBotApi) -> None:
    for user_id, role in ((REPORTER, "reporter"), (REVIEWER, "reviewer"), (VIEWER, "viewer")):
        [answer] = await api.ask(ADMIN, f"/grant {user_id} {role}")
        assert "is now" in answer.plain


async def test_anonymous_admin_in_a_group_gets_no_grant_hint(fake_api: FakeBotApi, tmp_path: Path):
    async with running_bot(fake_api, tmp_path / "t.db", allowed_chat_ids=[GROUP]):
        await fake_api.ask(ADMIN, "/flag x.com/e2e_shared TTP")
        [answer] = await fake_api.ask(
            1087968824,
            "/status #1",
            chat_id=GROUP,
            chat_type="supergroup",
            extra={
                "sender_chat": {"id": GROUP, "type": "supergroup", "title": "Desk"},
                "from": {
                    "id": 1087968824,
                    "is_bot": True,
                    "first_name": "Group",
                    "username": "GroupAnonymousBot",
                },  # fmt: skip
            },
        )
        assert "/grant" not in answer.plain and "Case #1" not in answer.plain
        [refused] = await fake_api.ask(ADMIN, "/grant 136817688 viewer")
        assert "is now" not in refused.plain


async def test_a_viewer_and_a_group_see_counts_without_who(fake_api: FakeBotApi, tmp_path: Path):
    async with running_bot(fake_api, tmp_path / "t.db", allowed_chat_ids=[GROUP]):
        await members(fake_api)
        await fake_api.ask(REPORTER, "/flag x.com/e2e_people TTP", first_name="Ayesha")
        await fake_api.ask(REVIEWER, "/request #1")
        await fake_api.ask(REVIEWER, "/outcome #1 removed")
        [private] = await fake_api.ask(REVIEWER, "/status #1")
        assert str(REPORTER) in private.plain
        [viewer] = await fake_api.ask(VIEWER, "/status #1")
        [group] = await fake_api.ask(ADMIN, "/status #1", chat_id=GROUP, chat_type="supergroup")
        for card in (viewer, group):
            assert "Case #1" in card.plain
            assert str(REPORTER) not in card.plain and str(REVIEWER) not in card.plain
            assert "Ayesha" not in card.plain


async def test_an_edited_command_is_not_run_again(fake_api: FakeBotApi, tmp_path: Path):
    async with running_bot(fake_api, tmp_path / "t.db"):
        [granted] = await fake_api.ask(ADMIN, "/grant 4444 viewer")
        assert "is now" in granted.plain
        await fake_api.ask(ADMIN, "/revoke 4444")
        mark = fake_api.mark()
        update = fake_api.push_raw(
            {
                "edited_message": {
                    "message_id": 1,
                    "date": int(START.timestamp()),
                    "edit_date": int((START + dt.timedelta(minutes=1)).timestamp()),
                    "chat": {"id": ADMIN, "type": "private", "first_name": "Admin"},
                    "from": {"id": ADMIN, "is_bot": False, "first_name": "Admin"},
                    "text": "/grant 4444 admin",
                    "entities": [{"type": "bot_command", "offset": 0, "length": 6}],
                }
            }
        )
        answer = await fake_api.wait_for(lambda s: s.chat_id == ADMIN, after=mark)
        assert "send the command anew" in answer.plain, answer.plain
        assert update["update_id"] in fake_api.delivered_update_ids
        [members_list] = await fake_api.ask(ADMIN, "/grant 4444 viewer")
        assert "(was" not in members_list.plain  # 4444 had not become an admin


async def test_unknown_command_with_html_is_answered(fake_api: FakeBotApi, tmp_path: Path):
    async with running_bot(fake_api, tmp_path / "t.db"):
        [answer] = await fake_api.ask(ADMIN, "/x<b>")
        assert "Unknown command /x<b>" in answer.plain


async def test_thirty_commands_a_minute_then_one_slow_down(fake_api: FakeBotApi, tmp_path: Path):
    async with running_bot(fake_api, tmp_path / "t.db", flood=FloodLimit()):
        mark = fake_api.mark()
        for n in range(35):
            fake_api.push_message(ADMIN, f"/status #{n + 1}")
        await fake_api.wait_for(lambda s: "slow down" in s.plain.lower(), after=mark)
        # The 30 are handled concurrently: the slow-down may overtake the last of them.
        for _ in range(100):
            if len(fake_api.sent_to(ADMIN, mark)) >= 31:
                break
            await asyncio.sleep(0.05)
        assert await fake_api.ask(ADMIN, "/start", expect=0, quiet=0.5) == []
        answers = fake_api.sent_to(ADMIN, mark)
        assert sum("slow down" in a.plain.lower() for a in answers) == 1
        assert len(answers) == 31  # 30 served, one "slow down", then silence

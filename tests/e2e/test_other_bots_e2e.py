"""Issue 16 item 3: a command addressed to another bot of the group (`/start@other_bot`,
`/poll@vote_bot`) is none of this bot's business: no answer, no refusal, no audit entry, and
it does not count against the sender's commands a minute."""

import asyncio

from bot.domain.flood import COMMANDS_PER_MINUTE, FloodLimit
from tests.e2e.fake_bot_api import BOT_USERNAME, FakeBotApi
from tests.e2e.harness import ADMIN, running_bot

GROUP = -100123
STRANGER = 555
OTHER_BOTS = [
    "/start@other_bot",
    "/poll@vote_bot Lunch?",
    "/help@Some_Bot flag",
    "/flag@x x.com/a TTP",
]


async def test_commands_for_other_bots_get_no_answer_from_members_or_strangers(
    fake_api: FakeBotApi, tmp_path
):
    async with running_bot(fake_api, tmp_path / "t.db", allowed_chat_ids=[GROUP]):
        start = len(fake_api.sent)
        pushed = [
            fake_api.push_message(sender, text, chat_id=GROUP, chat_type="supergroup")
            for text in OTHER_BOTS
            for sender in (ADMIN, STRANGER)
        ] + [fake_api.push_message(STRANGER, text) for text in OTHER_BOTS]
        for update in pushed:
            await fake_api.wait_delivered(update["update_id"])
        await asyncio.sleep(0.3)  # time for any answer to go out
        assert fake_api.sent[start:] == []
        [mine] = await fake_api.ask(
            ADMIN, f"/start@{BOT_USERNAME}", chat_id=GROUP, chat_type="supergroup"
        )
        assert "Your role: admin" in mine.plain
        [audit] = await fake_api.ask(ADMIN, "/audit")
        assert "refused" not in audit.plain


async def test_commands_for_other_bots_do_not_count_against_the_minute(
    fake_api: FakeBotApi, tmp_path
):
    async with running_bot(
        fake_api, tmp_path / "t.db", allowed_chat_ids=[GROUP], flood=FloodLimit()
    ):
        for _ in range(COMMANDS_PER_MINUTE + 5):
            fake_api.push_message(ADMIN, "/poll@vote_bot", chat_id=GROUP, chat_type="supergroup")
        [answer] = await fake_api.ask(ADMIN, "/start", chat_id=GROUP, chat_type="supergroup")
        assert "Your role: admin" in answer.plain

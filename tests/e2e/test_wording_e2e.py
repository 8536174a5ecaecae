"""Issue 16 item 10: replies that read right. `/stats all` with nothing sent, one case or
one row counted in the singular, `/audit` of a case that does not exist, and post or message
links that name no account (x.com/i/web/status/..., t.me/c/...) explained as what they are."""

from tests.e2e.fake_bot_api import FakeBotApi
from tests.e2e.harness import ADMIN, flag, running_bot


async def test_replies_read_right(fake_api: FakeBotApi, tmp_path):
    async with running_bot(fake_api, tmp_path / "t.db"):
        [stats] = await fake_api.ask(ADMIN, "/stats all")
        assert stats.plain.startswith("No requests were sent ever (as of ")
        [week] = await fake_api.ask(ADMIN, "/stats 7d")
        assert week.plain.startswith("No requests were sent in the last 7 days")
        await flag(fake_api, "x.com/only_one TTP")
        [found] = await fake_api.ask(ADMIN, "/find only_one")
        assert found.plain.startswith("1 case matches “only_one”")
        assert "1 report ·" in found.plain
        data = b"account,group,category,followers,note\nx.com/second_one,TTP,,,\n"
        [imported] = await fake_api.ask(ADMIN, None, document=(data, "one.csv"), caption="/import")
        assert imported.plain.startswith("Imported one.csv: 1 row.")
        [audit] = await fake_api.ask(ADMIN, "/audit 999")
        assert audit.plain == "There is no case #999."
        [post] = await fake_api.ask(ADMIN, "/flag x.com/i/web/status/1789 TTP")
        assert "link to an X post that does not name its account: open it and paste" in post.plain
        assert "reserved" not in post.plain
        [message] = await fake_api.ask(ADMIN, "/flag t.me/c/123/45 TTP")
        assert "a message in a private Telegram channel or group" in message.plain
        assert "reserved" not in message.plain

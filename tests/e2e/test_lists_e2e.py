"""Issue 16 item 5 for /pending: a long list says how many there are and takes page=N (the
/find and /audit pages are in test_flag_e2e.py and test_people_e2e.py)."""

from tests.e2e.fake_bot_api import FakeBotApi
from tests.e2e.harness import ADMIN, flag, running_bot


async def test_pending_says_how_many_and_pages_oldest_first(fake_api: FakeBotApi, tmp_path):
    async with running_bot(fake_api, tmp_path / "t.db"):
        cases = [await flag(fake_api, f"x.com/waiting{n:02d} TTP") for n in range(33)]
        for case_id in cases:
            await fake_api.ask(ADMIN, f"/request #{case_id}")
        [first] = await fake_api.ask(ADMIN, "/pending x")
        lines = first.plain.splitlines()
        assert lines[0].startswith("Open requests (X): 33, 0 overdue")
        assert lines[1].startswith("#1 ") and len(lines) == 32
        assert lines[-1] == "Shown: 1-30 of 33. Next page: /pending x page=2"
        [second] = await fake_api.ask(ADMIN, "/pending x page=2")
        *rounds, footer = second.plain.splitlines()[1:]
        assert [line.split()[0] for line in rounds] == ["#31", "#32", "#33"]
        assert footer == "Shown: 31-33 of 33."
        [bad] = await fake_api.ask(ADMIN, "/pending page=two")
        assert "not a page number" in bad.plain and "Usage: /pending" in bad.plain

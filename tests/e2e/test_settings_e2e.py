"""Issue 16 item 1: settings that just work. BANNED_GROUPS (bash owns GROUPS, so an export of
it never reached the bot) and one line for a GROUPS= line left in .env."""

import pytest

from bot.runtime.settings import RENAMED
from tests.e2e.bot_process import start_up
from tests.e2e.fake_bot_api import FakeBotApi
from tests.e2e.harness import ADMIN, running_bot


async def test_banned_groups_from_the_environment_are_the_groups_flag_takes(
    fake_api: FakeBotApi, tmp_path, monkeypatch
):
    monkeypatch.setenv("BANNED_GROUPS", "TTP,BLA,BLF,ISKP")
    async with running_bot(fake_api, tmp_path / "t.db"):
        [flagged] = await fake_api.ask(ADMIN, "/flag x.com/khorasan_media ISKP propaganda")
        assert "#1" in flagged.plain and "ISKP" in flagged.plain
        [refused] = await fake_api.ask(ADMIN, "/flag x.com/other_media LeT")
        assert "Unknown group" in refused.plain and "ISKP" in refused.plain


@pytest.mark.slow  # a `python -m bot` process
def test_a_groups_line_in_env_stops_start_up_with_one_line_naming_banned_groups(tmp_path):
    (tmp_path / ".env").write_text("BOT_TOKEN=1:x\nGROUPS=TTP,BLA,BLF,ISKP\n")
    environment = {"DATABASE_PATH": str(tmp_path / "t.db")}
    assert not RENAMED.keys() & environment.keys()
    result = start_up(environment, tmp_path)
    assert result.returncode == 2
    assert result.stderr.strip() == "Setting GROUPS in .env is now BANNED_GROUPS: rename the line."

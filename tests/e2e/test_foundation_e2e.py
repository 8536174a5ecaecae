"""Issue 2 end to end: the real `python -m bot` against the fake Bot API."""

import re
from pathlib import Path

import pytest
from telegram import Update
from telegram.ext import CommandHandler, ContextTypes

from bot.grammar.commands import COMMANDS
from tests.e2e.bot_process import BotProcess
from tests.e2e.fake_bot_api import FakeBotApi
from tests.e2e.harness import ADMIN, running_bot

TOKEN = "424242:SECRET-abcdefghijklmnop"
STRANGER = 555
GROUP_CHAT = -100777


def bot_env(api: FakeBotApi, tmp_path: Path, **extra: str) -> dict[str, str]:
    return {
        **api.env(token=TOKEN),
        "ADMIN_IDS": str(ADMIN),
        "DATABASE_PATH": str(tmp_path / "takedown.db"),
        **extra,
    }


async def test_start_as_admin_shows_role_and_menu_is_registered(fake_api, tmp_path):
    async with BotProcess(bot_env(fake_api, tmp_path), cwd=tmp_path, log_dir=tmp_path) as bot:
        await bot.wait_ready(fake_api)
        [answer] = await fake_api.ask(ADMIN, "/start")
        assert "Your role: admin" in answer.plain
        assert "/flag" in answer.plain and "/grant" in answer.plain
        assert {c["command"] for c in fake_api.commands} == {"start", "help"}  # strangers'
        [admin_menu] = [
            menu
            for scope, menu in fake_api.commands_by_scope.items()
            if f'"chat_id": {ADMIN}' in scope
        ]
        assert {c["command"] for c in admin_menu} == set(COMMANDS)
    assert TOKEN not in bot.output()


@pytest.mark.slow  # a `python -m bot` process: `make test` only
async def test_stranger_gets_one_polite_refusal_with_their_id_and_is_audited(fake_api, tmp_path):
    async with BotProcess(bot_env(fake_api, tmp_path), cwd=tmp_path, log_dir=tmp_path) as bot:
        await bot.wait_ready(fake_api)
        replies = await fake_api.ask(STRANGER, "/flag x.com/foo TTP")
        assert len(replies) == 1
        assert str(STRANGER) in replies[0].plain
        assert "only for members" in replies[0].plain
        second = await fake_api.ask(STRANGER, "hello")
        assert len(second) == 1 and "only for members" in second[0].plain
        [audit] = await fake_api.ask(ADMIN, "/audit")
        # one entry an hour per stranger, counting the attempts
        assert audit.plain.count(f"user {STRANGER} refused") == 1
        assert "×2 within the hour" in audit.plain


@pytest.mark.slow  # a `python -m bot` process: `make test` only
async def test_grant_then_the_new_member_sees_their_commands(fake_api, tmp_path):
    async with BotProcess(bot_env(fake_api, tmp_path), cwd=tmp_path, log_dir=tmp_path) as bot:
        await bot.wait_ready(fake_api)
        [granted] = await fake_api.ask(ADMIN, f"/grant {STRANGER} reporter")
        assert f"User {STRANGER} is now reporter" in granted.plain
        [help_text] = await fake_api.ask(STRANGER, "/help")
        assert "Your role: reporter" in help_text.plain
        assert "/flag" in help_text.plain
        assert "/grant" not in help_text.plain
        [refused] = await fake_api.ask(STRANGER, f"/grant {STRANGER} admin")
        assert "needs the admin role" in refused.plain
        [revoked] = await fake_api.ask(ADMIN, f"/revoke {STRANGER}")
        assert "no longer a member" in revoked.plain
        [again] = await fake_api.ask(STRANGER, "/help")
        assert "only for members" in again.plain


@pytest.mark.slow  # a `python -m bot` process: `make test` only
async def test_group_chat_not_allowed_gets_no_answer_at_all(fake_api, tmp_path):
    env = bot_env(fake_api, tmp_path, ALLOWED_CHAT_IDS="-100999")
    async with BotProcess(env, cwd=tmp_path, log_dir=tmp_path) as bot:
        await bot.wait_ready(fake_api)
        silent = await fake_api.ask(
            ADMIN, "/start", chat_id=GROUP_CHAT, chat_type="supergroup", expect=0
        )
        assert silent == []
        [allowed] = await fake_api.ask(ADMIN, "/start", chat_id=-100999, chat_type="supergroup")
        assert "Your role: admin" in allowed.plain


@pytest.mark.slow  # a `python -m bot` process: `make test` only
async def test_bad_arguments_get_reason_and_usage(fake_api, tmp_path):
    async with BotProcess(bot_env(fake_api, tmp_path), cwd=tmp_path, log_dir=tmp_path) as bot:
        await bot.wait_ready(fake_api)
        cases = {
            "/grant": "Usage: /grant",
            "/grant abc reporter": "not a Telegram user id",
            "/grant 5 emperor": "Unknown role",
            "/grant 5 reporter extra": "Usage: /grant",
            "/revoke": "Usage: /revoke",
            "/audit #x": "not a case number",
            "/help nosuch": "No command /nosuch",
            "/nosuch": "Unknown command /nosuch",
        }
        for text, expected in cases.items():
            [answer] = await fake_api.ask(ADMIN, text)
            assert expected in answer.plain, (text, answer.plain)


@pytest.mark.slow  # a `python -m bot` process: `make test` only
async def test_start_up_with_bad_setting_is_one_line(fake_api, tmp_path):
    env = bot_env(fake_api, tmp_path, DIGEST_TIME="25:00")
    code, output = await BotProcess(env, cwd=tmp_path, log_dir=tmp_path).run_to_exit(30)
    assert code == 2
    assert output.strip() == "Invalid setting DIGEST_TIME: expected HH:MM, e.g. 09:00"


async def test_internal_error_shows_only_an_id_and_the_token_stays_secret(
    fake_api, tmp_path, caplog
):
    async def explode(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        raise RuntimeError(f"boom with {TOKEN}")

    async with running_bot(fake_api, tmp_path / "t.db", bot_token=TOKEN) as app:
        app.add_handler(CommandHandler("explode", explode), group=-2)
        # group -2 fails; the groups after it still run (the bot does not know /explode)
        answer, _ = await fake_api.ask(ADMIN, "/explode", expect=2)
        again, _ = await fake_api.ask(ADMIN, "/explode", expect=2)
        [audit] = await fake_api.ask(ADMIN, "/audit")
    found = re.fullmatch(r"internal error, logged as (E-[0-9A-Z]+-\d+)", answer.plain)
    assert found, answer.plain
    error_id = found.group(1)
    assert again.plain != answer.plain  # each error its own id
    assert error_id in audit.plain
    logged = [r for r in caplog.records if error_id in r.getMessage()]
    assert logged and logged[0].exc_info is not None
    assert TOKEN not in answer.text

"""Issue 14, items 5 and 7: replies Telegram refused or dropped are sent again; a slow answer
that Telegram delivered is not followed by "internal error"; a failed poll is one warning."""

from __future__ import annotations

import logging
import sqlite3
import time

import pytest

from bot.runtime.limits import Limits
from tests.e2e.bot_process import BotProcess
from tests.e2e.fake_bot_api import FakeBotApi
from tests.e2e.harness import ADMIN, FAST, running_bot


def error_rows(db) -> int:
    with sqlite3.connect(db) as conn:
        return int(conn.execute("SELECT count(*) FROM audit WHERE action = 'error'").fetchone()[0])


def sends(api: FakeBotApi) -> int:
    return len(api.calls_of("sendMessage"))


async def test_reply_refused_with_429_is_sent_again_after_retry_after(fake_api, tmp_path):
    async with running_bot(fake_api, tmp_path / "t.db"):
        fake_api.fail_method("sendMessage", 429, "Too Many Requests: retry after 1", retry_after=1)
        started = time.monotonic()
        [answer] = await fake_api.ask(ADMIN, "/start")
        waited = time.monotonic() - started
    assert "Your role: admin" in answer.plain
    assert sends(fake_api) == 2 and waited >= 1.0


@pytest.mark.parametrize("fault", ["502", "503", "reset"])
async def test_reply_answered_5xx_or_reset_is_sent_again(fake_api, tmp_path, fault):
    db = tmp_path / "t.db"
    async with running_bot(fake_api, db):
        for _ in range(2):
            if fault == "reset":
                fake_api.reset_method("sendMessage")
            else:
                fake_api.fail_method("sendMessage", int(fault), "Bad Gateway")
        [answer] = await fake_api.ask(ADMIN, "/start")
        later = await fake_api.ask(ADMIN, "/help flag", expect=0, quiet=0.5)
    assert "Your role: admin" in answer.plain
    assert sends(fake_api) == 4  # two refused, the reply, the /help reply
    assert [m.plain.splitlines()[0] for m in later] == [
        "/flag <account>... <group> [category] [followers=N] [note...]"
    ]
    assert error_rows(db) == 0


async def test_reply_slower_than_5_s_that_telegram_delivered_is_shown_once(fake_api, tmp_path):
    async with running_bot(fake_api, tmp_path / "t.db"):
        fake_api.slow_method("sendMessage", 6.0)
        sent = await fake_api.ask(ADMIN, "/start", expect=0, quiet=7.0)
    assert len(sent) == 1 and "Your role: admin" in sent[0].plain
    assert sends(fake_api) == 1


async def test_reply_timed_out_but_delivered_gets_no_false_internal_error(
    fake_api, tmp_path, caplog
):
    db = tmp_path / "t.db"
    limits = Limits(request_backoff=0.05, read_timeout=1.0)
    async with running_bot(fake_api, db, limits=limits):
        fake_api.slow_method("sendMessage", 2.0)
        sent = await fake_api.ask(ADMIN, "/start", expect=0, quiet=3.0)
    assert [m.plain.startswith("Your role") or "Your role" in m.plain for m in sent] == [True]
    assert sends(fake_api) == 1  # not sent again: Telegram had it
    assert error_rows(db) == 0
    warnings = [r for r in caplog.records if "Bot API failed while replying" in r.getMessage()]
    assert len(warnings) == 1 and warnings[0].exc_info is None


async def test_reply_whose_retries_are_used_up_is_one_warning_not_an_error(
    fake_api, tmp_path, caplog
):
    db = tmp_path / "t.db"
    async with running_bot(fake_api, db):
        fake_api.fail_method("sendMessage", 502, "Bad Gateway", times=None)
        await fake_api.ask(ADMIN, "/start", expect=0, quiet=1.5)
    assert sends(fake_api) == FAST.request_attempts  # bounded, and no "internal error" on top
    assert error_rows(db) == 0
    assert not [r for r in caplog.records if r.exc_info is not None or r.levelno >= logging.ERROR]


async def test_failed_polls_are_one_warning_line_each_and_the_bot_goes_on(
    fake_api, tmp_path, caplog
):
    db = tmp_path / "t.db"
    caplog.set_level(logging.INFO)
    async with running_bot(fake_api, db):
        await fake_api.wait_for_call("getUpdates")
        fake_api.fail_method("getUpdates", 502, "Bad Gateway")
        fake_api.reset_method("getUpdates")
        armed = len(fake_api.calls)
        for _ in range(3):  # the two failing polls, then one that works
            await fake_api.wait_for_call("getUpdates", after=armed)
            armed = next(
                i + 1
                for i in range(len(fake_api.calls) - 1, -1, -1)
                if fake_api.calls[i][0] == "getUpdates"
            )
        [answer] = await fake_api.ask(ADMIN, "/start", timeout=15)
    assert "Your role: admin" in answer.plain
    polls = [r for r in caplog.records if "while polling for updates" in r.getMessage()]
    assert len(polls) == 2
    assert all(r.levelno == logging.WARNING and r.exc_info is None for r in polls)
    assert not [r for r in caplog.records if r.exc_info is not None]
    assert error_rows(db) == 0


@pytest.mark.parametrize("down", ["502", "no server"])
async def test_start_up_with_the_bot_api_down_is_one_line_and_exit_1(fake_api, tmp_path, down):
    env = {**fake_api.env(), "ADMIN_IDS": str(ADMIN), "DATABASE_PATH": str(tmp_path / "t.db")}
    if down == "502":
        fake_api.fail_method("getMe", 502, "Bad Gateway", times=None)
    else:
        env["TELEGRAM_API_URL"] = "http://127.0.0.1:9/bot"  # nothing listens on port 9
    code, output = await BotProcess(env, cwd=tmp_path, log_dir=tmp_path).run_to_exit(30)
    assert code == 1
    [line] = output.strip().splitlines()
    assert line.startswith("Cannot reach the Bot API at http://127.0.0.1:") and "exiting" in line


async def test_an_edit_and_a_button_answer_done_but_unanswered_are_not_an_internal_error(
    fake_api, tmp_path
):
    """Telegram did the edit and answered the press, but both answers were lost (a reset after
    handling): sent again, Telegram refuses them as "not modified" and "query is too old",
    which the bot takes as done. The member sees one edit and no "internal error"."""
    db = tmp_path / "t.db"
    limits = Limits(request_backoff=0.05)
    async with running_bot(fake_api, db, limits=limits):
        await fake_api.ask(ADMIN, "/flag x.com/lost_answer TTP")
        [sent] = await fake_api.ask(ADMIN, "/request #1 ref=X-1")
        fake_api.reset_method("editMessageText", handled=True)
        fake_api.reset_method("answerCallbackQuery", handled=True)
        pressed = await fake_api.press(ADMIN, sent, sent.button("#1 Removed"), expect_edit=False)
        await fake_api.ask(ADMIN, "/status 1", expect=1)
    assert pressed.answer["text"] == "Recorded: #1 round 1 removed."
    assert len(fake_api.calls_of("editMessageText")) == 2  # the lost answer, and the retry
    assert len(fake_api.calls_of("answerCallbackQuery")) == 2
    assert not [m for m in fake_api.sent_to(ADMIN) if "internal error" in m.plain]
    assert error_rows(db) == 0

"""`python -m bot console`: the real application offline, as an admin at a prompt."""

import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest
from telegram import Update

from bot.runtime.app import running
from bot.runtime.console import Console
from bot.runtime.settings import Settings

ROOT = Path(__file__).resolve().parents[1]

SCRIPT = """\
/start
/flag https://twitter.com/Foo?s=20 ttp propaganda followers=12.5k
/request #1 ref=TK-9
press 1
/status x:@foo
/export
/flag nowhere.example/foo TTP
quit
"""


def run_console(tmp_path: Path, script: str) -> str:
    environment = {
        "PATH": "/usr/bin:/bin",
        "PYTHONPATH": str(ROOT),
        "DATABASE_PATH": str(tmp_path / "console.db"),
    }
    result = subprocess.run(
        [sys.executable, "-m", "bot", "console"],
        cwd=tmp_path,  # documents land in tmp_path/console-out
        env=environment,
        input=script,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    assert "Traceback" not in result.stdout + result.stderr
    return result.stdout


@pytest.mark.slow  # `python -m bot console` processes: `make test` only
def test_console_runs_commands_offline_as_admin_and_saves_documents(tmp_path):
    output = run_console(tmp_path, SCRIPT)
    assert "Your role: admin" in output
    assert "New case #1 x:@foo" in output
    assert "[1] #1 Removed" in output  # buttons are numbered for `press N`
    assert "Recorded: #1 round 1 removed" in output
    assert "State: actioned" in output
    [saved] = list((tmp_path / "console-out").glob("*.csv"))
    assert f"saved to console-out/{saved.name}" in output
    assert "https://x.com/foo" in saved.read_text("utf-8")
    assert "Usage: /flag" in output  # the unknown host got a reason and the usage


@pytest.mark.slow  # `python -m bot console` processes: `make test` only
def test_console_keeps_data_in_the_same_sqlite_file(tmp_path):
    run_console(tmp_path, "/flag t.me/ttp_media BLA\nquit\n")
    output = run_console(tmp_path, "/status telegram:@ttp_media\nquit\n")
    assert "Case #1" in output and "BLA" in output


def test_console_sends_no_daily_digest_and_records_none(tmp_path):
    """Offline, a digest would reach nobody: recorded as delivered, the real bot would then
    skip that day's digest for the chats."""
    environment_extra = {"DIGEST_CHAT_IDS": "-1001"}
    result = subprocess.run(
        [sys.executable, "-m", "bot", "console"],
        cwd=tmp_path,
        env={
            "PATH": "/usr/bin:/bin",
            "PYTHONPATH": str(ROOT),
            "DATABASE_PATH": str(tmp_path / "console.db"),
            **environment_extra,
        },
        input="/start\nquit\n",
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    assert "Daily digest" not in result.stdout
    with sqlite3.connect(tmp_path / "console.db") as conn:
        assert conn.execute("SELECT count(*) FROM digests_sent").fetchone()[0] == 0


async def test_console_press_carries_the_message_telegram_would_and_shows_what_is_open(
    tmp_path, capsys
):
    """Issue 16 item 11: a press in the console carries the message it is under (its text and
    keyboard as Telegram keeps them), so the refreshed reply names the rounds still open
    (before: the button's label was the message text and the reply said "All outcomes
    recorded." with rounds open)."""
    console = Console(Settings(_env_file=None, database_path=tmp_path / "c.db"))
    async with running(console.app):
        for line in [
            "/flag x.com/first_acct TTP",
            "/flag x.com/second_acct TTP",
            "/request #1 #2 ref=X-7",
            "press 1",  # #1 removed
        ]:
            update = console.to_update(line)
            assert update is not None
            await console.app.process_update(Update.de_json(update, console.app.bot))
    out = capsys.readouterr().out
    refreshed = out.rsplit("Removal requests sent", 1)[-1]
    assert "#1 round 1 · x:@first_acct" in refreshed and "removed" in refreshed
    assert "#2 round 1 · x:@second_acct" in refreshed
    assert "All outcomes recorded." not in out
    [message] = [m for m in console.api.messages.values() if "reply_markup" in m]
    assert "<b>" not in message["text"]  # plain, as Telegram returns it
    buttons = [
        b["callback_data"] for row in message["reply_markup"]["inline_keyboard"] for b in row
    ]
    assert buttons and all(data.startswith("o:2:1:") for data in buttons)  # #2's row left

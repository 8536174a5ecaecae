"""`python -m bot console`: the real application offline, as an admin at a prompt."""

import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

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

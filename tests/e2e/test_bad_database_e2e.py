"""Issue 14: `python -m bot` (and `console`) on a database it cannot use prints one line
naming the file and the cause and exits non-zero: no traceback, no process left running.
And one bot per database: a second one is refused, and a SIGKILLed one leaves no stale lock.

Before: a read-only folder, a garbage file or damaged pages printed a traceback and the process
kept running without serving; a new database in a read-only folder exited with tracebacks."""

from __future__ import annotations

import os
import signal
import sqlite3
from pathlib import Path

import pytest

from tests.e2e.bot_process import BotProcess
from tests.e2e.fake_bot_api import FakeBotApi
from tests.e2e.harness import ADMIN
from tests.test_db_faults import damage_a_page, made

TOKEN = "424242:SECRET-abcdefghijklmnop"


def env_for(api: FakeBotApi, database: Path) -> dict[str, str]:
    return {**api.env(token=TOKEN), "ADMIN_IDS": str(ADMIN), "DATABASE_PATH": str(database)}


async def one_line_and_exit(
    api: FakeBotApi, database: Path, tmp_path: Path, args: tuple[str, ...] = ()
) -> str:
    bot = BotProcess(
        env_for(api, database), args=args, cwd=tmp_path, log_dir=tmp_path / "log",
        file_modes_bind=True,
    )  # fmt: skip
    code, output = await bot.run_to_exit(30)
    lines = output.strip().splitlines()
    assert code != 0, output
    assert len(lines) == 1, output
    assert "Traceback" not in output
    assert str(database) in lines[0], lines[0]
    assert not api.calls_of("getUpdates")  # it never started polling
    return lines[0]


def read_only(path: Path) -> None:
    path.chmod(0o555 if path.is_dir() else 0o444)


@pytest.fixture
def writable_again(tmp_path):
    """pytest must be able to remove tmp_path after the test."""
    yield
    for root, dirs, _ in os.walk(tmp_path):
        for name in dirs:
            Path(root, name).chmod(0o755)


async def test_existing_database_in_a_read_only_folder(fake_api, tmp_path, writable_again):
    database = await made(tmp_path / "data" / "t.db", rows=5)
    (tmp_path / "data" / "t.db.lock").touch()  # left by an earlier run
    read_only(database.parent)
    line = await one_line_and_exit(fake_api, database, tmp_path)
    assert f"the folder {database.parent} is read-only" in line


async def test_database_in_a_read_only_folder_without_a_lock_file(
    fake_api, tmp_path, writable_again
):
    database = await made(tmp_path / "data" / "t.db", rows=5)
    read_only(database.parent)
    line = await one_line_and_exit(fake_api, database, tmp_path)
    assert f"the folder {database.parent} is not writable" in line


async def test_new_database_in_a_read_only_folder(fake_api, tmp_path, writable_again):
    folder = tmp_path / "data"
    folder.mkdir()
    read_only(folder)
    line = await one_line_and_exit(fake_api, folder / "t.db", tmp_path)
    assert f"the folder {folder} is not writable" in line


async def test_read_only_file(fake_api, tmp_path):
    database = await made(tmp_path / "t.db", rows=5)
    read_only(database)
    line = await one_line_and_exit(fake_api, database, tmp_path)
    assert "the file is read-only" in line


async def test_garbage_file(fake_api, tmp_path):
    database = tmp_path / "t.db"
    database.write_bytes(os.urandom(100_000))
    line = await one_line_and_exit(fake_api, database, tmp_path)
    assert line.endswith("it is not an SQLite database")


async def test_damaged_pages(fake_api, tmp_path):
    database = await made(tmp_path / "t.db", rows=2000)
    with sqlite3.connect(database) as conn:
        pages = conn.execute("PRAGMA page_count").fetchone()[0]
    conn.close()
    damage_a_page(database, pages // 3)
    line = await one_line_and_exit(fake_api, database, tmp_path)
    assert "it is damaged" in line


async def test_unwritable_database_path(fake_api, tmp_path):
    line = await one_line_and_exit(fake_api, Path("/proc/foo/t.db"), tmp_path)
    assert "/proc/foo" in line


async def test_console_on_a_garbage_file(fake_api, tmp_path):
    database = tmp_path / "t.db"
    database.write_bytes(b"not a database at all" * 1000)
    line = await one_line_and_exit(fake_api, database, tmp_path, args=("console",))
    assert line.endswith("it is not an SQLite database")


async def test_second_bot_on_the_same_database_is_refused_and_a_kill_leaves_no_lock(
    fake_api, tmp_path
):
    database = tmp_path / "t.db"
    env = env_for(fake_api, database)
    first = BotProcess(env, cwd=tmp_path, log_dir=tmp_path / "first")
    async with first:
        await first.wait_ready(fake_api)
        code, output = await BotProcess(env, cwd=tmp_path, log_dir=tmp_path / "second").run_to_exit(
            30
        )
        assert code != 0
        assert output.strip().splitlines() == [
            f"The database {database} is in use by another bot (pid {first.process.pid}): "  # type: ignore[union-attr]
            "one bot per database; stop it first."
        ]
        # the first one still serves
        [answer] = await fake_api.ask(ADMIN, "/start")
        assert "Your role: admin" in answer.plain
        first.process.send_signal(signal.SIGKILL)  # type: ignore[union-attr]
        await first.process.wait()  # type: ignore[union-attr]

    async with FakeBotApi() as api:
        third = BotProcess(env_for(api, database), cwd=tmp_path, log_dir=tmp_path / "third")
        async with third:
            await third.wait_ready(api)  # the lock went with the killed process
            [answer] = await api.ask(ADMIN, "/start")
            assert "Your role: admin" in answer.plain


async def test_console_is_refused_while_the_bot_runs(fake_api, tmp_path):
    database = tmp_path / "t.db"
    env = env_for(fake_api, database)
    async with BotProcess(env, cwd=tmp_path, log_dir=tmp_path / "bot") as bot:
        await bot.wait_ready(fake_api)
        console = BotProcess(env, args=("console",), cwd=tmp_path, log_dir=tmp_path / "console")
        code, output = await console.run_to_exit(30)
    assert code != 0
    assert output.strip().endswith("one bot per database; stop it first.")
    assert len(output.strip().splitlines()) == 1

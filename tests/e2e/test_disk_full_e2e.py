"""Issue 14: the disk fills up while the bot runs. Each member whose write failed hears "not
recorded: the disk is full", the log has one line per failed update (no traceback), the
admins are told once (again only after space came back and it filled again), and the bot
records again once there is room.

Before: two "internal error, logged as E-0" and four tracebacks per update, and the redelivery
guard's own failed write let the handler run anyway.

Two ways to fill it: a real small filesystem (tmpfs; mounting needs root, which CI has) and,
always, SQLite's own limit on the file's size (PRAGMA max_page_count on the bot's writer),
which makes the same SQLITE_FULL."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable, Iterator
from pathlib import Path
from typing import NoReturn

import pytest

from bot.runtime.app import App
from bot.runtime.deps import Deps
from bot.runtime.faults import NOT_RECORDED
from tests.e2e.fake_bot_api import FakeBotApi, SentMessage
from tests.e2e.harness import ADMIN, running_bot, tmpfs

REPORTER = 2001
NOTE = "n" * 3900  # a record of about a page: each /flag needs a new page of the file


def store_of(app: App) -> Deps:
    state = app.bot_data["deps"]
    assert isinstance(state, Deps) and state.store is not None
    return state


async def flag(api: FakeBotApi, n: int) -> str:
    [answer] = await api.ask(REPORTER, f"/flag x.com/acct_{n} TTP {NOTE}")
    return answer.plain


def is_notice(sent: SentMessage) -> bool:
    return sent.chat_id == ADMIN and "The disk of the database" in sent.plain


def admin_notices(api: FakeBotApi) -> int:
    return sum(is_notice(s) for s in api.sent)


def log_lines(caplog: pytest.LogCaptureFixture) -> list[logging.LogRecord]:
    """What the bot's log shows at its level (INFO: bot/runtime/logs.py); debug lines aside."""
    return [
        r
        for r in caplog.records
        if r.name.startswith(("bot", "storage", "handlers")) and r.levelno >= logging.INFO
    ]


async def fill_recover_fill(
    api: FakeBotApi,
    app: App,
    caplog: pytest.LogCaptureFixture,
    fill: Callable[[], Awaitable[None]],
    make_room: Callable[[], Awaitable[None]],
) -> None:
    """The whole promise, whichever way the disk is filled."""
    [granted] = await api.ask(ADMIN, f"/grant {REPORTER} reporter")
    assert "is now reporter" in granted.plain
    assert "New case" in await flag(api, 0)
    caplog.clear()

    await fill()
    for n in (1, 2, 3):
        assert (await flag(api, n)).startswith(NOT_RECORDED.split(".")[0]), n
    await api.wait_for(is_notice)  # sent after the member's answer
    records = log_lines(caplog)
    assert len(records) == 3, [r.getMessage() for r in records]
    assert all("not recorded, the disk is full" in r.getMessage() for r in records)
    assert all(r.exc_info is None and r.levelno == logging.WARNING for r in records)

    await make_room()
    assert "New case" in await flag(api, 4)  # records again
    assert "New case" in await flag(api, 5)
    mark = api.mark()
    await fill()
    assert (await flag(api, 6)).startswith("not recorded: the disk is full")
    await api.wait_for(is_notice, after=mark)  # it filled again after there was room

    await make_room()
    [status] = await api.ask(ADMIN, "/status x:@acct_4")
    assert "Case #" in status.plain
    for n in (1, 2, 3, 6):  # nothing half-written of the refused ones
        [missing] = await api.ask(ADMIN, f"/status x:@acct_{n}")
        assert "Case #" not in missing.plain, missing.plain
    assert admin_notices(api) == 2  # once per time it filled, not per failed write
    assert not [s for s in api.sent if "internal error" in s.plain]


async def test_sqlite_full_through_max_page_count(fake_api, tmp_path, caplog):
    caplog.set_level(logging.INFO)
    async with running_bot(fake_api, tmp_path / "t.db") as app:
        # The limit belongs to one connection: the bot's writer (a private attribute).
        writer = store_of(app).store.db._writer  # type: ignore[union-attr]

        async def fill() -> None:
            [(pages,)] = await writer.execute_fetchall("PRAGMA page_count")
            await writer.execute(f"PRAGMA max_page_count = {pages}")

        async def make_room() -> None:
            await writer.execute("PRAGMA max_page_count = 1073741823")

        await fill_recover_fill(fake_api, app, caplog, fill, make_room)


@pytest.fixture
def small_disk(tmp_path: Path) -> Iterator[Path]:
    def refused(why: str) -> NoReturn:
        pytest.skip(
            f"cannot mount a tmpfs ({why}): needs root; "
            "test_sqlite_full_through_max_page_count proves the same promise"
        )

    with tmpfs(tmp_path / "disk", "32m", refused=refused) as disk:
        yield disk


async def test_a_real_full_disk(fake_api, small_disk, caplog):
    caplog.set_level(logging.INFO)
    filler = small_disk / "filler"

    async def fill() -> None:
        with filler.open("ab", buffering=0) as file:  # unbuffered: nothing left to flush
            try:
                while True:
                    file.write(b"\0" * 65536)
                    file.flush()
            except OSError:
                pass  # ENOSPC: not a byte left

    async def make_room() -> None:
        filler.unlink()

    async with running_bot(fake_api, small_disk / "t.db") as app:
        await fill_recover_fill(fake_api, app, caplog, fill, make_room)

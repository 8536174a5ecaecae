"""Run the real Application in-process against the fake Bot API, with an injected clock.

Tests that need to move time (SLA, digest windows) use this; start-up tests run the bot as a
subprocess (bot_process.py).
"""

from __future__ import annotations

import datetime as dt
import re
import sqlite3
import subprocess
from collections.abc import AsyncIterator, Callable, Iterator
from contextlib import asynccontextmanager, closing, contextmanager
from pathlib import Path
from typing import Any, NoReturn

import psycopg

from bot.domain.flood import FloodLimit
from bot.runtime.app import App, build_application, running
from bot.runtime.limits import Limits
from bot.runtime.settings import Settings
from tests import pg
from tests.clock import ManualClock
from tests.e2e.fake_bot_api import FakeBotApi

ADMIN = 100
START = dt.datetime(2026, 11, 2, 6, 0, tzinfo=dt.UTC)  # 11:00 in Asia/Karachi
# Production's retry schedule, with waits short enough for tests.
FAST = Limits(request_backoff=0.05, digest_retry_delays=(0.3, 0.6))


def test_settings(api: FakeBotApi, db_path: Path, **overrides: Any) -> Settings:
    values: dict[str, Any] = {
        "bot_token": "123456:TEST-TOKEN-abcdef",
        "telegram_api_url": api.base_url,
        "database_path": db_path,
        "admin_ids": [ADMIN],
        "database_url": pg.current_url,  # "": the SQLite file at db_path
    }
    values.update(overrides)
    return Settings(_env_file=None, **values)


def stored(db_path: Path, sql: str) -> list[tuple[Any, ...]]:
    """Rows as the bots stored them: in the SQLite file, or in the test's PostgreSQL one."""
    if pg.current_url:
        with psycopg.connect(pg.current_url) as conn:
            return [tuple(row) for row in conn.execute(sql.encode()).fetchall()]
    with closing(sqlite3.connect(db_path)) as conn:
        return conn.execute(sql).fetchall()


@asynccontextmanager
async def running_bot(
    api: FakeBotApi,
    db_path: Path,
    clock: ManualClock | None = None,
    *,
    flood: FloodLimit | None = None,
    limits: Limits = FAST,
    **overrides: Any,
) -> AsyncIterator[App]:
    """`flood`: by default no commands-a-minute limit to speak of (the clock stands still
    while a test sends its commands); pass FloodLimit() for the bot's own."""
    app = build_application(
        test_settings(api, db_path, **overrides),
        clock=clock or ManualClock(START),
        flood=flood or FloodLimit(per_minute=1_000_000_000),
        limits=limits,
    )
    async with running(app, poll=True):
        yield app


async def flag_reply(api: FakeBotApi, text: str) -> tuple[int, str]:
    """`/flag TEXT` sent by the admin: the case number its reply names, and the reply."""
    [answer] = await api.ask(ADMIN, f"/flag {text}")
    found = re.search(r"#(\d+)", answer.plain)
    assert found, answer.plain
    return int(found.group(1)), answer.plain


async def flag(api: FakeBotApi, text: str) -> int:
    """`/flag TEXT` sent by the admin: the case number its reply names."""
    case_id, _ = await flag_reply(api, text)
    return case_id


@contextmanager
def tmpfs(mount_point: Path, size: str, *, refused: Callable[[str], NoReturn]) -> Iterator[Path]:
    """A real small disk (a tmpfs of `size`, e.g. "64k") at `mount_point`, for the full-disk
    tests; `refused` gets mount's reason when it cannot be mounted (it needs root)."""
    mount_point.mkdir()
    result = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", f"size={size}", "tmpfs", str(mount_point)],
        capture_output=True,
        text=True,
    )
    if result.returncode != 0:
        refused(result.stderr.strip())
    try:
        yield mount_point
    finally:
        subprocess.run(["umount", "-l", str(mount_point)], check=False)

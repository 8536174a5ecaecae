"""Webhook mode: `python -m bot` with WEBHOOK_URL serves Telegram's webhook on WEBHOOK_LISTEN.

The test plays Telegram: it posts updates to the bot's webhook server (with and without the
secret header), and the fake Bot API answers the bot's calls (setWebhook, getFile, replies).
An update answered 200 is never sent again by Telegram, so after a SIGKILL right after the
200 only the inbox can still hold it: the restarted bot handles it, once."""

from __future__ import annotations

import asyncio
import signal
import socket
import sqlite3
from pathlib import Path
from typing import Any

import aiohttp

from tests.e2e.bot_process import BotProcess
from tests.e2e.fake_bot_api import FakeBotApi

ADMIN = 100
SECRET = "Desk_secret-2026"
ROWS = 20_000


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


async def post(url: str, update: dict[str, Any], secret: str | None = SECRET) -> int:
    headers = {} if secret is None else {"X-Telegram-Bot-Api-Secret-Token": secret}
    async with (
        aiohttp.ClientSession() as session,
        session.post(url, json=update, headers=headers) as response,
    ):
        return response.status


async def start(api: FakeBotApi, env: dict[str, str], log_dir: Path, url: str) -> BotProcess:
    """Start the bot; wait for its setWebhook and for its server to answer."""
    calls = len(api.calls)
    bot = BotProcess(env, cwd=log_dir, log_dir=log_dir)
    await bot.start()
    api.extra_dump = bot.output_tail
    params = await api.wait_for_call("setWebhook", after=calls, timeout=30)
    assert params["url"] == env["WEBHOOK_URL"]
    assert params["secret_token"] == SECRET
    for _ in range(200):
        try:
            await post(url, {}, secret="wrong")
            return bot
        except aiohttp.ClientConnectionError:
            await asyncio.sleep(0.05)
    raise AssertionError(f"the webhook server never answered\n{bot.output_tail()}")


def reports(db: Path, reporter: int) -> int:
    with sqlite3.connect(db) as conn:
        row = conn.execute("SELECT count(*) FROM reports WHERE reporter_id = ?", (reporter,))
        count = int(row.fetchone()[0])
    conn.close()
    return count


def import_csv() -> bytes:
    lines = ["account,group,category,followers,note"]
    lines += [f"t.me/hooked_{n},BLA,propaganda,{n},row {n}" for n in range(ROWS)]
    return ("\n".join(lines) + "\n").encode()


async def test_webhook_refuses_posts_without_the_secret_and_keeps_what_it_answered(
    fake_api: FakeBotApi, tmp_path: Path
):
    port = free_port()
    db = tmp_path / "desk.db"
    url = f"http://127.0.0.1:{port}/tg/hook"
    env = {
        **fake_api.env(),
        "DATABASE_PATH": str(db),
        "ADMIN_IDS": f"{ADMIN},200",
        "WEBHOOK_URL": "https://desk.example.org/tg/hook",
        "WEBHOOK_SECRET": SECRET,
        "WEBHOOK_LISTEN": f"127.0.0.1:{port}",
    }
    bot = await start(fake_api, env, tmp_path / "first", url)
    try:
        # push_message builds the update (and stores its file); the bot never polls for it
        start_update = fake_api.push_message(ADMIN, "/start")
        assert await post(url, start_update, secret=None) == 403
        assert await post(url, start_update, secret="not-the-secret") == 403
        assert fake_api.sent == []  # refused posts are not handled
        assert await post(url, start_update) == 200
        started = await fake_api.wait_for(lambda m: m.chat_id == ADMIN)
        assert "admin" in started.plain.lower()

        # an /import answered 200, then the bot is killed before it has handled it
        mark = fake_api.mark()
        upload = fake_api.push_message(
            200, document=(import_csv(), "hooked.csv"), caption="/import"
        )
        assert await post(url, upload) == 200
    finally:
        assert bot.process is not None
        bot.process.send_signal(signal.SIGKILL)
        await bot.stop()
    assert reports(db, 200) == 0, "the import finished before the kill: no crash was tested"

    bot = await start(fake_api, env, tmp_path / "second", url)
    try:
        done = await fake_api.wait_for(lambda m: m.chat_id == 200, after=mark, timeout=60)
        assert f"Imported hooked.csv: {ROWS:,} rows" in done.plain, done.plain
        assert f"New cases: {ROWS:,}" in done.plain
        # Telegram posting the same update again (its retry of a post it saw fail) changes
        # nothing, and the bot answers only once
        assert await post(url, upload) == 200
        flag = fake_api.push_message(200, "/flag t.me/hooked_1 BLA")
        assert await post(url, flag) == 200
        repeat = await fake_api.wait_for(lambda m: "already" in m.plain, after=mark, timeout=30)
        assert "1 report" in repeat.plain, repeat.plain
    finally:
        await bot.stop()
    assert reports(db, 200) == ROWS
    assert [m for m in fake_api.sent[mark:] if m.chat_id == 200] == [done, repeat]

"""Updates kept on receipt and not handled (the process died in between) are handled on the
next start, queued in receipt order, once; one whose write committed before the crash is not."""

from __future__ import annotations

import asyncio
import json
import sqlite3
from pathlib import Path

from telegram import Update

from bot.runtime.app import running
from bot.runtime.console import Console
from bot.runtime.deps import deps_of
from bot.runtime.inbox import MAX_REPLAYS, InboxQueue
from bot.runtime.local_api import Output
from bot.runtime.settings import Settings
from storage.inbox import Inbox, inbox_path
from tests.robustness.driver import ADMIN, START, InProcessBot

REPORTER = 201


async def _settled(bot: InProcessBot, outputs: int) -> None:
    """Wait until `outputs` replies were sent and nothing is queued or in flight."""
    processor = bot.app.update_processor
    for _ in range(2_000):
        busy = bot.app.update_queue.qsize() or processor.current_concurrent_updates
        if len(bot.outputs) >= outputs and not busy:
            break
        await asyncio.sleep(0.01)
    await asyncio.sleep(0.1)  # nothing more may come


def _reports(db: Path, handle: str) -> int:
    with sqlite3.connect(db) as conn:
        row = conn.execute(
            "SELECT count(*) FROM reports JOIN cases ON cases.id = reports.case_id"
            " WHERE cases.handle = ?",
            (handle,),
        ).fetchone()
    conn.close()
    return int(row[0])


async def test_kept_updates_not_handled_are_handled_on_start(tmp_path: Path):
    db = tmp_path / "t.db"
    async with InProcessBot(db) as bot:
        await bot.ask(ADMIN, f"/grant {REPORTER} reporter")
        handled = bot.message(REPORTER, "/flag x.com/handled_before TTP")
        await bot.feed([handled], replies=1)  # through the update queue: kept, then handled
        flag = bot.message(REPORTER, "/flag x.com/kept_only BLA hate")
        status = bot.message(REPORTER, "/status x:@handled_before")
    # The crash: two updates were kept and never handled, and the handled update's inbox mark
    # was lost after its write committed.
    inbox = await Inbox.open(db)
    try:
        for update in (flag, status):
            assert await inbox.keep(update["update_id"], json.dumps(update), START)
    finally:
        await inbox.close()
    with sqlite3.connect(inbox_path(db)) as conn:
        conn.execute("UPDATE inbox SET handled_at = NULL")
    conn.close()

    async with InProcessBot(db) as restarted:
        await _settled(restarted, outputs=2)
        # queued in receipt order, handled concurrently as polled updates are
        flagged, card = sorted(restarted.texts_to(REPORTER), key=lambda text: "Case #1" in text)
        assert "New case" in flagged and "kept_only" in flagged
        assert "Case #1" in card and "handled_before" in card
        assert restarted.errors == []
        reopened = await Inbox.open(db)
        try:
            assert await reopened.unhandled() == []
        finally:
            await reopened.close()
    assert _reports(db, "kept_only") == 1
    assert _reports(db, "handled_before") == 1

    async with InProcessBot(db) as again:  # a second start replays nothing
        await asyncio.sleep(0.2)
        assert again.outputs == []


async def test_an_update_received_again_is_not_queued_again(tmp_path: Path):
    db = tmp_path / "t.db"
    async with InProcessBot(db) as bot:
        await bot.ask(ADMIN, f"/grant {REPORTER} reporter")
        status = bot.message(REPORTER, "/status 1")  # only reads: nothing in the main database
        await bot.feed([status], replies=1)
        await bot.feed([status], replies=0)  # Telegram sends it again
        assert len(bot.texts_to(REPORTER)) == 1
        assert bot.errors == []


async def test_the_console_leaves_kept_updates_to_the_bot(tmp_path: Path):
    """The offline console on the same file neither replays what the bot kept (its replies
    would go to the console, not to the member) nor marks it handled."""
    db = tmp_path / "t.db"
    async with InProcessBot(db) as bot:
        flag = bot.message(ADMIN, "/flag x.com/left_for_bot TTP")
    inbox = await Inbox.open(db)
    try:
        await inbox.keep(flag["update_id"], json.dumps(flag), START)
    finally:
        await inbox.close()
    console = Console(Settings(_env_file=None, database_path=db, admin_ids=[ADMIN]))
    shown: list[Output] = []
    console.api.on_output = shown.append
    async with running(console.app):
        await asyncio.sleep(0.3)
    assert shown == []
    assert _reports(db, "left_for_bot") == 0
    async with InProcessBot(db) as restarted:  # the bot handles it on its next start
        await _settled(restarted, outputs=1)
        assert "New case" in restarted.texts_to(ADMIN)[0]
    assert _reports(db, "left_for_bot") == 1


async def test_an_update_interrupted_again_and_again_is_given_up_and_its_sender_told(
    tmp_path: Path,
):
    """An update whose handling the process did not survive MAX_REPLAYS times (a file that
    kills it) is not handled again: its sender hears that it was not recorded."""
    db = tmp_path / "t.db"
    async with InProcessBot(db) as bot:
        upload = bot.message(ADMIN, "/import", document=(b"account,group\n", "deadly.csv"))
    inbox = await Inbox.open(db)
    try:
        await inbox.keep(upload["update_id"], json.dumps(upload), START)
        for _ in range(MAX_REPLAYS):  # MAX_REPLAYS starts, each killed while handling it
            await inbox.count_replays([upload["update_id"]])
    finally:
        await inbox.close()
    async with InProcessBot(db) as restarted:
        await _settled(restarted, outputs=1)
        [told] = restarted.texts_to(ADMIN)
        assert told == (
            "Your import of deadly.csv was interrupted by a restart of the bot 3 times; "
            "it was not recorded: send it again."
        )
    inbox = await Inbox.open(db)
    try:
        assert await inbox.unhandled() == []
    finally:
        await inbox.close()


async def test_a_replay_counts_only_once_its_handling_begins(tmp_path: Path):
    """Replays take their turns in receipt order and each is counted as its turn comes: a
    crash while the first is handled counts against the first only, not against the updates
    queued behind it (those would otherwise be given up for a crash they never saw)."""
    db = tmp_path / "t.db"

    def replays() -> list[int]:
        with sqlite3.connect(inbox_path(db)) as conn:
            rows = conn.execute("SELECT replays FROM inbox ORDER BY seq").fetchall()
        conn.close()
        return [int(row[0]) for row in rows]

    async with InProcessBot(db) as bot:
        state = deps_of(bot.app.bot_data)
        assert state.inbox is not None
        queue = bot.app.update_queue
        assert isinstance(queue, InboxQueue)
        kept = [bot.message(ADMIN, f"/flag x.com/queued_{n} TTP") for n in range(3)]
        for update in kept:  # kept before a crash, queued again on this start
            assert await state.inbox.keep(update["update_id"], json.dumps(update), START)
        writer = sqlite3.connect(db, isolation_level=None)
        try:
            writer.execute("BEGIN IMMEDIATE")  # the first replay's write waits on this
            for update in kept:
                await queue.put_kept(Update.de_json(update, bot.app.bot))
            for _ in range(200):
                if replays()[0] == 1:
                    break
                await asyncio.sleep(0.01)
            await asyncio.sleep(0.2)  # the others' turns have not come: nothing counts them
            assert replays() == [1, 0, 0]
            writer.execute("ROLLBACK")
            await _settled(bot, outputs=3)
        finally:
            writer.close()
        assert len(bot.texts_to(ADMIN)) == 3
    assert replays() == [1, 1, 1]
    assert [_reports(db, f"queued_{n}") for n in range(3)] == [1, 1, 1]

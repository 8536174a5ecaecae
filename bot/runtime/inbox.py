"""Updates are kept on receipt (storage/inbox.py) and handled from there.

Polling and the webhook server both put each update on the application's update queue before
they confirm it to Telegram (the next getUpdates with a higher offset; the webhook's 200), so
the queue's `put` is the one place where receipt is made durable. Each update is then handled
with its handled mark set (storage.db.handling), which the update's first write transaction
records; on start what was kept and not handled is put on the queue again, in receipt order.
"""

from __future__ import annotations

import asyncio
import json
import logging
from typing import Any

from telegram import Update
from telegram.constants import ChatType
from telegram.error import TelegramError
from telegram.ext import Application

from bot.domain.clock import Clock
from bot.runtime.deps import Deps, deps_of
from bot.views.restart import interrupted
from storage.db import HandledMark, handling, is_disk_full
from storage.inbox import Inbox
from storage.store import Store

log = logging.getLogger(__name__)

# An update whose handling the process did not survive this many times after restarts is given
# up and its sender told: a file that kills the bot (memory) would otherwise kill it again on
# every start. A replay counts when its handling begins, and replays are handled one at a time
# in receipt order, so a crash counts only against the update that was being handled, not
# against those queued behind it.
MAX_REPLAYS = 3


class InboxQueue(asyncio.Queue[object]):
    """The application's update queue: an update is kept in the inbox before it is queued
    (and so before Telegram hears it arrived); one received before is not queued again."""

    def __init__(self) -> None:
        super().__init__()
        self._inbox: Inbox | None = None
        self._clock: Clock | None = None
        self._replays: set[int] = set()
        self.replay_turn = asyncio.Lock()  # fair: replays take their turns in receipt order

    def attach(self, inbox: Inbox | None, clock: Clock) -> None:
        self._inbox = inbox
        self._clock = clock

    async def put(self, item: object) -> None:
        if isinstance(item, Update) and self._inbox is not None and self._clock is not None:
            try:
                kept = await self._inbox.keep(item.update_id, item.to_json(), self._clock.now())
            except Exception as err:
                if not is_disk_full(err):
                    raise
                # Handled all the same: its own write then fails the same way, its sender hears
                # "not recorded: the disk is full" and that is the one log line (a poll retried
                # for ever would tell nobody anything).
                log.debug("the disk is full: update %s handled without being kept", item.update_id)
                kept = True
            if not kept:  # a redelivery: handled already, or queued from the inbox on start
                log.info("update %s was received before; skipped", item.update_id)
                return
        await super().put(item)

    async def put_kept(self, update: Update) -> None:
        """Queue an update that the inbox holds already (a replay after a restart)."""
        self._replays.add(update.update_id)
        await super().put(update)

    def take_replay(self, update_id: int) -> bool:
        """Whether this update is a replay (asked once, when its handling is due)."""
        if update_id not in self._replays:
            return False
        self._replays.discard(update_id)
        return True


class DeskApplication(Application[Any, Any, Any, Any, Any, Any]):
    """Handles each update under its handled mark, and marks it handled in the inbox after."""

    async def process_update(self, update: object) -> None:
        state = deps_of(self.bot_data)
        if not isinstance(update, Update) or state.store is None:
            await super().process_update(update)
            return
        queue = self.update_queue
        if isinstance(queue, InboxQueue) and queue.take_replay(update.update_id):
            async with queue.replay_turn:
                assert state.inbox is not None
                await state.inbox.count_replays([update.update_id])
                await self._process_once(state, update)
        else:
            await self._process_once(state, update)

    async def _process_once(self, state: Deps, update: Update) -> None:
        """No look-up first (it would cost every update a round trip): a redelivery was
        skipped on receipt (InboxQueue.put) or at start (replay_kept), and one that slips
        through anyway (no inbox: the console) fails its first write transaction on the
        handled mark, so it writes nothing twice; a command that only reads answers again."""
        token = handling.set(HandledMark(update.update_id, state.clock.now()))
        try:
            await super().process_update(update)
        finally:
            handling.reset(token)
        if state.inbox is not None:  # the main database holds the truth; this saves a look
            state.inbox.mark_soon(update.update_id, state.clock.now())


async def replay_kept(app: Application[Any, Any, Any, Any, Any, Any], store: Store,
                      inbox: Inbox, clock: Clock) -> int:  # fmt: skip
    """Put what the inbox kept and nobody handled (a crash) on the update queue, in receipt
    order, before polling starts; returns how many."""
    kept = await inbox.unhandled()
    if not kept:
        return 0
    handled = await store.updates.handled_among([update_id for update_id, _, _ in kept])
    await inbox.mark_handled(sorted(handled), clock.now())
    again: list[Update] = []
    given_up: list[Update] = []
    for update_id, body, replays in kept:
        if update_id not in handled:
            update = Update.de_json(json.loads(body), app.bot)
            (again if replays < MAX_REPLAYS else given_up).append(update)
    for update in given_up:
        await _tell_given_up(app, update)
    await inbox.mark_handled([update.update_id for update in given_up], clock.now())
    queue = app.update_queue
    assert isinstance(queue, InboxQueue)
    for update in again:
        await queue.put_kept(update)
    if again:
        log.info("%d updates received before a restart and not handled: handling them now",
                 len(again))  # fmt: skip
    return len(again)


async def _tell_given_up(app: Application[Any, Any, Any, Any, Any, Any], update: Update) -> None:
    log.warning("update %s was interrupted %d times; given up", update.update_id, MAX_REPLAYS)
    chat, message = update.effective_chat, update.effective_message
    allowed = deps_of(app.bot_data).settings.allowed_chat_ids
    if (
        chat is None
        or message is None
        or (chat.type != ChatType.PRIVATE and chat.id not in allowed)
    ):
        return
    name = (message.document.file_name or "file") if message.document else None
    said = None if update.callback_query else message.text or message.caption or ""
    text = interrupted(said, name, MAX_REPLAYS)
    try:
        await chat.send_message(text)
    except TelegramError as err:
        log.warning("could not tell chat %s about update %s: %s", chat.id, update.update_id, err)

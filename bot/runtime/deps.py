"""What every handler needs, kept in `application.bot_data` and read through typed accessors."""

from __future__ import annotations

import asyncio
import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from telegram.ext import CallbackContext

from bot.domain.clock import Clock
from bot.domain.flood import FloodLimit
from bot.runtime.limits import DEFAULT_LIMITS, Limits
from bot.runtime.settings import Settings
from storage.inbox import Inbox
from storage.store import Store

_KEY = "deps"


@dataclass
class Deps:
    settings: Settings
    clock: Clock
    store: Store | None = None  # opened in post_init, closed in post_shutdown
    inbox: Inbox | None = None  # the same, when keep_updates
    flood: FloodLimit = field(default_factory=FloodLimit)  # commands a minute per member
    # Updates from Telegram are kept in the inbox and replayed after a crash; the offline
    # console's are typed at its prompt (and a replay there would answer members in it).
    keep_updates: bool = True
    limits: Limits = DEFAULT_LIMITS
    started_at: dt.datetime | None = None  # set in post_init, for /health
    # The daily job, its retries and the catch-up on start send one digest at a time.
    digest_lock: asyncio.Lock = field(default_factory=asyncio.Lock)
    leading: bool = False  # on PostgreSQL: this replica runs the daily jobs (jobs.lead)
    disk_full_told: int = 0  # the last Database.disk_full_episodes the admins were told of


def deps(context: CallbackContext[Any, Any, Any, Any]) -> Deps:
    return deps_of(context.bot_data)


def deps_of(bot_data: dict[str, Any]) -> Deps:
    value = bot_data[_KEY]
    assert isinstance(value, Deps)
    return value


def install(bot_data: dict[str, Any], value: Deps) -> None:
    bot_data[_KEY] = value


def settings(context: CallbackContext[Any, Any, Any, Any]) -> Settings:
    return deps(context).settings


def store(context: CallbackContext[Any, Any, Any, Any]) -> Store:
    value = deps(context).store
    if value is None:
        raise RuntimeError("the store is not open yet")
    return value


def flood(context: CallbackContext[Any, Any, Any, Any]) -> FloodLimit:
    return deps(context).flood


def limits(context: CallbackContext[Any, Any, Any, Any]) -> Limits:
    return deps(context).limits


def now(context: CallbackContext[Any, Any, Any, Any]) -> dt.datetime:
    return deps(context).clock.now()

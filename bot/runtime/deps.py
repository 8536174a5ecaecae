"""What every handler needs, kept in `application.bot_data` and read through typed accessors."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from telegram.ext import CallbackContext

from bot.domain.clock import Clock
from bot.domain.flood import FloodLimit
from bot.runtime.settings import Settings
from storage.store import Store

_KEY = "deps"


@dataclass
class Deps:
    settings: Settings
    clock: Clock
    store: Store | None = None  # opened in post_init, closed in post_shutdown
    flood: FloodLimit = field(default_factory=FloodLimit)  # commands a minute per member
    disk_full_told: int = 0  # the last Database.disk_full_episodes the admins were told of


def deps(context: CallbackContext[Any, Any, Any, Any]) -> Deps:
    value = context.bot_data[_KEY]
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


def now(context: CallbackContext[Any, Any, Any, Any]) -> dt.datetime:
    return deps(context).clock.now()

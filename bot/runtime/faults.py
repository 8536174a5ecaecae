"""What the bot does when a handler fails: an id for each internal error, and a full disk."""

from __future__ import annotations

import itertools
import logging
import time

from telegram import Update
from telegram.error import TelegramError
from telegram.ext import ContextTypes

from bot.runtime.deps import deps
from handlers.auth import chat_allowed

log = logging.getLogger(__name__)

NOT_RECORDED = "not recorded: the disk is full. The admins are told; send it again later."
ADMINS_DISK_FULL = (
    "The disk of the database {path} is full: members' commands are not recorded. "
    "Free some space there; the bot records again as soon as there is room."
)

_DIGITS = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"


def _base36(number: int) -> str:
    text = ""
    while number:
        number, digit = divmod(number, 36)
        text = _DIGITS[digit] + text
    return text or "0"


# Error ids are the process's start second and a counter: unique across restarts (one bot per
# database, and a start takes longer than a second) without writing anything, so a full disk
# or a broken database still gets distinct ids.
_PREFIX = _base36(int(time.time()))
_COUNTER = itertools.count(1)


def next_error_id() -> str:
    return f"E-{_PREFIX}-{next(_COUNTER)}"


async def not_recorded(update: object, context: ContextTypes.DEFAULT_TYPE) -> None:
    """A write failed for lack of space: one log line (no traceback: the cause is known), the
    member told, and the admins told once each time the disk fills up."""
    update_id = update.update_id if isinstance(update, Update) else None
    log.warning("not recorded, the disk is full (update %s): %s", update_id, context.error)
    if isinstance(update, Update) and update.effective_chat and chat_allowed(update, context):
        chat = update.effective_chat
        try:
            await chat.send_message(NOT_RECORDED)
        except TelegramError as err:
            log.warning("could not tell chat %s the disk is full: %s", chat.id, err)
    await _tell_admins_once(context)


async def _tell_admins_once(context: ContextTypes.DEFAULT_TYPE) -> None:
    state = deps(context)
    if state.store is None:
        return
    episode = state.store.db.disk_full_episodes
    if state.disk_full_told >= episode:
        return  # told of this time already: the disk has not had room since
    state.disk_full_told = episode
    text = ADMINS_DISK_FULL.format(path=state.settings.database_path)
    for admin in state.settings.admin_ids:
        try:
            await context.bot.send_message(admin, text)
        except TelegramError as err:
            log.warning("could not tell admin %s the disk is full: %s", admin, err)

"""Who may do what. Every command handler is wrapped by `for_command`."""

from __future__ import annotations

import functools
import logging
from collections.abc import Callable, Coroutine
from contextvars import ContextVar
from typing import Any

from telegram import Update
from telegram.constants import ChatType
from telegram.ext import ContextTypes

from bot.domain import Role
from bot.domain.privacy import is_shared_id, may_see_people
from bot.domain.text import one_line
from bot.grammar.commands import spec
from bot.runtime.deps import now, settings, store

log = logging.getLogger(__name__)

Handler = Callable[[Update, ContextTypes.DEFAULT_TYPE], Coroutine[Any, Any, None]]

SHARED_SENDER = (
    "Sorry, this bot answers team members writing as themselves, not on behalf of a chat or "
    "channel, nor bots."
)


def chat_allowed(update: Update, context: ContextTypes.DEFAULT_TYPE) -> bool:
    """Private chats always; group chats only when listed in ALLOWED_CHAT_IDS."""
    chat = update.effective_chat
    if chat is None:
        return False
    return chat.type == ChatType.PRIVATE or chat.id in settings(context).allowed_chat_ids


def shared_sender(update: Update) -> bool:
    """Sent on behalf of a chat (an anonymous group admin, a channel: `sender_chat` set) or
    by a bot: whoever it is, it is not a member (anyone can post as a channel)."""
    message = update.effective_message
    if message is not None and message.sender_chat is not None:
        return True
    user = update.effective_user
    return user is not None and (user.is_bot or is_shared_id(user.id))


# The caller's role, looked up once per update: the flood limit, the role check and "may the
# reply name people" each ask for it. An update is handled in one task, so this is the
# update's own; keyed by the update object, so a test feeding updates from one task gets
# each its own look-up.
_update_role: ContextVar[tuple[Update, Role | None] | None] = ContextVar(
    "update_role", default=None
)


async def caller_role(update: Update, context: ContextTypes.DEFAULT_TYPE) -> Role | None:
    user = update.effective_user
    if user is None or shared_sender(update):
        return None
    known = _update_role.get()
    if known is not None and known[0] is update:
        return known[1]
    role = await store(context).members.role_of(user.id)
    _update_role.set((update, role))
    return role


async def shows_people(update: Update, context: ContextTypes.DEFAULT_TYPE) -> bool:
    """May this reply name who reported or acted on a case? (bot.domain.privacy)"""
    chat = update.effective_chat
    private = chat is not None and chat.type == ChatType.PRIVATE
    return private and may_see_people(await caller_role(update, context), private_chat=True)


async def refuse(update: Update, text: str) -> None:
    """One short refusal, as an alert for a button press or a message otherwise."""
    if update.callback_query:
        await update.callback_query.answer(text, show_alert=True)
    elif update.effective_chat:
        await update.effective_chat.send_message(text)


async def check_role(update: Update, context: ContextTypes.DEFAULT_TYPE, needed: Role) -> bool:
    """True if the caller may go on; otherwise the caller has been told why (or, in a
    chat the bot does not work in, nothing at all)."""
    user = update.effective_user
    if user is None or not chat_allowed(update, context):
        return False
    if shared_sender(update):
        await store(context).audit.refused(user.id, now(context), detail=_what(update))
        await refuse(update, SHARED_SENDER)
        return False
    role = await caller_role(update, context)
    if role is None:
        await store(context).audit.refused(user.id, now(context), detail=_what(update))
        await refuse(
            update,
            "Sorry, this bot is only for members of the team. "
            f"Your Telegram user id is {user.id}: an admin can add you with "
            f"/grant {user.id} viewer.",
        )
        return False
    if role < needed:
        await refuse(update, f"This needs the {needed.key} role; you are {role.key}.")
        return False
    return True


def for_command(name: str) -> Callable[[Handler], Handler]:
    """Wrap a command handler with the role check its entry in bot.grammar.commands asks for."""
    needed = spec(name).role

    def decorate(handler: Handler) -> Handler:
        @functools.wraps(handler)
        async def guarded(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
            if await check_role(update, context, needed):
                await handler(update, context)

        return guarded

    return decorate


def _what(update: Update) -> str:
    if update.callback_query:
        return one_line(f"button {update.callback_query.data or ''}")[:200]
    message = update.effective_message
    text: Any = (message.text or message.caption or "") if message else ""
    return one_line(str(text))[:200]

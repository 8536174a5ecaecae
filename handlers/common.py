"""Replying: one helper that splits long text and sends HTML, and one for inline keyboards."""

from __future__ import annotations

from typing import Any

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Message, Update

from bot.domain.errors import UsageError
from bot.domain.text import clean
from bot.views.common import Keyboard, split_message, usage_error


async def reply(
    update: Update, text: str, *, reply_markup: InlineKeyboardMarkup | None = None
) -> Message | None:
    """Send `text` (HTML) to the chat of `update`, in parts if needed; markup on the last part."""
    chat = update.effective_chat
    if chat is None:
        return None
    parts = split_message(text)
    sent: Message | None = None
    for index, part in enumerate(parts):
        markup = reply_markup if index == len(parts) - 1 else None
        sent = await chat.send_message(part, reply_markup=markup)
    return sent


async def reply_usage(update: Update, err: UsageError) -> None:
    await reply(update, usage_error(err))


def args_of(context: Any) -> list[str]:
    """The words after the command (PTB splits on whitespace), cleaned of control, bidi and
    zero-width characters (bot.domain.text). A word made of nothing else is shown as "�",
    so it is still a word the grammar refuses, not silence."""
    return [clean(word) or "\ufffd" for word in context.args or []]


def text_after_command(update: Update) -> str:
    """The text after `/command`, keeping the user's spacing and new lines (for notes),
    cleaned of control, bidi and zero-width characters (bot.domain.text)."""
    message = update.effective_message
    text = clean((message.text or message.caption or "") if message else "", keep_lines=True)
    _, _, rest = text.partition(" ")
    if "\n" in text.split(" ", 1)[0]:
        _, _, rest = text.partition("\n")
    return rest.strip()


def keyboard_markup(keyboard: Keyboard) -> InlineKeyboardMarkup | None:
    """The views' rows of (label, callback data) as Telegram's inline keyboard; None if empty."""
    if not keyboard:
        return None
    return InlineKeyboardMarkup(
        [
            [InlineKeyboardButton(label, callback_data=data) for label, data in row]
            for row in keyboard
        ]
    )

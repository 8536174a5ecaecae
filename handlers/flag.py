"""/flag: report an account, keeping the replied-to message (if any) as evidence."""

from __future__ import annotations

from telegram import (
    Message,
    MessageOrigin,
    MessageOriginChannel,
    MessageOriginChat,
    MessageOriginHiddenUser,
    MessageOriginUser,
    Update,
)
from telegram.ext import ContextTypes

from bot.domain.errors import UsageError
from bot.domain.records import Evidence
from bot.domain.text import one_line
from bot.grammar.commands import spec
from bot.grammar.flag import parse_flag
from bot.runtime.deps import now, settings, store
from bot.views.comebacks import flag_note
from bot.views.flag import flag_result
from handlers.auth import for_command, shows_people
from handlers.common import reply, reply_usage, text_after_command


@for_command("flag")
async def flag(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    try:
        cmd = parse_flag(text_after_command(update), groups=settings(context).banned_groups)
    except UsageError as err:
        await reply_usage(update, err.with_usage(spec("flag").usage))
        return
    assert update.effective_user is not None and update.effective_message is not None
    target = update.effective_message.reply_to_message
    result = await store(context).cases.report(
        cmd,
        reporter=update.effective_user.id,
        at=now(context),
        evidence=evidence_of(target) if target is not None else None,
    )
    # A re-created account of an actioned case is news the reporter should get at once.
    comebacks = await store(context).comebacks.link_new_case(result.case_id, now(context))
    tz = settings(context).timezone
    show_people = await shows_people(update, context)
    await reply(
        update, flag_result(result, cmd, tz, show_people=show_people) + flag_note(comebacks, tz)
    )


def evidence_of(message: Message) -> Evidence:
    """What is worth keeping of the message a /flag replied to."""
    file_id: str | None = None
    file_kind: str | None = None
    if message.photo:
        file_id, file_kind = message.photo[-1].file_id, "photo"  # the largest size
    else:
        for kind in ("video", "animation", "document", "voice", "audio", "video_note", "sticker"):
            attachment = getattr(message, kind, None)
            if attachment is not None:
                file_id, file_kind = attachment.file_id, kind
                break
    return Evidence(
        chat_id=message.chat_id,
        message_id=message.message_id,
        text=message.text or message.caption or "",  # verbatim: evidence (cleaned when shown)
        forward_origin=one_line(_origin(message.forward_origin)),
        file_id=file_id,
        file_kind=file_kind,
    )


def _origin(origin: MessageOrigin | None) -> str:
    if isinstance(origin, MessageOriginChannel):
        name = f"@{origin.chat.username}" if origin.chat.username else origin.chat.title or ""
        return f"channel {name} ({origin.chat.id}), post {origin.message_id}"
    if isinstance(origin, MessageOriginChat):
        chat = origin.sender_chat
        name = f"@{chat.username}" if chat.username else chat.title or ""
        return f"chat {name} ({chat.id})"
    if isinstance(origin, MessageOriginUser):
        user = origin.sender_user
        name = f"@{user.username}" if user.username else user.full_name
        return f"user {name} ({user.id})"
    if isinstance(origin, MessageOriginHiddenUser):
        return f"user {origin.sender_user_name} (hidden)"
    return ""

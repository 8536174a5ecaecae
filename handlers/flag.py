"""/flag: report an account, keeping the replied-to message (if any) as evidence."""

from __future__ import annotations

from dataclasses import replace

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
from bot.domain.evidence import channel_post_link
from bot.domain.records import Evidence
from bot.domain.text import one_line
from bot.grammar.commands import spec
from bot.grammar.flag import parse_flags
from bot.runtime.deps import limits, now, settings, store
from bot.runtime.evidence import capture
from bot.views.comebacks import flag_note
from bot.views.flag import flag_reply, flag_result
from handlers.auth import for_command, shows_people
from handlers.common import reply, reply_usage, text_after_command


@for_command("flag")
async def flag(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    try:
        request = parse_flags(text_after_command(update), groups=settings(context).banned_groups)
    except UsageError as err:
        await reply_usage(update, err.with_usage(spec("flag").usage))
        return
    assert update.effective_user is not None and update.effective_message is not None
    target = update.effective_message.reply_to_message
    # The file first (bounded): the /flag is then one transaction, whatever became of it.
    evidence = await _kept(evidence_of(target), context) if target is not None else None
    results = await store(context).cases.report_all(
        request.commands, reporter=update.effective_user.id, at=now(context), evidence=evidence
    )
    tz = settings(context).timezone
    show_people = await shows_people(update, context)
    parts = []
    for result, cmd in zip(results, request.commands, strict=True):
        # A re-created account of an actioned case is news the reporter should get at once
        # (linked in the report's own transaction).
        parts.append(
            flag_result(result, cmd, tz, show_people=show_people) + flag_note(result.comebacks, tz)
        )
    await reply(update, flag_reply(parts, request.warnings, evidence))


async def _kept(evidence: Evidence, context: ContextTypes.DEFAULT_TYPE) -> Evidence:
    """`evidence` with its file downloaded into EVIDENCE_DIR (or why not)."""
    if evidence.file_id is None:
        return evidence
    captured = await capture(
        context.application,
        context.bot,
        evidence.file_id,
        declared_size=evidence.file_size,
        mime_type=evidence.mime_type,
        folder=settings(context).evidence_dir,
        seconds=limits(context).download_seconds,
    )
    return replace(evidence, captured=captured)


def evidence_of(message: Message) -> Evidence:
    """What is worth keeping of the message a /flag replied to."""
    file_id: str | None = None
    file_kind: str | None = None
    file_size: int | None = None
    mime_type = ""
    if message.photo:
        largest = message.photo[-1]
        file_id, file_kind, file_size, mime_type = (
            largest.file_id,
            "photo",
            largest.file_size,
            "image/jpeg",
        )
    else:
        for kind in ("video", "animation", "document", "voice", "audio", "video_note", "sticker"):
            attachment = getattr(message, kind, None)
            if attachment is not None:
                file_id, file_kind = attachment.file_id, kind
                file_size = attachment.file_size
                mime_type = getattr(attachment, "mime_type", None) or ""
                break
    origin = message.forward_origin
    post_link = None
    if isinstance(origin, MessageOriginChannel):
        post_link = channel_post_link(origin.chat.username, origin.message_id)
    return Evidence(
        chat_id=message.chat_id,
        message_id=message.message_id,
        text=message.text or message.caption or "",  # verbatim: evidence (cleaned when shown)
        forward_origin=one_line(_origin(origin)),
        file_id=file_id,
        file_kind=file_kind,
        post_link=post_link or "",
        file_size=file_size,
        mime_type=one_line(mime_type)[:100],
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

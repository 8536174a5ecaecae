"""/flag (report an account, optionally keeping the replied-to message as evidence) and
/dismiss (close a case as not actionable)."""

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

from bot.domain import comebacks as comeback
from bot.domain.errors import UsageError
from bot.grammar.commands import parse_case_id, spec
from bot.grammar.flag import Evidence, FlagCommand
from bot.runtime.deps import now, settings, store
from bot.views import status as cards
from handlers.auth import for_command
from handlers.common import reply, reply_usage, text_after_command

MAX_REASON = 1000


@for_command("flag")
async def flag(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    try:
        cmd = FlagCommand.parse(text_after_command(update), groups=settings(context).groups)
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
    note = comeback.flag_note(comebacks, settings(context).timezone)
    await reply(update, cards.flag_result(result, cmd) + note)


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
        text=message.text or message.caption or "",
        forward_origin=_origin(message.forward_origin),
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


def _parse_dismiss(text: str) -> tuple[int, str]:
    usage = spec("dismiss").usage
    case_text, _, reason = text.strip().partition(" ")
    if not case_text:
        raise UsageError("Give the case number and the reason.", usage)
    case_id = parse_case_id(case_text.split("\n")[0], usage)
    reason = reason.strip()
    if not reason:
        raise UsageError("Give the reason for dismissing, e.g. 'not linked to any group'.", usage)
    if len(reason) > MAX_REASON:
        raise UsageError(
            f"The reason is {len(reason):,} characters; at most {MAX_REASON:,}.", usage
        )
    return case_id, reason


@for_command("dismiss")
async def dismiss(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    try:
        case_id, reason = _parse_dismiss(text_after_command(update))
    except UsageError as err:
        await reply_usage(update, err)
        return
    assert update.effective_user is not None
    result = await store(context).cases.dismiss(
        case_id, reason, by=update.effective_user.id, at=now(context)
    )
    await reply(update, cards.dismiss_result(result, reason))

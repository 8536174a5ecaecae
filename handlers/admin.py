"""/grant, /revoke, /audit: admins manage members and read the audit log."""

from __future__ import annotations

from telegram import Update
from telegram.ext import ContextTypes

from bot.domain import Role
from bot.domain.errors import UsageError
from bot.grammar.commands import parse_case_id, spec
from bot.runtime.deps import now, settings, store
from bot.views.common import esc, local_time
from handlers.auth import for_command
from handlers.common import args_of, reply, reply_usage


def _parse_user_id(text: str, usage: str) -> int:
    if not (text.isascii() and text.isdigit()) or len(text) > 15:
        raise UsageError(f"'{text[:40]}' is not a Telegram user id (digits only)", usage)
    return int(text)


def _parse_grant(args: list[str]) -> tuple[int, Role]:
    usage = spec("grant").usage
    if len(args) != 2:
        raise UsageError("Give a user id and a role.", usage)
    user_id = _parse_user_id(args[0], usage)
    try:
        role = Role.from_key(args[1])
    except KeyError:
        raise UsageError(f"Unknown role '{args[1][:40]}'.", usage) from None
    return user_id, role


@for_command("grant")
async def grant(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    try:
        user_id, role = _parse_grant(args_of(context))
    except UsageError as err:
        await reply_usage(update, err)
        return
    if user_id in settings(context).admin_ids:
        await reply(update, f"{user_id} is an admin through ADMIN_IDS; change the setting instead.")
        return
    assert update.effective_user is not None
    before = await store(context).members.grant(
        user_id, role, by=update.effective_user.id, at=now(context)
    )
    was = f" (was {before.key})" if before else ""
    await reply(update, f"User {user_id} is now <b>{role.key}</b>{was}.")


@for_command("revoke")
async def revoke(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    args = args_of(context)
    usage = spec("revoke").usage
    try:
        if len(args) != 1:
            raise UsageError("Give exactly one user id.", usage)
        user_id = _parse_user_id(args[0], usage)
    except UsageError as err:
        await reply_usage(update, err)
        return
    if user_id in settings(context).admin_ids:
        await reply(update, f"{user_id} is an admin through ADMIN_IDS; change the setting instead.")
        return
    assert update.effective_user is not None
    before = await store(context).members.revoke(
        user_id, by=update.effective_user.id, at=now(context)
    )
    if before is None:
        await reply(update, f"User {user_id} was not a member.")
    else:
        await reply(update, f"User {user_id} ({before.key}) is no longer a member.")


@for_command("audit")
async def audit(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    args = args_of(context)
    usage = spec("audit").usage
    try:
        if len(args) > 1:
            raise UsageError("Give at most one case number.", usage)
        case_id = parse_case_id(args[0], usage) if args else None
    except UsageError as err:
        await reply_usage(update, err)
        return
    entries = await store(context).audit.recent(case_id=case_id, limit=30)
    if not entries:
        await reply(update, "No audit entries yet.")
        return
    tz = settings(context).timezone
    lines = []
    for entry in entries:
        change = ""
        if entry.before is not None or entry.after is not None:
            change = f" {esc(entry.before or '-')} → {esc(entry.after or '-')}"
        case = f" #{entry.case_id}" if entry.case_id else ""
        detail = f" ({esc(entry.detail[:80])})" if entry.detail else ""
        lines.append(
            f"{local_time(entry.at, tz)} user {entry.user_id} {esc(entry.action)}{case}"
            f"{change}{detail}"
        )
    title = f"Audit of #{case_id}" if case_id else "Recent audit entries"
    await reply(update, f"<b>{title}</b>\n" + "\n".join(lines))

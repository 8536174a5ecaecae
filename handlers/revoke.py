"""/revoke: an admin removes a member."""

from __future__ import annotations

from telegram import Update
from telegram.ext import ContextTypes

from bot.domain.errors import UsageError
from bot.grammar.commands import parse_user_id, spec
from bot.runtime.deps import now, settings, store
from handlers.auth import for_command
from handlers.common import args_of, reply, reply_usage


@for_command("revoke")
async def revoke(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    args = args_of(context)
    usage = spec("revoke").usage
    try:
        if len(args) != 1:
            raise UsageError("Give exactly one user id.", usage)
        user_id = parse_user_id(args[0], usage)
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

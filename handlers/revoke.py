"""/revoke: an admin removes a member."""

from __future__ import annotations

from telegram import Update
from telegram.ext import ContextTypes

from bot.domain.errors import UsageError
from bot.grammar.revoke import parse_revoke
from bot.runtime import menus
from bot.runtime.deps import now, settings, store
from bot.views.grant import admin_by_setting
from bot.views.revoke import revoked
from handlers.auth import for_command
from handlers.common import args_of, reply, reply_usage


@for_command("revoke")
async def revoke(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    try:
        user_id = parse_revoke(args_of(context))
    except UsageError as err:
        await reply_usage(update, err)
        return
    if user_id in settings(context).admin_ids:
        await reply(update, admin_by_setting(user_id))
        return
    assert update.effective_user is not None
    before = await store(context).members.revoke(
        user_id, by=update.effective_user.id, at=now(context)
    )
    if before is not None:
        await menus.set_menu(context.bot, settings(context), user_id, None)
    await reply(update, revoked(user_id, before))

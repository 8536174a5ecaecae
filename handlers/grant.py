"""/grant: an admin gives a user a role."""

from __future__ import annotations

from telegram import Update
from telegram.ext import ContextTypes

from bot.domain.errors import UsageError
from bot.domain.privacy import is_shared_id
from bot.grammar.grant import parse_grant
from bot.runtime import menus
from bot.runtime.deps import now, settings, store
from bot.views.grant import admin_by_setting, granted, shared_id_refused
from handlers.auth import for_command
from handlers.common import args_of, reply, reply_usage


@for_command("grant")
async def grant(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    try:
        user_id, role = parse_grant(args_of(context))
    except UsageError as err:
        await reply_usage(update, err)
        return
    if user_id in settings(context).admin_ids:
        await reply(update, admin_by_setting(user_id))
        return
    if is_shared_id(user_id):
        await reply(update, shared_id_refused(user_id))
        return
    assert update.effective_user is not None
    before = await store(context).members.grant(
        user_id, role, by=update.effective_user.id, at=now(context)
    )
    await menus.set_menu(context.bot, settings(context), user_id, role)
    await reply(update, granted(user_id, role, before))

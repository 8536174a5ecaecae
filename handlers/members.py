"""/members: every member with their role and name."""

from __future__ import annotations

from telegram import Update
from telegram.ext import ContextTypes

from bot.domain.errors import UsageError
from bot.grammar.members import parse_members
from bot.runtime.deps import settings, store
from bot.views.members import MEMBERS_IN_PRIVATE, members_list
from handlers.auth import for_command, shows_people
from handlers.common import args_of, reply, reply_usage


@for_command("members")
async def members(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    try:
        parse_members(args_of(context))
    except UsageError as err:
        await reply_usage(update, err)
        return
    if not await shows_people(update, context):  # an admin, but in a group chat
        await reply(update, MEMBERS_IN_PRIVATE)
        return
    await reply(
        update, members_list(await store(context).members.all(), settings(context).timezone)
    )

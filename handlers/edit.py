"""/edit <#id> [group=G] [category=C] [followers=N]: correct a case's details."""

from __future__ import annotations

from telegram import Update
from telegram.ext import ContextTypes

from bot.domain.errors import UsageError
from bot.domain.records import Refusal
from bot.grammar.edit import EditCommand
from bot.runtime.deps import now, settings, store
from bot.views.common import esc
from bot.views.edit import edited
from handlers.auth import for_command
from handlers.common import args_of, reply, reply_usage


@for_command("edit")
async def edit(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    try:
        cmd = EditCommand.parse(args_of(context), settings(context).banned_groups)
    except UsageError as err:
        await reply_usage(update, err)
        return
    assert update.effective_user is not None
    result = await store(context).cases.edit(
        cmd.case_id,
        group=cmd.group,
        category=None if cmd.category is None else cmd.category.value,
        followers=cmd.followers,
        by=update.effective_user.id,
        at=now(context),
    )
    await reply(update, esc(result.reason) if isinstance(result, Refusal) else edited(result))

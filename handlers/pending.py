"""/pending: open request rounds, oldest first."""

from __future__ import annotations

from telegram import Update
from telegram.ext import ContextTypes

from bot.domain.errors import UsageError
from bot.grammar.pending import PendingCommand
from bot.runtime.deps import now, settings, store
from bot.views.pending import pending_text
from handlers.auth import for_command
from handlers.common import args_of, reply, reply_usage

PENDING_PAGE = 30


@for_command("pending")
async def pending(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    try:
        cmd = PendingCommand.parse(args_of(context))
    except UsageError as err:
        await reply_usage(update, err)
        return
    config = settings(context)
    listing = await store(context).requests.pending(
        now=now(context),
        sla=config.sla,
        platform=cmd.platform,
        overdue_only=cmd.overdue_only,
        limit=PENDING_PAGE,
        offset=(cmd.page - 1) * PENDING_PAGE,
    )
    await reply(update, pending_text(listing, cmd, sla=config.sla))

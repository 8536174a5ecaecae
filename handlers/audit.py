"""/audit [#id] [user=ID] [action=WORD] [page=N]: audit entries, newest first, a page at a
time."""

from __future__ import annotations

from telegram import Update
from telegram.ext import ContextTypes

from bot.domain.errors import UsageError
from bot.grammar.audit import parse_audit
from bot.runtime.deps import settings, store
from bot.views.audit import AUDIT_IN_PRIVATE, audit_list
from handlers.auth import for_command, shows_people
from handlers.common import args_of, reply, reply_usage

AUDIT_LIMIT = 30


@for_command("audit")
async def audit(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    try:
        query = parse_audit(args_of(context))
    except UsageError as err:
        await reply_usage(update, err)
        return
    if not await shows_people(update, context):  # an admin, but in a group chat
        await reply(update, AUDIT_IN_PRIVATE)
        return
    page = await store(context).audit.page(
        query.wanted, offset=(query.page - 1) * AUDIT_LIMIT, limit=AUDIT_LIMIT
    )
    await reply(update, audit_list(page, query, settings(context).timezone))

"""/audit [#id]: recent audit entries."""

from __future__ import annotations

from telegram import Update
from telegram.ext import ContextTypes

from bot.domain.errors import UsageError
from bot.grammar.commands import parse_case_id, spec
from bot.runtime.deps import settings, store
from bot.views.audit import AUDIT_IN_PRIVATE, audit_list
from handlers.auth import for_command, shows_people
from handlers.common import args_of, reply, reply_usage


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
    if not await shows_people(update, context):  # an admin, but in a group chat
        await reply(update, AUDIT_IN_PRIVATE)
        return
    entries = await store(context).audit.recent(case_id=case_id, limit=30)
    await reply(update, audit_list(entries, case_id, settings(context).timezone))

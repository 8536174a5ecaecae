"""/audit [#id]: recent audit entries."""

from __future__ import annotations

from telegram import Update
from telegram.ext import ContextTypes

from bot.domain.errors import UsageError
from bot.grammar.commands import parse_case_id, spec
from bot.runtime.deps import settings, store
from bot.views.common import esc, local_time
from handlers.auth import for_command
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

"""/comebacks [platform]: open cases that look like re-created accounts of actioned ones."""

from __future__ import annotations

from telegram import Update
from telegram.ext import ContextTypes

from bot.domain.errors import UsageError
from bot.grammar.commands import parse_platform, spec
from bot.runtime.deps import now, settings, store
from bot.views.comebacks import list_line
from handlers.auth import for_command
from handlers.common import args_of, reply, reply_usage


@for_command("comebacks")
async def comebacks(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    args = args_of(context)
    usage = spec("comebacks").usage
    try:
        if len(args) > 1:
            raise UsageError("Give at most one platform.", usage)
        platform = parse_platform(args[0], usage) if args else None
    except UsageError as err:
        await reply_usage(update, err)
        return
    found = await store(context).comebacks.scan(now(context), platform)
    where = f" on {platform.label}" if platform else ""
    if not found.comebacks:
        await reply(update, f"No open case{where} looks like an actioned account.")
        return
    tz = settings(context).timezone
    title = f"<b>Comebacks{where}: {found.total}</b> (open case ← actioned account it looks like)"
    lines = [title, *(list_line(item, tz) for item in found.comebacks)]
    if found.total > len(found.comebacks):
        lines.append(f"Showing the newest {len(found.comebacks)}.")
    await reply(update, "\n".join(lines))

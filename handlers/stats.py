"""/stats: the compliance table for a window, per platform or per group."""

from __future__ import annotations

from telegram import Update
from telegram.ext import ContextTypes

from bot.domain import compliance
from bot.domain.errors import UsageError
from bot.grammar.commands import spec
from bot.grammar.stats import StatsQuery
from bot.runtime.deps import now, settings, store
from bot.views.stats import stats_text
from handlers.auth import for_command
from handlers.common import args_of, reply, reply_usage


@for_command("stats")
async def stats(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    config, present = settings(context), now(context)
    try:
        query = StatsQuery.parse(args_of(context), config.timezone)
        if query.asof is not None and query.asof > present:
            raise spec("stats").error("asof= is in the future: figures rest on facts recorded.")
    except UsageError as err:
        await reply_usage(update, err)
        return
    at = query.asof or present
    win = compliance.window(query.window, at)
    table = await store(context).stats.table(
        query.by,
        win,
        at,
        config.sla,
        platform=query.platform,
        groups=config.banned_groups,
        as_of=query.asof is not None,
    )
    await reply(update, stats_text(query, win, table, config.timezone, config.sla_hours))

"""/report: the periodic report of a calendar period, as a PDF and a CSV with a summary."""

from __future__ import annotations

from telegram import Update
from telegram.ext import ContextTypes

from bot.domain.errors import UsageError
from bot.grammar.report import ReportQuery
from bot.runtime.deps import now, settings, store
from bot.runtime.jobs import make_report, send_report
from handlers.auth import for_command
from handlers.common import args_of, reply_usage


@for_command("report")
async def report(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    chat = update.effective_chat
    if chat is None:
        return
    config = settings(context)
    try:
        query = ReportQuery.parse(args_of(context), config.timezone, now(context))
    except UsageError as err:
        await reply_usage(update, err)
        return
    made = await make_report(store(context), config, query.period, query.asof or now(context),
                             as_of=query.asof is not None)  # fmt: skip
    await send_report(context.bot, chat.id, made)

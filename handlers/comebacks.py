"""/comebacks [platform]: open cases that look like re-created accounts of actioned ones."""

from __future__ import annotations

from telegram import Update
from telegram.ext import ContextTypes

from bot.domain.errors import UsageError
from bot.grammar.comebacks import parse_comebacks
from bot.runtime.deps import now, settings, store
from bot.views.comebacks import comebacks_text
from handlers.auth import for_command
from handlers.common import args_of, reply, reply_usage


@for_command("comebacks")
async def comebacks(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    try:
        platform = parse_comebacks(args_of(context))
    except UsageError as err:
        await reply_usage(update, err)
        return
    found = await store(context).comebacks.scan(now(context), platform)
    await reply(update, comebacks_text(found, platform, settings(context).timezone))

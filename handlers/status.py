"""/status <#id or account>: the case card."""

from __future__ import annotations

from telegram import Update
from telegram.ext import ContextTypes

from bot.domain.accounts import AccountRef
from bot.domain.errors import UsageError
from bot.grammar.commands import spec
from bot.grammar.status import parse_case_or_account
from bot.runtime.deps import settings, store
from bot.views.comebacks import card_lines
from bot.views.status import case_card, no_case, not_flagged
from handlers.auth import for_command, shows_people
from handlers.common import args_of, reply, reply_usage


@for_command("status")
async def status(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    args = args_of(context)
    usage = spec("status").usage
    try:
        if len(args) != 1:
            raise UsageError("Give one case number or account.", usage)
        wanted = parse_case_or_account(args[0], usage)
    except UsageError as err:
        await reply_usage(update, err)
        return
    card = await store(context).cases.card(wanted)  # one round trip (issue 15)
    if card is None:
        missing = not_flagged(wanted) if isinstance(wanted, AccountRef) else no_case(wanted)
        await reply(update, missing)
        return
    tz = settings(context).timezone
    text = case_card(card, tz, show_people=await shows_people(update, context))
    await reply(update, text + card_lines(card.comebacks, card.id, tz))

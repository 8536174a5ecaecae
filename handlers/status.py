"""/status <#id or account>: the case card."""

from __future__ import annotations

from telegram import Update
from telegram.ext import ContextTypes

from bot.domain.accounts import AccountRef
from bot.domain.errors import UsageError
from bot.grammar.status import parse_status
from bot.runtime.deps import now, settings, store
from bot.views.comebacks import card_lines
from bot.views.status import case_card, no_case, not_flagged
from handlers.auth import for_command, shows_people
from handlers.common import args_of, reply, reply_usage


@for_command("status")
async def status(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    try:
        wanted = parse_status(args_of(context))
    except UsageError as err:
        await reply_usage(update, err)
        return
    card = await store(context).cases.card(wanted)  # one round trip (issue 15)
    if card is None:
        missing = not_flagged(wanted) if isinstance(wanted, AccountRef) else no_case(wanted)
        await reply(update, missing)
        return
    tz = settings(context).timezone
    text = case_card(
        card,
        tz,
        show_people=await shows_people(update, context),
        now=now(context),
        sla=settings(context).sla,
    )
    await reply(update, text + card_lines(card.comebacks, card.id, tz))

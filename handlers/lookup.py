"""/status (the case card) and /find (cases by handle or note)."""

from __future__ import annotations

from telegram import Update
from telegram.ext import ContextTypes

from bot.domain import comebacks as comeback
from bot.domain.accounts import AccountRef, parse_account
from bot.domain.errors import UsageError
from bot.grammar.commands import parse_case_id, spec
from bot.runtime.deps import settings, store
from bot.views import status as cards
from handlers.auth import for_command
from handlers.common import args_of, reply, reply_usage, text_after_command

FIND_LIMIT = 20
MAX_FIND_TEXT = 200


def parse_case_or_account(text: str, usage: str) -> int | AccountRef:
    """`#17` or `17` is a case number; anything else (a phone number starting with 0 or +
    too) is an account."""
    text = text.strip()
    if text.startswith("#") or (text.isdigit() and not text.startswith("0")):
        return parse_case_id(text, usage)
    try:
        return parse_account(text)
    except UsageError as err:
        raise err.with_usage(usage) from None


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
    cases = store(context).cases
    if isinstance(wanted, AccountRef):
        case_id = await cases.case_id_of(wanted)
        if case_id is None:
            await reply(update, cards.not_flagged(wanted))
            return
    else:
        case_id = wanted
    card = await cases.card(case_id)
    if card is None:
        await reply(update, f"There is no case #{case_id}.")
        return
    links = await store(context).comebacks.links_of(case_id)
    tz = settings(context).timezone
    await reply(update, cards.case_card(card, tz) + comeback.card_lines(links, case_id, tz))


@for_command("find")
async def find(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    text = " ".join(text_after_command(update).split())
    usage = spec("find").usage
    if not text:
        await reply_usage(update, UsageError("Give some text to look for.", usage))
        return
    if len(text) > MAX_FIND_TEXT:
        await reply_usage(update, UsageError(f"At most {MAX_FIND_TEXT} characters.", usage))
        return
    try:
        account: AccountRef | None = parse_account(text)
    except UsageError:
        account = None
    result = await store(context).cases.find(text.removeprefix("@"), account, limit=FIND_LIMIT)
    await reply(update, cards.find_list(text, result, settings(context).timezone))

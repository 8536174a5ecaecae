"""/request: record that removal requests were sent; the reply carries the outcome buttons."""

from __future__ import annotations

from telegram import Update
from telegram.ext import ContextTypes

from bot.domain.errors import UsageError
from bot.grammar.request import RequestCommand
from bot.runtime.deps import now, settings, store
from bot.views import request as views
from handlers.auth import for_command, shows_people
from handlers.common import args_of, keyboard_markup, reply, reply_usage


@for_command("request")
async def request(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    try:
        cmd = RequestCommand.parse(args_of(context))
    except UsageError as err:
        await reply_usage(update, err)
        return
    assert update.effective_user is not None
    batch = await store(context).requests.open_rounds(
        cmd.case_ids, by=update.effective_user.id, at=now(context), ref=cmd.ref
    )
    tz, show_people = settings(context).timezone, await shows_people(update, context)
    for chunk in views.chunks(batch.opened):
        text, keyboard = views.request_message(chunk, tz, show_people=show_people)
        await reply(update, text, reply_markup=keyboard_markup(keyboard))
    if batch.refused:
        await reply(update, views.refusals_text(batch.refused, opened=len(batch.opened)))

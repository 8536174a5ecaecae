"""/help [command]: the commands the caller may use, or one in detail."""

from __future__ import annotations

from telegram import Update
from telegram.ext import ContextTypes

from bot.domain.errors import UsageError
from bot.grammar.help import NoSuchCommand, parse_help
from bot.views.help import command_help, help_text, no_such_command
from handlers.auth import caller_role, for_command
from handlers.common import args_of, reply, reply_usage


@for_command("help")
async def help_command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    role = await caller_role(update, context)
    assert role is not None  # for_command let us in
    try:
        command = parse_help(args_of(context))
    except NoSuchCommand as err:
        await reply(update, no_such_command(err.name))
        return
    except UsageError as err:
        await reply_usage(update, err)
        return
    await reply(update, help_text(role) if command is None else command_help(command))

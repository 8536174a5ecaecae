"""/help [command]: the commands the caller may use, or one in detail."""

from __future__ import annotations

from telegram import Update
from telegram.ext import ContextTypes

from bot.grammar.commands import COMMANDS, spec
from bot.views.common import esc
from bot.views.help import command_list
from handlers.auth import caller_role, for_command
from handlers.common import args_of, reply


@for_command("help")
async def help_command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    role = await caller_role(update, context)
    assert role is not None
    args = args_of(context)
    if not args:
        await reply(update, f"Your role: <b>{role.key}</b>.\n\n{command_list(role)}")
        return
    name = args[0].lstrip("/").lower()
    if len(args) > 1 or name not in COMMANDS:
        await reply(
            update,
            f"No command /{esc(name[:40])}.\nUsage: <code>{esc(spec('help').usage)}</code>",
        )
        return
    command = COMMANDS[name]
    text = f"<code>{esc(command.usage)}</code>\n{esc(command.summary)} (needs {command.role.key})"
    if command.details:
        text += f"\n\n{esc(command.details)}"
    await reply(update, text)

"""/start and /help."""

from __future__ import annotations

from telegram import Update
from telegram.ext import ContextTypes

from bot.domain import Role
from bot.grammar.commands import COMMANDS, spec
from bot.views.common import esc
from handlers.auth import caller_role, for_command
from handlers.common import args_of, reply

INTRO = (
    "<b>Takedown Desk</b> tracks accounts of banned militant groups: report them with /flag, "
    "record removal requests and what each platform did, and see who complies with /stats."
)


def _command_list(role: Role) -> str:
    lines = [
        f"<code>{esc(command.usage)}</code> - {esc(command.summary)}"
        for command in COMMANDS.values()
        if command.role <= role
    ]
    return "\n".join(lines)


@for_command("start")
async def start(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    role = await caller_role(update, context)
    assert role is not None  # for_command let us in
    await reply(
        update,
        f"{INTRO}\n\nYour role: <b>{role.key}</b>.\n\n{_command_list(role)}\n\n"
        "Send /help &lt;command&gt; for details of one command.",
    )


@for_command("help")
async def help_command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    role = await caller_role(update, context)
    assert role is not None
    args = args_of(context)
    if not args:
        await reply(update, f"Your role: <b>{role.key}</b>.\n\n{_command_list(role)}")
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

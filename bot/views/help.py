"""The /start and /help texts: what the bot does and the commands a role may use. HTML."""

from __future__ import annotations

from bot.domain import Role
from bot.grammar.commands import COMMANDS
from bot.views.common import esc

INTRO = (
    "<b>Takedown Desk</b> tracks accounts of banned militant groups: report them with /flag, "
    "record removal requests and what each platform did, and see who complies with /stats."
)


def command_list(role: Role) -> str:
    lines = [
        f"<code>{esc(command.usage)}</code> - {esc(command.summary)}"
        for command in COMMANDS.values()
        if command.role <= role
    ]
    return "\n".join(lines)

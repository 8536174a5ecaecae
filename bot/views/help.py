"""The /start and /help texts: what the bot does and the commands a role may use. HTML."""

from __future__ import annotations

from bot.domain import Role
from bot.grammar.commands import COMMANDS, CommandSpec, spec
from bot.views.common import esc

INTRO = (
    "<b>Takedown Desk</b> tracks accounts of banned militant groups: report them with /flag, "
    "record removal requests and what each platform did, and see who complies with /stats."
)


IMPORT_EXAMPLES = "Rows of a file (under the header row account,group,category,followers,note):"


def command_list(role: Role) -> str:
    lines = [
        f"<code>{esc(command.usage)}</code> - {esc(command.summary)}"
        for command in COMMANDS.values()
        if command.role <= role
    ]
    return "\n".join(lines)


def start_text(role: Role) -> str:
    return (
        f"{INTRO}\n\nYour role: <b>{role.key}</b>.\n\n{command_list(role)}\n\n"
        "Send /help &lt;command&gt; for details of one command."
    )


def help_text(role: Role) -> str:
    return f"Your role: <b>{role.key}</b>.\n\n{command_list(role)}"


def command_help(command: CommandSpec) -> str:
    """The grammar, what the command does to the records, and its examples."""
    lines = [
        f"<code>{esc(command.usage)}</code>",
        f"{esc(command.summary)} (needs {command.role.key})",
        "",
        esc(command.details),
        "",
        IMPORT_EXAMPLES if command.name == "import" else "Examples:",
        *(f"<code>{esc(example)}</code>" for example in command.examples),
    ]
    return "\n".join(lines)


def no_such_command(name: str) -> str:
    return f"No command /{esc(name[:40])}.\nUsage: <code>{esc(spec('help').usage)}</code>"

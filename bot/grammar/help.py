"""`/help [command]`: words in, the command asked about (None: all of them) out. Pure."""

from __future__ import annotations

from bot.domain.errors import UsageError
from bot.grammar.commands import COMMANDS, CommandSpec, spec


class NoSuchCommand(Exception):
    """`/help` of a word that is no command; `name` is that word."""

    def __init__(self, name: str) -> None:
        super().__init__(name)
        self.name = name


def parse_help(args: list[str]) -> CommandSpec | None:
    """`/help flag` (or `/help /flag`): that command; `/help flag stats` is a UsageError
    (one command at a time), not "no command /flag"."""
    if not args:
        return None
    if len(args) > 1:
        shown = args[0].lstrip("/")[:40]
        raise UsageError(f"One command at a time, e.g. /help {shown}.", spec("help").usage)
    name = args[0].lstrip("/").lower()
    if name not in COMMANDS:
        raise NoSuchCommand(name)
    return COMMANDS[name]

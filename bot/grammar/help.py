"""`/help [command]`: words in, the command asked about (None: all of them) out. Pure."""

from __future__ import annotations

from bot.grammar.commands import COMMANDS, CommandSpec


class NoSuchCommand(Exception):
    """`/help` of a word that is no command (or of several words); `name` is the first."""

    def __init__(self, name: str) -> None:
        super().__init__(name)
        self.name = name


def parse_help(args: list[str]) -> CommandSpec | None:
    if not args:
        return None
    name = args[0].lstrip("/").lower()
    if len(args) > 1 or name not in COMMANDS:
        raise NoSuchCommand(name)
    return COMMANDS[name]

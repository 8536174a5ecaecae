"""`/digest`: takes no words; one is an error with the usage, as for every command. Pure."""

from __future__ import annotations

from bot.grammar.commands import spec


def parse_digest(args: list[str]) -> None:
    if args:
        raise spec("digest").error(f"Unknown word '{args[0][:40]}': /digest takes none.")

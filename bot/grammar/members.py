"""`/members`: takes no words. Pure."""

from __future__ import annotations

from bot.domain.errors import UsageError
from bot.grammar.commands import spec


def parse_members(args: list[str]) -> None:
    if args:
        raise UsageError("/members takes no words.", spec("members").usage)

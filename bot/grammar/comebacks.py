"""`/comebacks [platform]`: words in, the platform (or None: every platform) out. Pure."""

from __future__ import annotations

from bot.domain import Platform
from bot.domain.errors import UsageError
from bot.grammar.commands import parse_platform, spec


def parse_comebacks(args: list[str]) -> Platform | None:
    usage = spec("comebacks").usage
    if len(args) > 1:
        raise UsageError("Give at most one platform.", usage)
    return parse_platform(args[0], usage) if args else None

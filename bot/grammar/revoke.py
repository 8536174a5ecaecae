"""`/revoke <user_id>`: words in, the user id out. Pure."""

from __future__ import annotations

from bot.domain.errors import UsageError
from bot.grammar.commands import parse_user_id, spec


def parse_revoke(args: list[str]) -> int:
    usage = spec("revoke").usage
    if len(args) != 1:
        raise UsageError("Give exactly one user id.", usage)
    return parse_user_id(args[0], usage)

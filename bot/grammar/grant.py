"""`/grant <user_id> <role>`: words in, the user id and role out. Pure."""

from __future__ import annotations

from bot.domain import Role
from bot.domain.errors import UsageError
from bot.grammar.commands import parse_user_id, spec


def parse_grant(args: list[str]) -> tuple[int, Role]:
    usage = spec("grant").usage
    if len(args) != 2:
        raise UsageError("Give a user id and a role.", usage)
    user_id = parse_user_id(args[0], usage)
    try:
        role = Role.from_key(args[1])
    except KeyError:
        raise UsageError(f"Unknown role '{args[1][:40]}'.", usage) from None
    return user_id, role

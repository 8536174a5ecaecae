"""`/evidence <#id>`: one case number. Pure."""

from __future__ import annotations

from bot.domain.errors import UsageError
from bot.grammar.commands import parse_case_id, spec


def parse_evidence(args: list[str]) -> int:
    usage = spec("evidence").usage
    if len(args) != 1:
        raise UsageError("Give one case number.", usage)
    return parse_case_id(args[0], usage)

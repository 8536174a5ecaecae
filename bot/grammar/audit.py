"""`/audit [#id]`: words in, the case number (or None: every case) out. Pure."""

from __future__ import annotations

from bot.domain.errors import UsageError
from bot.grammar.commands import parse_case_id, spec


def parse_audit(args: list[str]) -> int | None:
    usage = spec("audit").usage
    if len(args) > 1:
        raise UsageError("Give at most one case number.", usage)
    return parse_case_id(args[0], usage) if args else None

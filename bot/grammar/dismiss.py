"""`/dismiss <#id> <reason>`: text in, the case number and reason out. Pure."""

from __future__ import annotations

from bot.domain.errors import UsageError
from bot.grammar.commands import parse_case_id, spec

MAX_REASON = 1000


def parse_dismiss(text: str) -> tuple[int, str]:
    usage = spec("dismiss").usage
    case_text, _, reason = text.strip().partition(" ")
    if not case_text:
        raise UsageError("Give the case number and the reason.", usage)
    case_id = parse_case_id(case_text.split("\n")[0], usage)
    reason = reason.strip()
    if not reason:
        raise UsageError("Give the reason for dismissing, e.g. 'not linked to any group'.", usage)
    if len(reason) > MAX_REASON:
        raise UsageError(
            f"The reason is {len(reason):,} characters; at most {MAX_REASON:,}.", usage
        )
    return case_id, reason

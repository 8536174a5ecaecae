"""`/packet <platform> [pending|#id...]` and the data of its "mark as requested" button. Pure."""

from __future__ import annotations

import re

from bot.domain import Platform
from bot.domain.errors import UsageError
from bot.domain.packets import MAX_PACKET_CASES
from bot.grammar.commands import parse_case_id, parse_platform, spec


def parse_packet(args: list[str]) -> tuple[Platform, list[int] | None]:
    """`<platform> [pending|#id...]` -> the platform and the case ids (None: pending)."""
    usage = spec("packet").usage
    if not args:
        raise UsageError("Give a platform.", usage)
    platform = parse_platform(args[0], usage)
    rest = args[1:]
    if not rest or (len(rest) == 1 and rest[0].lower() == "pending"):
        return platform, None
    if len(rest) > MAX_PACKET_CASES:
        raise UsageError(f"At most {MAX_PACKET_CASES} cases in one packet.", usage)
    ids = [parse_case_id(word.rstrip(","), usage) for word in rest]
    return platform, ids


def parse_button_data(data: str | None) -> int | None:
    if data is None or not _CALLBACK.match(data):
        return None
    digits = data.split(":", 1)[1]
    if not digits.isascii() or len(digits) > MAX_ID_DIGITS:  # SQLite integers are 64-bit
        return None
    return int(digits)


CALLBACK_PREFIX = "pk"


CALLBACK_PATTERN = r"^pk:\d+$"


_CALLBACK = re.compile(CALLBACK_PATTERN)


MAX_ID_DIGITS = 12


def button_data(packet_id: int) -> str:
    return f"{CALLBACK_PREFIX}:{packet_id}"

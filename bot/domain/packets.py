"""Request packets: the rules of their references and size. Pure."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field

from bot.domain import Platform
from bot.domain.accounts import AccountRef

MAX_PACKET_CASES = 500


@dataclass(frozen=True)
class PacketRow:
    case_id: int
    account: AccountRef
    group: str
    category: str
    followers: int | None
    first_seen: dt.datetime
    report_count: int
    notes: Sequence[str] = field(default_factory=tuple)  # the reporters' notes, oldest first
    evidence_count: int = 0
    evidence_texts: Sequence[str] = field(default_factory=tuple)  # kept messages' text


def round_ref(platform: Platform, day: dt.date, number: int) -> str:
    """`TD-<platform>-<YYYYMMDD>-<n>`: the n-th packet for that platform that local day."""
    return f"TD-{platform.value}-{day:%Y%m%d}-{number}"


def ref_prefix(platform: Platform, day: dt.date) -> str:
    return f"TD-{platform.value}-{day:%Y%m%d}-"

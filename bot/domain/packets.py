"""Request packets: the rules of their references and size. Pure."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field

from bot.domain import Platform
from bot.domain.accounts import AccountRef

MAX_PACKET_CASES = 500  # asked for by number
# `/packet <platform> pending` lists this many cases; sending it again gives the next ones.
PACKET_PAGE = 50


# A case in a packet of the last PACKET_HOLD that is not marked as requested is not listed
# again by `/packet <platform> pending` (so sending it again gives the next page), and is
# named when asked for by number.
PACKET_HOLD = dt.timedelta(days=7)


@dataclass(frozen=True)
class EarlierRequest:
    """A request round of the case sent before, as a platform may want to hear of it."""

    round_no: int
    sent_at: dt.datetime
    ref: str
    outcome: str | None  # None: no answer recorded


@dataclass(frozen=True)
class Recreates:
    """The actioned account a comeback case re-creates, and how it was removed."""

    account: AccountRef
    outcome: str | None  # removed or restricted
    actioned_at: dt.datetime | None
    ref: str  # the reference of the request it was removed under ('' if none was given)


@dataclass(frozen=True)
class PacketFile:
    """An evidence file that goes with a packet, in its zip."""

    case_id: int
    name: str  # in EVIDENCE_DIR and in the zip: its SHA-256 and extension
    sha256: str
    size: int
    mime_type: str
    captured_at: dt.datetime


@dataclass(frozen=True)
class HeldCase:
    """A case already in a packet of the last 7 days not marked as requested."""

    case_id: int
    ref: str
    created_at: dt.datetime


@dataclass(frozen=True)
class PacketRow:
    """What a platform hears of one case: nothing a member wrote, nor who they are."""

    case_id: int
    account: AccountRef
    group: str
    category: str
    followers: int | None
    first_seen: dt.datetime
    report_count: int
    links: Sequence[str] = field(default_factory=tuple)  # content links, oldest first
    earlier: Sequence[EarlierRequest] = field(default_factory=tuple)
    recreates: Sequence[Recreates] = field(default_factory=tuple)
    files: Sequence[PacketFile] = field(default_factory=tuple)


@dataclass(frozen=True)
class Letterhead:
    """Who the letter is from: UNIT_NAME, LEGAL_BASIS and CONTACT (settings)."""

    unit_name: str
    legal_basis: str
    contact: str


def round_ref(platform: Platform, day: dt.date, number: int) -> str:
    """`TD-<platform>-<YYYYMMDD>-<n>`: the n-th packet for that platform that local day."""
    return f"TD-{platform.value}-{day:%Y%m%d}-{number}"


def ref_prefix(platform: Platform, day: dt.date) -> str:
    return f"TD-{platform.value}-{day:%Y%m%d}-"

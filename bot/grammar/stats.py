"""`/stats [7d|30d|90d|all] [platform|by group]`: words in, a StatsQuery out. Pure."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from bot.domain import Platform, compliance
from bot.domain.accounts import platform_of
from bot.domain.compliance import Breakdown
from bot.domain.errors import UsageError
from bot.grammar.commands import spec

UTC = ZoneInfo("UTC")


@dataclass(frozen=True)
class StatsQuery:
    """`/stats [7d|30d|90d|all] [platform|by group]`, words in any order."""

    window: str = compliance.DEFAULT_WINDOW
    platform: Platform | None = None
    by: Breakdown = "platform"
    asof: dt.datetime | None = None  # UTC; None: now

    @classmethod
    def parse(cls, args: Sequence[str], tz: ZoneInfo = UTC) -> StatsQuery:
        usage = spec("stats").usage
        window: str | None = None
        platform: Platform | None = None
        by: Breakdown | None = None
        asof: dt.datetime | None = None
        words = [word.lower() for word in args]
        index = 0
        while index < len(words):
            word = words[index]
            if word.startswith(ASOF_PREFIX):
                if asof is not None:
                    raise UsageError("Give asof= only once.", usage)
                asof = parse_asof(args[index][len(ASOF_PREFIX) :], tz, usage)
            elif word in compliance.WINDOW_DAYS:
                if window is not None:
                    raise UsageError("Give one window: 7d, 30d, 90d or all.", usage)
                window = word
            elif word == "by":
                target = words[index + 1] if index + 1 < len(words) else ""
                if target not in ("group", "platform"):
                    raise UsageError("Write 'by group' (or 'by platform').", usage)
                if by is not None:
                    raise UsageError("Give one breakdown: 'by group' or 'by platform'.", usage)
                by = "group" if target == "group" else "platform"
                index += 1
            elif (named := platform_of(word)) is not None:
                if platform is not None:
                    raise UsageError("Give at most one platform.", usage)
                platform = named
            else:
                known = ", ".join(p.value for p in Platform)
                raise UsageError(
                    f"Unknown word '{args[index][:40]}': give a window (7d, 30d, 90d, all), "
                    f"a platform ({known}), 'by group' or asof=YYYY-MM-DD[THH:MM].",
                    usage,
                )
            index += 1
        return cls(window or compliance.DEFAULT_WINDOW, platform, by or "platform", asof)


ASOF_PREFIX = "asof="
_ASOF_FORMATS = ("%Y-%m-%d", "%Y-%m-%dT%H:%M")


def parse_asof(text: str, tz: ZoneInfo, usage: str) -> dt.datetime:
    """`2026-12-01` (its start) or `2026-12-01T09:00`, local time in `tz` -> UTC."""
    for form in _ASOF_FORMATS:
        try:
            local = dt.datetime.strptime(text, form)
        except ValueError:
            continue
        return local.replace(tzinfo=tz).astimezone(dt.UTC)
    raise UsageError(
        f"asof={text[:40]} is not a time: write asof=2026-12-01 or asof=2026-12-01T09:00.", usage
    )

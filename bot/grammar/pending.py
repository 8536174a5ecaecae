"""`/pending [platform] [overdue]`: words in, a PendingCommand out. Pure."""

from __future__ import annotations

from dataclasses import dataclass

from bot.domain import Platform
from bot.domain.accounts import platform_of
from bot.grammar.commands import spec

OVERDUE_WORD = "overdue"


@dataclass(frozen=True)
class PendingCommand:
    platform: Platform | None
    overdue_only: bool

    @classmethod
    def parse(cls, args: list[str]) -> PendingCommand:
        command = spec("pending")
        platform: Platform | None = None
        overdue = False
        for word in args:
            if word.lower() == OVERDUE_WORD and not overdue:
                overdue = True
            elif platform_of(word) is not None and platform is None:
                platform = platform_of(word)
            else:
                raise command.error(
                    f"Unexpected '{word[:40]}': give a platform ({', '.join(Platform)}) "
                    "and/or 'overdue'."
                )
        return cls(platform=platform, overdue_only=overdue)

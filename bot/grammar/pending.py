"""`/pending [platform] [overdue]`: words in, a PendingCommand out. Pure."""

from __future__ import annotations

from dataclasses import dataclass

from bot.domain import Platform
from bot.domain.accounts import platform_of
from bot.grammar.commands import spec, take_page

OVERDUE_WORD = "overdue"


@dataclass(frozen=True)
class PendingCommand:
    platform: Platform | None
    overdue_only: bool
    page: int = 1

    def command(self, page: int) -> str:
        """The /pending command that shows `page` of the same list."""
        words = ["/pending", *([self.platform.value] if self.platform else [])]
        words += [OVERDUE_WORD] if self.overdue_only else []
        return " ".join([*words, f"page={page}"])

    @classmethod
    def parse(cls, args: list[str]) -> PendingCommand:
        command = spec("pending")
        platform: Platform | None = None
        overdue = False
        words, page = take_page(args, command.usage)
        for word in words:
            if word.lower() == OVERDUE_WORD and not overdue:
                overdue = True
            elif platform_of(word) is not None and platform is None:
                platform = platform_of(word)
            else:
                raise command.error(
                    f"Unexpected '{word[:40]}': give a platform ({', '.join(Platform)}) "
                    "and/or 'overdue'."
                )
        return cls(platform=platform, overdue_only=overdue, page=page)

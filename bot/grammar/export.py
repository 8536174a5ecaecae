"""`/export [all|pending|platform]`: words in, an ExportCommand out. Pure."""

from __future__ import annotations

from dataclasses import dataclass

from bot.domain import Platform
from bot.domain.accounts import platform_of
from bot.domain.records import ExportScope
from bot.grammar.commands import spec


@dataclass(frozen=True)
class ExportCommand:
    scope: ExportScope | Platform

    @property
    def label(self) -> str:
        return str(self.scope)

    @classmethod
    def parse(cls, args: list[str]) -> ExportCommand:
        command = spec("export")
        if not args:
            return cls(scope=ExportScope.ALL)
        if len(args) > 1:
            raise command.error("Give at most one of all, pending or a platform.")
        word = args[0].lower()
        if word in tuple(ExportScope):
            return cls(scope=ExportScope(word))
        platform = platform_of(word)
        if platform is None:
            raise command.error(
                f"Unknown export '{args[0][:40]}': use all, pending or a platform "
                f"({', '.join(Platform)})."
            )
        return cls(scope=platform)

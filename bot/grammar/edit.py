"""`/edit <#id> [group=G] [category=C] [followers=N]`: words in, an EditCommand out. Pure."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from bot.domain import Category
from bot.domain.errors import UsageError
from bot.grammar.commands import parse_case_id, spec
from bot.grammar.flag import CATEGORIES, parse_followers, parse_group

FIELDS = ("group", "category", "followers")


@dataclass(frozen=True)
class EditCommand:
    case_id: int
    group: str | None = None
    category: Category | None = None
    followers: int | None = None

    @classmethod
    def parse(cls, args: Sequence[str], groups: Sequence[str]) -> EditCommand:
        command = spec("edit")
        if not args:
            raise command.error("Give the case number and what to change.")
        case_id = parse_case_id(args[0], command.usage)
        given: dict[str, str] = {}
        for word in args[1:]:
            name, equals, value = word.partition("=")
            name = name.lower()
            if not equals or name not in FIELDS:
                raise command.error(f"'{word[:40]}' is not group=, category= or followers=.")
            if name in given:
                raise command.error(f"Give {name}= only once.")
            if not value:
                raise command.error(f"{name}= needs a value.")
            given[name] = value
        if not given:
            raise command.error("Give at least one of group=, category=, followers=.")
        try:
            group = parse_group(given["group"], groups) if "group" in given else None
            followers = parse_followers(given["followers"]) if "followers" in given else None
        except UsageError as err:
            raise err.with_usage(command.usage) from None
        category = None
        if "category" in given:
            if given["category"].lower() not in set(Category):
                raise command.error(
                    f"Unknown category '{given['category'][:30]}': use one of {CATEGORIES}."
                )
            category = Category(given["category"].lower())
        return cls(case_id, group, category, followers)

"""SQL text built from the domain's enums: states and outcomes are spelt in SQL only here.

Each fragment is computed once, at import, from enum members (never from user input), in the
enums' own order, so a statement's text is the same on every run: SQLite plans it the same
way, and a partial index written with a literal (`WHERE state = 'actioned'`) still matches.
"""

from __future__ import annotations

from collections.abc import Iterable
from enum import StrEnum
from typing import TypeVar

E = TypeVar("E", bound=StrEnum)


def ordered(values: Iterable[E]) -> tuple[E, ...]:
    """The values in their enum's order (a frozenset's own order changes from run to run)."""
    found = set(values)
    if not found:
        raise ValueError("an empty set of values has no SQL")
    enum = type(next(iter(found)))
    return tuple(member for member in enum if member in found)


def literal(value: StrEnum) -> str:
    """`'actioned'`: one enum value as an SQL string literal."""
    text = value.value
    if "'" in text:
        raise ValueError(f"{text!r}: an enum value with a quote")
    return f"'{text}'"


def in_list(values: Iterable[StrEnum]) -> str:
    """`('removed', 'restricted')`: the values as a literal list, for `x IN ...`."""
    return "(" + ", ".join(literal(value) for value in ordered(values)) + ")"


def placeholders(values: Iterable[StrEnum]) -> str:
    """`(?, ?, ?)`: one parameter per value, for `x IN ...` with `ordered(values)` bound."""
    return "(" + ", ".join("?" for _ in ordered(values)) + ")"

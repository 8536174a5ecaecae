"""Members as the bot shows them: `Ayesha K. (2001)`, from the Telegram name their updates
bring (PRODUCT.md, "People are shown by name and id"). Pure."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from bot.domain.text import one_line

MAX_NAME = 64  # Telegram's own limit for a first or last name


@dataclass(frozen=True)
class Name:
    """A member's Telegram name, cleaned as every member's text is (bot.domain.text)."""

    first: str
    last: str = ""
    username: str = ""

    @classmethod
    def of(cls, first: str | None, last: str | None, username: str | None) -> Name:
        return cls(
            one_line(first or "")[:MAX_NAME],
            one_line(last or "")[:MAX_NAME],
            one_line(username or "")[:MAX_NAME],
        )

    @property
    def short(self) -> str:
        """`Ayesha K.`: the first name and the last name's initial; the username if Telegram
        sent neither."""
        initial = f" {self.last[0]}." if self.last else ""
        shown = f"{self.first}{initial}".strip()
        return shown or (f"@{self.username}" if self.username else "")

    @property
    def full(self) -> str:
        """`Ayesha Khan @ayesha_k`, for /members."""
        at = f" @{self.username}" if self.username else ""
        return f"{self.first} {self.last}".strip() + at


People = Mapping[int, Name]  # user id -> the name last seen


def person(user_id: int, people: People) -> str:
    """`Ayesha K. (2001)`; `user 2001` while the bot has not seen their name."""
    name = people.get(user_id)
    if name is None or not name.short:
        return f"user {user_id}"
    return f"{name.short} ({user_id})"

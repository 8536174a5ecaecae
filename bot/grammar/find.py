"""`/find <text>`: the text after the command in, what to look for out. Pure."""

from __future__ import annotations

from dataclasses import dataclass

from bot.domain.accounts import AccountRef, parse_account
from bot.domain.errors import UsageError
from bot.grammar.commands import spec, take_page

MAX_FIND_TEXT = 200


@dataclass(frozen=True)
class FindQuery:
    text: str  # spaces collapsed, as the reply quotes it
    account: AccountRef | None  # the text read as an account reference, if it is one
    page: int = 1

    @property
    def needle(self) -> str:
        """What handles and notes must contain (a leading @ is not part of a handle)."""
        return self.text.removeprefix("@")


def parse_find(raw: str) -> FindQuery:
    usage = spec("find").usage
    words, page = take_page(raw.split(), usage)
    text = " ".join(words)
    if not text:
        raise UsageError("Give some text to look for.", usage)
    if len(text) > MAX_FIND_TEXT:
        raise UsageError(f"At most {MAX_FIND_TEXT} characters.", usage)
    try:
        account: AccountRef | None = parse_account(text)
    except UsageError:
        account = None
    return FindQuery(text, account, page)

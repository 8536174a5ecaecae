"""`/status <#id or account>`: one word in, a case number or an account out. Pure."""

from __future__ import annotations

from bot.domain.accounts import AccountRef, parse_account
from bot.domain.errors import UsageError
from bot.grammar.commands import parse_case_id


def parse_case_or_account(text: str, usage: str) -> int | AccountRef:
    """`#17` or `17` is a case number; anything else (a phone number starting with 0 or +
    too) is an account."""
    text = text.strip()
    if text.startswith("#") or (text.isdigit() and not text.startswith("0")):
        return parse_case_id(text, usage)
    try:
        return parse_account(text)
    except UsageError as err:
        raise err.with_usage(usage) from None

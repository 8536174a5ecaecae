"""`/status <#id or account>`: one word in, a case number or an account out. Pure."""

from __future__ import annotations

from bot.domain.accounts import AccountRef, join_spaced_phone, parse_account
from bot.domain.errors import UsageError
from bot.grammar.commands import parse_case_id, spec

# Case numbers stay below this many digits; longer numbers are phone numbers (923001234567).
CASE_DIGITS = 10


def parse_status(args: list[str]) -> int | AccountRef:
    """The words after /status: one case number or account (a phone number in groups,
    `+92 300 1234567`, is one account)."""
    usage = spec("status").usage
    words = join_spaced_phone(" ".join(args)).split()
    if len(words) != 1:
        raise UsageError("Give one case number or account.", usage)
    return parse_case_or_account(words[0], usage)


def parse_case_or_account(text: str, usage: str) -> int | AccountRef:
    """`#17` or `17` is a case number; anything else (a phone number starting with 0 or +
    too) is an account."""
    text = text.strip()
    if text.startswith("#") or (
        text.isdigit() and not text.startswith("0") and len(text) < CASE_DIGITS
    ):
        return parse_case_id(text, usage)
    try:
        return parse_account(text)
    except UsageError as err:
        raise err.with_usage(usage) from None

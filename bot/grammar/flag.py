"""`/flag <account> <group> [category] [followers=N] [note...]`, read into a FlagCommand.

The same rules read one row of an `/import` CSV (`RowReader`), so a bad value
gets the same reason in both. Pure: imports neither telegram nor aiosqlite.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from bot.domain import DEFAULT_CATEGORY, Category
from bot.domain.accounts import join_spaced_phone, parse_account
from bot.domain.errors import UsageError, echo
from bot.domain.records import FlagCommand, FlagRow
from bot.domain.text import clean

MAX_NOTE = 4000
MAX_FOLLOWERS = 10_000_000_000  # more than any account has

CATEGORIES = ", ".join(Category)
_FOLLOWERS = re.compile(r"(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?([km]?)", re.IGNORECASE)
_FOLLOWERS_WORD = re.compile(r"(?<!\S)followers=(\S*)", re.IGNORECASE)
_LEADING_WORD = re.compile(r"(\S+)(?:\s+|$)")
_MULTIPLIER = {"": 1, "k": 1_000, "m": 1_000_000}


def parse_flag(text: str, groups: Sequence[str]) -> FlagCommand:
    """The text after `/flag`. After the group: a category word and `followers=N` (in any
    order, before the note); `followers=N` is also found at the end of the note; the rest,
    with its line breaks, is the note."""
    parts = join_spaced_phone(text.strip()).split(maxsplit=2)
    if len(parts) < 2:
        raise UsageError("Give the account and the group." if parts else "Give an account.")
    source, group_text = parts[0], parts[1]
    account = parse_account(source)
    group = parse_group(group_text, groups)
    rest = parts[2] if len(parts) > 2 else ""

    followers_words = _FOLLOWERS_WORD.findall(rest)
    if len(followers_words) > 1:
        raise UsageError("Give followers= only once.")
    followers = parse_followers(followers_words[0]) if followers_words else None
    rest = _FOLLOWERS_WORD.sub("", rest, count=1).strip() if followers_words else rest

    category: Category | None = None
    leading = _LEADING_WORD.match(rest)
    if leading and leading.group(1).lower() in CATEGORY_WORDS:
        category = Category(leading.group(1).lower())
        rest = rest[leading.end() :]
    return FlagCommand(
        account=account,
        source=source,
        group=group,
        category=category or DEFAULT_CATEGORY,
        followers=followers,
        note=check_note(rest.strip()),
        category_given=category is not None,
    )


CATEGORY_WORDS = frozenset(Category)
CATEGORY_VALUES = {category.value: category.value for category in Category}  # one str each


class RowReader:
    """The rules of `parse_flag` for one import row, for many rows, checked in the same order with
    the same reasons; a group, category or followers text seen before is not read again, and
    repeated notes share one string."""

    MEMO = 1024  # distinct texts remembered per column

    def __init__(self, groups: Sequence[str]) -> None:
        self.groups = groups
        self._groups: dict[str, str] = {}
        self._followers: dict[str, int] = {}
        self._notes: dict[str, str] = {}

    def read(self, account: str, group: str, category: str, followers: str, note: str) -> FlagRow:
        source = account.strip()
        ref = parse_account(source)
        canonical_group = self._groups.get(group)
        if canonical_group is None:
            if not group.strip():
                raise UsageError("No group given.")
            canonical_group = parse_group(group, self.groups)
            if len(self._groups) < self.MEMO:
                self._groups[group] = canonical_group
        category_text = category.strip().lower()
        category_value = CATEGORY_VALUES.get(category_text or DEFAULT_CATEGORY.value)
        if category_value is None:
            shown = echo(category.strip(), 30)
            raise UsageError(f"Unknown category '{shown}': use one of {CATEGORIES}.")
        followers_text = followers.strip()
        count: int | None = None
        if followers_text:
            count = self._followers.get(followers_text)
            if count is None:
                count = parse_followers(followers_text)
                if len(self._followers) < self.MEMO:
                    self._followers[followers_text] = count
        note_text = check_note(note.strip())
        shared = self._notes.get(note_text)
        if shared is None and len(self._notes) < self.MEMO:
            self._notes[note_text] = shared = note_text
        return FlagRow(
            ref.platform.value,
            ref.handle,
            source,
            canonical_group,
            category_value,
            count,
            shared or note_text,
        )


def parse_group(text: str, groups: Sequence[str]) -> str:
    """The configured spelling of a group typed in any case."""
    wanted = text.strip().upper()
    for group in groups:
        if group.upper() == wanted:
            return group
    shown = echo(text.strip(), 30)
    raise UsageError(f"Unknown group '{shown}': use one of {', '.join(groups)}.")


def parse_followers(text: str) -> int:
    """`12500`, `12,500`, `12.5k`, `2m` -> a whole number of followers."""
    text = text.strip()
    match = _FOLLOWERS.fullmatch(text)
    if match is None:
        raise UsageError(f"followers={echo(text, 30)} is not a number: write 12500, 12.5k or 2m.")
    suffix = match.group(1).lower()
    number = text[: len(text) - len(suffix)].replace(",", "")
    if "." in number and not suffix:
        raise UsageError(f"followers={echo(text, 30)} is not a whole number: write 12500 or 12.5k.")
    whole, _, fraction = number.partition(".")
    # Checked on the digits: int() refuses texts of more than 4,300 digits (and would be slow).
    whole = whole.lstrip("0") or "0"
    if len(whole) > len(str(MAX_FOLLOWERS)):
        raise UsageError(f"followers={echo(text.strip(), 30)} is more than any account has.")
    fraction = fraction[:6]  # the digits a k or m multiplier can reach
    value = int(whole) * _MULTIPLIER[suffix]
    if fraction:
        value += int(fraction) * _MULTIPLIER[suffix] // 10 ** len(fraction)
    if value > MAX_FOLLOWERS:
        raise UsageError(f"followers={echo(text, 30)} is more than any account has.")
    return value


def check_note(note: str) -> str:
    """The note as kept: without control, bidi and zero-width characters (line breaks
    kept), at most MAX_NOTE characters."""
    note = clean(note, keep_lines=True).strip()
    if len(note) > MAX_NOTE:
        raise UsageError(
            f"The note is {len(note):,} characters; at most {MAX_NOTE:,} are kept. Shorten it."
        )
    return note

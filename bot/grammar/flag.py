"""`/flag <account>... <group> [category] [followers=N] [note...]`, read into FlagCommands.

The same rules read one row of an `/import` CSV (`RowReader`), so a bad value
gets the same reason in both. Pure: imports neither telegram nor aiosqlite.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from bot.domain import DEFAULT_CATEGORY, Category
from bot.domain.accounts import AccountRef, join_spaced_phone, parse_account
from bot.domain.errors import UsageError, echo
from bot.domain.evidence import content_link
from bot.domain.records import FlagCommand, FlagRequest, FlagRow
from bot.domain.text import clean

MAX_NOTE = 4000
MAX_FOLLOWERS = 10_000_000_000  # more than any account has

CATEGORIES = ", ".join(Category)
_FOLLOWERS = re.compile(r"(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?([km]?)", re.IGNORECASE)
_FOLLOWERS_WORD = re.compile(r"(?<!\S)followers=(\S*)", re.IGNORECASE)
_LEADING_WORD = re.compile(r"(\S+)(?:\s+|$)")
_MULTIPLIER = {"": 1, "k": 1_000, "m": 1_000_000}
# What a word needs to be read as a possible account in a note: a link or a short form
# (x.com/NAME, x:@NAME, +92300...); a plain word is never one.
_ACCOUNT_LIKE = re.compile(r"[./:]|^\+\d")
MAX_WARNINGS = 3


def parse_flag(text: str, groups: Sequence[str]) -> FlagCommand:
    """The text after `/flag` naming one account (see parse_flags)."""
    request = parse_flags(text, groups)
    if len(request.commands) > 1:
        raise UsageError("Give one account.")
    return request.commands[0]


def parse_flags(text: str, groups: Sequence[str]) -> FlagRequest:
    """The text after `/flag`: one or more accounts, then the group. After the group: a
    category word and `followers=N` (in any order, before the note); `followers=N` is also
    found at the end of the note; the rest, with its line breaks, is the note. Several
    accounts get one report each, with the same group, category and note; `followers=` is
    one account's count, so it is refused with several. A post URL keeps its content link.
    A phone number written in groups (`+92 300 1234567`) at the start is one account."""
    text = join_spaced_phone(text.strip())
    words = text.split()
    if not words:
        raise UsageError("Give an account.")
    sources = [words[0]]
    accounts = [parse_account(words[0])]
    position = 1
    while position < len(words) and not _is_group(words[position], groups):
        try:
            accounts.append(parse_account(words[position]))
        except UsageError:
            parse_group(words[position], groups)  # raises: neither an account nor a group
        sources.append(words[position])
        position += 1
    if position == len(words):
        raise UsageError("Give the account and the group.")
    group = parse_group(words[position], groups)
    rest = text.strip().split(maxsplit=position + 1)[position + 1 :]
    note, category, followers = _after_group(rest[0] if rest else "")
    if followers is not None and len(accounts) > 1:
        raise UsageError(
            "followers= is the count of one account: with several accounts it is ambiguous. "
            "Flag the account with its followers= on its own."
        )
    commands: dict[AccountRef, FlagCommand] = {}
    for source, account in zip(sources, accounts, strict=True):
        link = content_link(source, account)
        known = commands.get(account)
        links = (*(known.links if known else ()), *([link] if link else []))
        commands[account] = FlagCommand(
            account=account,
            source=known.source if known else source,
            group=group,
            category=category or DEFAULT_CATEGORY,
            followers=followers,
            note=note,
            category_given=category is not None,
            links=tuple(dict.fromkeys(links)),
        )
    return FlagRequest(tuple(commands.values()), _note_warnings(note))


def _is_group(word: str, groups: Sequence[str]) -> bool:
    return any(group.upper() == word.upper() for group in groups)


def _after_group(rest: str) -> tuple[str, Category | None, int | None]:
    """The note, the category and the followers of the text after the group."""
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
    return check_note(rest.strip()), category, followers


def _note_warnings(note: str) -> tuple[str, ...]:
    """A word of the note that reads as an account was likely meant as one (issue 16)."""
    warnings = []
    for word in dict.fromkeys(note.split()):
        if _ACCOUNT_LIKE.search(word) is None:
            continue
        try:
            account = parse_account(word)
        except UsageError:
            continue
        warnings.append(
            f"'{echo(word, 60)}' in the note looks like an account ({account.short}); it is "
            "kept as note text. To flag it too, put it before the group."
        )
    return tuple(warnings[:MAX_WARNINGS])


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

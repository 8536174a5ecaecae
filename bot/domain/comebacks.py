"""Comeback detection: does a newly flagged account look like a re-creation of a removed one?

Two steps, both pure (no telegram, no database):

1. `match_key(platform, handle)` reduces a handle to a blocking key: lower-case, separators
   and digits removed, common affixes (official, media, news, tv, new, backup, ...) stripped
   from both ends. `ttp_media`, `ttp_media2`, `ttp.media.official` and `the_ttp_news` all
   become `ttp`. The key is stored in `cases.match_key` and indexed with the platform, so
   finding candidates is an index probe, never a scan.
2. `compare(new, original)` decides on one candidate pair: the same key is a match; a key
   one edit away (rapidfuzz Levenshtein) is a match only when the keys are long enough for
   one typo to be telling (`bla_news` vs `bbc_news`: keys `bla` and `bbc`, no match).

Handles that are not names (phone numbers, numeric ids, invite codes, channel ids) get no
key: a new number or id says nothing about an old one.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from rapidfuzz.distance import Levenshtein

from bot.domain import Platform

# Words that people add to a removed account's name when they re-create it. Stripped from
# either end of the key, longest first so `official` goes before `of...` anything shorter.
AFFIXES: tuple[str, ...] = tuple(
    sorted(
        {
            "official", "offical", "officiel", "media", "news", "tv", "new", "backup", "real",
            "the", "channel", "chanel", "page", "live", "original", "updates", "update",
            "main", "team", "account", "acc", "hq", "online", "org", "urdu", "pk",
        },
        key=lambda word: (-len(word), word),
    )
)  # fmt: skip

# Below this length a key is too unspecific to stand for an account name.
MIN_KEY = 3
# Across platforms the key alone must be longer: a short key (`bla` of bla_media and
# bla_news2) is a group's name that many unrelated accounts share.
MIN_KEY_ACROSS = 6
# A key one edit away matches only from this length (`bla`/`bbc`, `khalid`/`khalil`: never;
# `ttpmedia`/`ttpmedla`: yes); two edits from LONG_KEY.
TYPO_MIN_KEY = 8
LONG_KEY = 14
# How many leading key characters the typo probe requires to be equal (an index range).
TYPO_PREFIX = 4

# Canonical handles with a prefix (see bot/domain/accounts.py): which ones carry a name.
_NAMED_PREFIXES = ("group:", "c:", "user:")
_UNNAMED_PREFIXES = ("id:", "channel:", "invite:", "+")
_SEPARATORS = re.compile(r"[^0-9a-z]+")
_DIGITS = re.compile(r"[0-9]+")
_PLATFORM_VALUES = frozenset(Platform)


def match_key(platform: Platform | str, handle: str) -> str | None:
    """The blocking key of an account, or None when the handle is not a name."""
    if platform not in _PLATFORM_VALUES:
        Platform(platform)  # ValueError: an unknown platform
    if platform == Platform.WHATSAPP:
        return None
    name = handle.strip().lower().removeprefix("@")
    if name.startswith(_UNNAMED_PREFIXES):
        return None
    for prefix in _NAMED_PREFIXES:
        if name.startswith(prefix):
            name = name.removeprefix(prefix)
            break
    flat = _SEPARATORS.sub("", name)
    if not flat or flat.isdigit():
        return None
    letters = _DIGITS.sub("", flat)
    if len(letters) < MIN_KEY:
        return flat  # `a1b2` stays `a1b2`: stripping digits would leave nothing telling
    return _strip_affixes(letters)


# AFFIXES by length, longest first: a pass looks at the key's ends once per length.
_AFFIXES_BY_LENGTH: tuple[tuple[int, frozenset[str]], ...] = tuple(
    (length, frozenset(word for word in AFFIXES if len(word) == length))
    for length in sorted({len(word) for word in AFFIXES}, reverse=True)
)


def _strip_affixes(key: str) -> str:
    """Strip known words from both ends while at least MIN_KEY characters remain.

    Each pass strips the first word of AFFIXES (longest first, then alphabetical) found at
    either end, the end before the start for the same word. The words of one length are a
    set, so a pass costs two slices and two look-ups per length, not a test of every word
    (tests/test_comeback.py compares it with that word-by-word loop)."""
    while key.endswith(AFFIXES) or key.startswith(AFFIXES):  # most keys carry no affix
        size = len(key)
        for length, words in _AFFIXES_BY_LENGTH:
            if size - length < MIN_KEY:
                continue
            suffix, prefix = key[size - length :], key[:length]
            at_end, at_start = suffix in words, prefix in words
            if at_end and (not at_start or suffix <= prefix):
                key = key[: size - length]
                break
            if at_start:
                key = key[length:]
                break
        else:
            return key  # no affix that leaves MIN_KEY characters
    return key


def typo_budget(key: str) -> int:
    """How many edits between two keys still count as the same name."""
    if len(key) >= LONG_KEY:
        return 2
    if len(key) >= TYPO_MIN_KEY:
        return 1
    return 0


def typo_prefix(key: str) -> str | None:
    """The prefix the typo probe looks up (keys sharing it), or None when typos cannot match."""
    if typo_budget(key) == 0:
        return None
    return key[:TYPO_PREFIX]


@dataclass(frozen=True)
class Decision:
    matched: bool
    score: float  # 0..1; 1.0 is the same key
    reason: str


def _display_key(name: str | None) -> str:
    return _SEPARATORS.sub("", (name or "").lower())


def compare(
    platform: Platform | str,
    new_handle: str,
    original_handle: str,
    *,
    new_display_name: str | None = None,
    original_display_name: str | None = None,
) -> Decision:
    """Is `new_handle` a likely re-creation of `original_handle` (same platform)?"""
    return compare_keys(
        match_key(platform, new_handle),
        match_key(platform, original_handle),
        new_handle,
        original_handle,
        new_display_name=new_display_name,
        original_display_name=original_display_name,
    )


def compare_keys(
    new_key: str | None,
    old_key: str | None,
    new_handle: str,
    original_handle: str,
    *,
    new_display_name: str | None = None,
    original_display_name: str | None = None,
) -> Decision:
    """`compare` given both handles' match keys (storage reads the original's as stored,
    rather than computing it again for each of up to hundreds of candidates)."""
    if not new_key or not old_key:  # '' is how storage keeps "not a name"
        return Decision(False, 0.0, "not a name")
    if new_handle.lower() == original_handle.lower():
        return Decision(False, 0.0, "same account")
    same_display = len(_display_key(new_display_name)) >= 4 and _display_key(
        new_display_name
    ) == _display_key(original_display_name)
    if new_key == old_key:
        if len(new_key) < MIN_KEY:
            return Decision(False, 0.0, "key too short")
        return Decision(True, 1.0, "same name")
    if new_key[:TYPO_PREFIX] != old_key[:TYPO_PREFIX]:
        return Decision(False, 0.0, "different names")  # the typo probe would not find it
    budget = min(typo_budget(new_key), typo_budget(old_key))
    if same_display and len(new_key) >= MIN_KEY + 1:
        budget += 1
    distance = Levenshtein.distance(new_key, old_key, score_cutoff=budget + 1)
    score = 1.0 - distance / max(len(new_key), len(old_key))
    if budget and distance <= budget:
        reason = "same display name" if same_display else f"{distance} letter(s) apart"
        return Decision(True, round(score, 3), reason)
    return Decision(False, round(max(score, 0.0), 3), "different names")


@dataclass(frozen=True)
class Comeback:
    """A recorded link: `case_id` looks like a re-creation of the actioned `original_case_id`."""

    case_id: int
    platform: Platform
    handle: str
    original_case_id: int
    original_handle: str
    original_outcome: str | None  # removed / restricted: the original's latest round
    original_actioned_at: dt.datetime | None
    score: float
    found_at: dt.datetime
    original_platform: Platform | None = None  # None: read by a version without it

    @property
    def across_platforms(self) -> bool:
        return self.original_platform is not None and self.original_platform != self.platform


def compare_across(
    platform: Platform | str,
    new_handle: str,
    original_platform: Platform | str,
    original_handle: str,
) -> Decision:
    """Is `new_handle` a likely re-creation, on `platform`, of an account actioned on another
    platform? Only the same name counts: the same handle, or the same match key when it is
    long enough to be a name of its own; a typo across platforms is too weak a sign."""
    return compare_keys_across(
        match_key(platform, new_handle),
        match_key(original_platform, original_handle),
        new_handle,
        original_handle,
    )


def compare_keys_across(
    new_key: str | None, old_key: str | None, new_handle: str, original_handle: str
) -> Decision:
    """`compare_across` given both handles' match keys (see compare_keys)."""
    if not new_key or new_key != old_key or len(new_key) < MIN_KEY:
        return Decision(False, 0.0, "different names")
    if new_handle.lower() == original_handle.lower():
        return Decision(True, 1.0, "same handle on another platform")
    if len(new_key) < MIN_KEY_ACROSS:
        return Decision(False, 0.0, "key too short across platforms")
    return Decision(True, 0.95, "same name on another platform")


def sql_match_key(platform: object, handle: object) -> str | None:
    """`match_key` as the SQLite function `comeback_key(platform, handle)`: never raises."""
    if not isinstance(platform, str) or not isinstance(handle, str):
        return None
    try:
        return match_key(platform, handle)
    except ValueError:  # an unknown platform: no key
        return None

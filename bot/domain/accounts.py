"""Account references: any profile URL or short form a user pastes -> one canonical AccountRef.

`x.com/Foo`, `https://mobile.twitter.com/foo?s=20` and `x:@foo` are the same account, so they
parse to the same `AccountRef`. Canonical handles (the `handle` field):

- x, instagram, tiktok: the username, lower-cased, without `@`.
- telegram: the username, lower-cased; a private invite link is `+CODE` (case kept).
- facebook: the username, lower-cased (dots kept); a numeric profile/page is `id:123`;
  a group is `group:NAME_OR_ID` (lower-cased).
- whatsapp: the number in E.164 (`+923001234567`; national numbers are read as Pakistani);
  a group invite is `invite:CODE`, a channel is `channel:ID` (both case kept).
- youtube: the @handle, lower-cased, without `@`; `channel:UC...` (case kept);
  `c:NAME` and `user:NAME` (lower-cased). A bare legacy youtube.com/NAME is `c:NAME`.

Every handle round-trips: `parse_account(ref.url) == ref` and `parse_account(ref.short) == ref`.
Pure: imports neither telegram nor aiosqlite.
"""

from __future__ import annotations

import re
import string
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import NamedTuple
from urllib.parse import parse_qsl, unquote, urlsplit

import phonenumbers

from bot.domain import Platform
from bot.domain.errors import UsageError, echo

DEFAULT_PHONE_REGION = "PK"
MAX_INPUT_LENGTH = 2000

SUPPORTED_PLATFORMS = ", ".join(platform.label for platform in Platform)

# Short-form keys (`x:@name`), case-insensitive.
PLATFORM_KEYS: Mapping[str, Platform] = {
    **{platform.value: platform for platform in Platform},
    "twitter": Platform.X,
    "fb": Platform.FACEBOOK,
    "ig": Platform.INSTAGRAM,
    "yt": Platform.YOUTUBE,
    "tg": Platform.TELEGRAM,
    "wa": Platform.WHATSAPP,
}


def platform_of(word: str) -> Platform | None:
    """The platform a command word names (`x`, `twitter`, `FB`, ...), or None."""
    return PLATFORM_KEYS.get(word.strip().lower())


# Sub-domains that lead to the same site (`m.facebook.com` is `facebook.com`).
HOST_PREFIXES = ("www.", "m.", "mobile.")

# --- one table per platform: hosts, reserved first path segments, what a name may contain ---

X_HOSTS = frozenset({"x.com", "twitter.com"})
X_RESERVED = frozenset(
    {
        "about", "account", "compose", "download", "explore", "hashtag", "help", "home", "i",
        "intent", "jobs", "login", "logout", "messages", "notifications", "privacy", "search",
        "settings", "share", "signup", "tos", "rules", "premium", "search-advanced", "oauth",
        "bookmarks", "lists", "topics", "communities", "verified", "following", "followers",
    }
)  # fmt: skip

FACEBOOK_HOSTS = frozenset(
    {"facebook.com", "fb.com", "fb.me", "web.facebook.com", "mbasic.facebook.com"}
)
FACEBOOK_RESERVED = frozenset(
    {
        "login", "logout", "watch", "marketplace", "help", "settings", "home", "sharer",
        "share", "events", "gaming", "groups", "pages", "people", "profile", "policies",
        "privacy", "recover", "reel", "reels", "stories", "photo", "photos", "videos",
        "hashtag", "search", "notifications", "messages", "friends", "bookmarks", "business",
        "ads", "dialog", "plugins", "legal", "terms", "about", "careers", "lite", "live",
        "saved", "memories", "fundraisers", "games", "story", "permalink", "media", "p", "pg",
    }
)  # fmt: skip
FACEBOOK_GROUP_RESERVED = frozenset({"feed", "discover", "joins", "create", "search"})

INSTAGRAM_HOSTS = frozenset({"instagram.com", "instagr.am"})
INSTAGRAM_RESERVED = frozenset(
    {
        "about", "accounts", "api", "challenge", "developer", "direct", "emails", "explore",
        "highlights", "legal", "oauth", "p", "press", "privacy", "reel", "reels", "session",
        "stories", "terms", "tv", "web", "_u", "_n",
    }
)  # fmt: skip
INSTAGRAM_POST_PATHS = frozenset({"p", "reel", "reels", "tv"})

TIKTOK_HOSTS = frozenset({"tiktok.com"})
TIKTOK_SHORT_LINK_HOSTS = frozenset({"vm.tiktok.com", "vt.tiktok.com"})

TELEGRAM_HOSTS = frozenset({"t.me", "telegram.me", "telegram.dog"})
TELEGRAM_RESERVED = frozenset(
    {
        "addemoji", "addlist", "addstickers", "addtheme", "bg", "boost", "c", "confirmphone",
        "contact", "giftcode", "invoice", "iv", "joinchat", "login", "proxy", "s",
        "setlanguage", "share", "socks",
    }
)  # fmt: skip

WHATSAPP_HOSTS = frozenset(
    {"wa.me", "whatsapp.com", "api.whatsapp.com", "web.whatsapp.com", "chat.whatsapp.com"}
)

YOUTUBE_HOSTS = frozenset({"youtube.com", "music.youtube.com"})
YOUTUBE_VIDEO_HOSTS = frozenset({"youtu.be"})
YOUTUBE_VIDEO_PATHS = frozenset({"watch", "shorts", "live", "embed", "playlist", "v", "clip"})
YOUTUBE_RESERVED = frozenset(
    {
        "about", "account", "feed", "results", "premium", "gaming", "hashtag", "redirect",
        "signin", "logout", "t", "post", "attribution_link", "kids", "music", "channel", "c",
        "user", "howyoutubeworks", "creators", "ads", "new",
    }
)  # fmt: skip

_DIGITS = frozenset(string.digits)
_LOWER_ALNUM = frozenset(string.ascii_lowercase + string.digits)
_CODE_CHARS = frozenset(string.ascii_letters + string.digits + "_-")
_PHONE_CHARS = frozenset(string.digits + "+-().")
_SCHEME_CHARS = frozenset(string.ascii_letters + string.digits + "+-.")
_WHITESPACE = re.compile(r"\s")
# Arabic-Indic (٠١٢...) and Extended Arabic-Indic (۰۱۲..., as Urdu keyboards type them)
# digits, read as the digits they are in a phone number.
_TO_ASCII_DIGITS = str.maketrans(
    "\u0660\u0661\u0662\u0663\u0664\u0665\u0666\u0667\u0668\u0669"
    "\u06f0\u06f1\u06f2\u06f3\u06f4\u06f5\u06f6\u06f7\u06f8\u06f9",
    "01234567890123456789",
)
# A phone number written in groups (`+92 300 1234567`) at the start of a text.
_SPACED_PHONE = re.compile(
    r"\+?[0-9\u0660-\u0669\u06f0-\u06f9][0-9\u0660-\u0669\u06f0-\u06f9() .-]*"
)


@dataclass(frozen=True)
class AccountRef:
    """One account on one platform, by its canonical handle (see the module docstring)."""

    platform: Platform
    handle: str

    @property
    def url(self) -> str:
        return _URL_BUILDERS[self.platform](self.handle)

    @property
    def short(self) -> str:
        handle = self.handle
        if self.platform in (Platform.FACEBOOK, Platform.WHATSAPP):
            return f"{self.platform}:{handle}"
        if self.platform is Platform.TELEGRAM and handle.startswith("+"):
            return f"telegram:{handle}"
        if self.platform is Platform.YOUTUBE and ":" in handle:
            return f"youtube:{handle}"
        return f"{self.platform}:@{handle}"


def parse_account(text: str) -> AccountRef:
    """Read a profile URL, a short form (`x:@name`) or a phone number; UsageError otherwise."""
    simple = _parse_simple_url(text)
    if simple is not None:
        return simple
    return _parse_any(text)


def _parse_any(text: str) -> AccountRef:
    """The general path of `parse_account`: every form, every check."""
    cleaned = _clean(text)
    if cleaned.startswith("@"):
        raise UsageError(
            f"'{echo(cleaned, 40)}' doesn't say which platform: write e.g. x:{echo(cleaned, 40)} "
            "or instagram:@name, or paste the profile URL."
        )
    if _looks_like_phone(cleaned.translate(_TO_ASCII_DIGITS)):
        return _whatsapp_number(cleaned)
    short_form = _split_short_form(cleaned)
    if short_form is not None:
        platform, rest = short_form
        return _SHORT_FORM_PARSERS[platform](rest)
    return _parse_url(cleaned)


# --- input hygiene -------------------------------------------------------------------------


def _clean(text: str) -> str:
    cleaned = text.strip().removeprefix("<").removesuffix(">").strip()
    if not cleaned:
        raise UsageError(
            "No account given: paste the profile URL or write platform:@name "
            f"(platforms: {', '.join(Platform)})."
        )
    if len(cleaned) > MAX_INPUT_LENGTH:
        raise UsageError(f"That is too long for an account reference ({len(cleaned)} characters).")
    if _WHITESPACE.search(cleaned):  # the characters str.isspace() accepts
        joined = _WHITESPACE.sub("", cleaned)
        if not _looks_like_phone(joined.translate(_TO_ASCII_DIGITS)):  # +92 300 1234567
            raise UsageError(f"One account at a time, without spaces: {echo(cleaned)}")
        cleaned = joined
    if not cleaned.isprintable():
        raise UsageError(f"That account reference contains control characters: {echo(cleaned)}")
    return cleaned


def _looks_like_phone(text: str) -> bool:
    """+923001234567, 0300-1234567, and 923001234567 (the + left out, as wa.me links have it)."""
    if not text or not set(text) <= _PHONE_CHARS:
        return False
    if text[0] in "+0":
        return sum(char in _DIGITS for char in text) >= 7
    return text.isdigit() and len(text) >= 10


def join_spaced_phone(text: str) -> str:
    """`text` with a phone number written in groups at its start (`+92 300 1234567 TTP`)
    joined into one word (`+923001234567 TTP`), so a command reads it as one account."""
    found = _SPACED_PHONE.match(text.lstrip())
    if found is None:
        return text
    number = found.group().rstrip(" ")
    joined = number.replace(" ", "")
    if " " not in number or not _looks_like_phone(joined.translate(_TO_ASCII_DIGITS)):
        return text
    return joined + text.lstrip()[len(number) :]


def _split_short_form(text: str) -> tuple[Platform, str] | None:
    if "://" in text or ":" not in text:
        return None
    key, _, rest = text.partition(":")
    platform = PLATFORM_KEYS.get(key.lower())
    if platform is None:
        if key.isascii() and key.isalpha() and key.lower() not in ("http", "https"):
            raise UsageError(
                f"Unknown platform '{echo(key, 20)}': use one of {', '.join(Platform)} "
                "(e.g. x:@name), or paste the profile URL."
            )
        return None
    if not rest:
        raise UsageError(f"No account after '{echo(key, 20)}:': write e.g. {platform}:@name.")
    return platform, rest


# --- names: the rules shared by URLs and short forms ----------------------------------------


@dataclass(frozen=True)
class _NameRule:
    platform: Platform
    what: str  # "handle", "username", ...
    allowed: frozenset[str]  # after lower-casing
    min_length: int
    max_length: int
    described: str
    example: str
    reserved: frozenset[str] = frozenset()

    def check(self, raw: str) -> str:
        """The canonical (lower-case, no `@`) name, or UsageError saying what is wrong."""
        name = raw.removeprefix("@").lower()
        if name in self.reserved:
            raise UsageError(
                f"'{echo(name, 30)}' is a reserved {self.platform.label} page, not an account: "
                f"paste the profile URL ({self.example})."
            )
        valid_length = self.min_length <= len(name) <= self.max_length
        if not (valid_length and set(name) <= self.allowed and name.strip(".")):
            raise UsageError(
                f"'{echo(raw, 40)}' is not a valid {self.platform.label} {self.what}: "
                f"{self.described}."
            )
        return name


def _check_code(raw: str, platform: Platform, what: str, min_length: int = 4) -> str:
    """Invite codes and channel ids: case-sensitive, letters, digits, _ and -."""
    if not (min_length <= len(raw) <= 64 and set(raw) <= _CODE_CHARS):
        raise UsageError(
            f"'{echo(raw, 40)}' is not a valid {platform.label} {what}: "
            f"{min_length}-64 letters, digits, _ or -."
        )
    return raw


def _missing_account(platform: Platform, example: str) -> UsageError:
    return UsageError(
        f"That {platform.label} link names no account: paste the profile URL, e.g. {example}."
    )


def _unresolvable_link(platform: Platform, example: str) -> UsageError:
    return UsageError(
        f"{platform.label} short/share links can't be resolved offline: open the link and "
        f"paste the profile URL it leads to ({example})."
    )


def _not_an_account(what: str, example: str) -> UsageError:
    return UsageError(
        f"That is {what}, not an account: open it and paste the account's URL ({example})."
    )


# --- URLs ----------------------------------------------------------------------------------


class _Link(NamedTuple):  # a tuple: built for every URL read, 100,000 times by an /import
    host: str  # a key of _SITES, e.g. "twitter.com" for "https://Mobile.Twitter.com/..."
    segments: tuple[str, ...]  # non-empty path segments, percent-decoded, case kept
    query: Mapping[str, str]
    fragment: str

    def segment(self, index: int) -> str:
        return self.segments[index] if len(self.segments) > index else ""


def _parse_url(text: str) -> AccountRef:
    candidate = text if _has_scheme(text) else "https://" + text.removeprefix("//")
    try:
        parts = urlsplit(candidate)
        raw_host = parts.hostname
    except ValueError:
        raise UsageError(f"Not a link or account reference I can read: {echo(text)}") from None
    if parts.scheme not in ("http", "https"):
        raise UsageError(f"Only http(s) links are understood, not '{echo(parts.scheme, 20)}:'.")
    if not raw_host or "." not in raw_host:
        raise UsageError(
            f"'{echo(text)}' is not a link or account: paste the profile URL or write "
            f"platform:@name (platforms: {', '.join(Platform)})."
        )
    host = _site_host(raw_host)
    if host is None:
        raise UsageError(
            f"Unknown site '{echo(raw_host, 40)}': supported platforms are {SUPPORTED_PLATFORMS}."
        )
    link = _Link(
        host=host,
        segments=tuple(unquote(segment) for segment in parts.path.split("/") if segment),
        query=dict(parse_qsl(parts.query, keep_blank_values=True)),
        fragment=parts.fragment,
    )
    return _SITES[host](link)


# The URL forms pasted most (`https://www.x.com/name`, `t.me/name`, `twitter.com/Name?s=20`):
# an http(s) scheme or none, a host, a path of plain characters and a plain query. For these,
# urlsplit/unquote would change nothing, so the _Link is built directly and read by the same
# site function; anything else (percent signs, a port, a fragment, an unknown host, ...)
# takes the general path. tests/test_accounts.py compares both paths on generated URLs.
_SIMPLE_URL = re.compile(
    r"(?:[Hh][Tt][Tt][Pp][Ss]?://)?([A-Za-z0-9.-]+)(/[A-Za-z0-9_.@+/-]*)(?:\?([A-Za-z0-9_.=&-]*))?"
)


def _parse_simple_url(text: str) -> AccountRef | None:
    """The AccountRef of a URL of the plainest form, None for any other text."""
    simple = _SIMPLE_URL.fullmatch(text) if len(text) <= MAX_INPUT_LENGTH else None
    if simple is None:
        return None
    host = _site_host(simple.group(1).lower())
    if host is None:
        return None  # the general path says what is wrong with the host
    query = simple.group(3)
    link = _Link(
        host=host,
        segments=tuple(filter(None, simple.group(2).split("/"))),
        query=dict(parse_qsl(query, keep_blank_values=True)) if query else {},
        fragment="",
    )
    return _SITES[host](link)


def _has_scheme(text: str) -> bool:
    head, separator, _ = text.partition("://")
    return bool(separator and head and head[0].isalpha() and set(head) <= _SCHEME_CHARS)


def _site_host(host: str) -> str | None:
    """`www.m.facebook.com.` -> `facebook.com`; None for a site we don't know."""
    known = _PREFIXED_HOSTS.get(host)
    if known is not None:
        return known
    host = host.rstrip(".")
    while host not in _SITES:
        prefix = next((prefix for prefix in HOST_PREFIXES if host.startswith(prefix)), None)
        if prefix is None:
            return None
        host = host.removeprefix(prefix)
    return host


# --- X --------------------------------------------------------------------------------------

_X_NAME = _NameRule(
    platform=Platform.X,
    what="handle",
    allowed=_LOWER_ALNUM | {"_"},
    min_length=1,
    max_length=15,
    described="1-15 letters, digits or _",
    example="x.com/NAME",
    reserved=X_RESERVED,
)


def _x_from_url(link: _Link) -> AccountRef:
    name = link.segment(0)
    if not name and link.fragment.startswith("!/"):  # old twitter.com/#!/NAME links
        name = link.fragment[2:].split("/")[0]
    if not name:
        raise _missing_account(Platform.X, _X_NAME.example)
    if name.lower() == "i" and "status" in (part.lower() for part in link.segments):
        # x.com/i/web/status/1789, x.com/i/status/1789: a post link without its author
        raise UsageError(
            "That is a link to an X post that does not name its account: open it and paste "
            "the profile link (x.com/NAME) or the post's link with its name "
            "(x.com/NAME/status/123)."
        )
    return _x_from_short(name)


def _x_from_short(name: str) -> AccountRef:
    return AccountRef(Platform.X, _X_NAME.check(name))


def _x_url(handle: str) -> str:
    return f"https://x.com/{handle}"


# --- Facebook -------------------------------------------------------------------------------

_FACEBOOK_NAME = _NameRule(
    platform=Platform.FACEBOOK,
    what="username",
    allowed=_LOWER_ALNUM | {"."},
    min_length=1,
    max_length=50,
    described="letters, digits and dots",
    example="facebook.com/NAME",
    reserved=FACEBOOK_RESERVED,
)
_FACEBOOK_GROUP = _NameRule(
    platform=Platform.FACEBOOK,
    what="group",
    allowed=_LOWER_ALNUM | {"."},
    min_length=1,
    max_length=100,
    described="letters, digits and dots",
    example="facebook.com/groups/ID",
    reserved=FACEBOOK_GROUP_RESERVED,
)


def _facebook_from_url(link: _Link) -> AccountRef:
    first = link.segment(0).lower()
    example = _FACEBOOK_NAME.example
    if not first:
        raise _missing_account(Platform.FACEBOOK, example)
    if first == "profile.php":
        return _facebook_id(link.query.get("id", ""))
    if first == "groups":
        if not link.segment(1):
            raise _missing_account(Platform.FACEBOOK, _FACEBOOK_GROUP.example)
        return _facebook_group(link.segment(1))
    if first in ("people", "pages"):  # facebook.com/people/Some-Name/100012345678
        return _facebook_id(link.segment(2))
    if first == "p":  # facebook.com/p/Some-Name-100064123456789
        return _facebook_id(link.segment(1).rpartition("-")[2])
    if first == "pg":  # facebook.com/pg/NAME/posts
        return _facebook_name(link.segment(1))
    if first in ("share", "story.php", "permalink.php", "photo.php", "watch", "reel"):
        raise _unresolvable_link(Platform.FACEBOOK, example)
    return _facebook_name(link.segments[0])


def _facebook_from_short(rest: str) -> AccountRef:
    kind, _, value = rest.partition(":")
    if kind.lower() == "id":
        return _facebook_id(value)
    if kind.lower() == "group":
        return _facebook_group(value)
    return _facebook_name(rest)


def _facebook_name(raw: str) -> AccountRef:
    if raw and raw.isascii() and raw.isdigit():  # facebook.com/100012345678 is a profile id
        return _facebook_id(raw)
    if raw.lower().endswith(".php"):  # home.php, story.php, sharer.php, ...
        raise UsageError(
            f"facebook.com/{echo(raw, 30)} is a reserved Facebook page, not an account: "
            f"paste the profile URL ({_FACEBOOK_NAME.example})."
        )
    return AccountRef(Platform.FACEBOOK, _FACEBOOK_NAME.check(raw))


def _facebook_id(raw: str) -> AccountRef:
    if not (raw and raw.isascii() and raw.isdigit() and len(raw) <= 25):
        raise UsageError(
            f"'{echo(raw, 30)}' is not a Facebook profile id: expected digits, "
            "e.g. facebook.com/profile.php?id=100012345678."
        )
    return AccountRef(Platform.FACEBOOK, f"id:{int(raw)}")


def _facebook_group(raw: str) -> AccountRef:
    return AccountRef(Platform.FACEBOOK, f"group:{_FACEBOOK_GROUP.check(raw)}")


def _facebook_url(handle: str) -> str:
    kind, _, value = handle.partition(":")
    if kind == "id":
        return f"https://www.facebook.com/profile.php?id={value}"
    if kind == "group":
        return f"https://www.facebook.com/groups/{value}"
    return f"https://www.facebook.com/{handle}"


# --- Instagram ------------------------------------------------------------------------------

_INSTAGRAM_NAME = _NameRule(
    platform=Platform.INSTAGRAM,
    what="username",
    allowed=_LOWER_ALNUM | {"_", "."},
    min_length=1,
    max_length=30,
    described="1-30 letters, digits, _ or .",
    example="instagram.com/NAME",
    reserved=INSTAGRAM_RESERVED,
)


def _instagram_from_url(link: _Link) -> AccountRef:
    first = link.segment(0).lower()
    if first in ("_u", "stories") and link.segment(1):  # instagram.com/stories/NAME/123
        return _instagram_from_short(link.segment(1))
    if first in INSTAGRAM_POST_PATHS:
        raise _not_an_account("an Instagram post link without its owner", "instagram.com/NAME")
    if not first:
        raise _missing_account(Platform.INSTAGRAM, _INSTAGRAM_NAME.example)
    return _instagram_from_short(link.segments[0])


def _instagram_from_short(name: str) -> AccountRef:
    return AccountRef(Platform.INSTAGRAM, _INSTAGRAM_NAME.check(name))


def _instagram_url(handle: str) -> str:
    return f"https://www.instagram.com/{handle}/"


# --- TikTok ---------------------------------------------------------------------------------

_TIKTOK_NAME = _NameRule(
    platform=Platform.TIKTOK,
    what="username",
    allowed=_LOWER_ALNUM | {"_", "."},
    min_length=2,
    max_length=24,
    described="2-24 letters, digits, _ or .",
    example="tiktok.com/@NAME",
)


def _tiktok_from_url(link: _Link) -> AccountRef:
    first = link.segment(0)
    if first.lower() == "t":  # tiktok.com/t/CODE share links
        raise _unresolvable_link(Platform.TIKTOK, _TIKTOK_NAME.example)
    if not first:
        raise _missing_account(Platform.TIKTOK, _TIKTOK_NAME.example)
    if not first.startswith("@"):
        raise UsageError(
            f"tiktok.com/{echo(first, 30)} is not a profile: TikTok profile links look like "
            f"tiktok.com/@NAME."
        )
    return _tiktok_from_short(first)


def _tiktok_short_link(link: _Link) -> AccountRef:
    raise _unresolvable_link(Platform.TIKTOK, _TIKTOK_NAME.example)


def _tiktok_from_short(name: str) -> AccountRef:
    return AccountRef(Platform.TIKTOK, _TIKTOK_NAME.check(name))


def _tiktok_url(handle: str) -> str:
    return f"https://www.tiktok.com/@{handle}"


# --- Telegram -------------------------------------------------------------------------------

_TELEGRAM_NAME = _NameRule(
    platform=Platform.TELEGRAM,
    what="username",
    allowed=_LOWER_ALNUM | {"_"},
    min_length=4,
    max_length=32,
    described="4-32 letters, digits or _",
    example="t.me/NAME",
    reserved=TELEGRAM_RESERVED,
)


def _telegram_from_url(link: _Link) -> AccountRef:
    first = link.segment(0)
    if first.lower() == "s" and link.segment(1):  # t.me/s/NAME: the channel's web preview
        return _telegram_from_short(link.segment(1))
    if first.lower() == "c" and link.segment(1):  # t.me/c/123/45: a private chat's message
        raise UsageError(
            "That is a link to a message in a private Telegram channel or group, which names "
            "no public account: open it in Telegram and paste the channel's t.me/NAME or its "
            "invite link (t.me/+CODE)."
        )
    if first.lower() == "joinchat":
        if not link.segment(1):
            raise UsageError(
                "t.me/joinchat without an invite code is not a group: paste the whole invite "
                "link (t.me/+CODE or t.me/joinchat/CODE)."
            )
        return _telegram_invite(link.segment(1))
    if not first:
        raise _missing_account(Platform.TELEGRAM, _TELEGRAM_NAME.example)
    return _telegram_from_short(first)


def _telegram_from_short(rest: str) -> AccountRef:
    if rest.startswith("+"):
        return _telegram_invite(rest[1:])
    return AccountRef(Platform.TELEGRAM, _TELEGRAM_NAME.check(rest))


def _telegram_invite(code: str) -> AccountRef:
    if code.isascii() and code.isdigit():
        raise UsageError(
            f"t.me/+{echo(code, 20)} is a phone-number link, not a group: paste the "
            "t.me/NAME or invite link."
        )
    return AccountRef(Platform.TELEGRAM, "+" + _check_code(code, Platform.TELEGRAM, "invite code"))


def _telegram_url(handle: str) -> str:
    return f"https://t.me/{handle}"


# --- WhatsApp -------------------------------------------------------------------------------

_WHATSAPP_EXAMPLE = "wa.me/923001234567, chat.whatsapp.com/CODE or whatsapp.com/channel/ID"


def _whatsapp_from_url(link: _Link) -> AccountRef:
    first = link.segment(0).lower()
    if link.host == "chat.whatsapp.com":
        code = link.segment(1) if first == "invite" else link.segment(0)
        if not code:
            raise _missing_account(Platform.WHATSAPP, "chat.whatsapp.com/CODE")
        return _whatsapp_invite(code)
    if link.host == "wa.me":
        if first == "message":  # wa.me/message/CODE: WhatsApp Business short links
            raise _unresolvable_link(Platform.WHATSAPP, "wa.me/923001234567")
        if not first:
            raise _missing_account(Platform.WHATSAPP, "wa.me/923001234567")
        return _whatsapp_number(link.segments[0])
    if first == "channel":
        if not link.segment(1):
            raise _missing_account(Platform.WHATSAPP, "whatsapp.com/channel/ID")
        return _whatsapp_channel(link.segment(1))
    if "phone" in link.query:  # api.whatsapp.com/send?phone=923001234567
        return _whatsapp_number(link.query["phone"])
    raise UsageError(
        f"That WhatsApp link names no number, group or channel: paste {_WHATSAPP_EXAMPLE}."
    )


def _whatsapp_from_short(rest: str) -> AccountRef:
    kind, _, value = rest.partition(":")
    if kind.lower() == "invite":
        return _whatsapp_invite(value)
    if kind.lower() == "channel":
        return _whatsapp_channel(value)
    return _whatsapp_number(rest)


def _whatsapp_number(raw: str) -> AccountRef:
    """E.164; `+92...`/`0092...` are international, `03...` Pakistani, bare digits as on wa.me;
    Urdu and Arabic digits read as digits."""
    text = raw.strip().translate(_TO_ASCII_DIGITS)
    number = text if text.startswith(("+", "0")) else "+" + text  # wa.me/92... has the code
    fast = _pk_mobile_fast(number)
    if fast is not None:
        return AccountRef(Platform.WHATSAPP, fast)
    invalid = UsageError(
        f"'{echo(text, 30)}' is not a valid phone number: write it as +923001234567 or 03001234567."
    )
    if not text or not set(text) <= _PHONE_CHARS:
        raise invalid
    return _whatsapp_number_general(number, invalid)


def _whatsapp_number_general(text: str, invalid: UsageError) -> AccountRef:
    """`text` (phone characters, starting with + or 0) read by libphonenumber."""
    try:
        number = phonenumbers.parse(text, DEFAULT_PHONE_REGION)
    except phonenumbers.NumberParseException:
        raise invalid from None
    if not phonenumbers.is_valid_number(number):
        raise invalid
    e164: str = phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)
    return AccountRef(Platform.WHATSAPP, e164)


# The number pasted most: a Pakistani mobile as +923001234567 (wa.me/92...) or 03001234567.
# Such a number is valid exactly when its 10 national digits match libphonenumber's own PK
# patterns (general and mobile; read from its metadata, so they follow the library), and its
# E.164 form is then +92 and those digits; any other text goes to libphonenumber
# (tests/test_accounts.py compares both on generated numbers, invalid ones included).
_PK_METADATA = phonenumbers.PhoneMetadata.metadata_for_region(DEFAULT_PHONE_REGION)
assert _PK_METADATA is not None and _PK_METADATA.mobile is not None
assert _PK_METADATA.general_desc is not None
_PK_GENERAL = re.compile(_PK_METADATA.general_desc.national_number_pattern or "(?!)")
_PK_MOBILE = re.compile(_PK_METADATA.mobile.national_number_pattern or "(?!)")
_PK_MOBILE_TEXT = re.compile(r"(?:\+92|0)(3[0-9]{9})")


def _pk_mobile_fast(text: str) -> str | None:
    """The E.164 form of a valid Pakistani mobile number in one of the two plain forms,
    None for any other text (valid or not)."""
    match = _PK_MOBILE_TEXT.fullmatch(text)
    if match is None:
        return None
    national = match.group(1)
    if _PK_GENERAL.fullmatch(national) is None or _PK_MOBILE.fullmatch(national) is None:
        return None
    return "+92" + national


def _whatsapp_invite(code: str) -> AccountRef:
    return AccountRef(
        Platform.WHATSAPP, "invite:" + _check_code(code, Platform.WHATSAPP, "invite code")
    )


def _whatsapp_channel(channel_id: str) -> AccountRef:
    return AccountRef(
        Platform.WHATSAPP, "channel:" + _check_code(channel_id, Platform.WHATSAPP, "channel id")
    )


def _whatsapp_url(handle: str) -> str:
    kind, _, value = handle.partition(":")
    if kind == "invite":
        return f"https://chat.whatsapp.com/{value}"
    if kind == "channel":
        return f"https://www.whatsapp.com/channel/{value}"
    return f"https://wa.me/{handle.removeprefix('+')}"


# --- YouTube --------------------------------------------------------------------------------

_YOUTUBE_HANDLE = _NameRule(
    platform=Platform.YOUTUBE,
    what="handle",
    allowed=_LOWER_ALNUM | {"_", "-", "."},
    min_length=3,
    max_length=30,
    described="3-30 letters, digits, _, - or .",
    example="youtube.com/@NAME",
)
_YOUTUBE_LEGACY_NAME = _NameRule(
    platform=Platform.YOUTUBE,
    what="channel name",
    allowed=_LOWER_ALNUM | {"_", "-", "."},
    min_length=1,
    max_length=100,
    described="letters, digits, _, - or .",
    example="youtube.com/@NAME",
)
_YOUTUBE_BARE_NAME = _NameRule(
    platform=Platform.YOUTUBE,
    what="channel name",
    allowed=_LOWER_ALNUM | {"_", "-", "."},
    min_length=1,
    max_length=100,
    described="letters, digits, _, - or .",
    example="youtube.com/@NAME",
    reserved=YOUTUBE_RESERVED,
)


def _youtube_from_url(link: _Link) -> AccountRef:
    first = link.segment(0)
    kind = first.lower()
    example = _YOUTUBE_HANDLE.example
    if not first:
        raise _missing_account(Platform.YOUTUBE, example)
    if first.startswith("@"):
        return _youtube_handle(first)
    if kind in YOUTUBE_VIDEO_PATHS:
        raise _not_an_account("a YouTube video or playlist", f"{example} or /channel/UC...")
    if kind in ("channel", "c", "user"):
        if not link.segment(1):
            raise _missing_account(Platform.YOUTUBE, example)
        return _youtube_from_short(f"{kind}:{link.segment(1)}")
    return AccountRef(Platform.YOUTUBE, "c:" + _YOUTUBE_BARE_NAME.check(first))


def _youtube_video_link(link: _Link) -> AccountRef:
    raise _not_an_account("a YouTube video link", "youtube.com/@NAME or /channel/UC...")


def _youtube_from_short(rest: str) -> AccountRef:
    kind, _, value = rest.partition(":")
    if kind.lower() == "channel":
        return _youtube_channel(value)
    if kind.lower() in ("c", "user"):
        return AccountRef(Platform.YOUTUBE, f"{kind.lower()}:{_YOUTUBE_LEGACY_NAME.check(value)}")
    return _youtube_handle(rest)


def _youtube_handle(raw: str) -> AccountRef:
    return AccountRef(Platform.YOUTUBE, _YOUTUBE_HANDLE.check(raw))


def _youtube_channel(channel_id: str) -> AccountRef:
    if not (len(channel_id) == 24 and channel_id.startswith("UC")):
        raise UsageError(
            f"'{echo(channel_id, 40)}' is not a YouTube channel id: expected UC followed by "
            "22 letters, digits, _ or - (case matters)."
        )
    return AccountRef(
        Platform.YOUTUBE, "channel:" + _check_code(channel_id, Platform.YOUTUBE, "channel id")
    )


def _youtube_url(handle: str) -> str:
    kind, separator, value = handle.partition(":")
    if separator:
        return f"https://www.youtube.com/{kind}/{value}"
    return f"https://www.youtube.com/@{handle}"


# --- the dispatch tables --------------------------------------------------------------------

_SITES: Mapping[str, Callable[[_Link], AccountRef]] = {
    **dict.fromkeys(X_HOSTS, _x_from_url),
    **dict.fromkeys(FACEBOOK_HOSTS, _facebook_from_url),
    **dict.fromkeys(INSTAGRAM_HOSTS, _instagram_from_url),
    **dict.fromkeys(TIKTOK_HOSTS, _tiktok_from_url),
    **dict.fromkeys(TIKTOK_SHORT_LINK_HOSTS, _tiktok_short_link),
    **dict.fromkeys(TELEGRAM_HOSTS, _telegram_from_url),
    **dict.fromkeys(WHATSAPP_HOSTS, _whatsapp_from_url),
    **dict.fromkeys(YOUTUBE_HOSTS, _youtube_from_url),
    **dict.fromkeys(YOUTUBE_VIDEO_HOSTS, _youtube_video_link),
}

# The hosts pasted most, with one sub-domain prefix or none (`www.x.com`): one look-up.
_PREFIXED_HOSTS: Mapping[str, str] = {
    **{prefix + host: host for host in _SITES for prefix in HOST_PREFIXES},
    **{host: host for host in _SITES},  # a known host is itself, prefix or not
}

_SHORT_FORM_PARSERS: Mapping[Platform, Callable[[str], AccountRef]] = {
    Platform.X: _x_from_short,
    Platform.FACEBOOK: _facebook_from_short,
    Platform.INSTAGRAM: _instagram_from_short,
    Platform.TIKTOK: _tiktok_from_short,
    Platform.TELEGRAM: _telegram_from_short,
    Platform.WHATSAPP: _whatsapp_from_short,
    Platform.YOUTUBE: _youtube_from_short,
}

_URL_BUILDERS: Mapping[Platform, Callable[[str], str]] = {
    Platform.X: _x_url,
    Platform.FACEBOOK: _facebook_url,
    Platform.INSTAGRAM: _instagram_url,
    Platform.TIKTOK: _tiktok_url,
    Platform.TELEGRAM: _telegram_url,
    Platform.WHATSAPP: _whatsapp_url,
    Platform.YOUTUBE: _youtube_url,
}

"""HTML escaping and message splitting: every user-supplied string goes through `esc`."""

from __future__ import annotations

import datetime as dt
import html
from zoneinfo import ZoneInfo

from bot.domain.accounts import AccountRef
from bot.domain.compliance import format_hours
from bot.domain.errors import UsageError
from bot.domain.text import one_line as _one_line

MAX_TEXT = 4096
MAX_CAPTION = 1024


def esc(value: object) -> str:
    return html.escape(str(value), quote=True)


def one_line(text: str, limit: int) -> str:
    """A member's text as shown: cleaned of control, bidi and zero-width characters, on one
    line, cut to `limit`, escaped."""
    return esc(truncate(_one_line(text), limit))


def usage_error(err: UsageError) -> str:
    text = esc(err.reason)
    if err.usage:
        text += f"\nUsage: <code>{esc(err.usage)}</code>"
    return text


def local_time(when: dt.datetime, tz: ZoneInfo) -> str:
    return when.astimezone(tz).strftime("%Y-%m-%d %H:%M")


def hours(delta: dt.timedelta) -> str:
    return format_hours(delta.total_seconds())


def split_message(text: str, limit: int = MAX_TEXT) -> list[str]:
    """Split on line boundaries so no part passes `limit`; a longer line is cut hard.

    HTML tags must not span lines in our own formatting, so a split between lines keeps
    every part well-formed; a hard cut moves back to before an entity (`&quot;`) or a tag it
    would split.
    """
    parts: list[str] = []
    current = ""
    for line in text.split("\n"):
        while len(line) > limit:
            if current:
                parts.append(current)
                current = ""
            cut = _safe_cut(line, limit)
            parts.append(line[:cut])
            line = line[cut:]
        candidate = f"{current}\n{line}" if current else line
        if len(candidate) > limit:
            parts.append(current)
            current = line
        else:
            current = candidate
    if current or not parts:
        parts.append(current)
    return parts


def _safe_cut(line: str, limit: int) -> int:
    """The largest cut <= `limit` that is not inside `&...;` or `<...>`."""
    cut = limit
    for opener, closer in (("&", ";"), ("<", ">")):
        start = line.rfind(opener, 0, cut)
        if start > 0 and line.find(closer, start, cut) == -1:
            cut = start
    return cut if cut > 0 else limit


def truncate(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def account_link(account: AccountRef) -> str:
    return f'<a href="{esc(account.url)}">{esc(account.short)}</a>'


def followers_text(value: int | None) -> str:
    if value is None:
        return "unknown"
    if value >= 1_000_000:
        return f"{value:,} ({value / 1_000_000:.1f}m)"
    if value >= 10_000:
        return f"{value:,} ({value / 1_000:.1f}k)"
    return f"{value:,}"


Keyboard = list[list[tuple[str, str]]]  # rows of (label, callback_data)

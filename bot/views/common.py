"""HTML escaping and message splitting: every user-supplied string goes through `esc`."""

from __future__ import annotations

import datetime as dt
import html
from zoneinfo import ZoneInfo

from bot.domain.accounts import AccountRef
from bot.domain.errors import UsageError

MAX_TEXT = 4096
MAX_CAPTION = 1024


def esc(value: object) -> str:
    return html.escape(str(value), quote=True)


def usage_error(err: UsageError) -> str:
    text = esc(err.reason)
    if err.usage:
        text += f"\nUsage: <code>{esc(err.usage)}</code>"
    return text


def local_time(when: dt.datetime, tz: ZoneInfo) -> str:
    return when.astimezone(tz).strftime("%Y-%m-%d %H:%M")


def hours(delta: dt.timedelta) -> str:
    total = delta.total_seconds() / 3600
    return f"{total:.0f} h" if total >= 10 else f"{total:.1f} h"


def split_message(text: str, limit: int = MAX_TEXT) -> list[str]:
    """Split on line boundaries so no part passes `limit`; a longer line is cut hard.

    HTML tags must not span lines in our own formatting, so a split between lines keeps
    every part well-formed.
    """
    parts: list[str] = []
    current = ""
    for line in text.split("\n"):
        while len(line) > limit:
            if current:
                parts.append(current)
                current = ""
            parts.append(line[:limit])
            line = line[limit:]
        candidate = f"{current}\n{line}" if current else line
        if len(candidate) > limit:
            parts.append(current)
            current = line
        else:
            current = candidate
    if current or not parts:
        parts.append(current)
    return parts


def truncate(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def one_line(text: str, limit: int) -> str:
    """User text on one line, cut to `limit`, escaped."""
    return esc(truncate(" ".join(text.split()), limit))


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

"""HTML escaping and message splitting: every user-supplied string goes through `esc`."""

from __future__ import annotations

import datetime as dt
import html
from collections.abc import Sequence
from zoneinfo import ZoneInfo

from bot.domain.accounts import AccountRef
from bot.domain.errors import UsageError
from bot.domain.text import one_line as _one_line

MAX_TEXT = 4096
MAX_CAPTION = 1024
PRE_OPEN, PRE_CLOSE = "<pre>", "</pre>"


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


def split_message(text: str, limit: int = MAX_TEXT) -> list[str]:
    """Split on line boundaries so no part passes `limit`; a longer line is cut hard.

    HTML tags must not span lines in our own formatting (user text is escaped), so a split
    between lines keeps every part well-formed; a hard cut moves back to before an entity
    (`&quot;`) or a tag it would split; a <pre> table cut in two is closed and reopened.
    """
    parts: list[str] = []
    current = ""
    in_pre = False  # a <pre> is open at the end of `current`
    for line in text.split("\n"):
        pre_line = in_pre or line.startswith(PRE_OPEN)
        pieces = _pieces(line, limit - len(PRE_OPEN) - len(PRE_CLOSE) if pre_line else limit)
        for index, piece in enumerate(pieces):
            open_after = pre_line and not (index == len(pieces) - 1 and piece.endswith(PRE_CLOSE))
            candidate = f"{current}\n{piece}" if current else piece
            if len(pieces) == 1 and len(candidate) + (len(PRE_CLOSE) if open_after else 0) <= limit:
                current = candidate
            else:  # a new part; every piece of a line cut hard starts one
                if current:
                    parts.append(current + PRE_CLOSE if in_pre else current)
                reopen = in_pre and not piece.startswith(PRE_OPEN)
                current = PRE_OPEN + piece if reopen else piece
            in_pre = open_after
    if current or not parts:
        parts.append(current)
    return parts


def _pieces(line: str, room: int) -> list[str]:
    """`line` cut in pieces of at most `room` characters, none inside an entity or a tag."""
    pieces = []
    while len(line) > room:
        cut = _safe_cut(line, room)
        pieces.append(line[:cut])
        line = line[cut:]
    return [*pieces, line]


def _safe_cut(line: str, limit: int) -> int:
    """The largest cut <= `limit` that is not inside `&...;` or `<...>`."""
    cut = limit
    for opener, closer in (("&", ";"), ("<", ">")):
        start = line.rfind(opener, 0, cut)
        if start > 0 and line.find(closer, start, cut) == -1:
            cut = start
    return cut if cut > 0 else limit


def pack(blocks: Sequence[str], limit: int = MAX_TEXT) -> list[str]:
    """Join blocks (blank line between) into as few messages of at most `limit` as can be,
    a block starting a new message when it does not fit; a longer block is split."""
    messages: list[str] = []
    current = ""
    for block in blocks:
        candidate = f"{current}\n\n{block}" if current else block
        if len(candidate) <= limit:
            current = candidate
            continue
        if current:
            messages.append(current)
        *full, current = split_message(block, limit)
        messages.extend(full)
    if current or not messages:
        messages.append(current)
    return messages


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


def plural(count: int, word: str, words: str = "") -> str:
    """`1 case`, `2 cases`, `1,204 rows`; `words`: the plural where it is not word + s."""
    return f"{count:,} {word if count == 1 else words or word + 's'}"


def page_footer(total: int, offset: int, shown: int, next_page: str) -> str:
    """How far a paged list goes and the command for the next page (`next_page`, already
    the full command); "" for a list shown whole."""
    if offset == 0 and shown >= total:
        return ""
    if shown == 0:
        return f"That page is past the end: there are {total:,}."
    text = f"Shown: {offset + 1:,}-{offset + shown:,} of {total:,}."
    if offset + shown < total:
        text += f" Next page: <code>{esc(next_page)}</code>"
    return text

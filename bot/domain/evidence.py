"""Evidence: the rules of content links, kept files and the zip parts a packet sends.

Pure: imports neither telegram nor aiosqlite nor storage. What is downloaded and how is in
bot/runtime/evidence.py; the rows in storage/evidence.py.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import TypeVar
from urllib.parse import urlsplit

from bot.domain import Platform
from bot.domain.accounts import AccountRef

# The Bot API hands over files up to 20 MB (getFile); bots send documents up to 50 MB.
MAX_DOWNLOAD_BYTES = 20 * 1024 * 1024
MAX_UPLOAD_BYTES = 50 * 1024 * 1024
# What one zip part may hold: the upload limit less room for the manifest and zip headers.
ZIP_PART_BYTES = MAX_UPLOAD_BYTES - 1024 * 1024

# A content link: the path after the account that names one post, video, reel or message.
# Ids are digits where the platform's are, so no member's free text passes as one.
_CONTENT_PATHS: dict[Platform, re.Pattern[str]] = {
    Platform.X: re.compile(r"/[^/]+/status/\d{1,25}/?", re.IGNORECASE),
    Platform.INSTAGRAM: re.compile(r"/[^/]+/(?:p|reel|reels|tv)/[A-Za-z0-9_-]{5,40}/?"),
    Platform.TIKTOK: re.compile(r"/@[^/]+/(?:video|photo)/\d{1,25}/?", re.IGNORECASE),
    Platform.TELEGRAM: re.compile(r"(?:/s)?/[^/]+/\d{1,12}/?", re.IGNORECASE),
    Platform.FACEBOOK: re.compile(r"/[^/]+/(?:posts|videos|photos)/[A-Za-z0-9.]{1,60}/?"),
    Platform.YOUTUBE: re.compile(r"/@[^/]+/(?:shorts|videos)/[A-Za-z0-9_-]{5,20}/?"),
}
_HOSTS: dict[Platform, str] = {
    Platform.X: "x.com",
    Platform.INSTAGRAM: "www.instagram.com",
    Platform.TIKTOK: "www.tiktok.com",
    Platform.TELEGRAM: "t.me",
    Platform.FACEBOOK: "www.facebook.com",
    Platform.YOUTUBE: "www.youtube.com",
}
_EXTENSION = re.compile(r"\.([A-Za-z0-9]{1,8})$")


class LinkSource(StrEnum):
    FLAG = "flag"  # given to /flag
    FORWARD = "forward"  # the post link of a forwarded public channel post


class FileStatus(StrEnum):
    """What became of the file of a kept message."""

    KEPT = "kept"  # in EVIDENCE_DIR under its SHA-256
    TOO_BIG = "too_big"  # over the Bot API's 20 MB: Telegram will not hand it over
    FAILED = "failed"  # Telegram did not hand it over (error, too slow, the bot stopping)
    DISK_FULL = "disk_full"  # EVIDENCE_DIR had no room
    NOT_FETCHED = "not_fetched"  # kept by a version that did not download files


def content_link(text: str, account: AccountRef) -> str | None:
    """The post/video/reel/message URL `text` is, in full (https, the platform's host, the
    path as typed; query and fragment, which carry tracking, dropped), or None when `text`
    names the account only. `account` is what parse_account made of `text`."""
    pattern = _CONTENT_PATHS.get(account.platform)
    if pattern is None:
        return None  # WhatsApp has no post links
    candidate = text.strip().removeprefix("<").removesuffix(">")
    if "://" not in candidate:
        candidate = "https://" + candidate.removeprefix("//")
    try:
        path = urlsplit(candidate).path
    except ValueError:
        return None
    if not pattern.fullmatch(path):
        return None
    return f"https://{_HOSTS[account.platform]}{path.rstrip('/')}"


def channel_post_link(username: str | None, post_id: int) -> str | None:
    """`https://t.me/<channel>/<post>` for a post of a public channel (one with a username)."""
    if not username:
        return None
    return f"https://t.me/{username}/{post_id}"


def stored_name(sha256: str, telegram_path: str | None) -> str:
    """The file's name in EVIDENCE_DIR: its SHA-256 and the extension of Telegram's own
    file path (never a member's file name, which is free text)."""
    found = _EXTENSION.search(telegram_path or "")
    return f"{sha256}.{found.group(1).lower()}" if found else sha256


T = TypeVar("T")


def zip_parts(
    items: Sequence[T], sizes: Sequence[int], limit: int = ZIP_PART_BYTES
) -> list[list[T]]:
    """`items` in order, in as few consecutive parts as keep each part's sizes within `limit`
    (an item is at most MAX_DOWNLOAD_BYTES, so each fits a part of its own)."""
    parts: list[list[T]] = []
    total = limit + 1
    for item, size in zip(items, sizes, strict=True):
        if total + size > limit:
            parts.append([])
            total = 0
        parts[-1].append(item)
        total += size
    return parts


@dataclass(frozen=True)
class CapturedFile:
    """A kept message's file as the download left it."""

    status: FileStatus
    sha256: str | None = None
    size: int | None = None
    mime_type: str = ""
    stored_name: str = ""  # in EVIDENCE_DIR
    error: str = ""  # why it was not kept

"""Downloading a kept message's file into EVIDENCE_DIR, named by the SHA-256 of its bytes.

Through getFile and the bounded download (bot/runtime/bounded.py), so a file that trickles
in neither holds the member for ever nor a shutdown. Whatever happens to the file, the
caller records the /flag: a file Telegram will not hand over (over 20 MB), a failed
download and a full EVIDENCE_DIR disk are each recorded as such (bot.domain.evidence).
"""

from __future__ import annotations

import asyncio
import contextlib
import errno
import hashlib
import logging
import os
from pathlib import Path
from typing import Any

from telegram import Bot
from telegram.error import BadRequest, TelegramError
from telegram.ext import Application

from bot.domain.evidence import MAX_DOWNLOAD_BYTES, CapturedFile, FileStatus, stored_name
from bot.runtime.bounded import Stopping, bounded

log = logging.getLogger(__name__)

TOO_BIG = "over the 20 MB Telegram hands to bots"


async def capture(
    app: Application[Any, Any, Any, Any, Any, Any],
    bot: Bot,
    file_id: str,
    *,
    declared_size: int | None,
    mime_type: str,
    folder: Path,
    seconds: float,
) -> CapturedFile:
    """The file of `file_id` kept in `folder`, or why not (never raises for the file)."""
    if declared_size is not None and declared_size > MAX_DOWNLOAD_BYTES:
        return CapturedFile(
            FileStatus.TOO_BIG, size=declared_size, mime_type=mime_type, error=TOO_BIG
        )

    async def fetch() -> tuple[str | None, bytearray]:
        file = await bot.get_file(file_id)
        return file.file_path, await file.download_as_bytearray()

    try:
        path, data = await bounded(app, fetch(), seconds)
    except TimeoutError:
        return _failed(
            mime_type, declared_size, f"did not arrive from Telegram within {seconds:g} s"
        )
    except Stopping:
        return _failed(mime_type, declared_size, "the bot began to restart during the download")
    except BadRequest as err:
        if "too big" in err.message.lower():
            return CapturedFile(
                FileStatus.TOO_BIG, size=declared_size, mime_type=mime_type, error=TOO_BIG
            )
        return _failed(mime_type, declared_size, f"Telegram refused it: {err.message}")
    except TelegramError as err:
        log.warning("could not fetch an evidence file: %s", err)
        return _failed(mime_type, declared_size, f"Telegram did not hand it over: {err}")
    sha256 = hashlib.sha256(data).hexdigest()
    name = stored_name(sha256, path)
    try:
        await asyncio.to_thread(_write, folder, name, bytes(data))
    except OSError as err:
        if err.errno == errno.ENOSPC:
            log.warning("evidence file not kept, %s is full", folder)
            return CapturedFile(
                FileStatus.DISK_FULL, sha256, len(data), mime_type, error="EVIDENCE_DIR is full"
            )
        log.warning("evidence file not kept in %s: %s", folder, err)
        return CapturedFile(
            FileStatus.FAILED, sha256, len(data), mime_type, error=f"not written: {err.strerror}"
        )
    return CapturedFile(FileStatus.KEPT, sha256, len(data), mime_type, name)


def _failed(mime_type: str, size: int | None, why: str) -> CapturedFile:
    return CapturedFile(FileStatus.FAILED, size=size, mime_type=mime_type, error=why)


def _write(folder: Path, name: str, data: bytes) -> None:
    """`data` as `folder/name` (0600, the folder 0700), whole or not at all: written to a
    temporary name and renamed. A file of that name is already those bytes (its name is
    their hash), so it is left as it is."""
    folder.mkdir(mode=0o700, parents=True, exist_ok=True)
    target = folder / name
    if target.exists():
        return
    partial = folder / f".{name}.{os.getpid()}.part"
    try:
        fd = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "wb") as out:
            out.write(data)
            out.flush()
            os.fsync(out.fileno())
        os.replace(partial, target)
    finally:
        with contextlib.suppress(FileNotFoundError):
            partial.unlink()


def read_kept(folder: Path, name: str) -> bytes | None:
    """A kept file's bytes, None when it is gone from EVIDENCE_DIR."""
    try:
        return (folder / name).read_bytes()
    except OSError:
        return None

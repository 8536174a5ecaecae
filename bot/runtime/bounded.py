"""Waiting on Telegram for something slow (a file download) without holding up a shutdown.

PTB's graceful stop (SIGTERM) waits for every handler to finish; a handler waiting on a file
that trickles in would hold the process for as long as the download limit. `bounded` gives
up when the time is over or when the application starts stopping, whichever comes first.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable
from typing import Any, TypeVar

from telegram.ext import Application

T = TypeVar("T")

# How often a wait looks whether the application is stopping: a SIGTERM ends it this late.
CHECK_EVERY = 0.2


class Stopping(Exception):
    """The application began to stop while the wait was on."""


async def bounded(
    app: Application[Any, Any, Any, Any, Any, Any], work: Awaitable[T], seconds: float
) -> T:
    """The result of `work`; TimeoutError after `seconds`, Stopping when `app` stops first.
    Either way `work` is cancelled."""
    task = asyncio.ensure_future(work)
    loop = asyncio.get_running_loop()
    deadline = loop.time() + seconds
    try:
        while True:
            remaining = deadline - loop.time()
            if remaining <= 0:
                raise TimeoutError
            done, _ = await asyncio.wait({task}, timeout=min(CHECK_EVERY, remaining))
            if done:
                return task.result()
            if not app.running:
                raise Stopping
    finally:
        task.cancel()  # nothing happens to a task that is done

"""Time limits and retry schedules of the bot's dealings with Telegram, in one place.

The defaults are what runs in production; tests pass shorter ones to build_application so
that a failure and its retries take a second, not minutes.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Limits:
    # A Bot API call Telegram surely did not handle (see bot/runtime/retry.py) is sent up to
    # this many times, waiting backoff, 2 x backoff, 4 x backoff ... between tries.
    request_attempts: int = 5
    request_backoff: float = 0.5
    # A 429 answer is sent again after its retry_after when that is at most this long.
    max_retry_after: float = 120.0
    # How long Telegram may take to answer a call before the bot stops waiting. Past this the
    # call may still have been handled, so it is never sent again.
    read_timeout: float = 30.0
    # The whole download of an /import file (getFile and the bytes), however it trickles.
    download_seconds: float = 60.0
    # A digest that could not be delivered to a chat (the calls' own retries used up) is tried
    # again after each of these waits, then given up for the day.
    digest_retry_delays: tuple[float, ...] = (60.0, 300.0, 900.0, 1800.0, 3600.0)
    # On PostgreSQL, how often a replica that does not run the daily jobs asks whether the
    # one that did is gone (it then takes them over, see bot/runtime/jobs.py lead).
    lead_every: float = 60.0


DEFAULT_LIMITS = Limits()

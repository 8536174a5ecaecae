"""Bot API calls that Telegram surely did not handle are sent again.

python-telegram-bot retries nothing: a reply refused with 429, answered 502 or lost in a reset
would never reach the member. RetryingRequest wraps PTB's HTTPXRequest and sends a call again,
a bounded number of times with a growing wait, when:

- Telegram answered 429 (flood control): after the retry_after it names;
- Telegram answered 5xx: it did not handle the call;
- the connection failed before an answer: no connection (connect error or timeout, pool
  timeout), the request could not be written, or the server closed or reset the connection
  without a byte of answer (what a front end does to a request it drops).

A read timeout is never retried: the request arrived and Telegram may well deliver it, so a
second send would show the member the reply twice (see docs/product-notes.md).

A connection closed without an answer may also come after Telegram did the call (the answer
was lost on the way back). Sent again, an edit is then refused as "message is not modified"
and a button answer as "query is too old": after such a drop those two refusals mean the first
send did it, and are taken as success rather than shown to the member as an internal error.
"""

from __future__ import annotations

import asyncio
import json
import logging
from typing import Any

import httpx
from telegram._utils.types import ODVInput
from telegram.error import BadRequest, NetworkError, RetryAfter
from telegram.request import BaseRequest, HTTPXRequest, RequestData

from bot.runtime.limits import Limits

log = logging.getLogger(__name__)

# httpx errors after which the call surely was not handled, or the server dropped it unanswered.
NOT_HANDLED = (
    httpx.ConnectError,
    httpx.ConnectTimeout,
    httpx.PoolTimeout,
    httpx.WriteError,
    httpx.WriteTimeout,
    httpx.RemoteProtocolError,
    httpx.ReadError,
)
# Of those, the drops that may come after Telegram did the call.
MAYBE_HANDLED = (httpx.RemoteProtocolError, httpx.ReadError)
# What Telegram answers a call sent again that the first send already did.
DONE_BEFORE = ("message is not modified", "query is too old")
DONE = b'{"ok":true,"result":true}'


class RetryingRequest(HTTPXRequest):
    def __init__(self, limits: Limits, **kwargs: Any) -> None:
        super().__init__(read_timeout=limits.read_timeout, **kwargs)
        self.limits = limits

    async def do_request(
        self,
        url: str,
        method: str,
        request_data: RequestData | None = None,
        read_timeout: ODVInput[float] = BaseRequest.DEFAULT_NONE,
        write_timeout: ODVInput[float] = BaseRequest.DEFAULT_NONE,
        connect_timeout: ODVInput[float] = BaseRequest.DEFAULT_NONE,
        pool_timeout: ODVInput[float] = BaseRequest.DEFAULT_NONE,
    ) -> tuple[int, bytes]:
        timeouts = (read_timeout, write_timeout, connect_timeout, pool_timeout)
        what = call_name(url)
        attempts = self.limits.request_attempts
        dropped = False  # an earlier send's connection closed unanswered: it may have been done
        for attempt in range(1, attempts + 1):
            last = attempt == attempts
            try:
                code, payload = await super().do_request(url, method, request_data, *timeouts)
            except NetworkError as err:
                if last or not isinstance(err.__cause__, NOT_HANDLED):
                    raise
                dropped = dropped or isinstance(err.__cause__, MAYBE_HANDLED)
                reason = type(err.__cause__).__name__
                wait = self._backoff(attempt)
            else:
                if dropped and code == 400 and _done_before(payload):
                    log.info("Bot API %s: the send before was done; its answer was lost", what)
                    return 200, DONE
                answer_wait = self._wait_for(code, payload, attempt)
                if answer_wait is None or last:
                    return code, payload
                reason, wait = f"answer {code}", answer_wait
            log.warning(
                "Bot API %s: %s; sent again in %.1f s (attempt %d of %d)",
                what,
                reason,
                wait,
                attempt + 1,
                attempts,
            )
            await asyncio.sleep(wait)
        raise AssertionError("unreachable: the last attempt returns or raises")

    def _backoff(self, attempt: int) -> float:
        return float(self.limits.request_backoff * 2 ** (attempt - 1))

    def _wait_for(self, code: int, payload: bytes, attempt: int) -> float | None:
        """How long to wait before sending the call again; None: keep this answer."""
        if code >= 500:
            return self._backoff(attempt)
        if code == 429:
            retry_after = _retry_after(payload)
            if retry_after is not None and retry_after <= self.limits.max_retry_after:
                return retry_after
        return None


def telegram_unavailable(err: BaseException) -> bool:
    """A failure of Telegram rather than of the call: flood control, 5xx, the network, a
    timeout. (PTB's BadRequest is a NetworkError too, but a call Telegram refuses as bad
    stays bad when sent again.)"""
    if isinstance(err, RetryAfter):
        return True
    return isinstance(err, NetworkError) and not isinstance(err, BadRequest)


def call_name(url: str) -> str:
    """The Bot API method of a URL, or "file download": never the token in the URL."""
    if "/file/bot" in url:
        return "file download"
    return url.rsplit("/", 1)[-1]


def _done_before(payload: bytes) -> bool:
    try:
        description = str(json.loads(payload).get("description", ""))
    except (ValueError, AttributeError):
        return False
    return any(words in description for words in DONE_BEFORE)


def _retry_after(payload: bytes) -> float | None:
    try:
        value = json.loads(payload)["parameters"]["retry_after"]
    except (ValueError, KeyError, TypeError):
        return None
    return float(value) if isinstance(value, int | float) else None

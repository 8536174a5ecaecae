"""Giving back to the system the memory a big command freed.

glibc's malloc keeps what was freed for the next allocations instead of returning it, per
thread arena: after a 100,000-row /import or a year's report the idle bot holds tens of MB
it no longer uses, and the next big command's peak stacks on top of them (the bench's peak
RSS, issue 15). malloc_trim(0) hands the free pages back (milliseconds). Where the C library
is not glibc, nothing is done.
"""

from __future__ import annotations

import ctypes
import logging
from collections.abc import Callable
from functools import cache

log = logging.getLogger(__name__)


@cache
def _malloc_trim() -> Callable[[int], int] | None:
    try:
        trim: Callable[[int], int] = ctypes.CDLL("libc.so.6").malloc_trim
    except (OSError, AttributeError):  # not glibc
        return None
    return trim


def give_back() -> None:
    """After a command that allocated a lot: the freed heap back to the system."""
    trim = _malloc_trim()
    if trim is not None:
        trim(0)

"""Errors a user can fix: values carried back to the chat, never tracebacks."""

from __future__ import annotations


class UsageError(Exception):
    """Bad input. `reason` is one line for the user; `usage` the command's grammar, if known."""

    def __init__(self, reason: str, usage: str | None = None) -> None:
        super().__init__(reason)
        self.reason = reason
        self.usage = usage

    def with_usage(self, usage: str) -> UsageError:
        return UsageError(self.reason, self.usage or usage)


class SearchTooSlow(Exception):
    """A search ran past its deadline and was stopped (the member is told to narrow it)."""


def echo(text: str, limit: int = 60) -> str:
    """The user's input, safe to quote on one line of a reason: unprintables as `?`, cut."""
    printable = "".join(char if char.isprintable() else "?" for char in text)
    return printable if len(printable) <= limit else printable[: limit - 1] + "…"

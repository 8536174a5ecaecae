"""What a member hears about a message the bot could not handle across restarts. HTML."""

from __future__ import annotations

from bot.views.common import one_line


def interrupted(text: str | None, file_name: str | None, times: int) -> str:
    """`file_name` for an /import (its document), otherwise the message's text (None: a
    button press)."""
    if text is None:
        what = "Your button press"
    elif file_name is not None:
        what = f"Your import of {one_line(file_name, 80)}"
    else:
        what = f"Your message “{one_line(text, 60)}”"
    return (
        f"{what} was interrupted by a restart of the bot {times} times; "
        "it was not recorded: send it again."
    )

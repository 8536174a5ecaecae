"""What /request, /outcome, the outcome buttons and /pending say. Pure formatting (HTML).

The request message is rebuilt from the database after every button press, so its round lines
start with `#<case> round <n>`: `round_keys` reads them back from the message's plain text.
Outcome buttons carry `o:<case_id>:<round_no>:<outcome>` (at most 64 bytes, as Telegram wants).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from bot.domain import Outcome
from bot.domain.people import person
from bot.domain.records import (
    Refusal,
    RoundInfo,
)
from bot.domain.states import is_platform_answer
from bot.views.common import Keyboard, esc, local_time, one_line
from bot.views.figures import hours

CALLBACK_PREFIX = "o"
CALLBACK_PATTERN = r"^o:\d+:\d+:[a-z_]+$"
MAX_CALLBACK_BYTES = 64
ROUNDS_PER_MESSAGE = 20  # 4 buttons each: well under Telegram's 100 buttons a message

BUTTONS: tuple[tuple[Outcome, str], ...] = (
    (Outcome.REMOVED, "Removed"),
    (Outcome.RESTRICTED, "Restricted"),
    (Outcome.REJECTED, "Rejected"),
    (Outcome.NO_RESPONSE, "No response"),
)

REQUEST_TITLE = "Removal requests sent"
_ROUND_LINE = re.compile(r"^#(\d+) round (\d+)\b", re.MULTILINE)


@dataclass(frozen=True)
class OutcomeButton:
    case_id: int
    round_no: int
    outcome: Outcome


def button_data(case_id: int, round_no: int, outcome: Outcome) -> str:
    data = f"{CALLBACK_PREFIX}:{case_id}:{round_no}:{outcome.value}"
    assert len(data.encode()) <= MAX_CALLBACK_BYTES
    return data


def parse_button_data(data: str | None) -> OutcomeButton | None:
    """The button behind `data`, or None if it is not one of ours (or is malformed)."""
    parts = (data or "").split(":")
    if len(parts) != 4 or parts[0] != CALLBACK_PREFIX:
        return None
    _, case_text, round_text, outcome_text = parts
    numbers = (case_text, round_text)
    if not all(n.isascii() and n.isdigit() and len(n) <= 12 for n in numbers):  # 64-bit ints
        return None
    try:
        outcome = Outcome(outcome_text)
    except ValueError:
        return None
    if not is_platform_answer(outcome):
        return None
    return OutcomeButton(int(case_text), int(round_text), outcome)


def round_line(info: RoundInfo, tz: ZoneInfo, *, show_people: bool) -> str:
    """`#17 round 2 · x:@name · sent 2026-11-02 11:00` and, once closed, what happened (and
    who recorded it, with `show_people`: bot.domain.privacy.may_see_people)."""
    line = (
        f"#{info.case_id} round {info.round_no} · {esc(info.account.short)}"
        f" · sent {local_time(info.sent_at, tz)}"
    )
    if info.outcome is not None and info.time_to_outcome is not None:
        line += f" → <b>{esc(info.outcome.value)}</b> after {hours(info.time_to_outcome)}"
        if show_people and info.outcome_by is not None:
            names = {info.outcome_by: info.outcome_by_name} if info.outcome_by_name else {}
            line += f" (by {esc(person(info.outcome_by, names))})"
    if info.restored_at is not None:
        line += f", restored {local_time(info.restored_at, tz)}"
    return line


def request_message(
    rounds: Sequence[RoundInfo], tz: ZoneInfo, *, show_people: bool
) -> tuple[str, Keyboard]:
    """The reply to /request (and its refreshed form): the rounds, one button row per open one."""
    refs = sorted({info.ref for info in rounds if info.ref})
    title = f"<b>{REQUEST_TITLE}</b>"
    if refs:
        title += f" (ref {one_line(', '.join(refs), 200)})"
    lines = [title, *(round_line(info, tz, show_people=show_people) for info in rounds)]
    keyboard: Keyboard = []
    for info in rounds:
        if info.is_open:
            keyboard.append(
                [
                    (f"#{info.case_id} {label}", button_data(info.case_id, info.round_no, outcome))
                    for outcome, label in BUTTONS
                ]
            )
    if rounds and not keyboard:
        lines.append("All outcomes recorded.")
    return "\n".join(lines), keyboard


def chunks(rounds: Sequence[RoundInfo]) -> list[list[RoundInfo]]:
    return [
        list(rounds[start : start + ROUNDS_PER_MESSAGE])
        for start in range(0, len(rounds), ROUNDS_PER_MESSAGE)
    ]


def round_keys(plain_text: str) -> list[tuple[int, int]]:
    """(case_id, round_no) of every round line in a request message, in order."""
    return [(int(case), int(number)) for case, number in _ROUND_LINE.findall(plain_text)]


def refusals_text(refused: Sequence[Refusal], *, opened: int) -> str:
    title = "Nothing recorded:" if opened == 0 else "Not requested:"
    lines = [f"<b>{title}</b>"]
    lines += [f"#{refusal.case_id}: {esc(refusal.reason)}" for refusal in refused]
    return "\n".join(lines)

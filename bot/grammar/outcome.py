"""`/outcome <#id> <outcome> [note]`: text in, an OutcomeCommand out. Pure."""

from __future__ import annotations

from dataclasses import dataclass

from bot.domain import RESTORED, Outcome
from bot.domain.states import is_platform_answer
from bot.grammar.commands import parse_case_id, spec

MAX_NOTE_LENGTH = 1000


# What a user may type for an outcome (case-insensitive) -> the outcome, or RESTORED.
OUTCOME_WORDS: dict[str, Outcome | str] = {
    **{outcome.value: outcome for outcome in Outcome if is_platform_answer(outcome)},
    "no-response": Outcome.NO_RESPONSE,
    "noresponse": Outcome.NO_RESPONSE,
    RESTORED: RESTORED,
}


@dataclass(frozen=True)
class OutcomeCommand:
    case_id: int
    outcome: Outcome | None  # None: restored
    note: str

    @property
    def restored(self) -> bool:
        return self.outcome is None

    @classmethod
    def parse(cls, text: str) -> OutcomeCommand:
        """`text` is the raw text after /outcome (the note keeps its spacing)."""
        command = spec("outcome")
        words = text.strip().split(maxsplit=2)
        if len(words) < 2:
            raise command.error("Give a case number and an outcome.")
        case_id = parse_case_id(words[0], command.usage)
        word = words[1].lower()
        if word not in OUTCOME_WORDS:
            raise command.error(f"Unknown outcome '{words[1][:40]}'.")
        chosen = OUTCOME_WORDS[word]
        note = words[2].strip() if len(words) > 2 else ""
        if len(note) > MAX_NOTE_LENGTH:
            raise command.error(f"The note is too long (at most {MAX_NOTE_LENGTH} characters).")
        outcome = chosen if isinstance(chosen, Outcome) else None
        return cls(case_id=case_id, outcome=outcome, note=note)

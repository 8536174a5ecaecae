"""`/correct <#id> <outcome> <reason>`: text in, a CorrectCommand out. Pure."""

from __future__ import annotations

from dataclasses import dataclass

from bot.domain import Outcome
from bot.grammar.commands import case_and_text, spec
from bot.grammar.outcome import OUTCOME_WORDS


@dataclass(frozen=True)
class CorrectCommand:
    case_id: int
    outcome: Outcome
    reason: str

    @classmethod
    def parse(cls, text: str) -> CorrectCommand:
        command = spec("correct")
        case_id, rest = case_and_text(text, command, "the right outcome and the reason")
        word, _, reason = rest.partition(" ")
        outcome = OUTCOME_WORDS.get(word.lower())
        if not isinstance(outcome, Outcome):  # `restored` is not an outcome of a round
            raise command.error(f"Unknown outcome '{word[:40]}'.")
        if not reason.strip():
            raise command.error("Give the reason for the correction, e.g. 'mis-tapped'.")
        return cls(case_id, outcome, reason.strip())

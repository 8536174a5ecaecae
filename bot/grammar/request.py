"""The grammar of /request, /outcome, /pending and /export: words in, typed commands out.

Pure: imports neither telegram nor aiosqlite. Bad input raises UsageError with the usage.
"""

from __future__ import annotations

from dataclasses import dataclass

from bot.domain import RESTORED, Outcome, Platform
from bot.domain.accounts import platform_of
from bot.grammar.commands import parse_case_id, spec

MAX_CASES_PER_REQUEST = 100
MAX_REF_LENGTH = 200
MAX_NOTE_LENGTH = 1000

REF_PREFIX = "ref="
OVERDUE_WORD = "overdue"
EXPORT_ALL = "all"
EXPORT_PENDING = "pending"

# What a user may type for an outcome (case-insensitive) -> the outcome, or RESTORED.
OUTCOME_WORDS: dict[str, Outcome | str] = {
    **{outcome.value: outcome for outcome in Outcome},
    "no-response": Outcome.NO_RESPONSE,
    "noresponse": Outcome.NO_RESPONSE,
    RESTORED: RESTORED,
}


@dataclass(frozen=True)
class RequestCommand:
    case_ids: tuple[int, ...]  # in the order typed, without repeats
    ref: str

    @classmethod
    def parse(cls, args: list[str]) -> RequestCommand:
        command = spec("request")
        ids: list[int] = []
        ref = ""
        for index, word in enumerate(args):
            if word.lower().startswith(REF_PREFIX):
                ref = " ".join([word[len(REF_PREFIX) :], *args[index + 1 :]]).strip()
                if not ref:
                    raise command.error("ref= needs a value, e.g. ref=FB-12345.")
                if len(ref) > MAX_REF_LENGTH:
                    raise command.error(f"ref= is too long (at most {MAX_REF_LENGTH} characters).")
                break
            for part in word.split(","):
                if part:
                    ids.append(parse_case_id(part, command.usage))
        if not ids:
            raise command.error("Give at least one case number.")
        unique = tuple(dict.fromkeys(ids))
        if len(unique) > MAX_CASES_PER_REQUEST:
            raise command.error(f"At most {MAX_CASES_PER_REQUEST} cases at once.")
        return cls(case_ids=unique, ref=ref)


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


@dataclass(frozen=True)
class PendingCommand:
    platform: Platform | None
    overdue_only: bool

    @classmethod
    def parse(cls, args: list[str]) -> PendingCommand:
        command = spec("pending")
        platform: Platform | None = None
        overdue = False
        for word in args:
            if word.lower() == OVERDUE_WORD and not overdue:
                overdue = True
            elif platform_of(word) is not None and platform is None:
                platform = platform_of(word)
            else:
                raise command.error(
                    f"Unexpected '{word[:40]}': give a platform ({', '.join(Platform)}) "
                    "and/or 'overdue'."
                )
        return cls(platform=platform, overdue_only=overdue)


@dataclass(frozen=True)
class ExportCommand:
    scope: str | Platform  # EXPORT_ALL, EXPORT_PENDING or a platform

    @property
    def label(self) -> str:
        return str(self.scope)

    @classmethod
    def parse(cls, args: list[str]) -> ExportCommand:
        command = spec("export")
        if not args:
            return cls(scope=EXPORT_ALL)
        if len(args) > 1:
            raise command.error("Give at most one of all, pending or a platform.")
        word = args[0].lower()
        if word in (EXPORT_ALL, EXPORT_PENDING):
            return cls(scope=word)
        platform = platform_of(word)
        if platform is None:
            raise command.error(
                f"Unknown export '{args[0][:40]}': use all, pending or a platform "
                f"({', '.join(Platform)})."
            )
        return cls(scope=platform)

"""The grammar of /request, /outcome, /pending and /export: words in, typed commands out.

Pure: imports neither telegram nor aiosqlite. Bad input raises UsageError with the usage.
"""

from __future__ import annotations

from dataclasses import dataclass

from bot.grammar.commands import parse_case_id, spec

MAX_CASES_PER_REQUEST = 100
MAX_REF_LENGTH = 200

REF_PREFIX = "ref="


@dataclass(frozen=True)
class RequestCommand:
    case_ids: tuple[int, ...]  # in the order typed, without repeats
    ref: str

    @classmethod
    def parse(cls, args: list[str]) -> RequestCommand:
        """Case numbers before or after `ref=`; the reference is the one word after `ref=`."""
        command = spec("request")
        ids: list[int] = []
        ref: str | None = None
        for word in args:
            if word.lower().startswith(REF_PREFIX):
                if ref is not None:
                    raise command.error("Give ref= only once.")
                ref = word[len(REF_PREFIX) :]
                if not ref:
                    raise command.error("ref= needs a value, e.g. ref=FB-12345.")
                if len(ref) > MAX_REF_LENGTH:
                    raise command.error(f"ref= is too long (at most {MAX_REF_LENGTH} characters).")
                continue
            for part in word.split(","):
                if part:
                    ids.append(parse_case_id(part, command.usage))
        if not ids:
            raise command.error("Give at least one case number.")
        unique = tuple(dict.fromkeys(ids))
        if len(unique) > MAX_CASES_PER_REQUEST:
            raise command.error(f"At most {MAX_CASES_PER_REQUEST} cases at once.")
        return cls(case_ids=unique, ref=ref or "")

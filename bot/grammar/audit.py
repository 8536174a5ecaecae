"""`/audit [#id] [user=ID] [action=WORD] [page=N]`: words in, which entries and which page
out. Pure."""

from __future__ import annotations

from dataclasses import dataclass

from bot.domain.errors import UsageError
from bot.domain.records import AuditFilter
from bot.grammar.commands import parse_case_id, parse_user_id, spec, take_page

MAX_ACTION = 40


@dataclass(frozen=True)
class AuditQuery:
    wanted: AuditFilter
    page: int

    def command(self, page: int) -> str:
        """The /audit command that shows `page` of the same entries."""
        words = ["/audit"]
        if self.wanted.case_id is not None:
            words.append(f"#{self.wanted.case_id}")
        if self.wanted.user_id is not None:
            words.append(f"user={self.wanted.user_id}")
        if self.wanted.action is not None:
            words.append(f"action={self.wanted.action}")
        return " ".join([*words, f"page={page}"])


def parse_audit(args: list[str]) -> AuditQuery:
    usage = spec("audit").usage
    words, page = take_page(args, usage)
    found: dict[str, str] = {}
    for word in words:
        key, equals, value = word.partition("=")
        key = key.lower() if equals else "case"
        if key not in ("case", "user", "action"):
            raise UsageError(f"Unknown filter '{word[:40]}': #id, user= or action=.", usage)
        if key in found:
            raise UsageError(f"Give one {key} filter at most.", usage)
        if not value and equals:
            raise UsageError(f"{key}= needs a value.", usage)
        found[key] = value if equals else word
    action = found.get("action")
    if action is not None and (len(action) > MAX_ACTION or not action.isprintable()):
        raise UsageError(f"'{action[:40]}' is not an audit action like flag or grant.", usage)
    wanted = AuditFilter(
        case_id=parse_case_id(found["case"], usage) if "case" in found else None,
        user_id=parse_user_id(found["user"], usage) if "user" in found else None,
        action=action.lower() if action is not None else None,
    )
    return AuditQuery(wanted, page)

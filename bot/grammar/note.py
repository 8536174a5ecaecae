"""`/note <#id> <text>`: text in, the case number and the note out. Pure."""

from __future__ import annotations

from bot.grammar.commands import case_and_text, spec


def parse_note(text: str) -> tuple[int, str]:
    return case_and_text(text, spec("note"), "the note")

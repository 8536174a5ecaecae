"""`/reopen <#id> <reason>`: text in, the case number and reason out. Pure."""

from __future__ import annotations

from bot.grammar.commands import case_and_text, spec


def parse_reopen(text: str) -> tuple[int, str]:
    return case_and_text(text, spec("reopen"), "the reason, e.g. 'new posts since'")

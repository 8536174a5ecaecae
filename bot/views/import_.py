"""The /import replies: the rows with problems, or what was imported. HTML."""

from __future__ import annotations

from bot.domain.records import (
    ImportSummary,
)
from bot.grammar.import_ import RowError
from bot.views.common import esc, one_line, plural

MAX_ERRORS = 30


def import_errors(errors: list[RowError], name: str) -> str:
    lines = [
        f"Nothing imported from {one_line(name, 80)}: {len(errors)} "
        f"row{'s have' if len(errors) != 1 else ' has'} problems. Fix them and send the file again."
    ]
    for error in errors[:MAX_ERRORS]:
        lines.append(f"Row {error.row}: {one_line(error.reason, 300)}")
    if len(errors) > MAX_ERRORS:
        lines.append(f"… and {len(errors) - MAX_ERRORS} more")
    return "\n".join(lines)


def import_not_fetched(name: str) -> str:
    """The file could not be had from Telegram (e.g. again, after a restart interrupted it)."""
    return (
        f"Your import of {one_line(name, 80)} could not be fetched from Telegram; "
        "it was not recorded: send it again."
    )


def import_summary(summary: ImportSummary, name: str) -> str:
    lines = [
        f"Imported {one_line(name, 80)}: {plural(summary.rows, 'row')}.",
        f"New cases: {summary.new_cases:,}",
        f"New reports: {summary.new_reports:,}",
        f"Duplicates (repeated in the file or reported by you before): {summary.duplicates:,}",
    ]
    if summary.on_known:
        lines.append(
            f"Accounts that had a case: {summary.on_known:,} (their state, group, category and "
            "followers are left as they were: /edit changes them)"
        )
    if summary.on_dismissed:
        lines.append(
            f"Dismissed cases (they stay dismissed; /reopen reopens): {summary.on_dismissed:,}"
        )
    if summary.on_actioned:
        lines.append(f"Accounts already actioned: {summary.on_actioned:,}")
    return "\n".join(lines)


def download_too_slow(name: str, seconds: float) -> str:
    return (
        f"{esc(name[:80])} did not arrive from Telegram within {seconds:.0f} s; nothing was "
        "imported. Send the file again."
    )


def download_cut_by_restart(name: str) -> str:
    return (
        f"{esc(name[:80])} was still arriving from Telegram when the bot began to restart; "
        "nothing was imported. Send the file again in a minute."
    )

"""The /export CSV: one row per case with its latest round, written as rows arrive (streamed).

The first five columns are the /import columns (account, group, category, followers, note), so
an export can be imported again. Cells that a spreadsheet would read as a formula (starting
with = + - @, tab or carriage return) get a leading apostrophe. UTF-8 with a byte order mark,
so that Excel reads Urdu as Urdu (without one it guesses the machine's code page).
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections.abc import AsyncIterable
from typing import IO
from zoneinfo import ZoneInfo

from bot.domain import Platform
from bot.domain.accounts import AccountRef
from bot.domain.records import ExportRow
from bot.grammar.import_ import COLUMNS, EXPORT_ONLY_COLUMNS, neutralise

HEADER = COLUMNS + EXPORT_ONLY_COLUMNS
SIZE_CHECK_EVERY = 1000


def _time(value: dt.datetime | None, tz: ZoneInfo) -> str:
    return "" if value is None else value.astimezone(tz).isoformat(timespec="minutes")


def cells(row: ExportRow, tz: ZoneInfo) -> list[str]:
    """The row's cells. Text that came from users (or from URLs) is neutralised; the other
    cells are numbers, times and our own words, which never start with = + - @."""
    return [
        neutralise(AccountRef(row.platform, row.handle).url),
        neutralise(row.group),
        neutralise(row.category),
        "" if row.followers is None else str(row.followers),
        neutralise(row.note),
        str(row.case_id),
        row.platform.value,
        _handle(row),
        row.state.value,
        str(row.reports),
        _time(row.first_reported, tz),
        "" if row.round_no is None else str(row.round_no),
        _time(row.sent_at, tz),
        "" if row.outcome is None else row.outcome.value,
        _time(row.outcome_at, tz),
        neutralise(row.ref),
    ]


def _handle(row: ExportRow) -> str:
    """A phone number as `whatsapp:+923001234567`: Excel would read `+923001234567` as a
    number (9.23001E+11) and show the apostrophe that keeps it text."""
    if row.platform is Platform.WHATSAPP and row.handle.startswith("+"):
        return AccountRef(row.platform, row.handle).short
    return neutralise(row.handle)


class ExportTooLarge(Exception):
    """The CSV passed `max_bytes`; writing stopped there."""

    def __init__(self, rows: int, size: int) -> None:
        super().__init__(f"export passed {size} bytes after {rows} rows")
        self.rows = rows
        self.size = size


async def write_csv(
    rows: AsyncIterable[ExportRow], out: IO[bytes], tz: ZoneInfo, *, max_bytes: int | None = None
) -> int:
    """Write the header and every row to `out` (UTF-8); returns the number of rows.

    With `max_bytes`, stops with ExportTooLarge as soon as the file passes that size (checked
    every SIZE_CHECK_EVERY rows), rather than writing a file that cannot be sent."""
    text = io.TextIOWrapper(out, encoding="utf-8-sig", newline="", write_through=False)
    try:
        writer = csv.writer(text)
        writer.writerow(HEADER)
        count = 0
        async for row in rows:
            writer.writerow(cells(row, tz))
            count += 1
            if max_bytes is not None and count % SIZE_CHECK_EVERY == 0:
                text.flush()
                if out.tell() > max_bytes:
                    raise ExportTooLarge(count, out.tell())
        text.flush()
        if max_bytes is not None and out.tell() > max_bytes:
            raise ExportTooLarge(count, out.tell())
    finally:
        text.detach()  # leave `out` open for the caller
    return count


# ------------------------------------------------------------------------------ chat replies


def too_large(err: ExportTooLarge) -> str:
    return (
        f"The export passed Telegram's 50 MB limit for a file after {err.rows:,} cases: "
        "export one platform or pending instead."
    )


def nothing_to_export(label: str) -> str:
    return f"No cases to export ({label})."


def file_name(label: str, at: dt.datetime, tz: ZoneInfo) -> str:
    return f"takedown-{label}-{at.astimezone(tz).strftime('%Y%m%d-%H%M')}.csv"


def caption(count: int, label: str) -> str:
    return f"{count} case{'s' if count != 1 else ''} ({label})."

"""Validation of an /import CSV file: the whole file is read and checked before anything is
written. Pure: imports neither telegram nor aiosqlite.

Header (required, any order, case-insensitive): account,group,category,followers,note.
Row numbers are as a spreadsheet shows them: the header is row 1.
"""

from __future__ import annotations

import asyncio
import csv
import itertools
import operator
import re
from collections.abc import AsyncIterator, Callable, Iterator, Sequence
from dataclasses import dataclass

from bot.domain.errors import UsageError
from bot.domain.records import FlagRow
from bot.domain.text import one_line
from bot.grammar.commands import spec
from bot.grammar.flag import RowReader

MAX_BYTES = 20 * 1024 * 1024  # also the most the Bot API lets a bot download
MAX_ROWS = 100_000
COLUMNS = ("account", "group", "category", "followers", "note")
# Columns that /export adds after COLUMNS. They are derived from the cases, so an import
# accepts and ignores them (an export imports again); any other column is refused.
EXPORT_ONLY_COLUMNS = (
    "case_id",
    "platform",
    "handle",
    "state",
    "reports",
    "first_reported",
    "latest_round",
    "sent_at",
    "outcome",
    "outcome_at",
    "ref",
)
HEADER_HINT = "The first row must be the header: " + ",".join(COLUMNS)
IMPORT_HELP = (
    "Send a CSV file (as a document) with /import as its caption. Header row: " + ",".join(COLUMNS)
)
# Telegram clients send .csv files under several types; a .csv name is enough.
CSV_MIME_TYPES = frozenset({"text/csv", "application/csv", "text/comma-separated-values"})
FORMULA_STARTS = frozenset("=+-@\t\r")


def neutralise(cell: str) -> str:
    """A cell that a spreadsheet would run as a formula, made plain text (for /export)."""
    return "'" + cell if cell[:1] in FORMULA_STARTS else cell


def unneutralise(cell: str) -> str:
    """The inverse of `neutralise`, so an exported cell imports as it was."""
    return cell[1:] if cell[:1] == "'" and cell[1:2] in FORMULA_STARTS else cell


def no_document(sent_text: bool) -> UsageError:
    """/import sent as a plain text (`sent_text`) or with a photo, sticker, ..., not a file."""
    reason = "No file attached." if sent_text else "That is not a document."
    return UsageError(f"{reason} {IMPORT_HELP}", spec("import").usage)


def check_document(name: str | None, mime_type: str | None, size: int | None) -> str:
    """The name of a document that may be an import file (by its name, type and size, before
    it is downloaded); a UsageError otherwise."""
    name = one_line(name or "") or "file"  # shown and audited on one line
    if not (name.lower().endswith(".csv") or mime_type in CSV_MIME_TYPES):
        reason = f"{name[:80]} is not a CSV file ({mime_type or 'unknown type'}). {IMPORT_HELP}"
        raise UsageError(reason, spec("import").usage)
    if size is not None and size > MAX_BYTES:
        raise _too_large(size).with_usage(spec("import").usage)
    return name


def _too_large(size: int) -> UsageError:
    return UsageError(f"The file is {size / 1024 / 1024:.1f} MB; at most 20 MB.")


@dataclass(frozen=True)
class RowError:
    row: int
    reason: str


@dataclass(frozen=True)
class ImportFile:
    rows: list[FlagRow]
    errors: list[RowError]  # empty when every row is valid


class InvalidRows(Exception):
    """The file had bad rows (every one of them listed): nothing is to be written."""

    def __init__(self, errors: list[RowError]) -> None:
        super().__init__(f"{len(errors)} bad rows")
        self.errors = errors


# Rows read (in a worker thread) and written per step of an /import: the parsed file, its
# parameter lists and the rows in SQLite's temporary table are never all in memory at once.
CHUNK_ROWS = 2_000


def read_import(data: bytes | bytearray, groups: Sequence[str]) -> ImportFile:
    """Every row as a FlagRow, or every bad row with its reason, all at once (tests; the bot
    streams the rows with `valid_chunks`)."""
    rows: list[FlagRow] = []
    errors: list[RowError] = []
    for item in import_rows(data, groups):
        if isinstance(item, RowError):
            errors.append(item)
        else:
            rows.append(item)
    return ImportFile(rows=rows if not errors else [], errors=errors)


async def valid_chunks(
    data: bytes | bytearray, groups: Sequence[str]
) -> AsyncIterator[list[FlagRow]]:
    """The rows of a file, CHUNK_ROWS at a time, each chunk read in a worker thread (checking
    100,000 rows takes a second or two, and the other members' commands should not wait for
    it). After the last row, InvalidRows if any row was bad: the rows yielded before it are
    to be thrown away (they went into the import's transaction, which rolls back); after the
    first bad row no more are yielded, but every row is still read, so every error is
    listed. A problem with the file as a whole is a UsageError."""
    rows = import_rows(data, groups)
    errors: list[RowError] = []
    while chunk := await asyncio.to_thread(_next_chunk, rows, errors):
        if not errors:
            yield chunk
    if errors:
        raise InvalidRows(errors)


def _next_chunk(rows: Iterator[FlagRow | RowError], errors: list[RowError]) -> list[FlagRow]:
    """Up to CHUNK_ROWS items more: the valid rows returned, the bad ones added to `errors`
    (an empty list: the file is read to its end, or only bad rows were left)."""
    chunk: list[FlagRow] = []
    for item in itertools.islice(rows, CHUNK_ROWS):
        if isinstance(item, RowError):
            errors.append(item)
        else:
            chunk.append(item)
    return chunk


def import_rows(data: bytes | bytearray, groups: Sequence[str]) -> Iterator[FlagRow | RowError]:
    """Each row as a FlagRow, or a bad row with its reason, in the order of the file. A
    problem with the file as a whole (not UTF-8, empty, no header, too many rows) is a
    UsageError, raised as it is met.

    Memory: the text is read line by line (an io.StringIO of it would hold 4 bytes per
    character) and a row is given as soon as it is read."""
    if len(data) > MAX_BYTES:
        raise _too_large(len(data))
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as err:
        raise UsageError(
            f"The file is not UTF-8 text (bad byte at position {err.start}): save it as "
            "'CSV UTF-8'."
        ) from None
    del data  # the text is what is read from here on
    if "\x00" in text:
        raise UsageError("The file contains NUL bytes: it is not a CSV text file.")
    if not text.strip():
        raise UsageError(f"The file is empty. {HEADER_HINT}.")
    lines = _lines(text)
    first = next(lines)
    delimiter = _delimiter(first)
    if first.lower().startswith("sep="):  # Excel's own line naming the separator
        first = next(lines, "")
    reader = csv.reader(itertools.chain([first], lines), delimiter=delimiter)
    row_reader = RowReader(groups)
    try:
        header = _without_trailing_empty(next(reader))
        pick = operator.itemgetter(*_columns(header))  # the five cells, in COLUMNS order
        count = 0
        for row_no, record in enumerate(reader, start=2):
            if not record or (len(record) == 1 and not record[0].strip()):
                continue  # blank line
            if count >= MAX_ROWS:
                raise UsageError(f"The file has more than {MAX_ROWS:,} rows; split it.")
            count += 1
            yield _row(row_reader, pick, header, row_no, record)
    except csv.Error as err:
        raise UsageError(f"The file is not valid CSV near line {reader.line_num}: {err}.") from None
    if not count:
        raise UsageError("The file has a header but no rows.")


def _row(
    row_reader: RowReader,
    pick: Callable[[list[str]], Sequence[str]],
    header: list[str],
    row_no: int,
    record: list[str],
) -> FlagRow | RowError:
    if len(record) > len(header):  # Excel's trailing empty columns
        record = _without_trailing_empty(record)
    if len(record) > len(header):
        return RowError(row_no, f"{len(record)} fields, the header has {len(header)}")
    if len(record) < len(header):  # Excel leaves out trailing empty fields
        record += [""] * (len(header) - len(record))
    try:
        cells: Sequence[str] = pick(record)
        damage = excel_damage(cells[0])
        if damage is not None:
            raise UsageError(damage)
        if "'" in "".join(cells):  # only a cell starting with ' can change
            cells = [unneutralise(cell) for cell in cells]
        return row_reader.read(*cells)
    except UsageError as err:
        return RowError(row_no, err.reason)


# A line as io.StringIO(text, newline="") yields it: ended by \n, \r or \r\n, kept.
_LINE = re.compile(r"[^\r\n]*(?:\r\n|\r|\n)|[^\r\n]+")


def _lines(text: str) -> Iterator[str]:
    return (line.group() for line in _LINE.finditer(text))


def _delimiter(first_line: str) -> str:
    """`,`, or `;` as Excel writes CSV where the decimal mark is a comma (and as its
    `sep=;` line says)."""
    if first_line.lower().startswith("sep="):
        return first_line[4:5] or ","
    return ";" if first_line.count(";") > first_line.count(",") else ","


def _without_trailing_empty(cells: list[str]) -> list[str]:
    """Excel writes the empty columns after the last one used as `,,,`: they are dropped."""
    end = len(cells)
    while end > 0 and not cells[end - 1].strip():
        end -= 1
    return cells[:end]


# 9.23001E+11: how Excel shows, and then saves, a number of 12 digits or more.
_SCIENTIFIC = re.compile(r"[0-9](?:[.,][0-9]+)?E\+?[0-9]+", re.IGNORECASE)
# 3001234567: a Pakistani mobile number whose leading 0 Excel dropped (it took it for a number).
_PK_MOBILE_WITHOUT_0 = re.compile(r"3[0-9]{9}")


def excel_damage(account: str) -> str | None:
    """What Excel did to an account cell that it took for a number, or None."""
    cell = account.strip()
    fix = "format the column as Text in Excel and type the numbers again (+923001234567)"
    if _SCIENTIFIC.fullmatch(cell):
        return f"'{cell[:30]}' is a phone number Excel turned into a rounded number: {fix}."
    if _PK_MOBILE_WITHOUT_0.fullmatch(cell):
        return f"'{cell}' looks like 0{cell} with its leading 0 dropped by Excel: {fix}."
    return None


def _columns(header: list[str]) -> list[int]:
    """The index of each of COLUMNS in the header."""
    names = [name.strip().lower() for name in header]
    extra = [name for name in names if name not in COLUMNS + EXPORT_ONLY_COLUMNS]
    if extra:
        shown = ", ".join(repr(name[:30]) for name in extra[:5])
        raise UsageError(f"Unknown column(s) {shown}. {HEADER_HINT}.")
    missing = [name for name in COLUMNS if name not in names]
    if missing:
        raise UsageError(f"Missing column(s) {', '.join(missing)}. {HEADER_HINT}.")
    if len(set(names)) != len(names):
        raise UsageError(f"A column appears twice. {HEADER_HINT}.")
    return [names.index(name) for name in COLUMNS]

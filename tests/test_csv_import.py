"""Validation of /import files: the whole file is checked before anything is written."""

from __future__ import annotations

import io

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.domain.errors import UsageError
from bot.grammar.import_ import MAX_ROWS, _lines, read_import

GROUPS = ["TTP", "BLA", "BLF"]
HEADER = "account,group,category,followers,note\n"


def test_valid_file_gives_every_row() -> None:
    data = (
        HEADER
        + "https://twitter.com/Foo?s=20,TTP,hate,12.5k,first\n"
        + 't.me/some_channel,bla,,,"note, with comma\nand a line break"\n'
        + "\n"
    ).encode()
    parsed = read_import(data, GROUPS)
    assert parsed.errors == []
    assert [r.account.short for r in parsed.rows] == ["x:@foo", "telegram:@some_channel"]
    assert parsed.rows[0].followers == 12_500
    assert parsed.rows[1].note == "note, with comma\nand a line break"


def test_excel_bom_and_column_order_are_accepted() -> None:
    data = "\ufeffNote,Account,Group,Category,Followers\nhi,x:@foo,TTP,,\n".encode()
    parsed = read_import(data, GROUPS)
    assert parsed.rows[0].note == "hi"


def test_bad_rows_are_all_listed_with_spreadsheet_row_numbers_and_no_rows_returned() -> None:
    data = (
        HEADER
        + "x.com/foo,TTP,,,\n"  # row 2, fine
        + "https://example.org/x,TTP,,,\n"  # row 3
        + "x.com/bar,ISIS,,,\n"  # row 4
        + "x.com/baz,TTP,,lots,\n"  # row 5
        + "x.com/qux,TTP,,,,note\n"  # row 6: 6 fields
    ).encode()
    parsed = read_import(data, GROUPS)
    assert parsed.rows == []
    assert [e.row for e in parsed.errors] == [3, 4, 5, 6]
    assert "Unknown site" in parsed.errors[0].reason
    assert "Unknown group" in parsed.errors[1].reason
    assert "followers=lots" in parsed.errors[2].reason
    assert "6 fields" in parsed.errors[3].reason


@pytest.mark.parametrize(
    ("data", "reason"),
    [
        (b"", "empty"),
        (b"\xff\xfea\x00c\x00", "not UTF-8"),
        (b"account,group\nx:@foo,TTP\n", "Missing column"),
        ((HEADER.strip() + ",extra\n").encode(), "Unknown column"),
        (HEADER.encode(), "no rows"),
        (b"x.com/foo,TTP,,,\n", "Unknown column"),
        (b"account,group,category,followers,note\x00\n", "NUL"),
    ],
)
def test_file_level_problems(data: bytes, reason: str) -> None:
    with pytest.raises(UsageError, match=reason):
        read_import(data, GROUPS)


def test_too_many_rows() -> None:
    data = (HEADER + "x:@foo,TTP,,,\n" * (MAX_ROWS + 1)).encode()
    with pytest.raises(UsageError, match="more than 100,000 rows"):
        read_import(data, GROUPS)


def test_too_big() -> None:
    with pytest.raises(UsageError, match="at most 20 MB"):
        read_import(b"a" * (20 * 1024 * 1024 + 1), GROUPS)


def test_export_columns_are_accepted_and_other_extra_columns_refused():
    from bot.views.export import HEADER

    exported = ",".join(HEADER) + "\nhttps://x.com/foo,TTP,other,,'=cmd" + "," * 11 + "\n"
    result = read_import(exported.encode(), ["TTP"])
    assert not result.errors
    [row] = result.rows
    assert row.note == "=cmd"
    with pytest.raises(UsageError, match="Unknown column"):
        read_import(b"account,group,category,followers,note,colour\nx.com/a,TTP,,,,red\n", ["TTP"])


@given(st.text(alphabet='ab,"\r\n\x0b\x0c\x1c\x85\u2028'))
def test_lines_are_split_as_a_newline_less_stringio_splits_them(text: str) -> None:
    assert list(_lines(text)) == list(io.StringIO(text, newline=""))


def test_a_follower_count_of_thousands_of_digits_is_a_row_error_not_a_crash() -> None:
    huge = "9" * 5000
    data = (HEADER + f"x.com/foo,TTP,,{huge},\n" + f"x.com/bar,TTP,,1.{huge}k,\n").encode()
    parsed = read_import(data, GROUPS)
    assert [e.row for e in parsed.errors] == [2]
    assert "more than any account has" in parsed.errors[0].reason
    assert len(parsed.errors[0].reason) < 100  # one line, the number cut short
    assert (
        read_import((HEADER + f"x.com/bar,TTP,,1.{huge}k,\n").encode(), GROUPS).rows[0].followers
        == 1_999
    )

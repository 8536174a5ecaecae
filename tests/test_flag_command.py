"""FlagCommand: the grammar of /flag and of one /import row."""

from __future__ import annotations

import pytest

from bot.domain import Category, Platform
from bot.domain.errors import UsageError
from bot.domain.records import FlagRow
from bot.grammar.flag import MAX_NOTE, RowReader, parse_flag, parse_followers

GROUPS = ["TTP", "BLA", "BLF"]


def test_same_account_from_two_urls_parses_to_one_ref() -> None:
    a = parse_flag("https://twitter.com/Foo?s=20 TTP", GROUPS)
    b = parse_flag("x.com/foo ttp", GROUPS)
    assert a.account == b.account
    assert (a.account.platform, a.account.handle) == (Platform.X, "foo")
    assert a.source == "https://twitter.com/Foo?s=20"


def test_group_is_case_insensitive_and_keeps_configured_spelling() -> None:
    assert parse_flag("x.com/foo bLa", GROUPS).group == "BLA"


def test_defaults_without_options() -> None:
    cmd = parse_flag("t.me/some_channel TTP", GROUPS)
    assert cmd.category is Category.OTHER
    assert not cmd.category_given
    assert cmd.followers is None
    assert cmd.note == ""


def test_category_followers_and_note_with_line_breaks() -> None:
    cmd = parse_flag("x.com/foo BLA Hate followers=12.5k posts daily\nsecond line", GROUPS)
    assert cmd.category is Category.HATE
    assert cmd.followers == 12_500
    assert cmd.note == "posts daily\nsecond line"


def test_followers_before_category_and_category_word_inside_note_stays_note() -> None:
    cmd = parse_flag("x.com/foo BLA followers=2m propaganda spreads hate", GROUPS)
    assert cmd.category is Category.PROPAGANDA
    assert cmd.followers == 2_000_000
    assert cmd.note == "spreads hate"


def test_followers_at_end_of_note_is_found() -> None:
    cmd = parse_flag("x.com/foo TTP recruits youth followers=12500", GROUPS)
    assert cmd.followers == 12_500
    assert cmd.note == "recruits youth"


@pytest.mark.parametrize(
    ("text", "value"),
    [("12500", 12_500), ("12.5k", 12_500), ("2m", 2_000_000), ("1.25M", 1_250_000),
     ("12,500", 12_500), ("0", 0), ("3K", 3_000), ("0" * 5000 + "7", 7)],
)  # fmt: skip
def test_followers_forms(text: str, value: int) -> None:
    assert parse_followers(text) == value


@pytest.mark.parametrize(
    "text", ["lots", "", "1.5", "-3", "1e5", "12..5k", "99999999999", "9" * 5000, "9" * 5000 + "k"]
)
def test_bad_followers_is_an_error(text: str) -> None:
    with pytest.raises(UsageError):
        parse_followers(text)


def test_malformed_followers_in_flag_is_an_error_not_a_note() -> None:
    with pytest.raises(UsageError, match="followers=lots"):
        parse_flag("x.com/foo TTP followers=lots", GROUPS)


def test_followers_twice_is_an_error() -> None:
    with pytest.raises(UsageError, match="once"):
        parse_flag("x.com/foo TTP followers=1 followers=2", GROUPS)


def test_unknown_group_names_the_groups() -> None:
    with pytest.raises(UsageError, match="TTP, BLA, BLF"):
        parse_flag("x.com/foo ISIS", GROUPS)


@pytest.mark.parametrize("text", ["", "x.com/foo"])
def test_missing_arguments(text: str) -> None:
    with pytest.raises(UsageError):
        parse_flag(text, GROUPS)


def test_bad_url_is_an_error() -> None:
    with pytest.raises(UsageError, match="Unknown site"):
        parse_flag("https://example.org/foo TTP", GROUPS)


def test_note_longer_than_4000_characters_is_refused() -> None:
    with pytest.raises(UsageError, match="4,001 characters"):
        parse_flag("x.com/foo TTP " + "a" * (MAX_NOTE + 1), GROUPS)
    assert len(parse_flag("x.com/foo TTP " + "ب" * MAX_NOTE, GROUPS).note) == MAX_NOTE


def test_urdu_note_and_sql_are_kept_literally() -> None:
    note = "یہ اکاؤنٹ بھرتی کرتا ہے '; DROP TABLE cases; -- <b>x</b>"
    assert parse_flag(f"x.com/foo TTP {note}", GROUPS).note == note


def test_an_import_row_is_read_with_the_rules_of_flag() -> None:
    cmd = parse_flag("x.com/Foo ttp hate followers=2m note", GROUPS)
    row = RowReader(GROUPS).read("x.com/Foo", "ttp", "hate", "2m", "note")
    assert row == FlagRow.of(cmd)
    empty = RowReader(GROUPS).read("x:@foo", "TTP", "", "", "")
    assert (empty.category, empty.followers, empty.note) == (Category.OTHER, None, "")
    with pytest.raises(UsageError, match="Unknown category"):
        RowReader(GROUPS).read("x:@foo", "TTP", "terror", "", "")
    with pytest.raises(UsageError, match="No group"):
        RowReader(GROUPS).read("x:@foo", " ", "", "", "")

"""Issue 17: the pure rules of evidence (bot/domain/evidence.py) and issue 16 item 9: several
accounts before the group (bot/grammar/flag.py)."""

from __future__ import annotations

import pytest

from bot.domain.accounts import parse_account
from bot.domain.errors import UsageError
from bot.domain.evidence import channel_post_link, content_link, stored_name, zip_parts
from bot.grammar.flag import parse_flags

GROUPS = ["TTP", "BLA", "BLF"]


@pytest.mark.parametrize(
    ("text", "link"),
    [
        ("x.com/Umar/status/1789?s=20", "https://x.com/Umar/status/1789"),
        ("https://twitter.com/umar/status/1789/", "https://x.com/umar/status/1789"),
        ("mobile.twitter.com/umar/status/42#frag", "https://x.com/umar/status/42"),
        ("instagram.com/umar/reel/C1aBcDeFgH/?igsh=x", "https://www.instagram.com/umar/reel/C1aBcDeFgH"),
        ("instagram.com/umar/p/C1aBcDeFgH", "https://www.instagram.com/umar/p/C1aBcDeFgH"),
        ("tiktok.com/@umar.media/video/7311?lang=en", "https://www.tiktok.com/@umar.media/video/7311"),
        ("t.me/umar_channel/555", "https://t.me/umar_channel/555"),
        ("t.me/s/umar_channel/555", "https://t.me/s/umar_channel/555"),
        ("facebook.com/umar.page/posts/12345", "https://www.facebook.com/umar.page/posts/12345"),
        ("x.com/umar", None),
        ("x.com/umar/media", None),
        ("x:@umar", None),
        ("t.me/umar_channel", None),
        ("tiktok.com/@umar.media", None),
        ("wa.me/923001234567", None),
        ("x.com/umar/status/ZQXMARKER", None),  # an id is digits: no free text passes
    ],
)  # fmt: skip
def test_a_post_url_is_a_content_link_in_full_and_a_profile_is_not(text: str, link: str | None):
    assert content_link(text, parse_account(text)) == link


def test_a_forwarded_post_link_needs_a_public_channel():
    assert channel_post_link("badch", 77) == "https://t.me/badch/77"
    assert channel_post_link(None, 77) is None


def test_stored_names_are_the_hash_and_a_short_extension_from_telegram_only():
    sha = "ab" * 32
    assert stored_name(sha, "https://api/file/bot1:T/photos/file_12.JPG") == f"{sha}.jpg"
    assert stored_name(sha, "documents/file_3") == sha
    assert stored_name(sha, "documents/file_3.tar.gz") == f"{sha}.gz"
    assert stored_name(sha, "documents/file_3.verylongext") == sha
    assert stored_name(sha, None) == sha


def test_zip_parts_keep_each_part_within_the_limit_in_order():
    assert zip_parts("abcde", [4, 4, 4, 1, 9], limit=9) == [["a", "b"], ["c", "d"], ["e"]]
    assert zip_parts([], [], limit=9) == []


def test_several_accounts_before_the_group_are_one_report_each_with_their_links():
    request = parse_flags("x.com/a/status/1 t.me/chan_one/5 x.com/a/status/2 TTP hate note", GROUPS)
    assert [cmd.account.short for cmd in request.commands] == ["x:@a", "telegram:@chan_one"]
    assert request.commands[0].links == ("https://x.com/a/status/1", "https://x.com/a/status/2")
    assert {cmd.note for cmd in request.commands} == {"note"}
    assert {cmd.category for cmd in request.commands} == {"hate"}
    assert request.warnings == ()


def test_followers_with_several_accounts_is_refused_as_ambiguous():
    with pytest.raises(UsageError, match="ambiguous"):
        parse_flags("x.com/a x.com/b TTP followers=5k", GROUPS)
    assert parse_flags("x.com/a TTP followers=5k", GROUPS).commands[0].followers == 5000


def test_an_account_like_word_in_the_note_gets_a_warning():
    request = parse_flags("x.com/a TTP see x.com/bbb and t.me/other_chan too", GROUPS)
    assert [cmd.account.short for cmd in request.commands] == ["x:@a"]
    assert request.commands[0].note == "see x.com/bbb and t.me/other_chan too"
    assert request.warnings == (
        "'x.com/bbb' in the note looks like an account (x:@bbb); it is kept as note text. To "
        "flag it too, put it before the group.",
        "'t.me/other_chan' in the note looks like an account (telegram:@other_chan); it is "
        "kept as note text. To flag it too, put it before the group.",
    )
    assert parse_flags("x.com/a TTP recruits e.g. via DMs", GROUPS).warnings == ()


def test_a_word_between_accounts_that_is_neither_is_the_unknown_group():
    with pytest.raises(UsageError, match="Unknown group 'TTTP'"):
        parse_flags("x.com/a TTTP", GROUPS)
    with pytest.raises(UsageError, match="Give the account and the group"):
        parse_flags("x.com/a x.com/b", GROUPS)

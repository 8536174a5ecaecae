"""bot.domain.text: what is kept of a member's free text, and how it is shown."""

from unicodedata import category

from hypothesis import given
from hypothesis import strategies as st

from bot.domain.text import clean, one_line


def test_bidi_zero_width_and_control_characters_are_dropped():
    assert clean("a\u202eb\u2066c\u2069d\u200be\u200df\ufeffg\u0007h\u0000i") == "abcdefghi"


def test_the_zero_width_non_joiner_of_urdu_and_persian_spelling_is_kept():
    assert clean("می\u200cخواهم") == "می\u200cخواهم"


def test_line_breaks_are_spaces_unless_kept_and_never_survive_one_line():
    text = "hi\r\n2026-11-30 20:11 user 1001 grant\u2028x\u2029y\x85z"
    assert "\n" not in clean(text)
    assert clean("a\r\nb", keep_lines=True) == "a\nb"
    assert one_line(text) == "hi 2026-11-30 20:11 user 1001 grant x y z"


@given(st.text())
def test_one_line_has_no_line_break_and_no_hidden_character(text: str):
    shown = one_line(text)
    assert shown == shown.strip() and "\n" not in shown and "  " not in shown
    kept = ("\u200c",)  # and private-use characters (Co), which some emoji fonts use
    assert all(ch.isprintable() or ch in kept or category(ch) == "Co" for ch in shown), shown


@given(st.text(alphabet=st.characters(max_codepoint=127)), st.booleans())
def test_plain_ascii_takes_the_fast_path_with_the_same_result(text: str, keep_lines: bool):
    """The shortcut for printable ASCII gives what the character-by-character rule gives."""
    slow = "".join(
        ("\n" if keep_lines else " ")
        if c == "\n"
        else ""
        if c == "\r" and keep_lines
        else " "
        if c in "\r\t\x0b\x0c"
        else ""
        if category(c) == "Cc"
        else c
        for c in text
    )
    assert clean(text, keep_lines=keep_lines) == slow

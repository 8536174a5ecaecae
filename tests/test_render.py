import datetime as dt
from zoneinfo import ZoneInfo

from hypothesis import given
from hypothesis import strategies as st

from bot.domain.records import Dismissal
from bot.views.common import esc, split_message
from bot.views.flag import dismissed_note


def test_escaping_keeps_text_literal():
    assert esc("<b>x</b> & 'y'") == "&lt;b&gt;x&lt;/b&gt; &amp; &#x27;y&#x27;"


@given(st.lists(st.text(max_size=300), max_size=60), st.integers(min_value=50, max_value=500))
def test_split_message_keeps_every_character_within_the_limit(lines, limit):
    text = "\n".join(lines)
    parts = split_message(text, limit)
    assert all(len(part) <= limit for part in parts)
    assert "".join(parts).replace("\n", "") == text.replace("\n", "")


def test_split_message_prefers_line_boundaries():
    text = "\n".join(f"line {i}" for i in range(1000))
    parts = split_message(text, 100)
    assert all(not part.startswith("\n") for part in parts)
    assert "\n".join(parts) == text


@given(
    st.lists(st.text(st.characters(exclude_characters="<\n"), max_size=300), max_size=60),
    st.integers(min_value=50, max_value=500),
)
def test_split_message_closes_and_reopens_a_pre_table_it_cuts(lines, limit):
    text = "<b>Table</b>\n<pre>" + "\n".join(lines) + "</pre>"
    parts = split_message(text, limit)
    assert all(len(part) <= limit for part in parts)
    assert all(part.count("<pre>") == part.count("</pre>") for part in parts)

    def bare(value: str) -> str:
        return value.replace("<pre>", "").replace("</pre>", "").replace("\n", "")

    assert "".join(bare(part) for part in parts) == bare(text)


def test_flag_of_a_dismissed_case_says_who_when_and_why_as_far_as_known():
    tz = ZoneInfo("Asia/Karachi")
    at = dt.datetime(2026, 11, 2, 6, 0, tzinfo=dt.UTC)
    known = Dismissal(by=301, at=at, reason="parody <b>")
    to_reviewer = dismissed_note(known, tz, show_people=True)
    assert to_reviewer.startswith(
        "This case was dismissed by user 301 on 2026-11-02 11:00: parody &lt;b"
    )
    assert "It stays dismissed and your report is kept" in to_reviewer
    to_reporter = dismissed_note(known, tz, show_people=False)
    assert to_reporter.startswith("This case was dismissed on 2026-11-02 11:00: parody")
    old = dismissed_note(Dismissal(by=None, at=None, reason=""), tz, show_people=True)
    assert old.startswith("This case was dismissed. It stays dismissed")

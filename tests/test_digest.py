"""/stats grammar (bot/grammar/stats.py), its tables (bot/views/stats.py), the digest sections,
splitting and the chart (bot/views/digest.py)."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import replace
from zoneinfo import ZoneInfo

import pytest

from bot.domain import Outcome, Platform, compliance
from bot.domain.compliance import EMPTY, DayActivity, Figures, OverdueRound, Table
from bot.domain.errors import UsageError
from bot.grammar.stats import StatsQuery
from bot.views.common import MAX_CAPTION, MAX_TEXT, pack
from bot.views.digest import SECTIONS, DigestData, chart_caption, chart_png, digest_blocks
from bot.views.stats import stats_text, table_lines

NOW = dt.datetime(2026, 11, 2, 4, 0, tzinfo=dt.UTC)  # 09:00 in Karachi
TZ = ZoneInfo("Asia/Karachi")
WIN = compliance.window("30d", NOW)
X = Figures(
    sent=50,
    actioned=15,
    rejected=30,
    expired=3,
    pending=2,
    median_seconds_to_action=5 * 3600,
    reach_removed=12_500,
)
FB = Figures(
    sent=48,
    actioned=44,
    rejected=2,
    expired=2,
    pending=0,
    median_seconds_to_action=30 * 3600,
    reach_removed=1_000_000,
)
TOTAL = Figures(98, 59, 32, 5, 2, 20 * 3600, 1_012_500)


def data(**changes: object) -> DigestData:
    values: dict[str, object] = dict(
        now=NOW,
        tz=TZ,
        sla_hours=72,
        window=WIN,
        platforms=Table({"x": X, "facebook": FB}, TOTAL),
        previous={"x": Figures(40, 14, 26, 0, 0, None, 0).rate},
        groups=Table({"TTP": X, "BLA": FB}, TOTAL),
        day=DayActivity({"TTP": 2, "BLA": 1}, {Platform.X: 3}, {Outcome.REMOVED: 2}),
        overdue=[OverdueRound(17, 2, NOW - dt.timedelta(days=9), Platform.X, "bad<guy>", "TTP")],
    )
    values.update(changes)
    return DigestData(**values)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("words", "expected"),
    [
        ([], StatsQuery("30d", None, "platform")),
        (["7d"], StatsQuery("7d", None, "platform")),
        (["ALL", "x"], StatsQuery("all", Platform.X, "platform")),
        (["tiktok", "90d"], StatsQuery("90d", Platform.TIKTOK, "platform")),
        (["30d", "by", "group"], StatsQuery("30d", None, "group")),
        (["by", "group", "whatsapp"], StatsQuery("30d", Platform.WHATSAPP, "group")),
        (
            ["asof=2026-12-01T09:00", "7d"],  # 09:00 in Asia/Karachi is 04:00 UTC
            StatsQuery("7d", None, "platform", dt.datetime(2026, 12, 1, 4, 0, tzinfo=dt.UTC)),
        ),
        (
            ["ASOF=2026-12-01"],  # a date alone: its start
            StatsQuery("30d", None, "platform", dt.datetime(2026, 11, 30, 19, 0, tzinfo=dt.UTC)),
        ),
    ],
)
def test_stats_grammar(words: list[str], expected: StatsQuery) -> None:
    assert StatsQuery.parse(words, TZ) == expected


@pytest.mark.parametrize(
    "words",
    [
        ["14d"],
        ["7d", "30d"],
        ["by"],
        ["by", "month"],
        ["x", "facebook"],
        ["<b>"],
        ["asof=yesterday"],
        ["asof=2026-13-01"],
        ["asof=2026-12-01", "asof=2026-12-02"],
    ],
)
def test_stats_bad_words_are_a_usage_error(words: list[str]) -> None:
    with pytest.raises(UsageError) as caught:
        StatsQuery.parse(words)
    assert (
        caught.value.usage
        == "/stats [7d|30d|90d|all] [platform|by group] [asof=YYYY-MM-DD[THH:MM]]"
    )


def test_table_has_aligned_columns_and_totals_in_a_pre_block() -> None:
    lines = table_lines(Table({"x": X, "facebook": FB}, TOTAL), "platform")
    assert lines[0].startswith("<pre>") and lines[-1].endswith("</pre>")
    plain = [line.removeprefix("<pre>").removesuffix("</pre>") for line in lines]
    assert plain[0].split() == [
        "platform",
        "sent",
        "act",
        "rej",
        "exp",
        "pend",
        "wdr",
        "compliance",
        "median",
    ]
    assert plain[1].split() == [
        "X", "50", "15", "30", "3", "2", "0", "31%", "of", "48", "5.0", "h"
    ]  # fmt: skip
    assert plain[2].split()[0] == "Facebook" and "92% of 48" in plain[2]
    assert plain[3].startswith("Total") and "61% of 96" in plain[3]
    assert len({len(line) for line in plain[:3]}) == 1  # same width: the columns line up


def test_group_names_are_escaped() -> None:
    lines = table_lines(Table({"A<B": X}, X), "group")
    assert "A&lt;B" in lines[1]


def test_stats_text_explains_the_figures_or_says_there_are_none() -> None:
    query = StatsQuery()
    text = stats_text(query, WIN, Table({"x": X}, X), TZ, 72)
    assert "Compliance per platform, last 30 days" in text
    assert "no outcome after 72 h" in text and "Reach removed: 12,500 followers" in text
    assert "Figures as of 2026-11-02 09:00 (Asia/Karachi)" in text
    unknown = replace(X, reach_unknown=3)
    assert "12,500 followers and 3 accounts of unknown size" in stats_text(
        query, WIN, Table({"x": unknown}, unknown), TZ, 72
    )
    empty = stats_text(
        StatsQuery("7d", Platform.X), compliance.window("7d", NOW), Table({}, EMPTY), TZ, 72
    )
    assert empty == "No requests to X were sent in the last 7 days (as of 2026-11-02 09:00)."


def test_digest_sections_in_order_with_change_against_the_previous_30_days() -> None:
    blocks = digest_blocks(data())
    assert blocks[0] == "<b>Daily digest</b>, 2026-11-02 09:00 (Asia/Karachi)"
    text = "\n\n".join(blocks)
    assert "New cases: 3 (TTP 2, BLA 1)" in text
    assert "Requests sent: 3 (X 3)" in text and "Outcomes recorded: 2 (removed 2)" in text
    assert "X 31% of 48, -4 points from 35% of 40; Facebook 92% of 48 (new)" in text
    assert "Compliance per group" in text and "Reach removed</b>, last 30 days: 1,012,500" in text
    assert "#17 x:@bad&lt;guy&gt; (TTP), request 2 sent 2026-10-24 09:00, 9 d ago" in text
    order = [text.index(s) for s in ("Last 24 h", "per platform", "per group", "Reach", "overdue")]
    assert order == sorted(order)
    assert len(SECTIONS) == 6  # the comebacks section is empty here


def test_digest_without_data_is_one_line() -> None:
    empty = Table({}, EMPTY)
    blocks = digest_blocks(
        data(platforms=empty, previous={}, groups=empty, day=DayActivity({}, {}, {}), overdue=[])
    )
    assert len(blocks) == 1 and "\n" not in blocks[0]
    assert "no requests in the last 30 days" in blocks[0]


def test_long_content_is_split_within_limits_and_pre_blocks_stay_closed() -> None:
    groups = {f"G{i:03d}": X for i in range(300)}
    blocks = digest_blocks(data(groups=Table(groups, TOTAL)))
    messages = pack(blocks)
    assert len(messages) >= 3
    for message in messages:
        assert len(message) <= MAX_TEXT
        assert message.count("<pre>") == message.count("</pre>")
        assert re.fullmatch(r"(?s)(?:[^<]|<pre>.*?</pre>|</?b>)*", message), message[:200]
    joined = "".join(messages)
    assert all(f"G{i:03d}" in joined for i in range(300))


def test_pack_puts_small_blocks_together() -> None:
    assert pack(["a", "b"]) == ["a\n\nb"]
    assert pack(["a" * 10, "b" * 10], limit=15) == ["a" * 10, "b" * 10]
    assert pack([]) == [""]


def test_chart_is_a_png_and_caption_fits() -> None:
    png = chart_png(data())
    assert png.startswith(b"\x89PNG\r\n\x1a\n") and len(png) > 2000
    caption = chart_caption(data())
    assert len(caption) <= MAX_CAPTION and "last 30 days" in caption

"""The charts (bot/views/charts.py): every bar carries its denominator, a bar on few requests
is marked, and the unit, the window and the figures' time stand inside the image; the bot
starts without Pillow or reportlab loaded."""

from __future__ import annotations

import io
import subprocess
import sys
from pathlib import Path
from typing import Any

from bot.domain import Platform
from bot.domain.compliance import Figures, Table
from bot.domain.periods import Period, PeriodKind
from bot.domain.records import MonthFigures
from bot.views import charts
from bot.views.digest import chart_figure
from tests.test_digest import FB, TOTAL, X, data

ROOT = Path(__file__).resolve().parent.parent
ONE = Figures(1, 1, 0, 0, 0, 3600.0, 0)  # 100% of 1: a low base
NONE_DECIDED = Figures(2, 0, 0, 0, 2, None, 0)


def test_digest_chart_bars_carry_denominators_and_a_low_base_is_hatched() -> None:
    table = Table({"x": X, "facebook": FB, "tiktok": ONE, "youtube": NONE_DECIDED}, TOTAL)
    chart = chart_figure(data(platforms=table, unit="Counter-Extremism Unit"))
    shown = chart.texts()
    assert "31%\nof 48" in shown and "92%\nof 48" in shown  # 15/48, 44/48
    assert "100%\nof 1" in shown and "n/a" in shown
    assert [bar.low for bar in chart.bars] == [False, False, True, True]  # X, FB, TikTok, YT
    assert [bar.percent for bar in chart.bars] == [31, 92, 100, None]  # n/a: no bar
    [title] = [t for t in shown if "compliance per platform" in t]
    assert title == "Counter-Extremism Unit: compliance per platform, last 30 days"
    [footer] = [t for t in shown if t.startswith("requests sent")]
    assert "2026-10-03 09:00 to 2026-11-02 09:00 (Asia/Karachi)" in footer
    assert charts.LOW_NOTE in footer


def test_the_digest_chart_is_a_png_of_its_bars_the_same_bytes_each_time() -> None:
    from PIL import Image

    table = Table({"x": X, "facebook": FB, "tiktok": ONE, "youtube": NONE_DECIDED}, TOTAL)
    chart = chart_figure(data(platforms=table, unit="Counter-Extremism Unit"))
    png = charts.png(chart)
    assert png.startswith(b"\x89PNG\r\n\x1a\n") and png == charts.png(chart)
    image = Image.open(io.BytesIO(png)).convert("RGB")
    assert image.width >= 580 and image.height > 300
    colours = {colour for _, colour in image.getcolors(maxcolors=1 << 16) or []}
    assert {_rgb(charts.BAR_COLOUR), _rgb(charts.PALE_COLOUR)} <= colours  # both kinds of bar
    # X's bar (31%) is shorter than Facebook's (92%): the solid colour's columns say so
    solid = _rgb(charts.BAR_COLOUR)
    heights = [sum(image.getpixel((x, y)) == solid for y in range(image.height))
               for x in range(image.width)]  # fmt: skip
    tallest = max(heights)
    assert tallest > 0 and any(0 < h < tallest / 2 for h in heights)


def _rgb(colour: str) -> tuple[int, int, int]:
    return int(colour[1:3], 16), int(colour[3:5], 16), int(colour[5:7], 16)


def drawn(drawing: Any) -> tuple[list[str], list[Any]]:
    """The strings and the rectangles of a reportlab drawing, groups opened."""
    from reportlab.graphics.shapes import Group, Rect, String

    strings, rects = [], []
    for item in drawing.contents:
        if isinstance(item, Group):
            inner, boxes = drawn(item)
            strings += inner
            rects += boxes
        elif isinstance(item, String):
            strings.append(item.text)
        elif isinstance(item, Rect):
            rects.append(item)
    return strings, rects


def test_monthly_chart_bars_carry_denominators_and_low_bases_are_hollow() -> None:
    from reportlab.lib import colors

    months = [
        MonthFigures(Period(2026, PeriodKind.MONTH, 10), {Platform.X: ONE}),
        MonthFigures(Period(2026, PeriodKind.MONTH, 11), {Platform.X: X, Platform.FACEBOOK: FB}),
    ]
    drawing = charts.monthly_drawing(months, "Unit: month by month", "figures as of then")
    strings, rects = drawn(drawing)
    assert strings[0] == "Unit: month by month" and "figures as of then" in strings
    assert charts.LOW_NOTE_PDF in strings
    numbers = [s for s in strings if s.replace(",", "").isdigit()]
    assert numbers == ["1", "1", "48", "48", "98"]  # Oct: 1 decided, 1 sent; Nov: 48, 48, 98
    bars = [r for r in rects if r.y == 170.0]  # the compliance panel's bars, in order
    assert [r.fillColor == colors.white for r in bars] == [True, False, False]
    assert [round(r.height) for r in bars] == [160, 50, 147]  # 100%, 31%, 92% of 160 pt


def test_the_bot_starts_without_pillow_reportlab_or_psycopg() -> None:
    """Each is imported when first needed (psycopg only with DATABASE_URL): every start,
    every test process and the bot's resident size would carry them otherwise."""
    probe = (
        "import sys, bot.runtime.app, bot.__main__; "
        "print(sorted(m for m in ('PIL', 'reportlab', 'pypdf', 'psycopg', 'psycopg_pool')"
        " if m in sys.modules))"
    )
    out = subprocess.run(
        [sys.executable, "-c", probe], cwd=ROOT, capture_output=True, text=True, check=True
    )
    assert out.stdout.strip() == "[]"

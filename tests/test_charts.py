"""The charts (bot/views/charts.py): every bar carries its denominator, a bar on few requests
is marked, and the unit, the window and the figures' time stand inside the image; the bot
starts without matplotlib or reportlab loaded."""

from __future__ import annotations

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


def texts(figure: Any) -> list[str]:
    found = [t.get_text() for t in figure.texts]
    for axes in figure.axes:
        found += [t.get_text() for t in axes.texts] + [axes.get_title()]
    return found


def hatched(figure: Any) -> list[bool]:
    return [bool(p.get_hatch()) for axes in figure.axes for p in axes.patches]


def test_digest_chart_bars_carry_denominators_and_a_low_base_is_hatched() -> None:
    table = Table({"x": X, "facebook": FB, "tiktok": ONE, "youtube": NONE_DECIDED}, TOTAL)
    figure = chart_figure(data(platforms=table, unit="Counter-Extremism Unit"))
    shown = texts(figure)
    assert "31%\nof 48" in shown and "92%\nof 48" in shown  # 15/48, 44/48
    assert "100%\nof 1" in shown and "n/a" in shown
    assert hatched(figure) == [False, False, True, True]  # X, Facebook, TikTok, YouTube
    [title] = [t for t in shown if "compliance per platform" in t]
    assert title == "Counter-Extremism Unit: compliance per platform, last 30 days"
    [footer] = [t for t in shown if t.startswith("requests sent")]
    assert "2026-10-03 09:00 to 2026-11-02 09:00 (Asia/Karachi)" in footer
    assert charts.LOW_NOTE in footer
    png = charts.png(figure)
    assert png.startswith(b"\x89PNG\r\n\x1a\n") and b"matplotlib" not in png


def test_monthly_chart_bars_carry_denominators_and_low_bases_are_hatched() -> None:
    months = [
        MonthFigures(Period(2026, PeriodKind.MONTH, 10), {Platform.X: ONE}),
        MonthFigures(Period(2026, PeriodKind.MONTH, 11), {Platform.X: X, Platform.FACEBOOK: FB}),
    ]
    figure = charts.monthly_figure(months, "Unit: month by month", "figures as of then")
    shown = texts(figure)
    top, bottom = figure.axes
    assert [t.get_text() for t in top.texts] == ["1", "48", "48"]  # decided, per bar
    assert [t.get_text() for t in bottom.texts] == ["1", "98"]  # requests sent per month
    top_hatches = [bool(p.get_hatch()) for p in figure.axes[0].patches]
    assert top_hatches == [True, False, False]
    assert "Unit: month by month" in shown
    assert any(t.startswith("figures as of then\n") for t in shown)


def test_the_bot_starts_without_matplotlib_or_reportlab() -> None:
    probe = (
        "import sys, bot.runtime.app, bot.__main__; "
        "print(sorted(m for m in ('matplotlib', 'reportlab', 'pypdf') if m in sys.modules))"
    )
    out = subprocess.run(
        [sys.executable, "-c", probe], cwd=ROOT, capture_output=True, text=True, check=True
    )
    assert out.stdout.strip() == "[]"

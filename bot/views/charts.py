"""The charts (PNG): the digest's compliance per platform and the report's month by month.

Every bar of a percentage carries the count it rests on (a bar on 1 request must not look
like one on 90), a bar on fewer than LOW_BASE decided requests is drawn pale and hatched, and
the unit, the window and the figures' time stand inside the image, so a chart copied out of
the chat or the PDF still says what it shows.

matplotlib (~30 MB, 0.3 s to import) is imported inside the functions that draw, so the bot
does not carry it from start to the first chart.
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from typing import Any

from bot.domain import Platform
from bot.domain.compliance import Figures
from bot.domain.records import MonthFigures

LOW_BASE = 10  # decided requests: fewer, and the bar is marked as resting on little
BAR_COLOUR = "#3b6ea5"
LOW_NOTE = f"pale, hatched: fewer than {LOW_BASE} decided requests"
PLATFORM_COLOURS = {
    Platform.X: "#222222",
    Platform.FACEBOOK: "#3b5998",
    Platform.INSTAGRAM: "#c13584",
    Platform.TIKTOK: "#25a5a0",
    Platform.TELEGRAM: "#2aabee",
    Platform.WHATSAPP: "#2e8b57",
    Platform.YOUTUBE: "#cc0000",
}


def _figure(width: float, height: float) -> Any:
    # The Agg canvas renders to PNG bytes without a display (and without pyplot's state).
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    figure = Figure(figsize=(width, height), dpi=120)
    FigureCanvasAgg(figure)
    return figure


def png(figure: Any) -> bytes:
    out = io.BytesIO()
    # No software version in the file: the same figures give the same bytes.
    figure.savefig(out, format="png", metadata={"Software": None})
    return out.getvalue()


def _is_low(fig: Figures) -> bool:
    return fig.decided < LOW_BASE


def _style(bar: Any, fig: Figures) -> None:
    if _is_low(fig):
        bar.set_alpha(0.35)
        bar.set_hatch("///")


def compliance_figure(
    labels: Sequence[str], rows: Sequence[Figures], title: str, footer: str
) -> Any:
    """Bars of compliance % (one per label), each with `92% of 48` on it; `n/a` rows get no
    bar, only the words. `title` and `footer` (unit, window, time) go inside the image."""
    figure = _figure(max(4.8, 1.1 * len(labels) + 1.5), 3.8)
    axes = figure.add_subplot()
    bars = axes.bar(list(labels), [fig.percent or 0 for fig in rows], color=BAR_COLOUR)
    for bar, fig in zip(bars, rows, strict=True):
        _style(bar, fig)
        note = "n/a" if fig.percent is None else f"{fig.percent}%\nof {fig.decided:,}"
        axes.annotate(
            note,
            (bar.get_x() + bar.get_width() / 2, bar.get_height()),
            ha="center",
            va="bottom",
            fontsize=7,
            xytext=(0, 2),
            textcoords="offset points",
        )
    axes.set_ylim(0, 118)
    axes.set_ylabel("compliance %")
    axes.set_title(title, fontsize=9)
    axes.spines[["top", "right"]].set_visible(False)
    figure.text(0.01, 0.01, f"{footer}\n{LOW_NOTE}", fontsize=6, va="bottom")
    figure.tight_layout(rect=(0, 0.08, 1, 1))
    return figure


def monthly_drawing(months: Sequence[MonthFigures], title: str, footer: str) -> Any:
    """The report's chart, drawn with reportlab's own shapes (vector, inside the PDF, and
    about a hundred times quicker than the same with matplotlib): compliance per platform
    month by month, each bar with its denominator above it and hollow when it rests on
    fewer than LOW_BASE decided requests; below, the requests sent per month, stacked by
    platform. The title (unit, months) and the footer (period, time) are part of it."""
    from reportlab.graphics.shapes import Drawing, Group, Line, Rect, String
    from reportlab.lib import colors

    width, height, left = 510.0, 380.0, 34.0
    top_y, top_h = 170.0, 160.0  # the compliance panel: 0-100 %
    low_y, low_h = 46.0, 86.0  # the requests panel
    drawing = Drawing(width, height)
    add = drawing.add
    add(String(left, height - 14, title, fontName="Helvetica-Bold", fontSize=8))
    shown = [p for p in Platform if any(p in m.platforms for m in months)]
    x = left
    for p in shown:  # the legend
        add(
            Rect(
                x, height - 30, 7, 7, fillColor=colors.HexColor(PLATFORM_COLOURS[p]), strokeWidth=0
            )
        )
        add(String(x + 9, height - 29, p.label, fontSize=6))
        x += 12 + 4 * len(p.label) + 8
    slot = (width - left - 6) / max(1, len(months))
    bar = slot * 0.8 / max(1, len(shown))
    for pct in (0, 25, 50, 75, 100):
        y = top_y + top_h * pct / 100
        add(Line(left, y, width - 6, y, strokeColor=colors.HexColor("#dddddd"), strokeWidth=0.4))
        add(String(left - 3, y - 2, f"{pct}%", fontSize=5.5, textAnchor="end"))
    add(String(left, top_y + top_h + 6, "compliance % (above each bar: decided requests)",
               fontSize=6))  # fmt: skip
    most = max([sum(f.sent for f in m.platforms.values()) for m in months] + [1])
    for i, month in enumerate(months):
        x0 = left + slot * i + slot * 0.1
        name = month.month.start.strftime("%b %y")
        for y in (top_y - 9, low_y - 9):
            add(String(x0 + slot * 0.4, y, name, fontSize=5.5, textAnchor="middle"))
        stacked = 0.0
        for n, p in enumerate(shown):
            fig = month.platforms.get(p)
            if fig is None:
                continue
            colour = colors.HexColor(PLATFORM_COLOURS[p])
            part = low_h * fig.sent / most
            add(Rect(x0, low_y + stacked, slot * 0.8, part, fillColor=colour, strokeWidth=0))
            stacked += part
            if fig.percent is None:
                continue
            bx, h = x0 + bar * n, top_h * fig.percent / 100
            low = _is_low(fig)
            add(Rect(bx, top_y, bar * 0.9, h, strokeColor=colour, strokeWidth=0.6,
                     fillColor=colors.white if low else colour))  # fmt: skip
            label = Group(String(0, 0, f"{fig.decided:,}", fontSize=4.5))
            label.transform = (0, 1, -1, 0, bx + bar * 0.45 + 1.6, top_y + h + 1.5)
            add(label)
        total = sum(f.sent for f in month.platforms.values())
        add(String(x0 + slot * 0.4, low_y + stacked + 2, f"{total:,}", fontSize=5,
                   textAnchor="middle"))  # fmt: skip
    add(String(left, low_y + low_h + 12, "requests sent per month", fontSize=6))
    add(Line(left, low_y, width - 6, low_y, strokeWidth=0.4))
    add(String(left, 12, footer, fontSize=5.5))
    add(String(left, 4, LOW_NOTE_PDF, fontSize=5.5))
    return drawing


LOW_NOTE_PDF = f"hollow bars: fewer than {LOW_BASE} decided requests"

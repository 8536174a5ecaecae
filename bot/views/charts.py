"""The charts: the digest's compliance per platform (a PNG) and the report's month by month
(reportlab shapes inside the PDF).

Every bar of a percentage carries the count it rests on (a bar on 1 request must not look
like one on 90), a bar on fewer than LOW_BASE decided requests is drawn pale and hatched, and
the unit, the window and the figures' time stand inside the image, so a chart copied out of
the chat or the PDF still says what it shows.

The digest's chart is a plain description (BarChart, what the tests read) drawn by Pillow,
imported when drawing: a few MB and milliseconds, where matplotlib held ~30 MB of the bot's
memory from the first chart on for seven bars a day.
"""

from __future__ import annotations

import io
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from bot.domain import Platform
from bot.domain.compliance import Figures
from bot.domain.records import MonthFigures

LOW_BASE = 10  # decided requests: fewer, and the bar is marked as resting on little
BAR_COLOUR = "#3b6ea5"
PALE_COLOUR = "#c3d2e4"  # a low base's bar: BAR_COLOUR at about a third
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


def _is_low(fig: Figures) -> bool:
    return fig.decided < LOW_BASE


@dataclass(frozen=True)
class Bar:
    label: str
    percent: int | None  # None: nothing decided, no bar (only its note)
    note: str  # `92%\nof 48`, or `n/a`
    low: bool  # rests on fewer than LOW_BASE decided requests: pale and hatched


@dataclass(frozen=True)
class BarChart:
    title: str
    bars: tuple[Bar, ...]
    footer: str  # the window, the figures' time, what compliance is, and LOW_NOTE

    def texts(self) -> list[str]:
        """Every text the image shows."""
        return [self.title, *(bar.note for bar in self.bars), *(b.label for b in self.bars),
                self.footer]  # fmt: skip


def compliance_figure(
    labels: Sequence[str], rows: Sequence[Figures], title: str, footer: str
) -> BarChart:
    """Bars of compliance % (one per label), each with `92% of 48` on it; `n/a` rows get no
    bar, only the words. `title` and `footer` (unit, window, time) go inside the image."""
    bars = tuple(
        Bar(
            label,
            fig.percent,
            "n/a" if fig.percent is None else f"{fig.percent}%\nof {fig.decided:,}",
            _is_low(fig),
        )
        for label, fig in zip(labels, rows, strict=True)
    )
    return BarChart(title, bars, f"{footer}\n{LOW_NOTE}")


# The image's layout, in pixels.
_BAR_WIDTH, _GAP, _PLOT_HEIGHT, _LEFT, _TOP, _BOTTOM = 70, 40, 260, 60, 50, 90
_INK, _GRID = "#222222", "#dddddd"


def png(chart: BarChart) -> bytes:
    """The chart as PNG bytes: the same chart gives the same bytes (no time or version in
    the file)."""
    from PIL import Image, ImageDraw, ImageFont

    width = max(580, _LEFT + len(chart.bars) * (_BAR_WIDTH + _GAP) + _GAP)
    small, text = ImageFont.load_default(size=11), ImageFont.load_default(size=13)
    footer = _wrapped(chart.footer, lambda line: small.getlength(line) <= width - 16)
    height = _TOP + _PLOT_HEIGHT + _BOTTOM + 14 * max(0, footer.count("\n") - 1)
    image = Image.new("RGB", (width, height), "white")
    draw = ImageDraw.Draw(image)
    base = _TOP + _PLOT_HEIGHT

    def y_of(percent: float) -> float:
        return base - _PLOT_HEIGHT * percent / 118  # headroom above 100% for the notes

    for tick in range(0, 101, 20):  # the axis: compliance %, with a faint grid
        y = y_of(tick)
        draw.line([(_LEFT, y), (width - 10, y)], fill=_GRID)
        draw.text((_LEFT - 6, y), f"{tick}", fill=_INK, font=small, anchor="rm")
    draw.text((12, _TOP + _PLOT_HEIGHT / 2), "%", fill=_INK, font=text, anchor="mm")
    draw.line([(_LEFT, _TOP), (_LEFT, base), (width - 10, base)], fill=_INK)
    for index, bar in enumerate(chart.bars):
        left = _LEFT + _GAP + index * (_BAR_WIDTH + _GAP)
        right = left + _BAR_WIDTH
        top = y_of(bar.percent or 0)
        if bar.percent:
            _draw_bar(draw, (left, top, right, base), bar.low)
        centre = (left + right) / 2
        draw.multiline_text((centre, top - 3), bar.note, fill=_INK, font=small, anchor="md",
                            align="center")  # fmt: skip
        draw.text((centre, base + 6), bar.label, fill=_INK, font=small, anchor="ma")
    draw.text((width / 2, 16), chart.title, fill=_INK, font=text, anchor="mm")
    draw.multiline_text((8, height - 8), footer, fill=_INK, font=small, anchor="ld")
    out = io.BytesIO()
    image.save(out, format="PNG", optimize=False)
    return out.getvalue()


def _wrapped(text: str, fits: Callable[[str], bool]) -> str:
    """`text` with each line broken between words where it would not fit."""
    lines = []
    for paragraph in text.split("\n"):
        line = ""
        for word in paragraph.split(" "):
            longer = f"{line} {word}" if line else word
            if line and not fits(longer):
                lines.append(line)
                longer = word
            line = longer
        lines.append(line)
    return "\n".join(lines)


def _draw_bar(draw: Any, box: tuple[float, float, float, float], low: bool) -> None:
    left, top, right, bottom = box
    draw.rectangle(box, fill=PALE_COLOUR if low else BAR_COLOUR)
    if not low:
        return
    for start in range(int(left) - int(bottom - top), int(right), 8):  # hatching: ///
        x0, y0, x1, y1 = float(start), bottom, start + (bottom - top), top
        # the stroke clipped to the bar
        if x0 < left:
            y0, x0 = bottom - (left - x0), left
        if x1 > right:
            y1, x1 = top + (x1 - right), right
        draw.line([(x0, y0), (x1, y1)], fill=BAR_COLOUR, width=1)


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

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


def monthly_png(months: Sequence[MonthFigures], title: str, footer: str) -> bytes:
    return png(monthly_figure(months, title, footer))


def monthly_figure(months: Sequence[MonthFigures], title: str, footer: str) -> Any:
    """The report's chart: compliance per platform month by month (grouped bars, each with
    its denominator), and the requests sent per month, stacked by platform."""
    shown = [p for p in Platform if any(p in m.platforms for m in months)]
    figure = _figure(10.5, 7.2)
    top, bottom = figure.subplots(2, 1, height_ratios=(3, 2))
    names = [m.month.start.strftime("%b\n%Y") for m in months]
    width = 0.8 / max(1, len(shown))
    for n, platform in enumerate(shown):
        decided = [
            (i, fig)
            for i, m in enumerate(months)
            if (fig := m.platforms.get(platform)) is not None and fig.percent is not None
        ]
        xs = [i - 0.4 + width * (n + 0.5) for i, _ in decided]
        heights = [fig.percent or 0 for _, fig in decided]
        bars = top.bar(xs, heights, width=width, color=PLATFORM_COLOURS[platform])
        for bar, x, (_, fig) in zip(bars, xs, decided, strict=True):
            _style(bar, fig)
            top.text(
                x, (fig.percent or 0) + 1.5, f"{fig.decided:,}", ha="center", va="bottom",
                fontsize=5, rotation=90,
            )  # fmt: skip
    top.set_xticks(range(len(months)), names, fontsize=7)
    top.set_ylim(0, 125)
    top.set_ylabel("compliance % (on each bar: decided requests)", fontsize=7)
    top.set_title(title, fontsize=9)
    if shown:
        from matplotlib.patches import Patch

        handles = [Patch(color=PLATFORM_COLOURS[p], label=p.label) for p in shown]
        top.legend(handles=handles, fontsize=6, ncols=len(shown), loc="upper left", frameon=False)
    below = [0] * len(months)
    for platform in shown:
        sent = [m.platforms[platform].sent if platform in m.platforms else 0 for m in months]
        bottom.bar(range(len(months)), sent, bottom=below, color=PLATFORM_COLOURS[platform])
        below = [a + b for a, b in zip(below, sent, strict=True)]
    for i, count in enumerate(below):
        bottom.annotate(
            f"{count:,}", (i, count), ha="center", va="bottom", fontsize=6, xytext=(0, 1),
            textcoords="offset points",
        )  # fmt: skip
    bottom.set_xticks(range(len(months)), names, fontsize=7)
    bottom.set_ylim(0, max([*below, 1]) * 1.2)
    bottom.set_ylabel("requests sent", fontsize=7)
    for axes in (top, bottom):
        axes.set_xlim(-0.6, len(months) - 0.4)
        axes.spines[["top", "right"]].set_visible(False)
    figure.text(0.01, 0.005, f"{footer}\n{LOW_NOTE}", fontsize=6, va="bottom")
    # Fixed margins: tight_layout would draw the figure twice more.
    figure.subplots_adjust(left=0.06, right=0.99, top=0.95, bottom=0.1, hspace=0.3)
    return figure

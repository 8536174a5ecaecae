"""The periodic report (PRODUCT.md "Periodic report"): the summary in the chat (HTML), the PDF
(A4, reportlab) and the CSV of half years. Pure: the figures come in a ReportFigures
(storage/reports.py), computed by the one compliance formula.

The PDF is written with reportlab's `invariant` mode (a fixed creation date and document id)
and the chart without a software stamp, so the same figures give the same bytes: `/report
2026-11 asof=...` run twice gives two identical files.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any
from zoneinfo import ZoneInfo

from bot.domain import Platform
from bot.domain.accounts import AccountRef
from bot.domain.compliance import Breakdown, Figures, Table, Window
from bot.domain.periods import SECOND
from bot.domain.records import Headline, ReportFigures
from bot.views import charts
from bot.views.common import MAX_CAPTION, esc, local_time, truncate
from bot.views.figures import change_from, format_compliance, format_count, format_median
from bot.views.stats import _label, reach_line

DEFINITIONS = (
    "Compliance = actioned (removed or restricted) / (actioned + rejected + expired), over "
    "the requests sent in the period; pending (no outcome yet, within {sla} h) and withdrawn "
    "(the case dismissed while the request was open) are not counted. Expired: no outcome "
    "after {sla} h, or no_response. Median: hours from request to action. Reach removed: "
    "followers each account had when actioned, of the accounts not restored since. "
    "Percentages and hours are rounded half up."
)


@dataclass(frozen=True)
class ReportContext:
    """What the report says besides its figures."""

    unit: str
    tz: ZoneInfo
    sla_hours: int


def _day(when: dt.datetime, tz: ZoneInfo) -> str:
    return when.astimezone(tz).strftime("%Y-%m-%d")


def _span(win: Window, tz: ZoneInfo) -> str:
    """`2026-11-01 to 2026-11-30`: the local days of a period window (start < t <= end)."""
    assert win.start is not None
    return f"{_day(win.start + SECOND, tz)} to {_day(win.end, tz)}"


def _to_date(data: ReportFigures, ctx: ReportContext) -> str:
    return "" if data.period.is_over(ctx.tz, data.as_of) else " (to date)"


def _groups(cases: dict[str, int]) -> str:
    return ", ".join(f"{group} {format_count(n)}" for group, n in cases.items())


def _platform_changes(data: ReportFigures) -> list[str]:
    previous = data.previous_platforms.rows
    return [
        f"{Platform(key).label} {format_compliance(fig)} "
        f"({change_from(fig, previous[key].rate if key in previous else None)})"
        for key, fig in data.platforms.rows.items()
    ]


# ------------------------------------------------------------------------ the chat summary


def summary_text(data: ReportFigures, ctx: ReportContext) -> str:
    """The short summary sent with the documents (HTML; the handler splits past 4096)."""
    head, total = data.headline, data.headline.figures
    lines = [
        f"<b>{esc(ctx.unit)}: periodic report, {esc(data.period.title)}</b>{_to_date(data, ctx)}",
        f"Figures as of {local_time(data.as_of, ctx.tz)} ({esc(ctx.tz.key)}); requests sent "
        f"{_span(data.window, ctx.tz)}.",
        f"Accounts identified: {format_count(head.identified)}"
        + (f" ({esc(_groups(head.cases))})" if head.cases else ""),
        f"Reports: {format_count(head.reports)}",
        f"Requests sent: {format_count(total.sent)}; accounts actioned: "
        f"{format_count(total.actioned)}; compliance {format_compliance(total)}",
        f"Reach removed: {reach_line(total)}",
        f"Comebacks found: {format_count(head.comebacks)}",
    ]
    if data.platforms.rows:
        lines.append("Per platform: " + "; ".join(_platform_changes(data)))
    if data.first_case_at is not None:
        since = data.since_first
        lines.append(
            f"Since the first case ({_day(data.first_case_at, ctx.tz)}): "
            f"{format_count(since.identified)} accounts identified, "
            f"{format_count(since.figures.sent)} requests, "
            f"{format_count(since.figures.actioned)} actioned, compliance "
            f"{format_compliance(since.figures)}, reach removed {reach_line(since.figures)}."
        )
    lines.append(
        "The PDF has the tables per platform, group and category, the chart month by month "
        "and the oldest overdue requests; the CSV the half years in the platforms' units."
    )
    return "\n".join(lines)


def pdf_caption(data: ReportFigures, ctx: ReportContext) -> str:
    text = (
        f"{ctx.unit}: periodic report {data.period.label}, figures as of "
        f"{local_time(data.as_of, ctx.tz)} ({ctx.tz.key})"
    )
    return truncate(esc(text), MAX_CAPTION)


def csv_caption(data: ReportFigures) -> str:
    return truncate(
        esc(f"Per platform and half year, to {data.period.label}: requests, accounts "
            "specified, accounts actioned (as in the platforms' transparency reports)"),
        MAX_CAPTION,
    )  # fmt: skip


def file_name(data: ReportFigures, ctx: ReportContext, ext: str) -> str:
    stamp = data.as_of.astimezone(ctx.tz).strftime("%Y%m%dT%H%M")
    return f"report-{data.period.label}-asof-{stamp}.{ext}"


# ------------------------------------------------------------------------------ the CSV

CSV_HEADER = [
    "half_year",
    "from",
    "to",
    "platform",
    "requests",
    "accounts_specified",
    "accounts_actioned",
    "rejected",
    "expired",
    "pending",
    "withdrawn",
    "compliance_percent",
    "compliance_of",
]


def csv_bytes(data: ReportFigures, ctx: ReportContext) -> bytes:
    """One row per half year and platform with requests sent, from the first case's half to
    the period's (its last half up to the end of the period). UTF-8, header row."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(CSV_HEADER)
    last_day = data.window.end.astimezone(ctx.tz).date()
    for row in data.halves:
        fig = row.figures
        to = min(row.half.end - dt.timedelta(days=1), last_day)
        writer.writerow(
            [
                row.half.label,
                row.half.start.isoformat(),
                to.isoformat(),
                row.platform.value,
                row.requests,
                fig.sent,
                fig.actioned,
                fig.rejected,
                fig.expired,
                fig.pending,
                fig.withdrawn,
                "" if fig.percent is None else fig.percent,
                fig.decided,
            ]
        )
    return out.getvalue().encode("utf-8")


# ------------------------------------------------------------------------------ the PDF


def _pdf_text(value: object) -> str:
    """The standard PDF fonts have the Windows-1252 characters only: others become `?`."""
    return str(value).encode("cp1252", "replace").decode("cp1252")


def _headline_rows(data: ReportFigures, ctx: ReportContext) -> list[list[str]]:
    def column(head: Headline) -> list[str]:
        fig = head.figures
        return [
            format_count(head.identified),
            _groups(head.cases) or "-",
            format_count(head.reports),
            format_count(fig.sent),
            format_count(fig.actioned),
            format_compliance(fig),
            reach_line(fig),
            format_count(head.comebacks),
        ]

    names = [
        "Accounts identified (cases)",
        "  by group",
        "Reported (reports)",
        "Requests sent",
        "Accounts actioned (removed, restricted)",
        "Compliance",
        "Reach removed",
        "Comebacks found",
    ]
    since = "since the first case"
    if data.first_case_at is not None:
        since += f" ({_day(data.first_case_at, ctx.tz)})"
    rows = [["", data.period.title + _to_date(data, ctx), since]]
    period, ever = column(data.headline), column(data.since_first)
    rows += [[n, p, e] for n, p, e in zip(names, period, ever, strict=True)]
    return rows


TABLE_HEADER = ["sent", "actioned", "rejected", "expired", "pending", "withdrawn"]


def _figures_rows(table: Table, by: Breakdown, before: Table | None) -> list[list[str]]:
    """One row per key and the total: counts, compliance with its denominator, median hours
    and the change against the period before."""
    header = [by, *TABLE_HEADER, "compliance", "median", *(["change"] if before else [])]

    def cells(name: str, fig: Figures, previous: Figures | None) -> list[str]:
        counts = (fig.sent, fig.actioned, fig.rejected, fig.expired, fig.pending, fig.withdrawn)
        row = [name, *map(format_count, counts), format_compliance(fig), format_median(fig)]
        if before:
            row.append(change_from(fig, previous.rate if previous else None))
        return row

    previous_rows = before.rows if before else {}
    rows = [header]
    rows += [cells(_label(by, key), fig, previous_rows.get(key)) for key, fig in table.rows.items()]
    rows.append(cells("Total", table.total, before.total if before else None))
    return rows


def _overdue_rows(data: ReportFigures, ctx: ReportContext) -> list[list[str]]:
    rows = [["case", "account", "group", "request", "sent", "days overdue"]]
    sla = dt.timedelta(hours=ctx.sla_hours)
    for item in data.overdue:
        rows.append(
            [
                f"#{item.case_id}",
                truncate(AccountRef(item.platform, item.handle).short, 40),
                item.group,
                str(item.round_no),
                local_time(item.sent_at, ctx.tz),
                str((data.as_of - item.sent_at - sla).days),
            ]
        )
    return rows


def chart(data: ReportFigures, ctx: ReportContext) -> Any:
    """The chart month by month (a reportlab drawing, bot/views/charts.py)."""
    first, last = data.months[0].month, data.months[-1].month
    title = (
        f"{ctx.unit}: compliance per platform and requests sent, month by month, "
        f"{first.start:%b %Y} to {last.start:%b %Y}"
    )
    footer = (
        f"Report {data.period.label}; figures as of {local_time(data.as_of, ctx.tz)} "
        f"({ctx.tz.key}); compliance = actioned / (actioned + rejected + expired)"
    )
    return charts.monthly_drawing(data.months, _pdf_text(title), _pdf_text(footer))


def pdf_bytes(data: ReportFigures, ctx: ReportContext) -> bytes:
    """The report as an A4 PDF of a few pages (reportlab, imported here: only /report
    needs it)."""
    from reportlab.lib import colors
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.styles import getSampleStyleSheet
    from reportlab.lib.units import cm
    from reportlab.platypus import (
        KeepTogether,
        Paragraph,
        SimpleDocTemplate,
        Spacer,
        TableStyle,
    )
    from reportlab.platypus import Table as PdfTable

    styles = getSampleStyleSheet()
    body, small = styles["BodyText"], styles["BodyText"].clone("small", fontSize=7, leading=9)

    def para(text: str, style: object = body) -> Paragraph:
        return Paragraph(esc(_pdf_text(text)), style)

    def heading(text: str) -> Paragraph:
        return Paragraph(esc(_pdf_text(text)), styles["Heading2"])

    def grid(rows: list[list[str]], widths: list[float] | None = None) -> PdfTable:
        table = PdfTable(
            [[_pdf_text(cell) for cell in row] for row in rows], colWidths=widths, repeatRows=1
        )
        table.setStyle(
            TableStyle(
                [
                    ("FONTSIZE", (0, 0), (-1, -1), 7),
                    ("LEADING", (0, 0), (-1, -1), 8.5),
                    ("FONTNAME", (0, 0), (-1, 0), "Helvetica-Bold"),
                    ("LINEBELOW", (0, 0), (-1, 0), 0.5, colors.black),
                    ("ALIGN", (1, 0), (-1, -1), "RIGHT"),
                    (
                        "ROWBACKGROUNDS",
                        (0, 1),
                        (-1, -1),
                        [colors.white, colors.HexColor("#f0f3f7")],
                    ),
                    ("TOPPADDING", (0, 0), (-1, -1), 1.5),
                    ("BOTTOMPADDING", (0, 0), (-1, -1), 1.5),
                ]
            )
        )
        return table

    as_of = f"{local_time(data.as_of, ctx.tz)} ({ctx.tz.key})"
    title = f"{ctx.unit}: periodic report, {data.period.title}{_to_date(data, ctx)}"

    def on_page(canvas: object, doc: object) -> None:
        canvas.saveState()  # type: ignore[attr-defined]
        canvas.setFont("Helvetica", 7)  # type: ignore[attr-defined]
        footer = f"{title} - figures as of {as_of} - page {doc.page}"  # type: ignore[attr-defined]
        canvas.drawString(1.5 * cm, 1 * cm, _pdf_text(footer))  # type: ignore[attr-defined]
        canvas.restoreState()  # type: ignore[attr-defined]

    story: list[object] = [
        Paragraph(esc(_pdf_text(title)), styles["Title"]),
        para(
            f"Figures as of {as_of}. Requests sent {_span(data.window, ctx.tz)}; the period "
            f"before: {_span(data.previous_window, ctx.tz)}. Run again as of the same time, "
            "this report gives the same figures, whatever was recorded after."
        ),  # fmt: skip
        Spacer(1, 0.3 * cm),
        heading("Headline"),
        grid(_headline_rows(data, ctx), [6 * cm, 5.5 * cm, 5.5 * cm]),
        Spacer(1, 0.3 * cm),
        para(DEFINITIONS.format(sla=ctx.sla_hours), small),
    ]
    sections: list[tuple[str, Callable[[], list[list[str]]]]] = [
        ("Compliance per platform", lambda: _figures_rows(data.platforms, "platform",
                                                          data.previous_platforms)),
        ("Compliance per group", lambda: _figures_rows(data.groups, "group", data.previous_groups)),
    ]  # fmt: skip
    for name, rows in sections:
        story.append(heading(f"{name}, {data.period.title}"))
        if data.platforms.empty:
            story.append(para("No requests were sent in the period."))
        else:
            story.append(grid(rows()))
            story.append(para("change: compliance against the period before, in points.", small))
    story += [
        KeepTogether(
            [
                heading("Month by month"),
                chart(data, ctx),
            ]
        ),
        heading(f"Outcomes by category, {data.period.title}"),
        grid(_figures_rows(data.categories, "category", None))
        if not data.categories.empty
        else para("No requests were sent in the period."),
        heading(f"Oldest overdue requests at {as_of}"),
        grid(_overdue_rows(data, ctx))
        if data.overdue
        else para(f"None: every request had an outcome within {ctx.sla_hours} h."),
    ]
    out = io.BytesIO()
    doc = SimpleDocTemplate(
        out,
        pagesize=A4,
        invariant=1,  # a fixed creation date and id: the same figures, the same bytes
        title=_pdf_text(title),
        author=_pdf_text(ctx.unit),
        subject=f"Figures as of {as_of}",
        creator="Takedown Desk",
        leftMargin=1.5 * cm,
        rightMargin=1.5 * cm,
        topMargin=1.5 * cm,
        bottomMargin=1.8 * cm,
    )
    doc.build(story, onFirstPage=on_page, onLaterPages=on_page)
    return out.getvalue()

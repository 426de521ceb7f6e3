"""How a report's typed cells read on screen, and sorting them (presentation only: every figure is the server's)."""

from __future__ import annotations

import calendar
from datetime import date

from rich.text import Text

from client_tui import formatting
from shared import dates
from shared.pms.reports.v1 import reports_pb2 as rp

NUMERIC_KINDS = frozenset({rp.COLUMN_KIND_MONEY, rp.COLUMN_KIND_COUNT, rp.COLUMN_KIND_PERCENT,
                           rp.COLUMN_KIND_DECIMAL})
FILTER_WORDS = {"dates": "Dates", "providers": "Providers", "locations": "Locations", "payers": "Payers",
                "aging_basis": "Aging basis"}
AGING_BASIS_CHOICES = [("Date of service", rp.AGING_BASIS_DATE_OF_SERVICE),
                       ("Date billed", rp.AGING_BASIS_DATE_BILLED)]
FORMAT_CHOICES = [("CSV (spreadsheets)", rp.EXPORT_FORMAT_CSV), ("PDF (printing)", rp.EXPORT_FORMAT_PDF)]

SortKey = tuple[int, int | str]


def scaled(value: int, scale: int) -> str:
    """``value`` / 10**scale with ``scale`` decimals and thousands separators: 9525, 2 -> 95.25."""
    if scale <= 0:
        return f"{value:,}"
    sign = "-" if value < 0 else ""
    whole, part = divmod(abs(value), 10**scale)
    return f"{sign}{whole:,}.{part:0{scale}d}"


def figure(kind: int, scale: int, value: int) -> str:
    if kind == rp.COLUMN_KIND_MONEY:
        return formatting.dollars(value)
    if kind == rp.COLUMN_KIND_PERCENT:
        return f"{scaled(value, scale)}%"
    if kind == rp.COLUMN_KIND_DECIMAL:
        return scaled(value, scale)
    return f"{value:,}"


def cell_text(column: rp.Column, value: rp.Value) -> str:
    which = value.WhichOneof("value")
    if which == "integer":
        return figure(column.kind, column.scale, value.integer)
    if which == "date":
        return formatting.calendar_date(value.date)
    if which == "text":
        return value.text
    return "—" if column.kind in NUMERIC_KINDS else ""


def cell(column: rp.Column, value: rp.Value, style: str = "") -> Text:
    """Numbers right-aligned, text left; an empty figure (nothing to divide) is a dash."""
    if column.kind in NUMERIC_KINDS:
        return Text(cell_text(column, value), justify="right", style=style)
    return Text(cell_text(column, value), justify="left", style=style)


def sort_key(value: rp.Value) -> SortKey:
    """Empty cells last whichever way; numbers and dates as such, text without case."""
    which = value.WhichOneof("value")
    if which == "integer":
        return (0, value.integer)
    if which == "date":
        return (0, value.date.year * 10_000 + value.date.month * 100 + value.date.day)
    if which == "text":
        return (0, value.text.casefold())
    return (1, 0)


def sorted_rows(rows: list[rp.Row], column: int, descending: bool) -> list[rp.Row]:
    present = [r for r in rows if column < len(r.values) and sort_key(r.values[column])[0] == 0]
    empty = [r for r in rows if r not in present]
    present.sort(key=lambda r: sort_key(r.values[column])[1], reverse=descending)
    return present + empty


def column_width(column: rp.Column, table: rp.ReportTable) -> int:
    texts = [cell_text(column, r.values[i]) for r in (*table.rows, table.totals)
             for i in [list(table.columns).index(column)] if i < len(r.values)]
    widest = max((len(t) for t in texts), default=0)
    # Room for the title and the sort arrow; text columns are capped so the figures stay on screen.
    width = max(widest, len(column.title) + 2, 6)
    return min(width, 40) if column.kind == rp.COLUMN_KIND_TEXT else width


def month_range(day: date) -> tuple[date, date]:
    return day.replace(day=1), day.replace(day=calendar.monthrange(day.year, day.month)[1])


def report_filter(start: date | None, end: date | None, provider_ids: list[int], location_ids: list[int],
                  payer_ids: list[int], aging_basis: int) -> rp.ReportFilter:
    flt = rp.ReportFilter(provider_ids=provider_ids, location_ids=location_ids, payer_ids=payer_ids,
                          aging_basis=aging_basis)  # type: ignore[arg-type]
    if start is not None:
        getattr(flt, "from").CopyFrom(dates.to_pb(start))
    if end is not None:
        flt.to.CopyFrom(dates.to_pb(end))
    return flt


def is_aging(table: rp.ReportTable) -> bool:
    """An aging report: money columns by age bucket, drawn as bars."""
    return any(c.key.startswith("days_") and c.kind == rp.COLUMN_KIND_MONEY for c in table.columns)


def aging_totals(table: rp.ReportTable) -> list[tuple[str, int]]:
    """(bucket, total cents) from the totals row of an aging report."""
    out = []
    for i, c in enumerate(table.columns):
        if c.key.startswith("days_") and i < len(table.totals.values):
            value = table.totals.values[i]
            out.append((c.title, value.integer if value.WhichOneof("value") == "integer" else 0))
    return out


def kpi_value(kpi: rp.Kpi, value: int) -> str:
    return figure(kpi.kind, kpi.scale, value)


def kpi_change(kpi: rp.Kpi) -> str:
    """How this month compares with the last, in the KPI's own unit."""
    if kpi.this_month_missing or kpi.last_month_missing:
        return ""
    diff = kpi.this_month - kpi.last_month
    if diff == 0:
        return "same as last month"
    text = kpi_value(kpi, abs(diff))
    if kpi.kind == rp.COLUMN_KIND_PERCENT:
        text = text.removesuffix("%") + " pts"
    return f"{'▲' if diff > 0 else '▼'} {text}"


def goal_words(kpi: rp.Kpi) -> str:
    if not kpi.has_goal:
        return "no goal"
    if kpi.this_month_missing:
        return f"goal {'<' if kpi.lower_is_better else '≥'} {kpi_value(kpi, kpi.goal)}"
    sign = "<" if kpi.lower_is_better else "≥"
    verdict = "met" if kpi.meets_goal else "missed"
    return f"goal {sign} {kpi_value(kpi, kpi.goal)} · {verdict}"


def month_label(value: date) -> str:
    return value.strftime("%b %y")

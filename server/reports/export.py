"""A report table as a file: CSV for spreadsheets, PDF (reportlab) for printing. Both show values as the screen
does (money as dollars, percentages with their decimals) and end with the totals row and the notes."""

from __future__ import annotations

import csv
import io
from datetime import date

from reportlab.lib import colors
from reportlab.lib.pagesizes import landscape, letter
from reportlab.lib.styles import getSampleStyleSheet
from reportlab.lib.units import inch
from reportlab.platypus import LongTable, Paragraph, SimpleDocTemplate, Spacer, TableStyle

from server.reports.table import Cell, Col, Table
from shared import money


def show(col: Col, v: Cell, *, csv_style: bool = False) -> str:
    """One value as people read it; CSV keeps numbers plain (no thousands separators) for spreadsheets."""
    if v is None:
        return ""
    if isinstance(v, date):
        return v.isoformat()
    if isinstance(v, str):
        return v
    assert isinstance(v, int)
    if col.kind == "money":
        return money.plain(v) if csv_style else money.dollars(v)
    if col.kind in ("percent", "decimal"):
        text = _scaled(v, col.scale)
        return text + ("%" if col.kind == "percent" and not csv_style else "")
    return str(v) if csv_style else f"{v:,}"


def _scaled(v: int, scale: int) -> str:
    if scale == 0:
        return str(v)
    sign = "-" if v < 0 else ""
    whole, frac = divmod(abs(v), 10 ** scale)
    return f"{sign}{whole}.{frac:0{scale}d}"


def to_csv(t: Table) -> bytes:
    out = io.StringIO()
    w = csv.writer(out, lineterminator="\r\n")
    w.writerow([c.title for c in t.columns])
    for r in [*t.rows, *([t.totals] if t.totals is not None else [])]:
        w.writerow([_csv_safe(show(c, v, csv_style=True)) if c.kind == "text" else show(c, v, csv_style=True)
                    for c, v in zip(t.columns, r, strict=True)])
    return out.getvalue().encode("utf-8")


def _csv_safe(text: str) -> str:
    # Text starting with = + - @ runs as a formula in spreadsheets (OWASP "CSV injection"): names are data.
    return "'" + text if text and text[0] in "=+-@\t\r" else text


def to_pdf(t: Table, practice_name: str) -> bytes:
    buf = io.BytesIO()
    doc = SimpleDocTemplate(buf, pagesize=landscape(letter), leftMargin=0.5 * inch, rightMargin=0.5 * inch,
                            topMargin=0.5 * inch, bottomMargin=0.5 * inch, title=t.title, author=practice_name,
                            invariant=1)
    styles = getSampleStyleSheet()
    story: list = [Paragraph(_esc(f"{practice_name}: {t.title}"), styles["Title"]),
                   Paragraph(_esc(t.subtitle), styles["Normal"]), Spacer(1, 8)]
    numeric = [c.kind not in ("text", "date") for c in t.columns]
    data = [[c.title for c in t.columns]]
    data += [[show(c, v) for c, v in zip(t.columns, r, strict=True)] for r in t.rows]
    if t.totals is not None:
        data.append([show(c, v) for c, v in zip(t.columns, t.totals, strict=True)])
    style = [("FONT", (0, 0), (-1, 0), "Helvetica-Bold", 8), ("FONT", (0, 1), (-1, -1), "Helvetica", 8),
             ("LINEBELOW", (0, 0), (-1, 0), 0.75, colors.black), ("VALIGN", (0, 0), (-1, -1), "TOP"),
             ("ROWBACKGROUNDS", (0, 1), (-1, -1), [colors.white, colors.HexColor("#f0f0f0")])]
    style += [("ALIGN", (i, 0), (i, -1), "RIGHT") for i, n in enumerate(numeric) if n]
    if t.totals is not None:
        style += [("FONT", (0, -1), (-1, -1), "Helvetica-Bold", 8), ("LINEABOVE", (0, -1), (-1, -1), 0.75,
                                                                     colors.black)]
    table = LongTable(data, repeatRows=1)
    table.setStyle(TableStyle(style))
    story.append(table)
    for note in t.notes:
        story += [Spacer(1, 4), Paragraph(_esc(note), styles["Italic"])]
    doc.build(story)
    return buf.getvalue()


def _esc(s: str) -> str:
    return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")

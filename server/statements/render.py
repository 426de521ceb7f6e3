"""A patient statement as PDF (reportlab canvas, drawn directly: thousands per run), pure.

It draws the ``content`` a run stored for the statement: the practice and where to send payment, the guarantor's
address (placed for a #10 double-window envelope), the visits with their charges, what insurance paid and
adjusted, what the patients paid and what they owe, visits still with insurance as "pending insurance" (never
due), the balance by age, the amount due and its due date, the dunning message, and a tear-off stub to return
with the payment. One statement is one page when its visits fit (16); more continue on following pages, and the
stub is on the first. The combined print file draws the same content, statement after statement.
"""

from __future__ import annotations

import io
from collections.abc import Iterable
from datetime import date
from typing import Any

from reportlab.lib.pagesizes import LETTER
from reportlab.pdfgen.canvas import Canvas

from shared.money import dollars

WIDTH, HEIGHT = LETTER
LEFT, RIGHT = 40.0, WIDTH - 40.0
FIRST_PAGE_ROWS = 16
MORE_PAGE_ROWS = 48
STUB_TOP = 216.0
AGING_LABELS = (("current", "0-30 days"), ("days_31_60", "31-60 days"), ("days_61_90", "61-90 days"),
                ("days_91_120", "91-120 days"), ("over_120", "Over 120 days"))
# Visit table columns: x of the left edge (text) or of the right edge (amounts).
_COLS = (("Date", LEFT, "l"), ("Patient", LEFT + 58, "l"), ("Services", LEFT + 158, "l"),
         ("Charges", LEFT + 300, "r"), ("Ins. paid", LEFT + 352, "r"), ("Adjusted", LEFT + 402, "r"),
         ("You paid", LEFT + 450, "r"), ("Your share", RIGHT, "r"))


def _day(iso: str) -> str:
    return f"{date.fromisoformat(iso):%m/%d/%Y}" if iso else ""


def pages_of(content: dict[str, Any]) -> int:
    rows = len(content["visits"])
    extra = max(0, rows - FIRST_PAGE_ROWS)
    return 1 + -(-extra // MORE_PAGE_ROWS)


def _header(pdf: Canvas, c: dict[str, Any], page: int, pages: int) -> None:
    practice = c["practice"]
    pdf.setFont("Helvetica-Bold", 13)
    pdf.drawString(LEFT, HEIGHT - 48, practice["name"])
    pdf.setFont("Helvetica", 9)
    y = HEIGHT - 60
    for line in practice["address"]:
        pdf.drawString(LEFT, y, line)
        y -= 11
    pdf.setFont("Helvetica-Bold", 16)
    pdf.drawRightString(RIGHT, HEIGHT - 48, "STATEMENT")
    pdf.setFont("Helvetica", 9)
    for i, (label, value) in enumerate((("Statement date", _day(c["statement_date"])),
                                        ("Account number", c["account_number"]),
                                        ("Page", f"{page} of {pages}"))):
        pdf.drawString(RIGHT - 170, HEIGHT - 64 - 12 * i, label)
        pdf.drawRightString(RIGHT, HEIGHT - 64 - 12 * i, value)


def _address(pdf: Canvas, to: dict[str, str], x: float, y: float) -> None:
    pdf.setFont("Helvetica", 10)
    for line in (to["name"], to["line1"], to["line2"], f"{to['city']}, {to['state']} {to['zip']}"):
        if line.strip(" ,"):
            pdf.drawString(x, y, line)
            y -= 12


def _table_head(pdf: Canvas, y: float) -> None:
    pdf.setFont("Helvetica-Bold", 8)
    for label, x, align in _COLS:
        (pdf.drawString if align == "l" else pdf.drawRightString)(x, y, label)
    pdf.line(LEFT, y - 3, RIGHT, y - 3)


def _rows(pdf: Canvas, visits: Iterable[dict[str, Any]], y: float) -> float:
    pdf.setFont("Helvetica", 8)
    for v in visits:
        pdf.drawString(LEFT, y, _day(v["date"]))
        pdf.drawString(LEFT + 58, y, v["patient"][:22])
        pdf.drawString(LEFT + 158, y, v["services"][:26])
        pdf.drawRightString(LEFT + 300, y, dollars(v["charges_cents"]))
        pdf.drawRightString(LEFT + 352, y, dollars(v["insurance_paid_cents"]))
        pdf.drawRightString(LEFT + 402, y, dollars(v["adjusted_cents"]))
        pdf.drawRightString(LEFT + 450, y, dollars(v["patient_paid_cents"]))
        if v["pending_insurance_cents"]:
            # Still with insurance: not the patient's share yet.
            pdf.drawRightString(RIGHT, y, f"Pending {dollars(v['pending_insurance_cents'])}")
        else:
            pdf.drawRightString(RIGHT, y, dollars(v["balance_cents"]))
        y -= 12
    return y


def _summary(pdf: Canvas, c: dict[str, Any], y: float) -> None:
    pdf.setFont("Helvetica-Bold", 8)
    width = (RIGHT - LEFT) / 5
    for i, (_, label) in enumerate(AGING_LABELS):
        pdf.drawCentredString(LEFT + width * (i + 0.5), y, label)
    pdf.setFont("Helvetica", 9)
    for i, (key, _) in enumerate(AGING_LABELS):
        pdf.drawCentredString(LEFT + width * (i + 0.5), y - 12, dollars(c["aging"][key]))
    pdf.rect(LEFT, y - 17, RIGHT - LEFT, 28, stroke=1, fill=0)
    y -= 34
    facts = [("Your balance", dollars(c["balance_cents"]))]
    if c["credit_cents"]:
        facts.append(("Credit on your account", dollars(-c["credit_cents"])))
    if c["paid_since_last_cents"]:
        facts.append(("Paid since your last statement", dollars(c["paid_since_last_cents"])))
    if c["pending_insurance_cents"]:
        facts.append(("Pending insurance (not due)", dollars(c["pending_insurance_cents"])))
    if c["plan_installment_cents"]:
        facts.append(("Payment plan installment", dollars(c["plan_installment_cents"])))
    facts.append(("AMOUNT DUE", dollars(c["amount_due_cents"])))
    facts.append(("Due date", _day(c["due_date"]) if c["due_date"] != c["statement_date"] else "Upon receipt"))
    for label, value in facts:
        bold = label == "AMOUNT DUE"
        pdf.setFont("Helvetica-Bold" if bold else "Helvetica", 10 if bold else 9)
        pdf.drawString(RIGHT - 230, y, label)
        pdf.drawRightString(RIGHT, y, value)
        y -= 12
    pdf.setFont("Helvetica-Bold", 9)
    text = pdf.beginText(LEFT, y + 12 * len(facts))
    text.setFont("Helvetica-Bold", 9)
    for line in _wrap(c["message"], 52):
        text.textLine(line)
    pdf.drawText(text)


def _wrap(message: str, width: int) -> list[str]:
    lines, line = [], ""
    for word in message.split():
        if line and len(line) + 1 + len(word) > width:
            lines.append(line)
            line = word
        else:
            line = f"{line} {word}".strip()
    return [*lines, line] if line else lines


def _stub(pdf: Canvas, c: dict[str, Any]) -> None:
    pdf.setDash(4, 3)
    pdf.line(LEFT - 20, STUB_TOP, RIGHT + 20, STUB_TOP)
    pdf.setDash()
    pdf.setFont("Helvetica-Oblique", 7)
    pdf.drawCentredString(WIDTH / 2, STUB_TOP - 10, "Please detach and return this portion with your payment. "
                                                    "Make checks payable to " + c["practice"]["name"] + ".")
    y = STUB_TOP - 30
    pdf.setFont("Helvetica", 9)
    for label, value in (("Account number", c["account_number"]), ("Statement date", _day(c["statement_date"])),
                         ("Due date", _day(c["due_date"])), ("Amount due", dollars(c["amount_due_cents"]))):
        pdf.drawString(RIGHT - 220, y, label)
        pdf.drawRightString(RIGHT, y, value)
        y -= 12
    pdf.drawString(RIGHT - 220, y - 4, "Amount enclosed")
    pdf.line(RIGHT - 110, y - 6, RIGHT, y - 6)
    # Return address seen through the remittance envelope's window, guarantor's name and address above it.
    _address(pdf, c["to"], LEFT + 20, STUB_TOP - 40)
    pdf.setFont("Helvetica-Bold", 9)
    pdf.drawString(LEFT + 20, 100, "REMIT TO:")
    pdf.setFont("Helvetica", 10)
    y = 88
    for line in (c["practice"]["name"], *c["remit_to"]):
        pdf.drawString(LEFT + 20, y, line)
        y -= 12


def draw(pdf: Canvas, c: dict[str, Any]) -> int:
    """Draws one statement (its pages, each ended); returns the number of pages."""
    pages = pages_of(c)
    visits = c["visits"]
    _header(pdf, c, 1, pages)
    _address(pdf, c["to"], LEFT + 32, HEIGHT - 140)
    y = HEIGHT - 222
    _table_head(pdf, y)
    y = _rows(pdf, visits[:FIRST_PAGE_ROWS], y - 14)
    if len(visits) > FIRST_PAGE_ROWS:
        pdf.setFont("Helvetica-Oblique", 8)
        pdf.drawString(LEFT, y, "More visits on the next page.")
    _summary(pdf, c, STUB_TOP + 124)
    _stub(pdf, c)
    pdf.showPage()
    rest = visits[FIRST_PAGE_ROWS:]
    for page in range(2, pages + 1):
        _header(pdf, c, page, pages)
        y = HEIGHT - 120
        _table_head(pdf, y)
        _rows(pdf, rest[:MORE_PAGE_ROWS], y - 14)
        rest = rest[MORE_PAGE_ROWS:]
        pdf.showPage()
    return pages


def _canvas(out: io.BytesIO, title: str) -> Canvas:
    # Uncompressed and invariant: fast, and the same content always draws the same bytes.
    pdf = Canvas(out, pagesize=LETTER, pageCompression=0, invariant=1)
    pdf.setTitle(title)
    return pdf


def statement_pdf(c: dict[str, Any]) -> tuple[bytes, int]:
    """(the PDF, its pages)."""
    out = io.BytesIO()
    pdf = _canvas(out, f"Statement {c['account_number']} {c['statement_date']}")
    pages = draw(pdf, c)
    pdf.save()
    return out.getvalue(), pages


def combined_pdf(contents: Iterable[dict[str, Any]], title: str) -> bytes:
    out = io.BytesIO()
    pdf = _canvas(out, title)
    drawn = 0
    for c in contents:
        drawn += draw(pdf, c)
    if not drawn:
        pdf.showPage()
    pdf.save()
    return out.getvalue()

"""A payment receipt as a one-page PDF (reportlab): who paid what, how, for which visits, and what is left.

Pure: it draws the values it is given, so a receipt printed again later shows the payment as posted (applications
are on the ledger and never change; the balance line says "as of" when it was printed).
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from datetime import date, datetime

from reportlab.lib.pagesizes import LETTER
from reportlab.pdfgen.canvas import Canvas

from shared.money import dollars


@dataclass(frozen=True)
class ReceiptLine:
    date_of_service: date | None
    code: str
    amount_cents: int


@dataclass(frozen=True)
class Receipt:
    practice_name: str
    practice_address: tuple[str, ...]
    receipt_number: int
    patient_name: str
    mrn: str
    received_on: date
    method: str  # "Cash", "Check 1042", "Card ref 8841"
    amount_cents: int
    lines: tuple[ReceiptLine, ...]
    unapplied_cents: int
    patient_due_cents: int
    credit_cents: int
    taken_by: str
    printed_at: datetime
    reversed: bool = False


def receipt_pdf(r: Receipt) -> bytes:
    out = io.BytesIO()
    pdf = Canvas(out, pagesize=LETTER, pageCompression=1)
    pdf.setTitle(f"Receipt {r.receipt_number}")
    width, height = LETTER
    left, y = 72.0, height - 72.0
    pdf.setFont("Helvetica-Bold", 14)
    pdf.drawString(left, y, r.practice_name)
    pdf.setFont("Helvetica", 10)
    for line in r.practice_address:
        y -= 13
        pdf.drawString(left, y, line)
    pdf.setFont("Helvetica-Bold", 16)
    pdf.drawRightString(width - left, height - 72.0, "RECEIPT")
    pdf.setFont("Helvetica", 10)
    pdf.drawRightString(width - left, height - 88.0, f"No. {r.receipt_number}")
    pdf.drawRightString(width - left, height - 101.0, f"Received {r.received_on:%m/%d/%Y}")
    y -= 36
    for label, value in (("Patient", f"{r.patient_name} (MRN {r.mrn})"), ("Paid by", r.method),
                         ("Amount", dollars(r.amount_cents)), ("Taken by", r.taken_by)):
        pdf.setFont("Helvetica-Bold", 10)
        pdf.drawString(left, y, label)
        pdf.setFont("Helvetica", 10)
        pdf.drawString(left + 90, y, value)
        y -= 15
    if r.reversed:
        pdf.setFont("Helvetica-Bold", 12)
        pdf.drawString(left, y - 4, "THIS PAYMENT WAS REVERSED")
        y -= 20
    y -= 12
    pdf.setFont("Helvetica-Bold", 10)
    pdf.drawString(left, y, "Applied to")
    pdf.drawString(left + 90, y, "Date of service")
    pdf.drawString(left + 200, y, "Service")
    pdf.drawRightString(width - left, y, "Amount")
    pdf.setFont("Helvetica", 10)
    for li in r.lines:
        y -= 15
        pdf.drawString(left + 90, y, f"{li.date_of_service:%m/%d/%Y}" if li.date_of_service else "")
        pdf.drawString(left + 200, y, li.code)
        pdf.drawRightString(width - left, y, dollars(li.amount_cents))
    if r.unapplied_cents:
        y -= 15
        pdf.drawString(left + 90, y, "Kept as credit on the account")
        pdf.drawRightString(width - left, y, dollars(r.unapplied_cents))
    y -= 30
    pdf.setFont("Helvetica-Bold", 10)
    pdf.drawString(left, y, f"Account as of {r.printed_at:%m/%d/%Y %I:%M %p}:")
    pdf.setFont("Helvetica", 10)
    pdf.drawString(left + 200, y, f"you owe {dollars(r.patient_due_cents)}; credit {dollars(r.credit_cents)}")
    pdf.setFont("Helvetica-Oblique", 8)
    pdf.drawString(left, 60, "Amounts still with your insurance are not shown as owed until your plan has paid.")
    pdf.showPage()
    pdf.save()
    return out.getvalue()

"""A patient payment as received (method, check number, card reference); its money is on the ledger."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import (
    BigInteger,
    CheckConstraint,
    ForeignKey,
    ForeignKeyConstraint,
    Identity,
    Index,
    String,
    Text,
    func,
)
from sqlalchemy.orm import Mapped, mapped_column

from server.db.base import Base

METHODS = ("cash", "check", "card")


class PatientPayment(Base):
    __tablename__ = "patient_payment"
    __table_args__ = (
        ForeignKeyConstraint(["practice_id", "patient_id"], ["patient.practice_id", "patient.id"]),
        ForeignKeyConstraint(["practice_id", "entry_id"], ["ledger_entry.practice_id", "ledger_entry.id"]),
        ForeignKeyConstraint(["practice_id", "reversal_entry_id"], ["ledger_entry.practice_id", "ledger_entry.id"]),
        ForeignKeyConstraint(["practice_id", "appointment_id"], ["appointment.practice_id", "appointment.id"]),
        CheckConstraint("method IN ('cash', 'check', 'card')", name="method_value"),
        CheckConstraint("amount_cents > 0", name="amount_positive"),
        # A check is traced by its number, a card payment by the processor's reference: deposits and
        # disputes need them.
        CheckConstraint("method <> 'check' OR check_number <> ''", name="check_has_number"),
        CheckConstraint("method <> 'card' OR card_reference <> ''", name="card_has_reference"),
        Index("ix_patient_payment_patient", "practice_id", "patient_id", "id"),
        Index("ix_patient_payment_received", "practice_id", "received_on"),
    )

    practice_id: Mapped[int] = mapped_column(BigInteger, ForeignKey("practice.id"), primary_key=True)
    id: Mapped[int] = mapped_column(BigInteger, Identity(), primary_key=True)
    patient_id: Mapped[int] = mapped_column(BigInteger)
    method: Mapped[str] = mapped_column(String(5))
    amount_cents: Mapped[int] = mapped_column(BigInteger)
    check_number: Mapped[str] = mapped_column(String(30), server_default="")
    card_reference: Mapped[str] = mapped_column(String(60), server_default="")
    received_on: Mapped[date]
    appointment_id: Mapped[int | None] = mapped_column(BigInteger)
    note: Mapped[str] = mapped_column(Text, server_default="")
    # The ledger entry that posted it, and the one that took it back.
    entry_id: Mapped[int | None] = mapped_column(BigInteger)
    reversal_entry_id: Mapped[int | None] = mapped_column(BigInteger)
    reversal_reason: Mapped[str] = mapped_column(Text, server_default="")
    created_by: Mapped[int | None] = mapped_column(BigInteger)
    created_at: Mapped[datetime] = mapped_column(server_default=func.now())

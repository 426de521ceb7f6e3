"""The patient ledger: every amount that changes what is owed, as signed integer cents, appended and never edited.

Charges come from encounters made ready to bill (server/encounters/billing.py); payments, adjustments and transfers
join them in the payments issue. A correction is a new entry (a reversal), so the history always adds up.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import (
    BigInteger,
    CheckConstraint,
    ForeignKey,
    ForeignKeyConstraint,
    Identity,
    Index,
    SmallInteger,
    String,
    Text,
    func,
)
from sqlalchemy.orm import Mapped, mapped_column

from server.db.base import Base


class LedgerEntry(Base):
    __tablename__ = "ledger_entry"
    __table_args__ = (
        ForeignKeyConstraint(["practice_id", "patient_id"], ["patient.practice_id", "patient.id"]),
        ForeignKeyConstraint(["practice_id", "encounter_id"], ["encounter.practice_id", "encounter.id"]),
        CheckConstraint("kind IN ('charge', 'charge_reversal')", name="kind_value"),
        CheckConstraint("(kind = 'charge' AND amount_cents >= 0) OR (kind = 'charge_reversal' AND amount_cents <= 0)",
                        name="sign_matches_kind"),
        # Posting twice (a retried call, two billers at once) is refused by the database, not by luck.
        Index("uq_ledger_entry_key", "practice_id", "idempotency_key", unique=True),
        Index("ix_ledger_entry_encounter", "practice_id", "encounter_id", "id"),
        Index("ix_ledger_entry_patient", "practice_id", "patient_id", "id"),
    )

    practice_id: Mapped[int] = mapped_column(BigInteger, ForeignKey("practice.id"), primary_key=True)
    id: Mapped[int] = mapped_column(BigInteger, Identity(), primary_key=True)
    patient_id: Mapped[int] = mapped_column(BigInteger)
    encounter_id: Mapped[int | None] = mapped_column(BigInteger)
    line_number: Mapped[int | None] = mapped_column(SmallInteger)
    code: Mapped[str] = mapped_column(String(5), server_default="")
    kind: Mapped[str] = mapped_column(String(16))
    amount_cents: Mapped[int] = mapped_column(BigInteger)
    idempotency_key: Mapped[str] = mapped_column(String(100))
    posted_at: Mapped[datetime] = mapped_column(server_default=func.now())
    posted_by: Mapped[int | None] = mapped_column(BigInteger)
    posted_by_name: Mapped[str] = mapped_column(String(200), server_default="")
    note: Mapped[str] = mapped_column(Text, server_default="")

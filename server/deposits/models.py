"""Bank deposits (which received money went to the bank together) and closed days (their sheet, frozen).

The money itself is on the ledger: a deposit is one ``deposit`` entry (bank up, undeposited funds down). These say
what it was made of; ``deposit_item``'s primary key is what keeps an item out of a second deposit.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

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
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped, mapped_column

from server.db.base import Base
from server.ledger.models import LedgerEntry
from server.payments.models import PatientPayment

ITEM_KINDS = ("patient_payment", "remittance")


class Deposit(Base):
    __tablename__ = "deposit"
    __table_args__ = (
        ForeignKeyConstraint(["practice_id", "entry_id"], ["ledger_entry.practice_id", "ledger_entry.id"]),
        CheckConstraint("total_cents > 0", name="total_positive"),
        Index("ix_deposit_date", "practice_id", "deposit_date", "id"),
    )

    practice_id: Mapped[int] = mapped_column(BigInteger, ForeignKey("practice.id"), primary_key=True)
    id: Mapped[int] = mapped_column(BigInteger, Identity(), primary_key=True)
    deposit_date: Mapped[date]
    bank_reference: Mapped[str] = mapped_column(String(60), server_default="")
    note: Mapped[str] = mapped_column(Text, server_default="")
    total_cents: Mapped[int] = mapped_column(BigInteger)
    # The ledger entry that moved the money from undeposited funds to the bank.
    entry_id: Mapped[int | None] = mapped_column(BigInteger)
    created_by: Mapped[int | None] = mapped_column(BigInteger)
    created_by_name: Mapped[str] = mapped_column(String(200), server_default="")
    created_at: Mapped[datetime] = mapped_column(server_default=func.now())


class DepositItem(Base):
    """One payment or ERA in a deposit. The key (practice, kind, item) puts an item in one deposit at most."""

    __tablename__ = "deposit_item"
    __table_args__ = (
        ForeignKeyConstraint(["practice_id", "deposit_id"], ["deposit.practice_id", "deposit.id"]),
        CheckConstraint("kind IN ('patient_payment', 'remittance')", name="kind_value"),
        CheckConstraint("amount_cents <> 0", name="amount_nonzero"),
        Index("ix_deposit_item_deposit", "practice_id", "deposit_id"),
    )

    practice_id: Mapped[int] = mapped_column(BigInteger, ForeignKey("practice.id"), primary_key=True)
    kind: Mapped[str] = mapped_column(String(15), primary_key=True)
    item_id: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    deposit_id: Mapped[int] = mapped_column(BigInteger)
    amount_cents: Mapped[int] = mapped_column(BigInteger)


class DayClose(Base):
    """A closed business day and its sheet as it was at the close (what GetDaySheet returns from then on)."""

    __tablename__ = "day_close"

    practice_id: Mapped[int] = mapped_column(BigInteger, ForeignKey("practice.id"), primary_key=True)
    business_date: Mapped[date] = mapped_column(primary_key=True)
    closed_at: Mapped[datetime] = mapped_column(server_default=func.now())
    closed_by: Mapped[int | None] = mapped_column(BigInteger)
    closed_by_name: Mapped[str] = mapped_column(String(200), server_default="")
    # The DaySheet message as JSON (google.protobuf.json_format), integers as written.
    sheet: Mapped[dict[str, Any]] = mapped_column(JSONB)


# The day sheet reads one day of the ledger, and joins patient payments by the entry that posted them. The indexes
# live here (not beside their tables) because this is the domain that needs them.
Index("ix_ledger_entry_business_date", LedgerEntry.practice_id, LedgerEntry.business_date)
Index("ix_patient_payment_entry", PatientPayment.practice_id, PatientPayment.entry_id)

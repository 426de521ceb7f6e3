"""ERAs as received: one row per 835 transaction (a payment and its trace), one per claim payment in it, and the
denied services waiting for the biller. The money they move is on the ledger; these say where it came from."""

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
    Integer,
    SmallInteger,
    String,
    Text,
    func,
)
from sqlalchemy.dialects.postgresql import ARRAY, JSONB
from sqlalchemy.orm import Mapped, mapped_column

from server.db.base import Base


class Remittance(Base):
    __tablename__ = "remittance"
    __table_args__ = (
        CheckConstraint("status IN ('imported', 'posted', 'review')", name="status_value"),
        # An ERA is known by its payer and trace: the first one with a trace is the one that can post.
        Index("uq_remittance_trace", "practice_id", "payer_identifier", "trace_number", unique=True,
              postgresql_where="status <> 'review'"),
        Index("ix_remittance_status", "practice_id", "status", "id"),
    )

    practice_id: Mapped[int] = mapped_column(BigInteger, ForeignKey("practice.id"), primary_key=True)
    id: Mapped[int] = mapped_column(BigInteger, Identity(), primary_key=True)
    payer_identifier: Mapped[str] = mapped_column(String(50))
    trace_number: Mapped[str] = mapped_column(String(50))
    payer_name: Mapped[str] = mapped_column(String(60))
    payment_cents: Mapped[int] = mapped_column(BigInteger)
    payment_method: Mapped[str] = mapped_column(String(3))
    payment_date: Mapped[date]
    # sha256 of what the ERA says (not its envelope), to tell a re-sent copy from a different ERA.
    content_hash: Mapped[str] = mapped_column(String(64))
    file_name: Mapped[str] = mapped_column(String(200))
    status: Mapped[str] = mapped_column(String(8), server_default="imported")
    review_reason: Mapped[str] = mapped_column(Text, server_default="")
    claim_count: Mapped[int] = mapped_column(Integer)
    # PLB, as read: [{"reason", "reference", "amount_cents"}]; positive amounts are taken back from the payment.
    provider_adjustments: Mapped[list[dict[str, Any]]] = mapped_column(JSONB, server_default="[]")
    imported_at: Mapped[datetime] = mapped_column(server_default=func.now())
    imported_by: Mapped[int | None] = mapped_column(BigInteger)
    posted_at: Mapped[datetime | None]
    posted_by_name: Mapped[str] = mapped_column(String(200), server_default="")


class RemittanceClaim(Base):
    """One CLP: the match found at import, what it will post, and whether it did."""

    __tablename__ = "remittance_claim"
    __table_args__ = (
        ForeignKeyConstraint(["practice_id", "remittance_id"], ["remittance.practice_id", "remittance.id"]),
        ForeignKeyConstraint(["practice_id", "claim_id"], ["claim.practice_id", "claim.id"]),
        ForeignKeyConstraint(["practice_id", "entry_id"], ["ledger_entry.practice_id", "ledger_entry.id"]),
        CheckConstraint("outcome IN ('ready', 'posted', 'exception')", name="outcome_value"),
        Index("ix_remittance_claim_claim", "practice_id", "claim_id"),
        Index("ix_remittance_claim_exceptions", "practice_id", "outcome",
              postgresql_where="outcome = 'exception'"),
    )

    practice_id: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    remittance_id: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    position: Mapped[int] = mapped_column(Integer, primary_key=True)
    control_number: Mapped[str] = mapped_column(String(38))
    status_code: Mapped[str] = mapped_column(String(2))
    payer_claim_number: Mapped[str] = mapped_column(String(50), server_default="")
    claim_id: Mapped[int | None] = mapped_column(BigInteger)
    charge_cents: Mapped[int] = mapped_column(BigInteger)
    paid_cents: Mapped[int] = mapped_column(BigInteger)
    contractual_cents: Mapped[int] = mapped_column(BigInteger, server_default="0")
    patient_cents: Mapped[int] = mapped_column(BigInteger, server_default="0")
    denied_cents: Mapped[int] = mapped_column(BigInteger, server_default="0")
    # Allowed below the payer's contract, summed over the services.
    underpaid_cents: Mapped[int] = mapped_column(BigInteger, server_default="0")
    outcome: Mapped[str] = mapped_column(String(9))
    exception: Mapped[str] = mapped_column(Text, server_default="")
    # The CLP as read (lines, adjustments, remarks): what secondary claims and the denial worklist are made from.
    detail: Mapped[dict[str, Any]] = mapped_column(JSONB)
    # What it posts, decided at import (claim lines never change once billed): server/remittances/service.py.
    plan: Mapped[dict[str, Any]] = mapped_column(JSONB, server_default="{}")
    entry_id: Mapped[int | None] = mapped_column(BigInteger)


class Denial(Base):
    """A service the payer denied: nothing paid, nothing moved to the patient; the balance waits for the biller."""

    __tablename__ = "denial"
    __table_args__ = (
        ForeignKeyConstraint(["practice_id", "claim_id"], ["claim.practice_id", "claim.id"]),
        ForeignKeyConstraint(["practice_id", "remittance_id"], ["remittance.practice_id", "remittance.id"]),
        CheckConstraint("status IN ('open', 'worked')", name="status_value"),
        Index("ix_denial_open", "practice_id", "status", "id"),
    )

    practice_id: Mapped[int] = mapped_column(BigInteger, ForeignKey("practice.id"), primary_key=True)
    id: Mapped[int] = mapped_column(BigInteger, Identity(), primary_key=True)
    claim_id: Mapped[int] = mapped_column(BigInteger)
    remittance_id: Mapped[int] = mapped_column(BigInteger)
    line_number: Mapped[int | None] = mapped_column(SmallInteger)
    charge_cents: Mapped[int] = mapped_column(BigInteger)
    # "CO-50" ...
    reasons: Mapped[list[str]] = mapped_column(ARRAY(String(8)))
    remarks: Mapped[list[str]] = mapped_column(ARRAY(String(8)), server_default="{}")
    suggested_action: Mapped[str] = mapped_column(String(24))
    status: Mapped[str] = mapped_column(String(6), server_default="open")
    created_at: Mapped[datetime] = mapped_column(server_default=func.now())


class Underpayment(Base):
    """A service the payer allowed less for than its contract says (issue 7, item 5): money to ask for."""

    __tablename__ = "underpayment"
    __table_args__ = (
        ForeignKeyConstraint(["practice_id", "claim_id"], ["claim.practice_id", "claim.id"]),
        ForeignKeyConstraint(["practice_id", "remittance_id"], ["remittance.practice_id", "remittance.id"]),
        CheckConstraint("short_cents > 0", name="short_positive"),
        CheckConstraint("status IN ('open', 'worked')", name="status_value"),
        Index("ix_underpayment_open", "practice_id", "status", "id"),
    )

    practice_id: Mapped[int] = mapped_column(BigInteger, ForeignKey("practice.id"), primary_key=True)
    id: Mapped[int] = mapped_column(BigInteger, Identity(), primary_key=True)
    claim_id: Mapped[int] = mapped_column(BigInteger)
    remittance_id: Mapped[int] = mapped_column(BigInteger)
    line_number: Mapped[int] = mapped_column(SmallInteger)
    # What the payer allowed (paid + patient share); the contract's figure is on the claim line.
    allowed_cents: Mapped[int] = mapped_column(BigInteger)
    short_cents: Mapped[int] = mapped_column(BigInteger)
    status: Mapped[str] = mapped_column(String(6), server_default="open")
    created_at: Mapped[datetime] = mapped_column(server_default=func.now())

"""Insurance policies: which payer covers a patient, in which billing order."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import (
    BigInteger,
    Boolean,
    CheckConstraint,
    Date,
    ForeignKey,
    ForeignKeyConstraint,
    Identity,
    Index,
    Integer,
    SmallInteger,
    String,
    Text,
    UniqueConstraint,
    func,
)
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped, mapped_column

from server.db.base import Base


class InsurancePolicy(Base):
    __tablename__ = "insurance_policy"
    __table_args__ = (
        ForeignKeyConstraint(["practice_id", "patient_id"], ["patient.practice_id", "patient.id"]),
        ForeignKeyConstraint(["practice_id", "payer_id"], ["payer.practice_id", "payer.id"]),
        # Deferred so a reorder can swap priorities inside one transaction. Ended policies have none.
        UniqueConstraint("practice_id", "patient_id", "priority", deferrable=True, initially="DEFERRED"),
        CheckConstraint("priority IS NULL OR priority >= 1", name="priority_positive"),
        CheckConstraint("(priority IS NULL) = (ended_at IS NOT NULL)", name="ended_has_no_priority"),
        CheckConstraint("copay_cents >= 0 AND deductible_cents >= 0", name="money_not_negative"),
        CheckConstraint("coinsurance_percent BETWEEN 0 AND 100", name="coinsurance_range"),
        CheckConstraint("termination_date IS NULL OR termination_date >= effective_date", name="dates_ordered"),
        CheckConstraint("(relationship = '18') = (subscriber IS NULL)", name="subscriber_unless_self"),
        Index("ix_insurance_policy_patient", "practice_id", "patient_id"),
        Index("ix_insurance_policy_member_key", "practice_id", "member_key"),
    )

    practice_id: Mapped[int] = mapped_column(BigInteger, ForeignKey("practice.id"), primary_key=True)
    id: Mapped[int] = mapped_column(BigInteger, Identity(), primary_key=True)
    patient_id: Mapped[int] = mapped_column(BigInteger)
    payer_id: Mapped[int] = mapped_column(BigInteger)
    plan_name: Mapped[str] = mapped_column(String(100), server_default="")
    member_id: Mapped[str] = mapped_column(String(80))
    # Uppercase letters and digits of member_id: what the search matches exactly.
    member_key: Mapped[str] = mapped_column(String(80, collation="C"))
    group_number: Mapped[str] = mapped_column(String(50), server_default="")
    # X12 individual relationship code of the patient to the subscriber.
    relationship: Mapped[str] = mapped_column(String(2))
    # {"name": {...}, "date_of_birth": "YYYY-MM-DD", "sex": "F", "address": {...}}; NULL when self.
    subscriber: Mapped[dict[str, Any] | None] = mapped_column(JSONB(none_as_null=True))
    effective_date: Mapped[date] = mapped_column(Date)
    termination_date: Mapped[date | None] = mapped_column(Date)
    priority: Mapped[int | None] = mapped_column(SmallInteger)
    copay_cents: Mapped[int] = mapped_column(BigInteger, server_default="0")
    coinsurance_percent: Mapped[int] = mapped_column(SmallInteger, server_default="0")
    deductible_cents: Mapped[int] = mapped_column(BigInteger, server_default="0")
    benefit_notes: Mapped[str] = mapped_column(Text, server_default="")
    medicare_secondary_type: Mapped[str] = mapped_column(String(2), server_default="")
    accept_assignment: Mapped[bool] = mapped_column(Boolean, server_default="true")
    signature_on_file: Mapped[bool] = mapped_column(Boolean, server_default="true")
    ended_at: Mapped[datetime | None]
    version: Mapped[int] = mapped_column(Integer, server_default="1")
    created_at: Mapped[datetime] = mapped_column(server_default=func.now())
    updated_at: Mapped[datetime] = mapped_column(server_default=func.now())


class EligibilityRequest(Base):
    """One 270 interchange as written (one or more inquiries), delivered to the clearinghouse like a claim batch."""

    __tablename__ = "eligibility_request"
    __table_args__ = (
        Index("uq_eligibility_request_interchange", "practice_id", "interchange_control_number", unique=True),
        CheckConstraint("status IN ('written', 'delivered')", name="status_value"),
    )

    practice_id: Mapped[int] = mapped_column(BigInteger, ForeignKey("practice.id"), primary_key=True)
    id: Mapped[int] = mapped_column(BigInteger, Identity(), primary_key=True)
    interchange_control_number: Mapped[int] = mapped_column(Integer)
    file_name: Mapped[str] = mapped_column(String(100))
    content: Mapped[str] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(10), server_default="written")
    delivered_at: Mapped[datetime | None]
    delivery_attempts: Mapped[int] = mapped_column(Integer, server_default="0")
    last_error: Mapped[str] = mapped_column(Text, server_default="")
    created_by: Mapped[int | None] = mapped_column(BigInteger)
    created_at: Mapped[datetime] = mapped_column(server_default=func.now())


class EligibilityCheck(Base):
    """One policy's eligibility on one date of service: asked (270) and, once the payer answers (271), what it
    said: coverage, plan dates and the figures the front desk collects by."""

    __tablename__ = "eligibility_check"
    __table_args__ = (
        ForeignKeyConstraint(["practice_id", "policy_id"], ["insurance_policy.practice_id", "insurance_policy.id"]),
        ForeignKeyConstraint(["practice_id", "request_id"], ["eligibility_request.practice_id",
                                                            "eligibility_request.id"]),
        CheckConstraint("status IN ('queued', 'sent', 'answered')", name="status_value"),
        CheckConstraint("coverage IN ('', 'active', 'inactive', 'rejected', 'unknown')", name="coverage_value"),
        Index("ix_eligibility_check_policy", "practice_id", "policy_id", "id"),
        Index("ix_eligibility_check_patient", "practice_id", "patient_id", "id"),
    )

    practice_id: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    id: Mapped[int] = mapped_column(BigInteger, Identity(), primary_key=True)
    request_id: Mapped[int] = mapped_column(BigInteger)
    policy_id: Mapped[int] = mapped_column(BigInteger)
    patient_id: Mapped[int] = mapped_column(BigInteger)
    date_of_service: Mapped[date] = mapped_column(Date)
    status: Mapped[str] = mapped_column(String(10), server_default="queued")
    requested_by: Mapped[int | None] = mapped_column(BigInteger)
    requested_at: Mapped[datetime] = mapped_column(server_default=func.now())
    answered_at: Mapped[datetime | None]
    coverage: Mapped[str] = mapped_column(String(10), server_default="")
    plan_name: Mapped[str] = mapped_column(String(100), server_default="")
    plan_begin: Mapped[date | None] = mapped_column(Date)
    plan_end: Mapped[date | None] = mapped_column(Date)
    copay_cents: Mapped[int | None] = mapped_column(BigInteger)
    # Basis points: 2000 is 20 %.
    coinsurance_bp: Mapped[int | None] = mapped_column(Integer)
    deductible_cents: Mapped[int | None] = mapped_column(BigInteger)
    deductible_remaining_cents: Mapped[int | None] = mapped_column(BigInteger)
    out_of_pocket_remaining_cents: Mapped[int | None] = mapped_column(BigInteger)
    # The payer's answer in a line, or its rejection reason.
    summary: Mapped[str] = mapped_column(Text, server_default="")

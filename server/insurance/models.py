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

"""Claims: one per encounter per payer, the lines it bills (frozen when it is made), every status change with its
reason, the practice's billing identity, and the X12 batches with their control numbers."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import (
    BigInteger,
    Boolean,
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
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.orm import Mapped, mapped_column

from server.db.base import Base

STATUSES = ("draft", "scrubbed", "queued", "sent", "accepted", "rejected", "paid", "partially_paid", "denied",
            "closed", "corrected", "voided")


class BillingSetup(Base):
    """Who bills (loop 2010AA), who submits (1000A) and to whom (1000B): one per practice."""

    __tablename__ = "billing_setup"
    __table_args__ = (
        CheckConstraint("usage IN ('T', 'P')", name="usage_value"),
        CheckConstraint("next_interchange_number BETWEEN 1 AND 999999999", name="interchange_range"),
    )

    practice_id: Mapped[int] = mapped_column(BigInteger, ForeignKey("practice.id"), primary_key=True)
    organization_name: Mapped[str] = mapped_column(String(60))
    npi: Mapped[str] = mapped_column(String(10))
    tax_id: Mapped[str] = mapped_column(String(9))
    taxonomy: Mapped[str] = mapped_column(String(10))
    address_line1: Mapped[str] = mapped_column(String(55))
    address_line2: Mapped[str] = mapped_column(String(55), server_default="")
    city: Mapped[str] = mapped_column(String(30))
    state: Mapped[str] = mapped_column(String(2))
    zip: Mapped[str] = mapped_column(String(9))
    phone: Mapped[str] = mapped_column(String(10))
    contact_name: Mapped[str] = mapped_column(String(60))
    # The submitter id (ETIN) the clearinghouse assigned, and the clearinghouse's own name and id.
    submitter_id: Mapped[str] = mapped_column(String(15))
    receiver_name: Mapped[str] = mapped_column(String(60))
    receiver_id: Mapped[str] = mapped_column(String(15))
    # ISA15: T until the clearinghouse has certified the practice's files.
    usage: Mapped[str] = mapped_column(String(1), server_default="T")
    # ISA13 of the next interchange: control numbers are never reused (the row lock hands them out).
    next_interchange_number: Mapped[int] = mapped_column(Integer, server_default="1")
    version: Mapped[int] = mapped_column(Integer, server_default="1")
    updated_at: Mapped[datetime] = mapped_column(server_default=func.now())


class Claim(Base):
    __tablename__ = "claim"
    __table_args__ = (
        ForeignKeyConstraint(["practice_id", "encounter_id"], ["encounter.practice_id", "encounter.id"]),
        ForeignKeyConstraint(["practice_id", "patient_id"], ["patient.practice_id", "patient.id"]),
        ForeignKeyConstraint(["practice_id", "policy_id"], ["insurance_policy.practice_id", "insurance_policy.id"]),
        ForeignKeyConstraint(["practice_id", "payer_id"], ["payer.practice_id", "payer.id"]),
        ForeignKeyConstraint(["practice_id", "replaces_claim_id"], ["claim.practice_id", "claim.id"]),
        ForeignKeyConstraint(["practice_id", "batch_id"], ["claim_batch.practice_id", "claim_batch.id"]),
        ForeignKeyConstraint(["practice_id", "primary_claim_id"], ["claim.practice_id", "claim.id"]),
        CheckConstraint("status IN (" + ", ".join(f"'{s}'" for s in STATUSES) + ")", name="status_value"),
        CheckConstraint("frequency IN ('1', '7', '8')", name="frequency_value"),
        CheckConstraint("responsibility IN ('P', 'S', 'T')", name="responsibility_value"),
        CheckConstraint("(frequency = '1') = (replaces_claim_id IS NULL)", name="replacement_names_original"),
        CheckConstraint("total_charge_cents >= 0", name="total_not_negative"),
        Index("ix_claim_worklist", "practice_id", "status", "created_at"),
        # One live claim per encounter and payer position: billing twice is refused by the database.
        Index("uq_claim_live", "practice_id", "encounter_id", "responsibility", unique=True,
              postgresql_where="status NOT IN ('corrected', 'voided')"),
        Index("ix_claim_payer", "practice_id", "payer_id", "status"),
    )

    practice_id: Mapped[int] = mapped_column(BigInteger, ForeignKey("practice.id"), primary_key=True)
    id: Mapped[int] = mapped_column(BigInteger, Identity(), primary_key=True)
    encounter_id: Mapped[int] = mapped_column(BigInteger)
    patient_id: Mapped[int] = mapped_column(BigInteger)
    policy_id: Mapped[int] = mapped_column(BigInteger)
    payer_id: Mapped[int] = mapped_column(BigInteger)
    # P, S or T: which payer in the policy order this claim bills.
    responsibility: Mapped[str] = mapped_column(String(1))
    # 1 original, 7 replacement, 8 void (of replaces_claim_id).
    frequency: Mapped[str] = mapped_column(String(1), server_default="1")
    replaces_claim_id: Mapped[int | None] = mapped_column(BigInteger)
    # A secondary (or tertiary) claim: the claim whose payer paid first; its ERA fills loops 2320/2430.
    primary_claim_id: Mapped[int | None] = mapped_column(BigInteger)
    # The payer's own claim number (from the 277CA or 835): a replacement or void must quote it.
    payer_claim_number: Mapped[str] = mapped_column(String(50), server_default="")
    status: Mapped[str] = mapped_column(String(14), server_default="draft")
    date_of_service: Mapped[date]
    total_charge_cents: Mapped[int] = mapped_column(BigInteger)
    batch_id: Mapped[int | None] = mapped_column(BigInteger)
    # Why it is where it is, in the clearinghouse's or payer's words (a rejection's reason), for the worklist.
    status_reason: Mapped[str] = mapped_column(Text, server_default="")
    # Whether the first scrub found no error: the clean claim rate counts these.
    first_scrub_clean: Mapped[bool | None] = mapped_column(Boolean)
    version: Mapped[int] = mapped_column(Integer, server_default="1")
    created_by: Mapped[int | None] = mapped_column(BigInteger)
    created_at: Mapped[datetime] = mapped_column(server_default=func.now())
    updated_at: Mapped[datetime] = mapped_column(server_default=func.now())


class ClaimLine(Base):
    """The encounter line as billed on this claim: copied when the claim is made, so a correction of the
    encounter never changes what a sent claim said."""

    __tablename__ = "claim_line"
    __table_args__ = (
        ForeignKeyConstraint(["practice_id", "claim_id"], ["claim.practice_id", "claim.id"], ondelete="CASCADE"),
        CheckConstraint("units > 0", name="units_positive"),
        CheckConstraint("charge_cents >= 0", name="charge_not_negative"),
    )

    practice_id: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    claim_id: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    line_number: Mapped[int] = mapped_column(SmallInteger, primary_key=True)
    code: Mapped[str] = mapped_column(String(5))
    modifiers: Mapped[list[str]] = mapped_column(ARRAY(String(2)), server_default="{}")
    units: Mapped[int] = mapped_column(Integer)
    dx_pointers: Mapped[list[int]] = mapped_column(ARRAY(SmallInteger))
    charge_cents: Mapped[int] = mapped_column(BigInteger)
    ndc: Mapped[str] = mapped_column(String(11), server_default="")
    ndc_quantity_milli: Mapped[int] = mapped_column(BigInteger, server_default="0")
    ndc_unit: Mapped[str] = mapped_column(String(2), server_default="")
    expected_allowed_cents: Mapped[int | None] = mapped_column(BigInteger)


class ClaimEvent(Base):
    """Every status change of a claim, with who and why (appended, never edited)."""

    __tablename__ = "claim_event"
    __table_args__ = (
        ForeignKeyConstraint(["practice_id", "claim_id"], ["claim.practice_id", "claim.id"]),
        Index("ix_claim_event_claim", "practice_id", "claim_id", "id"),
        # The month's submissions, for the clean claim rate (reports, dashboard).
        Index("ix_claim_event_sent", "practice_id", "at", postgresql_where="to_status = 'sent'"),
    )

    practice_id: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    id: Mapped[int] = mapped_column(BigInteger, Identity(), primary_key=True)
    claim_id: Mapped[int] = mapped_column(BigInteger)
    from_status: Mapped[str] = mapped_column(String(14), server_default="")
    to_status: Mapped[str] = mapped_column(String(14))
    reason: Mapped[str] = mapped_column(Text, server_default="")
    at: Mapped[datetime] = mapped_column(server_default=func.now())
    by_user_id: Mapped[int | None] = mapped_column(BigInteger)
    by_name: Mapped[str] = mapped_column(String(200), server_default="")


class ClaimBatch(Base):
    """One 837P interchange as written: its control number, its claims, the file."""

    __tablename__ = "claim_batch"
    __table_args__ = (
        Index("uq_claim_batch_interchange", "practice_id", "interchange_control_number", unique=True),
    )

    practice_id: Mapped[int] = mapped_column(BigInteger, ForeignKey("practice.id"), primary_key=True)
    id: Mapped[int] = mapped_column(BigInteger, Identity(), primary_key=True)
    interchange_control_number: Mapped[int] = mapped_column(Integer)
    claim_count: Mapped[int] = mapped_column(Integer)
    total_charge_cents: Mapped[int] = mapped_column(BigInteger)
    file_name: Mapped[str] = mapped_column(String(100))
    content: Mapped[str] = mapped_column(Text)
    # written -> delivered (to the clearinghouse) -> accepted / rejected (its 999).
    status: Mapped[str] = mapped_column(String(12), server_default="written")
    created_by: Mapped[int | None] = mapped_column(BigInteger)
    created_at: Mapped[datetime] = mapped_column(server_default=func.now())
    delivered_at: Mapped[datetime | None]
    delivery_attempts: Mapped[int] = mapped_column(Integer, server_default="0")
    last_error: Mapped[str] = mapped_column(Text, server_default="")


class ClaimFinding(Base):
    """What the last scrub found on a claim (replaced by each scrub)."""

    __tablename__ = "claim_finding"
    __table_args__ = (
        ForeignKeyConstraint(["practice_id", "claim_id"], ["claim.practice_id", "claim.id"], ondelete="CASCADE"),
        CheckConstraint("severity IN ('error', 'warning')", name="severity_value"),
    )

    practice_id: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    claim_id: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    position: Mapped[int] = mapped_column(SmallInteger, primary_key=True)
    rule: Mapped[str] = mapped_column(String(30))
    severity: Mapped[str] = mapped_column(String(7))
    field: Mapped[str] = mapped_column(String(60))
    message: Mapped[str] = mapped_column(Text)


class ScrubRuleSetting(Base):
    """A scrubber rule the practice switched off (or back on); rules without a row are on."""

    __tablename__ = "scrub_rule_setting"

    practice_id: Mapped[int] = mapped_column(BigInteger, ForeignKey("practice.id"), primary_key=True)
    rule: Mapped[str] = mapped_column(String(30), primary_key=True)
    enabled: Mapped[bool] = mapped_column(Boolean)


class PayerAuthRequirement(Base):
    """A code the payer pays only with a prior authorization."""

    __tablename__ = "payer_auth_requirement"
    __table_args__ = (ForeignKeyConstraint(["practice_id", "payer_id"], ["payer.practice_id", "payer.id"]),)

    practice_id: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    payer_id: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    code: Mapped[str] = mapped_column(String(5, collation="C"), primary_key=True)


class CodePairEdit(Base):
    """NCCI-style: column 2 code is not billed with the column 1 code on one day (unless a distinct-service
    modifier is allowed and present)."""

    __tablename__ = "code_pair_edit"

    practice_id: Mapped[int] = mapped_column(BigInteger, ForeignKey("practice.id"), primary_key=True)
    column1_code: Mapped[str] = mapped_column(String(5, collation="C"), primary_key=True)
    column2_code: Mapped[str] = mapped_column(String(5, collation="C"), primary_key=True)
    modifier_allowed: Mapped[bool] = mapped_column(Boolean)


class ClaimStatusRequest(Base):
    """One 276 interchange asking a payer about claims sent long ago without an answer."""

    __tablename__ = "claim_status_request"
    __table_args__ = (
        Index("uq_claim_status_request_interchange", "practice_id", "interchange_control_number", unique=True),
        CheckConstraint("status IN ('written', 'delivered')", name="status_value"),
    )

    practice_id: Mapped[int] = mapped_column(BigInteger, ForeignKey("practice.id"), primary_key=True)
    id: Mapped[int] = mapped_column(BigInteger, Identity(), primary_key=True)
    interchange_control_number: Mapped[int] = mapped_column(Integer)
    file_name: Mapped[str] = mapped_column(String(100))
    content: Mapped[str] = mapped_column(Text)
    claim_ids: Mapped[list[int]] = mapped_column(ARRAY(BigInteger))
    status: Mapped[str] = mapped_column(String(10), server_default="written")
    delivered_at: Mapped[datetime | None]
    delivery_attempts: Mapped[int] = mapped_column(Integer, server_default="0")
    last_error: Mapped[str] = mapped_column(Text, server_default="")
    created_by: Mapped[int | None] = mapped_column(BigInteger)
    created_at: Mapped[datetime] = mapped_column(server_default=func.now())

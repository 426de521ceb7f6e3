"""Encounters: one per visit, with its ordered diagnoses and the coded service lines that become charges."""

from __future__ import annotations

from datetime import date, datetime

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
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.orm import Mapped, mapped_column

from server.db.base import Base


class Encounter(Base):
    __tablename__ = "encounter"
    __table_args__ = (
        ForeignKeyConstraint(["practice_id", "patient_id"], ["patient.practice_id", "patient.id"]),
        ForeignKeyConstraint(["practice_id", "rendering_provider_id"], ["provider.practice_id", "provider.id"]),
        ForeignKeyConstraint(["practice_id", "supervising_provider_id"], ["provider.practice_id", "provider.id"]),
        ForeignKeyConstraint(["practice_id", "location_id"], ["location.practice_id", "location.id"]),
        ForeignKeyConstraint(["practice_id", "appointment_id"], ["appointment.practice_id", "appointment.id"]),
        CheckConstraint("status IN ('open', 'ready', 'billed')", name="status_value"),
        # One encounter per appointment: check-out twice finds the first.
        Index("uq_encounter_appointment", "practice_id", "appointment_id", unique=True,
              postgresql_where="appointment_id IS NOT NULL"),
        Index("ix_encounter_worklist", "practice_id", "status", "date_of_service"),
        Index("ix_encounter_patient", "practice_id", "patient_id", "date_of_service"),
        Index("ix_encounter_provider", "practice_id", "rendering_provider_id", "date_of_service"),
    )

    practice_id: Mapped[int] = mapped_column(BigInteger, ForeignKey("practice.id"), primary_key=True)
    id: Mapped[int] = mapped_column(BigInteger, Identity(), primary_key=True)
    patient_id: Mapped[int] = mapped_column(BigInteger)
    appointment_id: Mapped[int | None] = mapped_column(BigInteger)
    rendering_provider_id: Mapped[int] = mapped_column(BigInteger)
    supervising_provider_id: Mapped[int | None] = mapped_column(BigInteger)
    referring_provider_name: Mapped[str] = mapped_column(String(120), server_default="")
    referring_provider_npi: Mapped[str] = mapped_column(String(10), server_default="")
    location_id: Mapped[int] = mapped_column(BigInteger)
    place_of_service: Mapped[str] = mapped_column(String(2))
    date_of_service: Mapped[date]
    prior_authorization: Mapped[str] = mapped_column(String(50), server_default="")
    status: Mapped[str] = mapped_column(String(6), server_default="open")
    # ICD-10-CM codes in claim order (HI segment): position i is dx pointer i + 1.
    diagnoses: Mapped[list[str]] = mapped_column(ARRAY(String(8)), server_default="{}")
    version: Mapped[int] = mapped_column(Integer, server_default="1")
    created_by: Mapped[int | None] = mapped_column(BigInteger)
    created_at: Mapped[datetime] = mapped_column(server_default=func.now())
    updated_at: Mapped[datetime] = mapped_column(server_default=func.now())


class EncounterLine(Base):
    __tablename__ = "encounter_line"
    __table_args__ = (
        ForeignKeyConstraint(["practice_id", "encounter_id"], ["encounter.practice_id", "encounter.id"],
                             ondelete="CASCADE"),
        ForeignKeyConstraint(["practice_id", "contract_id"], ["payer_contract.practice_id", "payer_contract.id"]),
        CheckConstraint("units > 0", name="units_positive"),
        CheckConstraint("fee_cents >= 0", name="fee_not_negative"),
        CheckConstraint("cardinality(dx_pointers) BETWEEN 1 AND 4", name="dx_pointer_count"),
        CheckConstraint("cardinality(modifiers) <= 4", name="modifier_count"),
        CheckConstraint("code_system IN ('cpt', 'hcpcs')", name="code_system_value"),
    )

    practice_id: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    encounter_id: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    line_number: Mapped[int] = mapped_column(SmallInteger, primary_key=True)
    code_system: Mapped[str] = mapped_column(String(5))
    code: Mapped[str] = mapped_column(String(5))
    modifiers: Mapped[list[str]] = mapped_column(ARRAY(String(2)), server_default="{}")
    units: Mapped[int] = mapped_column(Integer)
    dx_pointers: Mapped[list[int]] = mapped_column(ARRAY(SmallInteger))
    fee_cents: Mapped[int] = mapped_column(BigInteger)
    ndc: Mapped[str] = mapped_column(String(11), server_default="")
    ndc_quantity_milli: Mapped[int] = mapped_column(BigInteger, server_default="0")
    ndc_unit: Mapped[str] = mapped_column(String(2), server_default="")
    note: Mapped[str] = mapped_column(Text, server_default="")
    # What the primary payer's contract allows for the line (all units), for posting to flag underpayments;
    # NULL when no contract prices it. Set at each save and again when the encounter is made ready to bill.
    expected_allowed_cents: Mapped[int | None] = mapped_column(BigInteger)
    contract_id: Mapped[int | None] = mapped_column(BigInteger)

"""Patients, the history of their records, and merges."""

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
    LargeBinary,
    String,
    Text,
    UniqueConstraint,
    func,
    text,
)
from sqlalchemy.dialects.postgresql import CITEXT, JSONB
from sqlalchemy.orm import Mapped, mapped_column

from server.db.base import Base

# Search keys are ASCII, lowercased and compared byte-wise: "C" makes one btree serve
# both LIKE 'smi%' and ORDER BY, whatever the database's locale.
SearchKey = String(100, collation="C")


class Patient(Base):
    __tablename__ = "patient"
    __table_args__ = (
        UniqueConstraint("practice_id", "mrn"),
        CheckConstraint("sex IN ('F', 'M', 'U')", name="sex_code"),
        CheckConstraint("status IN ('active', 'inactive', 'deceased', 'merged')", name="status_value"),
        CheckConstraint("(status = 'merged') = (merged_into_id IS NOT NULL)", name="merged_has_target"),
        CheckConstraint("date_of_death IS NULL OR date_of_death >= date_of_birth", name="death_after_birth"),
        ForeignKeyConstraint(["practice_id", "merged_into_id"], ["patient.practice_id", "patient.id"]),
        Index("ix_patient_last_first", "practice_id", "search_last", "search_first"),
        Index("ix_patient_first_last", "practice_id", "search_first", "search_last"),
        Index("ix_patient_practice_id_date_of_birth", "practice_id", "date_of_birth"),
        Index("ix_patient_phone_mobile", "practice_id", "phone_mobile", postgresql_where="phone_mobile <> ''"),
        Index("ix_patient_phone_home", "practice_id", "phone_home", postgresql_where="phone_home <> ''"),
        Index("ix_patient_phone_work", "practice_id", "phone_work", postgresql_where="phone_work <> ''"),
        Index("ix_patient_ssn_hash", "practice_id", "ssn_hash", postgresql_where="ssn_hash IS NOT NULL"),
        # Two fragments ("jo smi"): equality on both names' first two letters, then the ranges, in order.
        Index("ix_patient_name_pairs", "practice_id", text("left(search_last, 2)"), text("left(search_first, 2)"),
              "search_last", "search_first"),
        # Typo tolerance for transposed letters ("jhon smiht"), which trigrams forgive poorly.
        Index("ix_patient_sound_last_first", "practice_id", text("soundex(search_last)"),
              text("soundex(search_first)")),
        Index("ix_patient_search_names_trgm", "search_names", postgresql_using="gin",
              postgresql_ops={"search_names": "gin_trgm_ops"}),
    )

    practice_id: Mapped[int] = mapped_column(BigInteger, ForeignKey("practice.id"), primary_key=True)
    id: Mapped[int] = mapped_column(BigInteger, Identity(), primary_key=True)
    mrn: Mapped[str] = mapped_column(String(20))
    first_name: Mapped[str] = mapped_column(String(60))
    middle_name: Mapped[str] = mapped_column(String(60), server_default="")
    last_name: Mapped[str] = mapped_column(String(60))
    suffix: Mapped[str] = mapped_column(String(10), server_default="")
    preferred_name: Mapped[str] = mapped_column(String(60), server_default="")
    date_of_birth: Mapped[date] = mapped_column(Date)
    # X12 DMG03.
    sex: Mapped[str] = mapped_column(String(1))
    gender_identity: Mapped[str] = mapped_column(String(60), server_default="")
    pronouns: Mapped[str] = mapped_column(String(30), server_default="")
    address_line1: Mapped[str] = mapped_column(String(100), server_default="")
    address_line2: Mapped[str] = mapped_column(String(100), server_default="")
    city: Mapped[str] = mapped_column(String(60), server_default="")
    state: Mapped[str] = mapped_column(String(2), server_default="")
    zip: Mapped[str] = mapped_column(String(10), server_default="")
    # E.164; one per type, '' when none (so the search indexes stay small and exact).
    phone_mobile: Mapped[str] = mapped_column(String(16), server_default="")
    phone_home: Mapped[str] = mapped_column(String(16), server_default="")
    phone_work: Mapped[str] = mapped_column(String(16), server_default="")
    email: Mapped[str] = mapped_column(CITEXT, server_default="")
    preferred_contact_method: Mapped[str] = mapped_column(String(10), server_default="")
    reminder_consent: Mapped[bool] = mapped_column(Boolean, server_default="false")
    preferred_language: Mapped[str] = mapped_column(String(40), server_default="")
    marital_status: Mapped[str] = mapped_column(String(20), server_default="")
    employment_status: Mapped[str] = mapped_column(String(30), server_default="")
    employer_name: Mapped[str] = mapped_column(String(100), server_default="")
    # {"name", "relationship", "phone"} or {}.
    emergency_contact: Mapped[dict[str, Any]] = mapped_column(JSONB, server_default="{}")
    # {"is_self": true} or the guarantor's name, relationship, address and phone.
    guarantor: Mapped[dict[str, Any]] = mapped_column(JSONB, server_default='{"is_self": true}')
    # AES-GCM (server.common.fieldcrypt); the keyed hash finds a patient by SSN without decrypting.
    ssn_enc: Mapped[bytes | None] = mapped_column(LargeBinary)
    ssn_hash: Mapped[bytes | None] = mapped_column(LargeBinary)
    ssn_last4: Mapped[str] = mapped_column(String(4), server_default="")
    alerts: Mapped[str] = mapped_column(Text, server_default="")
    notes: Mapped[str] = mapped_column(Text, server_default="")
    status: Mapped[str] = mapped_column(String(10), server_default="active")
    date_of_death: Mapped[date | None] = mapped_column(Date)
    merged_into_id: Mapped[int | None] = mapped_column(BigInteger)
    # Derived from the names by server.patients.names.search_keys on every write.
    search_last: Mapped[str] = mapped_column(SearchKey)
    search_first: Mapped[str] = mapped_column(SearchKey)
    search_names: Mapped[str] = mapped_column(String(300))
    version: Mapped[int] = mapped_column(Integer, server_default="1")
    created_at: Mapped[datetime] = mapped_column(server_default=func.now())
    updated_at: Mapped[datetime] = mapped_column(server_default=func.now())


class PatientChange(Base):
    """One version of a patient record: who changed which fields, from what to what."""

    __tablename__ = "patient_change"
    __table_args__ = (
        ForeignKeyConstraint(["practice_id", "patient_id"], ["patient.practice_id", "patient.id"]),
        Index("ix_patient_change_patient", "practice_id", "patient_id", "id"),
    )

    practice_id: Mapped[int] = mapped_column(BigInteger, ForeignKey("practice.id"), primary_key=True)
    id: Mapped[int] = mapped_column(BigInteger, Identity(), primary_key=True)
    patient_id: Mapped[int] = mapped_column(BigInteger)
    version: Mapped[int] = mapped_column(Integer)
    action: Mapped[str] = mapped_column(String(20))
    # [{"field", "before", "after"}]; the SSN appears masked.
    changes: Mapped[list[dict[str, str]]] = mapped_column(JSONB)
    user_id: Mapped[int | None] = mapped_column(BigInteger)
    username: Mapped[str] = mapped_column(String(100))
    changed_at: Mapped[datetime] = mapped_column(server_default=func.now())


class PatientMerge(Base):
    __tablename__ = "patient_merge"
    __table_args__ = (
        ForeignKeyConstraint(["practice_id", "survivor_id"], ["patient.practice_id", "patient.id"]),
        ForeignKeyConstraint(["practice_id", "merged_id"], ["patient.practice_id", "patient.id"]),
        UniqueConstraint("practice_id", "merged_id"),
        CheckConstraint("survivor_id <> merged_id", name="two_records"),
    )

    practice_id: Mapped[int] = mapped_column(BigInteger, ForeignKey("practice.id"), primary_key=True)
    id: Mapped[int] = mapped_column(BigInteger, Identity(), primary_key=True)
    survivor_id: Mapped[int] = mapped_column(BigInteger)
    merged_id: Mapped[int] = mapped_column(BigInteger)
    reason: Mapped[str] = mapped_column(Text)
    # What moved, per table, e.g. ["insurance_policy: 2", "document: 3"].
    moved: Mapped[list[str]] = mapped_column(JSONB)
    user_id: Mapped[int | None] = mapped_column(BigInteger)
    username: Mapped[str] = mapped_column(String(100))
    merged_at: Mapped[datetime] = mapped_column(server_default=func.now())

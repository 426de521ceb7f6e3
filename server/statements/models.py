"""Patient statements, their runs and settings; collections; payment plans (decision 0028).

A statement is stored as it was rendered (``pdf``) with the figures it showed (``content``), so a reprint is the
same bytes and a dispute is answered from what the guarantor saw. ``guarantor_key`` says whose account it is
(server/statements/guarantors.py): one statement per guarantor per run, one open collection account and one active
payment plan per guarantor, each enforced by a unique index.
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
    Integer,
    LargeBinary,
    SmallInteger,
    String,
    Text,
    func,
)
from sqlalchemy.dialects.postgresql import ARRAY, JSONB
from sqlalchemy.orm import Mapped, mapped_column

from server.db.base import Base

STATUSES = ("generated", "printed", "emailed", "exported", "voided")
DELIVERIES = ("mail", "email")


class StatementSettings(Base):
    """The practice's statement cycle and dunning messages; absent until a manager saves them (defaults apply)."""

    __tablename__ = "statement_settings"
    __table_args__ = (
        CheckConstraint("threshold_cents >= 0", name="threshold_not_negative"),
        CheckConstraint("cycle_days BETWEEN 7 AND 120", name="cycle_range"),
        CheckConstraint("due_days BETWEEN 0 AND 60", name="due_range"),
    )

    practice_id: Mapped[int] = mapped_column(BigInteger, ForeignKey("practice.id"), primary_key=True)
    threshold_cents: Mapped[int] = mapped_column(BigInteger)
    cycle_days: Mapped[int] = mapped_column(Integer)
    due_days: Mapped[int] = mapped_column(Integer)
    # One message per dunning level, first to last.
    level_messages: Mapped[list[str]] = mapped_column(JSONB)
    version: Mapped[int] = mapped_column(Integer, server_default="1")
    updated_by_name: Mapped[str] = mapped_column(String(200), server_default="")
    updated_at: Mapped[datetime] = mapped_column(server_default=func.now())


class StatementRun(Base):
    __tablename__ = "statement_run"
    __table_args__ = (Index("ix_statement_run_date", "practice_id", "statement_date", "id"),)

    practice_id: Mapped[int] = mapped_column(BigInteger, ForeignKey("practice.id"), primary_key=True)
    id: Mapped[int] = mapped_column(BigInteger, Identity(), primary_key=True)
    statement_date: Mapped[date]
    # The settings the run used.
    settings: Mapped[dict[str, Any]] = mapped_column(JSONB)
    statement_count: Mapped[int] = mapped_column(Integer, server_default="0")
    mail_count: Mapped[int] = mapped_column(Integer, server_default="0")
    email_count: Mapped[int] = mapped_column(Integer, server_default="0")
    amount_due_cents: Mapped[int] = mapped_column(BigInteger, server_default="0")
    collections_count: Mapped[int] = mapped_column(Integer, server_default="0")
    created_by: Mapped[int | None] = mapped_column(BigInteger)
    created_by_name: Mapped[str] = mapped_column(String(200), server_default="")
    created_at: Mapped[datetime] = mapped_column(server_default=func.now())


class Statement(Base):
    __tablename__ = "statement"
    __table_args__ = (
        ForeignKeyConstraint(["practice_id", "run_id"], ["statement_run.practice_id", "statement_run.id"]),
        ForeignKeyConstraint(["practice_id", "account_patient_id"], ["patient.practice_id", "patient.id"]),
        CheckConstraint("status IN ('generated', 'printed', 'emailed', 'exported', 'voided')", name="status_value"),
        CheckConstraint("delivery IN ('mail', 'email')", name="delivery_value"),
        CheckConstraint("delivery <> 'email' OR email_to <> ''", name="email_has_address"),
        CheckConstraint("dunning_level >= 1", name="level_positive"),
        # One statement per guarantor per run.
        Index("uq_statement_run_guarantor", "practice_id", "run_id", "guarantor_key", unique=True),
        # The guarantor's latest statement (cycle and dunning level).
        Index("ix_statement_guarantor", "practice_id", "guarantor_key", "statement_date"),
        Index("ix_statement_patients", "patient_ids", postgresql_using="gin"),
    )

    practice_id: Mapped[int] = mapped_column(BigInteger, ForeignKey("practice.id"), primary_key=True)
    id: Mapped[int] = mapped_column(BigInteger, Identity(), primary_key=True)
    run_id: Mapped[int] = mapped_column(BigInteger)
    guarantor_key: Mapped[str] = mapped_column(String(300))
    # The patient whose MRN is the account number: the guarantor themselves when a patient, else their first.
    account_patient_id: Mapped[int] = mapped_column(BigInteger)
    patient_ids: Mapped[list[int]] = mapped_column(ARRAY(BigInteger))
    statement_date: Mapped[date]
    due_date: Mapped[date]
    dunning_level: Mapped[int] = mapped_column(SmallInteger)
    amount_due_cents: Mapped[int] = mapped_column(BigInteger)
    balance_cents: Mapped[int] = mapped_column(BigInteger)
    credit_cents: Mapped[int] = mapped_column(BigInteger, server_default="0")
    pending_insurance_cents: Mapped[int] = mapped_column(BigInteger, server_default="0")
    plan_installment_cents: Mapped[int] = mapped_column(BigInteger, server_default="0")
    # Everything the PDF shows (names, address, visits, aging, message), as rendered.
    content: Mapped[dict[str, Any]] = mapped_column(JSONB)
    delivery: Mapped[str] = mapped_column(String(5))
    email_to: Mapped[str] = mapped_column(String(254), server_default="")
    status: Mapped[str] = mapped_column(String(10), server_default="generated")
    pdf: Mapped[bytes] = mapped_column(LargeBinary)
    pages: Mapped[int] = mapped_column(SmallInteger, server_default="1")
    printed_at: Mapped[datetime | None]
    emailed_at: Mapped[datetime | None]
    exported_at: Mapped[datetime | None]
    voided_at: Mapped[datetime | None]
    void_reason: Mapped[str] = mapped_column(Text, server_default="")
    email_error: Mapped[str] = mapped_column(String(200), server_default="")


class StatementEvent(Base):
    """Each status change of a statement: what was sent, when, how, by whom."""

    __tablename__ = "statement_event"
    __table_args__ = (
        ForeignKeyConstraint(["practice_id", "statement_id"], ["statement.practice_id", "statement.id"]),
        Index("ix_statement_event_statement", "practice_id", "statement_id", "id"),
    )

    practice_id: Mapped[int] = mapped_column(BigInteger, ForeignKey("practice.id"), primary_key=True)
    id: Mapped[int] = mapped_column(BigInteger, Identity(), primary_key=True)
    statement_id: Mapped[int] = mapped_column(BigInteger)
    from_status: Mapped[str] = mapped_column(String(10))
    to_status: Mapped[str] = mapped_column(String(10))
    detail: Mapped[str] = mapped_column(Text, server_default="")
    by_name: Mapped[str] = mapped_column(String(200), server_default="")
    at: Mapped[datetime] = mapped_column(server_default=func.now())


class CollectionExport(Base):
    """One file sent to the collection agency, kept as sent."""

    __tablename__ = "collection_export"

    practice_id: Mapped[int] = mapped_column(BigInteger, ForeignKey("practice.id"), primary_key=True)
    id: Mapped[int] = mapped_column(BigInteger, Identity(), primary_key=True)
    account_count: Mapped[int] = mapped_column(Integer)
    total_cents: Mapped[int] = mapped_column(BigInteger)
    csv: Mapped[bytes] = mapped_column(LargeBinary)
    created_by_name: Mapped[str] = mapped_column(String(200), server_default="")
    created_at: Mapped[datetime] = mapped_column(server_default=func.now())


class CollectionAccount(Base):
    __tablename__ = "collection_account"
    __table_args__ = (
        ForeignKeyConstraint(["practice_id", "account_patient_id"], ["patient.practice_id", "patient.id"]),
        ForeignKeyConstraint(["practice_id", "last_statement_id"], ["statement.practice_id", "statement.id"]),
        ForeignKeyConstraint(["practice_id", "export_id"], ["collection_export.practice_id", "collection_export.id"]),
        CheckConstraint("status IN ('flagged', 'sent')", name="status_value"),
        CheckConstraint("(status = 'sent') = (export_id IS NOT NULL)", name="sent_has_export"),
        # A guarantor's account is in collections once.
        Index("uq_collection_account_guarantor", "practice_id", "guarantor_key", unique=True),
    )

    practice_id: Mapped[int] = mapped_column(BigInteger, ForeignKey("practice.id"), primary_key=True)
    id: Mapped[int] = mapped_column(BigInteger, Identity(), primary_key=True)
    guarantor_key: Mapped[str] = mapped_column(String(300))
    account_patient_id: Mapped[int] = mapped_column(BigInteger)
    patient_ids: Mapped[list[int]] = mapped_column(ARRAY(BigInteger))
    guarantor_name: Mapped[str] = mapped_column(String(200))
    # {"line1", "line2", "city", "state", "zip", "phone"} as known when flagged.
    contact: Mapped[dict[str, Any]] = mapped_column(JSONB)
    balance_cents: Mapped[int] = mapped_column(BigInteger)
    oldest_service_date: Mapped[date | None]
    last_payment_date: Mapped[date | None]
    last_statement_id: Mapped[int | None] = mapped_column(BigInteger)
    flagged_on: Mapped[date]
    status: Mapped[str] = mapped_column(String(10), server_default="flagged")
    export_id: Mapped[int | None] = mapped_column(BigInteger)
    sent_on: Mapped[date | None]


class PaymentPlan(Base):
    __tablename__ = "payment_plan"
    __table_args__ = (
        ForeignKeyConstraint(["practice_id", "patient_id"], ["patient.practice_id", "patient.id"]),
        CheckConstraint("status IN ('active', 'cancelled')", name="status_value"),
        CheckConstraint("installment_cents > 0 AND total_cents >= installment_cents", name="amounts_positive"),
        CheckConstraint("due_day BETWEEN 1 AND 28", name="due_day_range"),
        # One active plan per guarantor.
        Index("uq_payment_plan_active", "practice_id", "guarantor_key", unique=True,
              postgresql_where="status = 'active'"),
        Index("ix_payment_plan_patient", "practice_id", "patient_id"),
    )

    practice_id: Mapped[int] = mapped_column(BigInteger, ForeignKey("practice.id"), primary_key=True)
    id: Mapped[int] = mapped_column(BigInteger, Identity(), primary_key=True)
    guarantor_key: Mapped[str] = mapped_column(String(300))
    patient_id: Mapped[int] = mapped_column(BigInteger)
    # The guarantor's patients when the plan was made (their payments count).
    patient_ids: Mapped[list[int]] = mapped_column(ARRAY(BigInteger))
    total_cents: Mapped[int] = mapped_column(BigInteger)
    installment_cents: Mapped[int] = mapped_column(BigInteger)
    due_day: Mapped[int] = mapped_column(SmallInteger)
    start_date: Mapped[date]
    status: Mapped[str] = mapped_column(String(10), server_default="active")
    note: Mapped[str] = mapped_column(Text, server_default="")
    cancel_reason: Mapped[str] = mapped_column(Text, server_default="")
    version: Mapped[int] = mapped_column(Integer, server_default="1")
    created_by_name: Mapped[str] = mapped_column(String(200), server_default="")
    created_at: Mapped[datetime] = mapped_column(server_default=func.now())
    cancelled_at: Mapped[datetime | None]

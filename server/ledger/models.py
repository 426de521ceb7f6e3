"""The ledger: double-entry, append-only, integer cents (BRIEF §2.6, decision 0024).

A ledger entry is one posting event (a charge, a payment, an adjustment, a transfer); its lines move money between
accounts and sum to zero, which a deferred trigger checks at commit (migration 0018). Lines are signed: a debit is
positive, a credit negative, so an A/R account's balance is what is owed to the practice. Nothing is ever edited:
a correction is a new entry that reverses an old one (``reverses_entry_id``).
"""

from __future__ import annotations

from datetime import date, datetime

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

# What happened (the entry), and where the money sits (the line's account).
KINDS = ("charge", "charge_reversal", "patient_payment", "payment_reversal", "credit_application", "refund",
         "write_off", "insurance_payment", "transfer", "deposit")
ACCOUNTS = (
    "patient_ar",          # owed by the patient (their guarantor)
    "insurance_ar",        # owed by a payer (payer_id says which)
    "charges",             # revenue: the practice's fees (credit balance)
    "contractual",         # what payer contracts take off the fee
    "write_off_small_balance", "write_off_bad_debt", "write_off_courtesy",
    "undeposited_funds",   # money received, not yet in the bank
    "bank",                # deposited
    "unapplied_credit",    # a patient's money not yet applied to a charge (a liability: credit balance)
    "refunds_payable",     # owed back to a patient or payer
    "provider_adjustment",  # payer-level (PLB) interest, recoupments, forward balances
)
AR_ACCOUNTS = ("patient_ar", "insurance_ar")
WRITE_OFF_ACCOUNTS = {"small_balance": "write_off_small_balance", "bad_debt": "write_off_bad_debt",
                      "courtesy": "write_off_courtesy"}


def _in(column: str, values: tuple[str, ...]) -> str:
    return f"{column} IN (" + ", ".join(f"'{v}'" for v in values) + ")"


class LedgerEntry(Base):
    __tablename__ = "ledger_entry"
    __table_args__ = (
        ForeignKeyConstraint(["practice_id", "patient_id"], ["patient.practice_id", "patient.id"]),
        ForeignKeyConstraint(["practice_id", "encounter_id"], ["encounter.practice_id", "encounter.id"]),
        ForeignKeyConstraint(["practice_id", "reverses_entry_id"], ["ledger_entry.practice_id", "ledger_entry.id"]),
        ForeignKeyConstraint(["practice_id", "claim_id"], ["claim.practice_id", "claim.id"]),
        CheckConstraint(_in("kind", KINDS), name="kind_value"),
        # Posting twice (a retried call, two billers at once) is refused by the database, not by luck.
        Index("uq_ledger_entry_key", "practice_id", "idempotency_key", unique=True),
        # One reversal per entry: reversing twice would take the money back twice.
        Index("uq_ledger_entry_reversal", "practice_id", "reverses_entry_id", unique=True,
              postgresql_where="reverses_entry_id IS NOT NULL"),
        Index("ix_ledger_entry_encounter", "practice_id", "encounter_id", "id"),
        Index("ix_ledger_entry_patient", "practice_id", "patient_id", "id"),
        Index("ix_ledger_entry_claim", "practice_id", "claim_id", postgresql_where="claim_id IS NOT NULL"),
    )

    practice_id: Mapped[int] = mapped_column(BigInteger, ForeignKey("practice.id"), primary_key=True)
    id: Mapped[int] = mapped_column(BigInteger, Identity(), primary_key=True)
    patient_id: Mapped[int | None] = mapped_column(BigInteger)
    encounter_id: Mapped[int | None] = mapped_column(BigInteger)
    # The claim a payer's answer (an ERA, a worked denial) is about.
    claim_id: Mapped[int | None] = mapped_column(BigInteger)
    # The encounter line a charge is for (payments spread over many lines leave it empty).
    line_number: Mapped[int | None] = mapped_column(SmallInteger)
    code: Mapped[str] = mapped_column(String(5), server_default="")
    kind: Mapped[str] = mapped_column(String(20))
    reverses_entry_id: Mapped[int | None] = mapped_column(BigInteger)
    # The practice's day the entry belongs to (day close); not changed by when the row is written.
    business_date: Mapped[date] = mapped_column(server_default=func.current_date())
    idempotency_key: Mapped[str] = mapped_column(String(100))
    posted_at: Mapped[datetime] = mapped_column(server_default=func.now())
    posted_by: Mapped[int | None] = mapped_column(BigInteger)
    posted_by_name: Mapped[str] = mapped_column(String(200), server_default="")
    workstation: Mapped[str] = mapped_column(String(100), server_default="")
    note: Mapped[str] = mapped_column(Text, server_default="")
    # What the entry changed in its patient's accounts, kept with it so a patient's ledger is one index range
    # (materialised from the lines at posting; server/ledger/checks.py proves they agree). Credit is money held.
    insurance_cents: Mapped[int] = mapped_column(BigInteger, server_default="0")
    patient_cents: Mapped[int] = mapped_column(BigInteger, server_default="0")
    credit_cents: Mapped[int] = mapped_column(BigInteger, server_default="0")


class LedgerLine(Base):
    """One account's share of an entry: signed cents (debit +, credit -)."""

    __tablename__ = "ledger_line"
    __table_args__ = (
        ForeignKeyConstraint(["practice_id", "entry_id"], ["ledger_entry.practice_id", "ledger_entry.id"]),
        ForeignKeyConstraint(["practice_id", "payer_id"], ["payer.practice_id", "payer.id"]),
        ForeignKeyConstraint(["practice_id", "patient_id"], ["patient.practice_id", "patient.id"]),
        ForeignKeyConstraint(["practice_id", "encounter_id"], ["encounter.practice_id", "encounter.id"]),
        CheckConstraint(_in("account", ACCOUNTS), name="account_value"),
        CheckConstraint("(account = 'insurance_ar') <= (payer_id IS NOT NULL)", name="insurance_names_payer"),
        CheckConstraint("(account IN ('patient_ar', 'unapplied_credit')) <= (patient_id IS NOT NULL)",
                        name="patient_account_names_patient"),
        Index("ix_ledger_line_entry", "practice_id", "entry_id"),
        Index("ix_ledger_line_patient", "practice_id", "patient_id", "account", "entry_id"),
        Index("ix_ledger_line_encounter", "practice_id", "encounter_id", "line_number"),
        Index("ix_ledger_line_account", "practice_id", "account", "payer_id"),
    )

    practice_id: Mapped[int] = mapped_column(BigInteger, ForeignKey("practice.id"), primary_key=True)
    id: Mapped[int] = mapped_column(BigInteger, Identity(), primary_key=True)
    entry_id: Mapped[int] = mapped_column(BigInteger)
    account: Mapped[str] = mapped_column(String(24))
    payer_id: Mapped[int | None] = mapped_column(BigInteger)
    patient_id: Mapped[int | None] = mapped_column(BigInteger)
    encounter_id: Mapped[int | None] = mapped_column(BigInteger)
    line_number: Mapped[int | None] = mapped_column(SmallInteger)
    amount_cents: Mapped[int] = mapped_column(BigInteger)


class ArBalance(Base):
    """What each party still owes on each encounter: the A/R lines summed, kept by a trigger on ledger_line
    (migration 0026) so A/R aging reads the open balances, not the whole ledger. ``since`` is the business date
    the balance last became non-zero: when the encounter was billed to that payer (or passed to the patient)."""

    __tablename__ = "ar_balance"
    __table_args__ = (
        ForeignKeyConstraint(["practice_id", "encounter_id"], ["encounter.practice_id", "encounter.id"]),
        ForeignKeyConstraint(["practice_id", "payer_id"], ["payer.practice_id", "payer.id"]),
        CheckConstraint(_in("account", AR_ACCOUNTS), name="account_value"),
        Index("uq_ar_balance_party", "practice_id", "encounter_id", "account", "payer_id", unique=True,
              postgresql_nulls_not_distinct=True),
        Index("ix_ar_balance_open", "practice_id", "account", "payer_id", postgresql_where="balance_cents <> 0"),
        Index("ix_ar_balance_patient", "practice_id", "patient_id", postgresql_where="balance_cents <> 0"),
    )

    practice_id: Mapped[int] = mapped_column(BigInteger, ForeignKey("practice.id"), primary_key=True)
    id: Mapped[int] = mapped_column(BigInteger, Identity(), primary_key=True)
    encounter_id: Mapped[int] = mapped_column(BigInteger)
    account: Mapped[str] = mapped_column(String(24))
    payer_id: Mapped[int | None] = mapped_column(BigInteger)
    patient_id: Mapped[int | None] = mapped_column(BigInteger)
    balance_cents: Mapped[int] = mapped_column(BigInteger)
    since: Mapped[date]


class LedgerDayTotal(Base):
    """Each business day's movement per entry kind, account and payer, kept by the same trigger: month and trend
    figures (collections, charges, A/R on a past date) add up days instead of reading every line."""

    __tablename__ = "ledger_day_total"
    __table_args__ = (
        ForeignKeyConstraint(["practice_id", "payer_id"], ["payer.practice_id", "payer.id"]),
        Index("uq_ledger_day_total_key", "practice_id", "business_date", "kind", "account", "payer_id",
              unique=True, postgresql_nulls_not_distinct=True),
    )

    practice_id: Mapped[int] = mapped_column(BigInteger, ForeignKey("practice.id"), primary_key=True)
    id: Mapped[int] = mapped_column(BigInteger, Identity(), primary_key=True)
    business_date: Mapped[date]
    kind: Mapped[str] = mapped_column(String(20))
    account: Mapped[str] = mapped_column(String(24))
    payer_id: Mapped[int | None] = mapped_column(BigInteger)
    amount_cents: Mapped[int] = mapped_column(BigInteger)

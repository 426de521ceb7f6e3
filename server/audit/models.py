"""The audit trail (ASTM E2147): append-only and hash-chained per practice.

The server's database role may INSERT and SELECT here, never UPDATE or DELETE (see the
migration's grants). ``sequence`` is assigned under the chain head's row lock, so it has
no gaps and a missing row is detectable.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, ForeignKey, Index, LargeBinary, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from server.db.base import Base


class AuditEvent(Base):
    __tablename__ = "audit_event"
    __table_args__ = (
        Index("ix_audit_event_patient", "practice_id", "patient_id", postgresql_where="patient_id IS NOT NULL"),
        Index("ix_audit_event_occurred_at", "practice_id", "occurred_at"),
    )

    practice_id: Mapped[int] = mapped_column(BigInteger, ForeignKey("practice.id"), primary_key=True)
    sequence: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    occurred_at: Mapped[datetime]
    user_id: Mapped[int | None] = mapped_column(BigInteger)
    username: Mapped[str] = mapped_column(String(200))
    workstation_id: Mapped[int | None] = mapped_column(BigInteger)
    workstation_name: Mapped[str] = mapped_column(String(64))
    action: Mapped[str] = mapped_column(String(200))
    patient_id: Mapped[int | None] = mapped_column(BigInteger)
    data_category: Mapped[str] = mapped_column(String(40))
    outcome: Mapped[str] = mapped_column(String(10))
    detail: Mapped[str] = mapped_column(Text)
    prev_hash: Mapped[bytes] = mapped_column(LargeBinary)
    hash: Mapped[bytes] = mapped_column(LargeBinary)


class AuditChainHead(Base):
    """The last sequence and hash per practice; its row lock serialises appends."""

    __tablename__ = "audit_chain_head"

    practice_id: Mapped[int] = mapped_column(BigInteger, ForeignKey("practice.id"), primary_key=True)
    last_sequence: Mapped[int] = mapped_column(BigInteger)
    last_hash: Mapped[bytes] = mapped_column(LargeBinary)
    # The hash before the last event: the append updates the head and returns both in one statement.
    prev_hash: Mapped[bytes | None] = mapped_column(LargeBinary)

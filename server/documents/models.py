"""Scanned documents attached to patients. The bytes live in their own table so lists never read them."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import (
    BigInteger,
    CheckConstraint,
    Date,
    ForeignKey,
    ForeignKeyConstraint,
    Identity,
    Index,
    LargeBinary,
    String,
    func,
)
from sqlalchemy.orm import Mapped, mapped_column

from server.db.base import Base


class Document(Base):
    __tablename__ = "document"
    __table_args__ = (
        ForeignKeyConstraint(["practice_id", "patient_id"], ["patient.practice_id", "patient.id"]),
        CheckConstraint("size_bytes > 0", name="not_empty"),
        CheckConstraint("length(sha256) = 32", name="sha256_length"),
        Index("ix_document_patient", "practice_id", "patient_id", "sha256"),
    )

    practice_id: Mapped[int] = mapped_column(BigInteger, ForeignKey("practice.id"), primary_key=True)
    id: Mapped[int] = mapped_column(BigInteger, Identity(), primary_key=True)
    patient_id: Mapped[int] = mapped_column(BigInteger)
    document_type: Mapped[str] = mapped_column(String(30))
    document_date: Mapped[date] = mapped_column(Date)
    description: Mapped[str] = mapped_column(String(200), server_default="")
    file_name: Mapped[str] = mapped_column(String(255), server_default="")
    content_type: Mapped[str] = mapped_column(String(40))
    size_bytes: Mapped[int] = mapped_column(BigInteger)
    sha256: Mapped[bytes] = mapped_column(LargeBinary)
    uploaded_by_id: Mapped[int | None] = mapped_column(BigInteger)
    uploaded_by: Mapped[str] = mapped_column(String(100))
    uploaded_at: Mapped[datetime] = mapped_column(server_default=func.now())


class DocumentContent(Base):
    __tablename__ = "document_content"
    __table_args__ = (
        ForeignKeyConstraint(["practice_id", "document_id"], ["document.practice_id", "document.id"]),
    )

    practice_id: Mapped[int] = mapped_column(BigInteger, ForeignKey("practice.id"), primary_key=True)
    document_id: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    content: Mapped[bytes] = mapped_column(LargeBinary)

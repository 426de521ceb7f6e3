"""The practice's payer directory."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, Boolean, CheckConstraint, ForeignKey, Identity, Index, Integer, String, func
from sqlalchemy.dialects.postgresql import CITEXT
from sqlalchemy.orm import Mapped, mapped_column

from server.db.base import Base


class Payer(Base):
    __tablename__ = "payer"
    __table_args__ = (
        CheckConstraint("timely_filing_days BETWEEN 1 AND 3650", name="timely_filing_range"),
        Index("uq_payer_practice_id_name", "practice_id", "name", unique=True),
        Index("ix_payer_search_text_trgm", "search_text", postgresql_using="gin",
              postgresql_ops={"search_text": "gin_trgm_ops"}),
    )

    practice_id: Mapped[int] = mapped_column(BigInteger, ForeignKey("practice.id"), primary_key=True)
    id: Mapped[int] = mapped_column(BigInteger, Identity(), primary_key=True)
    name: Mapped[str] = mapped_column(CITEXT)
    electronic_payer_id: Mapped[str] = mapped_column(String(80))
    address_line1: Mapped[str] = mapped_column(String(100), server_default="")
    address_line2: Mapped[str] = mapped_column(String(100), server_default="")
    city: Mapped[str] = mapped_column(String(60), server_default="")
    state: Mapped[str] = mapped_column(String(2), server_default="")
    zip: Mapped[str] = mapped_column(String(10), server_default="")
    # X12 SBR09 claim filing indicator code.
    claim_filing_indicator: Mapped[str] = mapped_column(String(2))
    timely_filing_days: Mapped[int] = mapped_column(Integer)
    phone: Mapped[str] = mapped_column(String(16), server_default="")
    active: Mapped[bool] = mapped_column(Boolean, server_default="true")
    # Lowercased name and payer ID, for the trigram search.
    search_text: Mapped[str] = mapped_column(String(300))
    version: Mapped[int] = mapped_column(Integer, server_default="1")
    created_at: Mapped[datetime] = mapped_column(server_default=func.now())
    updated_at: Mapped[datetime] = mapped_column(server_default=func.now())

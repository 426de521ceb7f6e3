"""The tenant: one row per practice. Every other tenant table carries practice_id in its keys."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, CheckConstraint, Identity, Integer, String, func
from sqlalchemy.orm import Mapped, mapped_column

from server.db.base import Base


class Practice(Base):
    __tablename__ = "practice"
    __table_args__ = (
        CheckConstraint("idle_timeout_minutes BETWEEN 1 AND 720", name="idle_timeout_range"),
        CheckConstraint("workstation_cert_days BETWEEN 1 AND 825", name="cert_days_range"),
    )

    id: Mapped[int] = mapped_column(BigInteger, Identity(), primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    time_zone: Mapped[str] = mapped_column(String(64), server_default="America/New_York")
    idle_timeout_minutes: Mapped[int] = mapped_column(Integer, server_default="15")
    workstation_cert_days: Mapped[int] = mapped_column(Integer, server_default="365")
    # The MRN the next registered patient gets; taken under the row lock, so MRNs never repeat.
    next_mrn: Mapped[int] = mapped_column(BigInteger, server_default="100001")
    version: Mapped[int] = mapped_column(Integer, server_default="1")
    created_at: Mapped[datetime] = mapped_column(server_default=func.now())

"""Workstations: known by the certificate the practice CA issued them."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, ForeignKey, Identity, Index, String, UniqueConstraint, func
from sqlalchemy.orm import Mapped, mapped_column

from server.db.base import Base


class Workstation(Base):
    __tablename__ = "workstation"
    __table_args__ = (
        UniqueConstraint("practice_id", "certificate_serial"),
        # A name is reused only after the old certificate is revoked.
        Index("uq_workstation_active_name", "practice_id", "name", unique=True,
              postgresql_where="revoked_at IS NULL"),
    )

    practice_id: Mapped[int] = mapped_column(BigInteger, ForeignKey("practice.id"), primary_key=True)
    id: Mapped[int] = mapped_column(BigInteger, Identity(), primary_key=True)
    name: Mapped[str] = mapped_column(String(64))
    certificate_serial: Mapped[str] = mapped_column(String(64))
    fingerprint_sha256: Mapped[str] = mapped_column(String(64))
    issued_at: Mapped[datetime] = mapped_column(server_default=func.now())
    expires_at: Mapped[datetime]
    revoked_at: Mapped[datetime | None]
    revoked_reason: Mapped[str | None] = mapped_column(String(200))
    last_seen_at: Mapped[datetime | None]

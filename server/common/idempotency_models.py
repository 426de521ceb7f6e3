"""Idempotency records: a retried call with the same key returns the first answer and changes nothing."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, ForeignKey, LargeBinary, String, func
from sqlalchemy.orm import Mapped, mapped_column

from server.db.base import Base


class IdempotencyRecord(Base):
    __tablename__ = "idempotency_record"

    practice_id: Mapped[int] = mapped_column(BigInteger, ForeignKey("practice.id"), primary_key=True)
    key: Mapped[str] = mapped_column(String(100), primary_key=True)
    method: Mapped[str] = mapped_column(String(200))
    # SHA-256 of the request with the key field cleared: same key + other content is refused.
    request_hash: Mapped[bytes] = mapped_column(LargeBinary)
    response: Mapped[bytes] = mapped_column(LargeBinary)
    created_at: Mapped[datetime] = mapped_column(server_default=func.now())

"""Saved custom reports: a definition made only of catalog keys (server/reports/custom.py)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import BigInteger, ForeignKey, Identity, Index, Integer, String, func
from sqlalchemy.dialects.postgresql import ARRAY, JSONB
from sqlalchemy.orm import Mapped, mapped_column

from server.db.base import Base


class CustomReport(Base):
    __tablename__ = "custom_report"
    __table_args__ = (Index("ix_custom_report_owner", "practice_id", "owner_user_id"),)

    practice_id: Mapped[int] = mapped_column(BigInteger, ForeignKey("practice.id"), primary_key=True)
    id: Mapped[int] = mapped_column(BigInteger, Identity(), primary_key=True)
    owner_user_id: Mapped[int] = mapped_column(BigInteger)
    owner_name: Mapped[str] = mapped_column(String(100))
    title: Mapped[str] = mapped_column(String(100))
    # {"measures": [...], "dimensions": [...], "sort_by", "sort_direction", "row_limit", "filter": {...}}:
    # catalog keys and plain values only, checked again on every run.
    definition: Mapped[dict[str, Any]] = mapped_column(JSONB)
    shared_with_roles: Mapped[list[str]] = mapped_column(ARRAY(String(20)), server_default="{}")
    version: Mapped[int] = mapped_column(Integer, server_default="1")
    created_at: Mapped[datetime] = mapped_column(server_default=func.now())
    updated_at: Mapped[datetime] = mapped_column(server_default=func.now())

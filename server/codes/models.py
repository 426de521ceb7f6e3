"""Code sets: every code with the dates of service it is valid for, and the releases that loaded them.

Reference data shared by every practice on the server (ICD-10-CM, HCPCS, modifiers and POS are public; CPT is
the licence holder's file, imported by them).
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import BigInteger, Boolean, ForeignKey, Identity, Index, Integer, String, Text, func, text
from sqlalchemy.orm import Mapped, mapped_column

from server.db.base import Base


class CodeRelease(Base):
    __tablename__ = "code_release"
    __table_args__ = (Index("uq_code_release_system_effective", "system", "effective_date", unique=True),)

    id: Mapped[int] = mapped_column(BigInteger, Identity(), primary_key=True)
    # icd10cm, cpt, hcpcs, modifier, pos
    system: Mapped[str] = mapped_column(String(10))
    label: Mapped[str] = mapped_column(String(80))
    effective_date: Mapped[date]
    # The file or package it came from.
    source: Mapped[str] = mapped_column(String(200))
    added: Mapped[int] = mapped_column(Integer)
    changed: Mapped[int] = mapped_column(Integer)
    retired: Mapped[int] = mapped_column(Integer)
    imported_at: Mapped[datetime] = mapped_column(server_default=func.now())


class CodeEntry(Base):
    """One code over one range of dates of service: [valid_from, valid_to); a changed description is a new row."""

    __tablename__ = "code_entry"
    __table_args__ = (
        # Without fastupdate: a bulk import goes into the index itself, not into a pending list that every
        # lookup would then scan until a vacuum.
        Index("ix_code_entry_words", text("to_tsvector('simple'::regconfig, description)"), postgresql_using="gin",
              postgresql_with={"fastupdate": "off"}),
    )

    # The primary key serves prefix lookups: a range scan in code order (C collation: bytewise, like the codes).
    system: Mapped[str] = mapped_column(String(10), primary_key=True)
    code: Mapped[str] = mapped_column(String(12, collation="C"), primary_key=True)
    valid_from: Mapped[date] = mapped_column(primary_key=True)
    valid_to: Mapped[date | None]
    description: Mapped[str] = mapped_column(Text)
    billable: Mapped[bool] = mapped_column(Boolean)
    requires_ndc: Mapped[bool] = mapped_column(Boolean, server_default="false")
    release_id: Mapped[int] = mapped_column(BigInteger, ForeignKey("code_release.id"))

"""Reminders: the practice's policy, and one row per reminder sent (or tried), never two for the same
appointment, lead time and channel."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import (
    ARRAY,
    BigInteger,
    Boolean,
    CheckConstraint,
    ForeignKey,
    ForeignKeyConstraint,
    Identity,
    Index,
    Integer,
    SmallInteger,
    String,
    UniqueConstraint,
    func,
)
from sqlalchemy.orm import Mapped, mapped_column

from server.db.base import Base


class ReminderPolicy(Base):
    __tablename__ = "reminder_policy"

    practice_id: Mapped[int] = mapped_column(BigInteger, ForeignKey("practice.id"), primary_key=True)
    lead_hours: Mapped[list[int]] = mapped_column(ARRAY(SmallInteger), server_default="{48,2}")
    email_enabled: Mapped[bool] = mapped_column(Boolean, server_default="true")
    sms_enabled: Mapped[bool] = mapped_column(Boolean, server_default="true")
    version: Mapped[int] = mapped_column(Integer, server_default="1")


class Reminder(Base):
    __tablename__ = "reminder"
    __table_args__ = (
        ForeignKeyConstraint(["practice_id", "appointment_id"], ["appointment.practice_id", "appointment.id"]),
        # A merge of two patient records moves reminders with everything else (it follows foreign keys).
        ForeignKeyConstraint(["practice_id", "patient_id"], ["patient.practice_id", "patient.id"]),
        # The guarantee against doubles: a send is claimed by inserting this row before anything goes out.
        UniqueConstraint("practice_id", "appointment_id", "lead_hours", "channel"),
        CheckConstraint("channel IN ('email', 'sms')", name="channel_value"),
        CheckConstraint("status IN ('sending', 'sent', 'failed', 'unknown')", name="status_value"),
        Index("ix_reminder_reply_lookup", "destination_key", "sent_at"),
    )

    practice_id: Mapped[int] = mapped_column(BigInteger, ForeignKey("practice.id"), primary_key=True)
    id: Mapped[int] = mapped_column(BigInteger, Identity(), primary_key=True)
    appointment_id: Mapped[int] = mapped_column(BigInteger)
    patient_id: Mapped[int] = mapped_column(BigInteger)
    channel: Mapped[str] = mapped_column(String(5))
    lead_hours: Mapped[int] = mapped_column(SmallInteger)
    status: Mapped[str] = mapped_column(String(8), server_default="sending")
    # Where it went, masked for display; the key (E.164 phone or lowercased email) finds replies.
    destination: Mapped[str] = mapped_column(String(100))
    destination_key: Mapped[str] = mapped_column(String(254))
    claimed_at: Mapped[datetime] = mapped_column(server_default=func.now())
    sent_at: Mapped[datetime | None] = mapped_column()
    gateway_message_id: Mapped[str] = mapped_column(String(100), server_default="")
    error: Mapped[str] = mapped_column(String(200), server_default="")
    reply: Mapped[str] = mapped_column(String(160), server_default="")
    replied_at: Mapped[datetime | None] = mapped_column()

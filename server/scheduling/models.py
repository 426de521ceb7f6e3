"""Scheduling: providers, locations, resources, appointment types, weekly templates, exceptions, appointments.

The exclusion constraints that make double booking impossible (provider x time, resource x time, a provider's
available template blocks) are created by migration 0003 in SQL; they are named here so code can recognise them.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import (
    BigInteger,
    Boolean,
    CheckConstraint,
    Computed,
    Date,
    ForeignKey,
    ForeignKeyConstraint,
    Identity,
    Index,
    Integer,
    SmallInteger,
    String,
    Text,
    UniqueConstraint,
    func,
)
from sqlalchemy.dialects.postgresql import ARRAY, TSTZRANGE
from sqlalchemy.orm import Mapped, mapped_column

from server.db.base import Base

# Names of the exclusion constraints (migration 0003): a violation of one of these is a lost race for a slot.
PROVIDER_TIME_EXCLUSION = "ex_appointment_provider_time"
RESOURCE_TIME_EXCLUSION = "ex_appointment_resource_time"
TEMPLATE_OVERLAP_EXCLUSION = "ex_template_block_available_overlap"


class Provider(Base):
    __tablename__ = "provider"
    __table_args__ = (
        UniqueConstraint("practice_id", "npi"),
        CheckConstraint("npi ~ '^[0-9]{10}$'", name="npi_digits"),
    )

    practice_id: Mapped[int] = mapped_column(BigInteger, ForeignKey("practice.id"), primary_key=True)
    id: Mapped[int] = mapped_column(BigInteger, Identity(), primary_key=True)
    first_name: Mapped[str] = mapped_column(String(60))
    last_name: Mapped[str] = mapped_column(String(60))
    credentials: Mapped[str] = mapped_column(String(20), server_default="")
    npi: Mapped[str] = mapped_column(String(10))
    taxonomy_code: Mapped[str] = mapped_column(String(10))
    active: Mapped[bool] = mapped_column(Boolean, server_default="true")
    version: Mapped[int] = mapped_column(Integer, server_default="1")
    # Bumped by every SetTemplate, so two managers editing one week cannot overwrite each other.
    template_version: Mapped[int] = mapped_column(Integer, server_default="1")
    created_at: Mapped[datetime] = mapped_column(server_default=func.now())
    updated_at: Mapped[datetime] = mapped_column(server_default=func.now())


class Location(Base):
    __tablename__ = "location"
    __table_args__ = (
        UniqueConstraint("practice_id", "name"),
        CheckConstraint("place_of_service ~ '^[0-9]{2}$'", name="pos_digits"),
    )

    practice_id: Mapped[int] = mapped_column(BigInteger, ForeignKey("practice.id"), primary_key=True)
    id: Mapped[int] = mapped_column(BigInteger, Identity(), primary_key=True)
    name: Mapped[str] = mapped_column(String(100))
    address_line1: Mapped[str] = mapped_column(String(100), server_default="")
    address_line2: Mapped[str] = mapped_column(String(100), server_default="")
    city: Mapped[str] = mapped_column(String(60), server_default="")
    state: Mapped[str] = mapped_column(String(2), server_default="")
    zip: Mapped[str] = mapped_column(String(10), server_default="")
    phone: Mapped[str] = mapped_column(String(16), server_default="")
    place_of_service: Mapped[str] = mapped_column(String(2))
    time_zone: Mapped[str] = mapped_column(String(64))
    active: Mapped[bool] = mapped_column(Boolean, server_default="true")
    version: Mapped[int] = mapped_column(Integer, server_default="1")
    created_at: Mapped[datetime] = mapped_column(server_default=func.now())
    updated_at: Mapped[datetime] = mapped_column(server_default=func.now())


class Resource(Base):
    __tablename__ = "resource"
    __table_args__ = (
        ForeignKeyConstraint(["practice_id", "location_id"], ["location.practice_id", "location.id"]),
        UniqueConstraint("practice_id", "location_id", "name"),
        CheckConstraint("kind IN ('room', 'equipment')", name="kind_value"),
    )

    practice_id: Mapped[int] = mapped_column(BigInteger, ForeignKey("practice.id"), primary_key=True)
    id: Mapped[int] = mapped_column(BigInteger, Identity(), primary_key=True)
    location_id: Mapped[int] = mapped_column(BigInteger)
    name: Mapped[str] = mapped_column(String(60))
    kind: Mapped[str] = mapped_column(String(10))
    active: Mapped[bool] = mapped_column(Boolean, server_default="true")
    version: Mapped[int] = mapped_column(Integer, server_default="1")


class AppointmentType(Base):
    __tablename__ = "appointment_type"
    __table_args__ = (
        UniqueConstraint("practice_id", "name"),
        CheckConstraint("default_minutes BETWEEN 5 AND 480 AND mod(default_minutes, 5) = 0", name="minutes_grid"),
        CheckConstraint("eligibility IN ('any', 'new', 'established')", name="eligibility_value"),
    )

    practice_id: Mapped[int] = mapped_column(BigInteger, ForeignKey("practice.id"), primary_key=True)
    id: Mapped[int] = mapped_column(BigInteger, Identity(), primary_key=True)
    name: Mapped[str] = mapped_column(String(60))
    default_minutes: Mapped[int] = mapped_column(SmallInteger)
    color: Mapped[str] = mapped_column(String(12))
    eligibility: Mapped[str] = mapped_column(String(12), server_default="any")
    active: Mapped[bool] = mapped_column(Boolean, server_default="true")
    version: Mapped[int] = mapped_column(Integer, server_default="1")


class AppointmentTypeResource(Base):
    """A resource an appointment type needs (held by each appointment of the type at the resource's location)."""

    __tablename__ = "appointment_type_resource"
    __table_args__ = (
        ForeignKeyConstraint(["practice_id", "appointment_type_id"],
                             ["appointment_type.practice_id", "appointment_type.id"]),
        ForeignKeyConstraint(["practice_id", "resource_id"], ["resource.practice_id", "resource.id"]),
    )

    practice_id: Mapped[int] = mapped_column(BigInteger, ForeignKey("practice.id"), primary_key=True)
    appointment_type_id: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    resource_id: Mapped[int] = mapped_column(BigInteger, primary_key=True)


class TemplateBlock(Base):
    __tablename__ = "template_block"
    __table_args__ = (
        ForeignKeyConstraint(["practice_id", "provider_id"], ["provider.practice_id", "provider.id"]),
        ForeignKeyConstraint(["practice_id", "location_id"], ["location.practice_id", "location.id"]),
        CheckConstraint("weekday BETWEEN 1 AND 7", name="iso_weekday"),
        CheckConstraint("0 <= start_minute AND start_minute < end_minute AND end_minute <= 1440 "
                        "AND mod(start_minute, 5) = 0 AND mod(end_minute, 5) = 0", name="minutes_in_day"),
        CheckConstraint("kind IN ('available', 'lunch', 'admin')", name="kind_value"),
        CheckConstraint("effective_until IS NULL OR effective_from IS NULL OR effective_until >= effective_from",
                        name="effective_ordered"),
        Index("ix_template_block_provider", "practice_id", "provider_id", "weekday"),
    )

    practice_id: Mapped[int] = mapped_column(BigInteger, ForeignKey("practice.id"), primary_key=True)
    id: Mapped[int] = mapped_column(BigInteger, Identity(), primary_key=True)
    provider_id: Mapped[int] = mapped_column(BigInteger)
    location_id: Mapped[int] = mapped_column(BigInteger)
    weekday: Mapped[int] = mapped_column(SmallInteger)
    start_minute: Mapped[int] = mapped_column(SmallInteger)
    end_minute: Mapped[int] = mapped_column(SmallInteger)
    kind: Mapped[str] = mapped_column(String(10))
    # Empty: the block accepts every appointment type.
    appointment_type_ids: Mapped[list[int]] = mapped_column(ARRAY(BigInteger), server_default="{}")
    effective_from: Mapped[date | None] = mapped_column(Date)
    effective_until: Mapped[date | None] = mapped_column(Date)


class ScheduleException(Base):
    __tablename__ = "schedule_exception"
    __table_args__ = (
        ForeignKeyConstraint(["practice_id", "provider_id"], ["provider.practice_id", "provider.id"]),
        CheckConstraint("kind IN ('vacation', 'holiday', 'half_day', 'meeting', 'other')", name="kind_value"),
        CheckConstraint("last_date >= first_date", name="dates_ordered"),
        CheckConstraint("NOT isempty(during)", name="not_empty"),
        Index("ix_schedule_exception_dates", "practice_id", "last_date", "first_date"),
        Index("ix_schedule_exception_during", "practice_id", "during", postgresql_using="gist"),
    )

    practice_id: Mapped[int] = mapped_column(BigInteger, ForeignKey("practice.id"), primary_key=True)
    id: Mapped[int] = mapped_column(BigInteger, Identity(), primary_key=True)
    # NULL: every provider (a holiday closes the practice).
    provider_id: Mapped[int | None] = mapped_column(BigInteger)
    kind: Mapped[str] = mapped_column(String(10))
    first_date: Mapped[date] = mapped_column(Date)
    last_date: Mapped[date] = mapped_column(Date)
    start_minute: Mapped[int] = mapped_column(SmallInteger, server_default="0")
    end_minute: Mapped[int] = mapped_column(SmallInteger, server_default="0")
    # The instants it covers, from the dates and minutes in the practice's time zone when it was saved.
    during: Mapped[Any] = mapped_column(TSTZRANGE)
    note: Mapped[str] = mapped_column(String(200), server_default="")
    created_by: Mapped[int | None] = mapped_column(BigInteger)
    created_at: Mapped[datetime] = mapped_column(server_default=func.now())


class Appointment(Base):
    __tablename__ = "appointment"
    __table_args__ = (
        ForeignKeyConstraint(["practice_id", "patient_id"], ["patient.practice_id", "patient.id"]),
        ForeignKeyConstraint(["practice_id", "provider_id"], ["provider.practice_id", "provider.id"]),
        ForeignKeyConstraint(["practice_id", "location_id"], ["location.practice_id", "location.id"]),
        ForeignKeyConstraint(["practice_id", "appointment_type_id"],
                             ["appointment_type.practice_id", "appointment_type.id"]),
        CheckConstraint("ends_at > starts_at", name="ends_after_start"),
        CheckConstraint("status IN ('scheduled', 'confirmed', 'arrived', 'roomed', 'seen', 'checked_out', "
                        "'cancelled', 'no_show')", name="status_value"),
        CheckConstraint("(status IN ('cancelled', 'no_show')) = (cancel_reason IS NOT NULL)",
                        name="released_has_reason"),
        Index("ix_appointment_location_start", "practice_id", "location_id", "starts_at"),
        Index("ix_appointment_provider_start", "practice_id", "provider_id", "starts_at"),
        Index("ix_appointment_patient_start", "practice_id", "patient_id", "starts_at"),
        # The reminder job's scan of what is coming up.
        Index("ix_appointment_upcoming", "starts_at", postgresql_where="status IN ('scheduled', 'confirmed')"),
        ForeignKeyConstraint(["practice_id", "series_id"], ["appointment_series.practice_id", "appointment_series.id"]),
    )

    practice_id: Mapped[int] = mapped_column(BigInteger, ForeignKey("practice.id"), primary_key=True)
    id: Mapped[int] = mapped_column(BigInteger, Identity(), primary_key=True)
    patient_id: Mapped[int] = mapped_column(BigInteger)
    provider_id: Mapped[int] = mapped_column(BigInteger)
    location_id: Mapped[int] = mapped_column(BigInteger)
    appointment_type_id: Mapped[int] = mapped_column(BigInteger)
    starts_at: Mapped[datetime] = mapped_column()
    ends_at: Mapped[datetime] = mapped_column()
    # Half-open [start, end): back-to-back appointments do not overlap.
    during: Mapped[Any] = mapped_column(TSTZRANGE, Computed("tstzrange(starts_at, ends_at, '[)')", persisted=True))
    status: Mapped[str] = mapped_column(String(12), server_default="scheduled")
    holds_time: Mapped[bool] = mapped_column(
        Boolean, Computed("status NOT IN ('cancelled', 'no_show')", persisted=True))
    # Booked on purpose over another appointment or outside the template; exempt from the exclusion constraint.
    overbooked: Mapped[bool] = mapped_column(Boolean, server_default="false")
    visit_reason: Mapped[str] = mapped_column(String(200), server_default="")
    note: Mapped[str] = mapped_column(Text, server_default="")
    cancel_reason: Mapped[str | None] = mapped_column(String(12))
    cancel_note: Mapped[str] = mapped_column(String(200), server_default="")
    status_changed_at: Mapped[datetime] = mapped_column(server_default=func.now())
    version: Mapped[int] = mapped_column(Integer, server_default="1")
    created_by: Mapped[int | None] = mapped_column(BigInteger)
    created_at: Mapped[datetime] = mapped_column(server_default=func.now())
    updated_at: Mapped[datetime] = mapped_column(server_default=func.now())
    series_id: Mapped[int | None] = mapped_column(BigInteger)


class AppointmentSeries(Base):
    """A recurring series booked in one go; its appointments name it."""

    __tablename__ = "appointment_series"

    practice_id: Mapped[int] = mapped_column(BigInteger, ForeignKey("practice.id"), primary_key=True)
    id: Mapped[int] = mapped_column(BigInteger, Identity(), primary_key=True)
    # "weekly every 2, count 6": as the clerk asked for it.
    recurrence: Mapped[str] = mapped_column(String(80))
    created_by: Mapped[int | None] = mapped_column(BigInteger)
    created_at: Mapped[datetime] = mapped_column(server_default=func.now())


class WaitlistEntry(Base):
    __tablename__ = "waitlist_entry"
    __table_args__ = (
        ForeignKeyConstraint(["practice_id", "patient_id"], ["patient.practice_id", "patient.id"]),
        ForeignKeyConstraint(["practice_id", "appointment_type_id"],
                             ["appointment_type.practice_id", "appointment_type.id"]),
        ForeignKeyConstraint(["practice_id", "provider_id"], ["provider.practice_id", "provider.id"]),
        ForeignKeyConstraint(["practice_id", "location_id"], ["location.practice_id", "location.id"]),
        ForeignKeyConstraint(["practice_id", "appointment_id"], ["appointment.practice_id", "appointment.id"]),
        CheckConstraint("status IN ('waiting', 'booked', 'removed')", name="status_value"),
        CheckConstraint("latest_date >= earliest_date", name="dates_ordered"),
        CheckConstraint("(status = 'booked') = (appointment_id IS NOT NULL)", name="booked_has_appointment"),
        Index("ix_waitlist_entry_waiting", "practice_id", "latest_date", postgresql_where="status = 'waiting'"),
    )

    practice_id: Mapped[int] = mapped_column(BigInteger, ForeignKey("practice.id"), primary_key=True)
    id: Mapped[int] = mapped_column(BigInteger, Identity(), primary_key=True)
    patient_id: Mapped[int] = mapped_column(BigInteger)
    appointment_type_id: Mapped[int] = mapped_column(BigInteger)
    provider_id: Mapped[int | None] = mapped_column(BigInteger)
    location_id: Mapped[int | None] = mapped_column(BigInteger)
    earliest_date: Mapped[date] = mapped_column(Date)
    latest_date: Mapped[date] = mapped_column(Date)
    weekdays: Mapped[list[int]] = mapped_column(ARRAY(SmallInteger), server_default="{}")
    earliest_minute: Mapped[int | None] = mapped_column(SmallInteger)
    latest_minute: Mapped[int | None] = mapped_column(SmallInteger)
    note: Mapped[str] = mapped_column(String(200), server_default="")
    status: Mapped[str] = mapped_column(String(10), server_default="waiting")
    appointment_id: Mapped[int | None] = mapped_column(BigInteger)
    created_by: Mapped[int | None] = mapped_column(BigInteger)
    created_at: Mapped[datetime] = mapped_column(server_default=func.now())
    updated_at: Mapped[datetime] = mapped_column(server_default=func.now())


class Recall(Base):
    __tablename__ = "recall"
    __table_args__ = (
        ForeignKeyConstraint(["practice_id", "patient_id"], ["patient.practice_id", "patient.id"]),
        ForeignKeyConstraint(["practice_id", "appointment_type_id"],
                             ["appointment_type.practice_id", "appointment_type.id"]),
        ForeignKeyConstraint(["practice_id", "provider_id"], ["provider.practice_id", "provider.id"]),
        ForeignKeyConstraint(["practice_id", "appointment_id"], ["appointment.practice_id", "appointment.id"]),
        CheckConstraint("status IN ('due', 'booked', 'closed')", name="status_value"),
        CheckConstraint("(status = 'booked') = (appointment_id IS NOT NULL)", name="booked_has_appointment"),
        Index("ix_recall_due", "practice_id", "due_date", postgresql_where="status = 'due'"),
    )

    practice_id: Mapped[int] = mapped_column(BigInteger, ForeignKey("practice.id"), primary_key=True)
    id: Mapped[int] = mapped_column(BigInteger, Identity(), primary_key=True)
    patient_id: Mapped[int] = mapped_column(BigInteger)
    provider_id: Mapped[int | None] = mapped_column(BigInteger)
    appointment_type_id: Mapped[int | None] = mapped_column(BigInteger)
    due_date: Mapped[date] = mapped_column(Date)
    reason: Mapped[str] = mapped_column(String(100))
    note: Mapped[str] = mapped_column(String(200), server_default="")
    status: Mapped[str] = mapped_column(String(10), server_default="due")
    appointment_id: Mapped[int | None] = mapped_column(BigInteger)
    created_by: Mapped[int | None] = mapped_column(BigInteger)
    created_at: Mapped[datetime] = mapped_column(server_default=func.now())
    updated_at: Mapped[datetime] = mapped_column(server_default=func.now())


class AppointmentResource(Base):
    """A resource an appointment holds. Rows go when the appointment stops holding time (cancel, no-show)."""

    __tablename__ = "appointment_resource"
    __table_args__ = (
        ForeignKeyConstraint(["practice_id", "appointment_id"], ["appointment.practice_id", "appointment.id"]),
        ForeignKeyConstraint(["practice_id", "resource_id"], ["resource.practice_id", "resource.id"]),
    )

    practice_id: Mapped[int] = mapped_column(BigInteger, ForeignKey("practice.id"), primary_key=True)
    appointment_id: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    resource_id: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    during: Mapped[Any] = mapped_column(TSTZRANGE)
    overbooked: Mapped[bool] = mapped_column(Boolean, server_default="false")


class AppointmentEvent(Base):
    """An appointment's history: booked, moved, each status change, cancelled. Append-only."""

    __tablename__ = "appointment_event"
    __table_args__ = (
        ForeignKeyConstraint(["practice_id", "appointment_id"], ["appointment.practice_id", "appointment.id"]),
        Index("ix_appointment_event_appointment", "practice_id", "appointment_id"),
    )

    practice_id: Mapped[int] = mapped_column(BigInteger, ForeignKey("practice.id"), primary_key=True)
    id: Mapped[int] = mapped_column(BigInteger, Identity(), primary_key=True)
    appointment_id: Mapped[int] = mapped_column(BigInteger)
    at: Mapped[datetime] = mapped_column(server_default=func.now())
    user_id: Mapped[int | None] = mapped_column(BigInteger)
    username: Mapped[str] = mapped_column(String(60), server_default="")
    kind: Mapped[str] = mapped_column(String(10))
    from_status: Mapped[str | None] = mapped_column(String(12))
    to_status: Mapped[str | None] = mapped_column(String(12))
    previous_starts_at: Mapped[datetime | None] = mapped_column()
    previous_ends_at: Mapped[datetime | None] = mapped_column()
    previous_provider_id: Mapped[int | None] = mapped_column(BigInteger)
    previous_location_id: Mapped[int | None] = mapped_column(BigInteger)
    overbooked: Mapped[bool] = mapped_column(Boolean, server_default="false")
    note: Mapped[str] = mapped_column(String(200), server_default="")

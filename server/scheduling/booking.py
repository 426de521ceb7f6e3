"""Booking, moving, cancelling and the visit's status steps. PostgreSQL has the last word on double booking."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import delete, select, text, update
from sqlalchemy.dialects.postgresql import Range
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from server.common import contact_rules
from server.common.convert import from_ts
from server.db import raw
from server.errors import FieldErrors, NotFound, PermissionDenied, RuleViolation, StaleVersion
from server.patients.models import Patient
from server.rpc.context import CallContext
from server.scheduling import availability, lists, live, rules, slots
from server.scheduling.models import (
    PROVIDER_TIME_EXCLUSION,
    RESOURCE_TIME_EXCLUSION,
    Appointment,
    AppointmentEvent,
    AppointmentResource,
    AppointmentType,
    Location,
    Provider,
)
from server.security import Permission
from shared.pms.scheduling.v1 import appointments_pb2 as pb

STATUS_BY_ENUM = {pb.APPOINTMENT_STATUS_SCHEDULED: "scheduled", pb.APPOINTMENT_STATUS_CONFIRMED: "confirmed",
                  pb.APPOINTMENT_STATUS_ARRIVED: "arrived", pb.APPOINTMENT_STATUS_ROOMED: "roomed",
                  pb.APPOINTMENT_STATUS_SEEN: "seen", pb.APPOINTMENT_STATUS_CHECKED_OUT: "checked_out",
                  pb.APPOINTMENT_STATUS_CANCELLED: "cancelled", pb.APPOINTMENT_STATUS_NO_SHOW: "no_show"}
CANCEL_BY_ENUM = {pb.CANCEL_REASON_PATIENT: "patient", pb.CANCEL_REASON_PROVIDER: "provider",
                  pb.CANCEL_REASON_WEATHER: "weather", pb.CANCEL_REASON_PRACTICE: "practice",
                  pb.CANCEL_REASON_OTHER: "other", pb.CANCEL_REASON_NO_SHOW: "no_show"}
# CMS: a new patient has not been seen by the practice within three years.
NEW_PATIENT_LOOKBACK = timedelta(days=3 * 365)
# How many next free slots a SLOT_TAKEN answer offers.
OFFERED_SLOTS = 3


@dataclass
class Placement:
    """Where and when an appointment goes, checked."""

    # Rows as read by _row: provider (id, active, names), location (id, active, time_zone), type (id, active,
    # default_minutes, eligibility).
    provider: Any
    location: Any
    zone: ZoneInfo
    appointment_type: Any
    starts_at: datetime
    ends_at: datetime
    resource_ids: list[int]


# What a booking needs of each row it names, read on the driver connection (a booking reads four of them).
_LOOKUPS = {
    Patient: "SELECT id, status FROM patient WHERE practice_id = :p AND id = :id",
    Provider: "SELECT id, active, first_name, last_name FROM provider WHERE practice_id = :p AND id = :id",
    Location: "SELECT id, active, time_zone FROM location WHERE practice_id = :p AND id = :id",
    AppointmentType: "SELECT id, active, default_minutes, eligibility FROM appointment_type "
                     "WHERE practice_id = :p AND id = :id",
}


async def _row(db: AsyncSession, model: Any, practice_id: int, row_id: int) -> Any:
    if not row_id:
        return None
    return await raw.fetch_one(db, _LOOKUPS[model], {"p": practice_id, "id": row_id})


async def _place(db: AsyncSession, practice_id: int, errors: FieldErrors, *, provider_id: int, location_id: int,
                 type_row: Any, starts: datetime | None, minutes: int,
                 resource_ids: list[int] | None) -> Placement | None:
    provider = await _row(db, Provider, practice_id, provider_id)
    if provider is None or not provider.active:
        errors.add("provider_id", "is not an active provider of this practice")
    location = await _row(db, Location, practice_id, location_id)
    if location is None or not location.active:
        errors.add("location_id", "is not an active location of this practice")
    if starts is None:
        errors.add("starts_at", "is required")
    zone = ZoneInfo(location.time_zone) if location is not None else None
    if starts is not None and zone is not None:
        local = starts.astimezone(zone)
        if local.minute % rules.GRID_MINUTES or local.second or local.microsecond:
            errors.add("starts_at", f"must be on the {rules.GRID_MINUTES}-minute grid")
    if minutes or type_row is not None:  # without a type there is no default length to judge
        rules.minutes(errors, "duration_minutes", minutes)
    held: list[int] = []
    if location is not None:
        if resource_ids is None and type_row is not None:
            resource_ids = list((await availability.resources_by_location(db, practice_id, type_row.id)
                                 ).get(location.id, ()))
        wanted = sorted(set(resource_ids or []))
        if wanted:
            found = await raw.fetch_all(db, "SELECT id, location_id, active FROM resource "
                                              "WHERE practice_id = :p AND id = ANY(:ids)",
                                        {"p": practice_id, "ids": wanted})
            if len(found) != len(wanted) or any(r.location_id != location.id or not r.active for r in found):
                errors.add("resource_ids", "must be active resources at the appointment's location")
        held = wanted
    if errors.violations or provider is None or location is None or zone is None or starts is None \
            or type_row is None:
        return None
    return Placement(provider, location, zone, type_row, starts, starts + timedelta(minutes=minutes), held)


def _require_overbook(ctx: CallContext, overbook: bool) -> None:
    if overbook and not ctx.has(Permission.SCHEDULE_OVERBOOK):
        raise PermissionDenied("Your role may not overbook; choose a free slot.", "OVERBOOK_NOT_PERMITTED")


async def _check_template(db: AsyncSession, practice_id: int, place: Placement, skip: int = 0) -> None:
    """Outside the provider's open template time needs an explicit overbook."""
    day = place.starts_at.astimezone(place.zone).date()
    zones = {place.location.id: place.zone}
    zones.update(await availability.location_zones(db, practice_id))
    # Whether it fits the template only; overlaps are the exclusion constraint's to refuse.
    days = await availability.provider_days(db, practice_id, [place.provider.id], day, day, zones,
                                            skip_appointment=skip, bookings=False)
    if not slots.fits(days[0], day, zones, place.appointment_type.id, place.location.id, place.starts_at,
                      place.ends_at):
        raise RuleViolation(
            "That time is outside the provider's schedule for this appointment type at this location "
            "(template hours, lunch, time off); choose an open slot, or overbook.", "OUTSIDE_TEMPLATE")


async def check_eligibility(db: AsyncSession, practice_id: int, patient_id: int, type_row: Any,
                             starts: datetime, skip: int = 0) -> None:
    if type_row.eligibility == "any":
        return
    last_seen = (await db.execute(text("""
        SELECT max(starts_at) FROM appointment
         WHERE practice_id = :p AND patient_id = :patient AND status IN ('seen', 'checked_out')
           AND starts_at < :at AND starts_at >= :since AND id <> :skip"""),
        {"p": practice_id, "patient": patient_id, "at": starts, "since": starts - NEW_PATIENT_LOOKBACK,
         "skip": skip})).scalar()
    if type_row.eligibility == "new" and last_seen is not None:
        raise RuleViolation("This appointment type is for new patients; this patient was seen here within "
                            "three years. Choose an established-patient type.", "NOT_A_NEW_PATIENT")
    if type_row.eligibility == "established" and last_seen is None:
        raise RuleViolation("This appointment type is for established patients; this patient has not been seen "
                            "here within three years. Choose a new-patient type.", "NOT_AN_ESTABLISHED_PATIENT")


async def _slot_taken(db: AsyncSession, practice_id: int, place: Placement, exc: IntegrityError, skip: int
                      ) -> RuleViolation:
    """The lost race, explained: whose time it overlaps (times only, no patient) and the next free slots."""
    is_resource = RESOURCE_TIME_EXCLUSION in str(exc.orig)
    if is_resource:
        row = (await db.execute(text("""
            SELECT lower(during), upper(during) FROM appointment_resource
             WHERE practice_id = :p AND resource_id = ANY(:r) AND NOT overbooked
               AND during && tstzrange(:s0, :s1, '[)') AND appointment_id <> :skip
             ORDER BY lower(during) LIMIT 1"""), {"p": practice_id, "r": place.resource_ids, "s0": place.starts_at,
                                                  "s1": place.ends_at, "skip": skip})).first()
    else:
        row = (await db.execute(text("""
            SELECT starts_at, ends_at FROM appointment
             WHERE practice_id = :p AND provider_id = :prov AND holds_time AND NOT overbooked
               AND during && tstzrange(:s0, :s1, '[)') AND id <> :skip
             ORDER BY starts_at LIMIT 1"""), {"p": practice_id, "prov": place.provider.id, "s0": place.starts_at,
                                              "s1": place.ends_at, "skip": skip})).first()
    metadata: dict[str, str] = {}
    what = "a room or piece of equipment it needs is" if is_resource else "the provider is"
    when = ""
    if row is not None:
        metadata = {"conflict_starts_at": row[0].isoformat(), "conflict_ends_at": row[1].isoformat()}
        when = f" from {row[0].astimezone(place.zone):%H:%M} to {row[1].astimezone(place.zone):%H:%M}"
    metadata["conflict_kind"] = "resource" if is_resource else "provider"
    day = place.starts_at.astimezone(place.zone).date()
    offers = await next_free(db, practice_id, place, day, skip)
    if offers:
        metadata["next_free"] = ",".join(s.starts_at.isoformat() for s in offers)
    return RuleViolation(f"Someone else just took that time: {what} booked{when}.", "SLOT_TAKEN", metadata)


async def next_free(db: AsyncSession, practice_id: int, place: Placement, day: date, skip: int = 0
                    ) -> list[slots.FoundSlot]:
    zones = await availability.location_zones(db, practice_id)
    last = day + timedelta(days=14)
    days = await availability.provider_days(db, practice_id, [place.provider.id], day, last, zones,
                                            skip_appointment=skip)
    s0, s1 = availability.span_of_days(day, last, zones)
    busy = await availability.resource_busy(db, practice_id, place.resource_ids, s0, s1, skip_appointment=skip)
    q = slots.SlotQuery(place.appointment_type.id, place.ends_at - place.starts_at, day, last,
                        location_id=place.location.id, limit=OFFERED_SLOTS,
                        # From the time asked for on: the clerk wants the nearest alternative, not the morning.
                        not_before=max(datetime.now(UTC), place.starts_at))
    return slots.find_slots(q, days, zones, busy, {place.location.id: tuple(place.resource_ids)})


async def lock_schedules(db: AsyncSession, practice_id: int, provider_ids: list[int], resource_ids: list[int]
                         ) -> None:
    """Bookers of one provider or resource queue here, in one global order (providers, then resources, by id).

    The exclusion constraints are the guarantee; this queue keeps them from deadlocking: PostgreSQL checks an
    exclusion constraint after inserting, so two transactions inserting overlapping rows at once wait for each
    other and one is aborted only after deadlock_timeout. Queued, each booker sees the winner's committed row.
    """
    for table, ids in (("provider", provider_ids), ("resource", resource_ids)):
        if ids:
            await db.execute(text(f"SELECT id FROM {table} WHERE practice_id = :p AND id = ANY(:ids) "
                                  "ORDER BY id FOR NO KEY UPDATE"), {"p": practice_id, "ids": sorted(set(ids))})


async def _write_holding(db: AsyncSession, practice_id: int, place: Placement, exc_skip: int,
                         write: Any) -> None:
    """Runs the writes that take time in a savepoint; an exclusion violation becomes SLOT_TAKEN."""
    try:
        async with db.begin_nested():
            await write()
    except IntegrityError as exc:
        if PROVIDER_TIME_EXCLUSION in str(exc.orig) or RESOURCE_TIME_EXCLUSION in str(exc.orig):
            raise await _slot_taken(db, practice_id, place, exc, exc_skip) from None
        raise


def _event(ctx: CallContext, appointment_id: int, kind: str, **values: Any) -> AppointmentEvent:
    who = ctx.session
    return AppointmentEvent(practice_id=ctx.practice_id, appointment_id=appointment_id, kind=kind,
                            user_id=who.user_id if who else None, username=who.username if who else "",
                            at=datetime.now(UTC), **values)


@dataclass
class Request:
    """A booking request, checked: who, where, when, and what to write beside it."""

    patient_id: int
    place: Placement
    visit_reason: str
    note: str
    overbook: bool


async def prepare(ctx: CallContext, req: pb.BookAppointmentRequest) -> Request:
    """Every field checked at once; the rules that need the database (template, eligibility) come after."""
    db, practice_id = ctx.db, ctx.practice_id
    _require_overbook(ctx, req.overbook)
    errors = FieldErrors()
    patient = await _row(db, Patient, practice_id, req.patient_id)
    if patient is None:
        errors.add("patient_id", "is not a patient of this practice")
    elif patient.status == "merged":
        errors.add("patient_id", "was merged into another record; book the surviving record")
    elif patient.status == "deceased":
        errors.add("patient_id", "is recorded as deceased")
    type_row = await _row(db, AppointmentType, practice_id, req.appointment_type_id)
    if type_row is None or not type_row.active:
        errors.add("appointment_type_id", "is not an active appointment type of this practice")
    minutes = req.duration_minutes or (type_row.default_minutes if type_row else 0)
    visit_reason = contact_rules.text(errors, "visit_reason", req.visit_reason, max_len=200)
    note = contact_rules.text(errors, "note", req.note, max_len=2000)
    place = await _place(db, practice_id, errors, provider_id=req.provider_id, location_id=req.location_id,
                         type_row=type_row, starts=from_ts(req.starts_at, req.HasField("starts_at")),
                         minutes=minutes, resource_ids=list(req.resource_ids) or None)
    errors.raise_if_any()
    assert place is not None and patient is not None
    return Request(patient.id, place, visit_reason, note, req.overbook)


async def insert(ctx: CallContext, r: Request, place: Placement, *, series_id: int | None = None) -> Appointment:
    """Writes one appointment (its resources, history and live notice); the caller has locked the schedules."""
    db, practice_id = ctx.db, ctx.practice_id
    row = Appointment(practice_id=practice_id, patient_id=r.patient_id, provider_id=place.provider.id,
                      location_id=place.location.id, appointment_type_id=place.appointment_type.id,
                      starts_at=place.starts_at, ends_at=place.ends_at, status="scheduled",
                      overbooked=r.overbook, visit_reason=r.visit_reason, note=r.note, series_id=series_id,
                      created_by=ctx.session.user_id if ctx.session else None, version=1)

    async def write() -> None:
        db.add(row)
        await db.flush()
        db.add_all(AppointmentResource(practice_id=practice_id, appointment_id=row.id, resource_id=res,
                                       during=Range(place.starts_at, place.ends_at), overbooked=r.overbook)
                   for res in place.resource_ids)
        await db.flush()

    await _write_holding(db, practice_id, place, 0, write)
    db.add(_event(ctx, row.id, "booked", to_status="scheduled", overbooked=r.overbook, note=r.note[:200]))
    await live.notify(db, practice_id, place.location.id, place.starts_at, place.zone, row.id, "booked")
    await db.flush()
    return row


async def book(ctx: CallContext, req: pb.BookAppointmentRequest) -> Appointment:
    db, practice_id = ctx.db, ctx.practice_id
    r = await prepare(ctx, req)
    place = r.place
    await check_eligibility(db, practice_id, r.patient_id, place.appointment_type, place.starts_at)
    if not req.overbook:
        await _check_template(db, practice_id, place)
    await lock_schedules(db, practice_id, [place.provider.id], place.resource_ids)
    row = await insert(ctx, r, place)
    if req.waitlist_entry_id:
        await lists.mark_booked(db, practice_id, "waitlist_entry", req.waitlist_entry_id, r.patient_id, row.id)
    if req.recall_id:
        await lists.mark_booked(db, practice_id, "recall", req.recall_id, r.patient_id, row.id)
    return row


async def load_for_change(db: AsyncSession, practice_id: int, appointment_id: int, version: int) -> Appointment:
    row = (await db.execute(select(Appointment).where(Appointment.practice_id == practice_id,
                                                      Appointment.id == appointment_id).with_for_update())
           ).scalar_one_or_none()
    if row is None:
        raise NotFound("No such appointment.")
    if version != row.version:
        raise StaleVersion("appointment")
    return row


async def held_resources(db: AsyncSession, practice_id: int, appointment_id: int) -> list[int]:
    return [r[0] for r in await db.execute(
        select(AppointmentResource.resource_id).where(AppointmentResource.practice_id == practice_id,
                                                      AppointmentResource.appointment_id == appointment_id)
        .order_by(AppointmentResource.resource_id))]


async def reschedule(ctx: CallContext, req: pb.RescheduleAppointmentRequest) -> Appointment:
    db, practice_id = ctx.db, ctx.practice_id
    _require_overbook(ctx, req.overbook)
    row = await load_for_change(db, practice_id, req.appointment_id, req.version)
    if row.status not in rules.MOVABLE:
        raise RuleViolation("Only a scheduled or confirmed appointment can be moved.", "NOT_MOVABLE")
    errors = FieldErrors()
    type_row = await _row(db, AppointmentType, practice_id, row.appointment_type_id)
    minutes = req.duration_minutes or int((row.ends_at - row.starts_at).total_seconds() // 60)
    location_id = req.location_id or row.location_id
    resource_ids = await held_resources(db, practice_id, row.id) if location_id == row.location_id else None
    note = contact_rules.text(errors, "note", req.note, max_len=200)
    place = await _place(db, practice_id, errors, provider_id=req.provider_id or row.provider_id,
                         location_id=location_id, type_row=type_row,
                         starts=from_ts(req.starts_at, req.HasField("starts_at")), minutes=minutes,
                         resource_ids=resource_ids)
    errors.raise_if_any()
    assert place is not None
    if not req.overbook:
        await _check_template(db, practice_id, place, skip=row.id)
    await lock_schedules(db, practice_id, [row.provider_id, place.provider.id],
                         [*place.resource_ids, *await held_resources(db, practice_id, row.id)])
    was_at, was_location = row.starts_at, row.location_id
    previous = {"previous_starts_at": row.starts_at, "previous_ends_at": row.ends_at,
                "previous_provider_id": row.provider_id, "previous_location_id": row.location_id}

    async def write() -> None:
        row.provider_id, row.location_id = place.provider.id, place.location.id
        row.starts_at, row.ends_at = place.starts_at, place.ends_at
        row.overbooked = req.overbook
        row.version += 1
        row.updated_at = datetime.now(UTC)
        await db.execute(delete(AppointmentResource).where(AppointmentResource.practice_id == practice_id,
                                                           AppointmentResource.appointment_id == row.id))
        await db.flush()
        db.add_all(AppointmentResource(practice_id=practice_id, appointment_id=row.id, resource_id=r,
                                       during=Range(place.starts_at, place.ends_at), overbooked=req.overbook)
                   for r in place.resource_ids)
        await db.flush()

    old_zone = ZoneInfo((await db.execute(select(Location.time_zone).where(
        Location.practice_id == practice_id, Location.id == was_location))).scalar_one())
    await _write_holding(db, practice_id, place, row.id, write)
    db.add(_event(ctx, row.id, "moved", from_status=row.status, to_status=row.status, overbooked=req.overbook,
                  note=note, **previous))
    # Both days (or locations) change on the calendars that show them.
    await live.notify(db, practice_id, was_location, was_at, old_zone, row.id, "moved")
    await live.notify(db, practice_id, place.location.id, place.starts_at, place.zone, row.id, "moved")
    await db.flush()
    await db.refresh(row)
    return row


async def _release(db: AsyncSession, practice_id: int, row: Appointment) -> None:
    await db.execute(delete(AppointmentResource).where(AppointmentResource.practice_id == practice_id,
                                                       AppointmentResource.appointment_id == row.id))


async def cancel(ctx: CallContext, req: pb.CancelAppointmentRequest) -> Appointment:
    db, practice_id = ctx.db, ctx.practice_id
    errors = FieldErrors()
    reason = CANCEL_BY_ENUM.get(req.reason)
    if reason is None or reason == "no_show":
        errors.add("reason", "must be patient, provider, weather, practice or other (a no-show is a status)")
    note = contact_rules.text(errors, "note", req.note, max_len=200)
    if reason == "other" and not note:
        errors.add("note", "is required when the reason is other")
    errors.raise_if_any()
    row = await load_for_change(db, practice_id, req.appointment_id, req.version)
    rules.check_transition(row.status, "cancelled")
    return await _set_status(ctx, row, "cancelled", note, cancel_reason=reason)


async def change_status(ctx: CallContext, req: pb.ChangeAppointmentStatusRequest) -> Appointment:
    db, practice_id = ctx.db, ctx.practice_id
    wanted = STATUS_BY_ENUM.get(req.status)
    errors = FieldErrors()
    if wanted is None or wanted in ("scheduled", "cancelled"):
        errors.add("status", "must be confirmed, arrived, roomed, seen, checked out or no-show "
                             "(cancelling has its own call)")
    note = contact_rules.text(errors, "note", req.note, max_len=200)
    errors.raise_if_any()
    assert wanted is not None
    row = await load_for_change(db, practice_id, req.appointment_id, req.version)
    rules.check_transition(row.status, wanted)
    zone = ZoneInfo((await db.execute(select(Location.time_zone).where(
        Location.practice_id == practice_id, Location.id == row.location_id))).scalar_one())
    now = datetime.now(UTC)
    if wanted == "arrived" and now.astimezone(zone).date() != row.starts_at.astimezone(zone).date():
        raise RuleViolation("A patient can be checked in on the day of the appointment only.", "NOT_TODAY")
    if wanted == "no_show" and now < row.starts_at:
        raise RuleViolation("An appointment can be marked a no-show once its time has come.", "NOT_YET")
    return await _set_status(ctx, row, wanted, note, cancel_reason="no_show" if wanted == "no_show" else None)


async def _set_status(ctx: CallContext, row: Appointment, wanted: str, note: str, *,
                      cancel_reason: str | None = None) -> Appointment:
    db = ctx.db
    previous = row.status
    now = datetime.now(UTC)
    values: dict[str, Any] = {"status": wanted, "status_changed_at": now, "updated_at": now,
                              "version": row.version + 1}
    if wanted in rules.RELEASED:
        values |= {"cancel_reason": cancel_reason, "cancel_note": note}
        await _release(db, ctx.practice_id, row)
    await db.execute(update(Appointment).where(Appointment.practice_id == ctx.practice_id,
                                               Appointment.id == row.id).values(**values))
    kind = "cancelled" if wanted == "cancelled" else "status"
    db.add(_event(ctx, row.id, kind, from_status=previous, to_status=wanted, note=note))
    zone = ZoneInfo((await db.execute(select(Location.time_zone).where(
        Location.practice_id == ctx.practice_id, Location.id == row.location_id))).scalar_one())
    await live.notify(db, ctx.practice_id, row.location_id, row.starts_at, zone, row.id, kind)
    await db.flush()
    await db.refresh(row)
    return row

"""Reading the schedule: one appointment with its history, a location's day, a patient's visits, free slots."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import select, text
from sqlalchemy.ext.asyncio import AsyncSession

from server.common import contact_rules
from server.common.convert import from_ts, ts
from server.db import raw
from server.errors import FieldErrors, NotFound
from server.practice.service import practice_today
from server.scheduling import availability, rules, slots
from server.scheduling.booking import CANCEL_BY_ENUM, STATUS_BY_ENUM
from server.scheduling.models import AppointmentEvent, AppointmentType, Location, Provider
from shared.pms.scheduling.v1 import appointments_pb2 as pb

STATUS_ENUM: dict[str, Any] = {v: k for k, v in STATUS_BY_ENUM.items()}
CANCEL_ENUM: dict[str, Any] = {v: k for k, v in CANCEL_BY_ENUM.items()}
MAX_SLOT_DAYS = 92
SLOT_SEARCH_CHUNK_DAYS = 7

# Appointments with what the calendar shows beside them (patient name and MRN, type name and color). Instants come
# as epoch seconds and local times as text: a day view has hundreds of rows, and this is what costs least to convert.
_APPOINTMENTS_SQL = """
SELECT a.id, a.patient_id, p.patient_name, p.mrn, a.provider_id,
       a.location_id, a.appointment_type_id, t.type_name, t.color,
       extract(epoch FROM a.starts_at)::bigint AS starts_s, extract(epoch FROM a.ends_at)::bigint AS ends_s,
       a.status, a.overbooked, a.visit_reason, a.note, a.cancel_reason, a.cancel_note, a.version,
       floor(extract(epoch FROM a.status_changed_at))::bigint AS changed_s,
       to_char(a.starts_at AT TIME ZONE l.time_zone, 'YYYY-MM-DD"T"HH24:MI') AS local_start,
       to_char(a.ends_at AT TIME ZONE l.time_zone, 'YYYY-MM-DD"T"HH24:MI') AS local_end,
       COALESCE((SELECT array_agg(ar.resource_id ORDER BY ar.resource_id) FROM appointment_resource ar
                  WHERE ar.practice_id = a.practice_id AND ar.appointment_id = a.id), '{{}}') AS resource_ids
  FROM appointment a
  -- One index lookup per appointment (OFFSET 0 keeps each a lookup): as plain joins, the planner preferred
  -- hashing the whole patient table and rescanning the day once per appointment type (16 of a 33 ms day view).
  CROSS JOIN LATERAL (SELECT x.last_name || ', ' || x.first_name AS patient_name, x.mrn FROM patient x
                       WHERE x.practice_id = a.practice_id AND x.id = a.patient_id OFFSET 0) p
  CROSS JOIN LATERAL (SELECT y.name AS type_name, y.color FROM appointment_type y
                       WHERE y.practice_id = a.practice_id AND y.id = a.appointment_type_id OFFSET 0) t
  CROSS JOIN LATERAL (SELECT z.time_zone FROM location z
                       WHERE z.practice_id = a.practice_id AND z.id = a.location_id OFFSET 0) l
 WHERE a.practice_id = :p AND {where}
 ORDER BY a.starts_at, a.provider_id, a.id"""


def appointment_message(r: Any) -> pb.Appointment:
    msg = pb.Appointment(
        appointment_id=r.id, patient_id=r.patient_id, patient_name=r.patient_name, patient_mrn=r.mrn,
        provider_id=r.provider_id, location_id=r.location_id, appointment_type_id=r.appointment_type_id,
        appointment_type_name=r.type_name, color=r.color, local_start=r.local_start, local_end=r.local_end,
        status=STATUS_ENUM[r.status], overbooked=r.overbooked, resource_ids=r.resource_ids,
        visit_reason=r.visit_reason, note=r.note, cancel_reason=CANCEL_ENUM.get(r.cancel_reason or "", 0),
        cancel_note=r.cancel_note, version=r.version)
    # Set in place: a Timestamp built and copied in costs more than the rest of the row (hundreds per day view).
    msg.starts_at.seconds = r.starts_s
    msg.ends_at.seconds = r.ends_s
    msg.status_changed_at.seconds = r.changed_s
    return msg


async def appointments_where(db: AsyncSession, practice_id: int, where: str, params: dict[str, Any]
                             ) -> list[pb.Appointment]:
    rows = await raw.fetch_all(db, _APPOINTMENTS_SQL.format(where=where), {"p": practice_id, **params})
    return [appointment_message(r) for r in rows]


async def get_appointment(db: AsyncSession, practice_id: int, appointment_id: int) -> pb.Appointment:
    found = await appointments_where(db, practice_id, "a.id = :id", {"id": appointment_id})
    if not found:
        raise NotFound("No such appointment.")
    return found[0]


async def history(db: AsyncSession, practice_id: int, appointment_id: int) -> list[pb.AppointmentEvent]:
    rows = (await db.execute(select(AppointmentEvent).where(
        AppointmentEvent.practice_id == practice_id, AppointmentEvent.appointment_id == appointment_id)
        .order_by(AppointmentEvent.at, AppointmentEvent.id))).scalars()
    return [pb.AppointmentEvent(
        at=ts(e.at), username=e.username, kind=e.kind, from_status=STATUS_ENUM.get(e.from_status or "", 0),
        to_status=STATUS_ENUM.get(e.to_status or "", 0), previous_starts_at=ts(e.previous_starts_at),
        previous_provider_id=e.previous_provider_id or 0, previous_location_id=e.previous_location_id or 0,
        note=e.note) for e in rows]


async def day_schedule(db: AsyncSession, practice_id: int, req: pb.GetDayScheduleRequest
                       ) -> pb.GetDayScheduleResponse:
    errors = FieldErrors()
    day = contact_rules.calendar_date(errors, "date", req.date, required=True)
    location = (await db.execute(select(Location).where(Location.practice_id == practice_id,
                                                        Location.id == req.location_id))).scalar_one_or_none()
    if location is None:
        errors.add("location_id", "is not a location of this practice")
    errors.raise_if_any()
    assert day is not None and location is not None
    zone = ZoneInfo(location.time_zone)
    start = rules.local_datetime(day, 0, zone)
    end = rules.local_datetime(day + timedelta(days=1), 0, zone)
    released = "" if req.include_cancelled else " AND a.holds_time"
    appointments = await appointments_where(
        db, practice_id, f"a.location_id = :loc AND a.starts_at >= :s AND a.starts_at < :e{released}",
        {"loc": location.id, "s": start, "e": end})
    provider_ids = list(req.provider_ids)
    if not provider_ids:
        with_blocks = await db.execute(text("""
            SELECT DISTINCT b.provider_id FROM template_block b
              JOIN provider pr ON pr.practice_id = b.practice_id AND pr.id = b.provider_id AND pr.active
             WHERE b.practice_id = :p AND b.location_id = :loc AND b.weekday = :wd
               AND (b.effective_from IS NULL OR b.effective_from <= :day)
               AND (b.effective_until IS NULL OR b.effective_until >= :day)"""),
            {"p": practice_id, "loc": location.id, "wd": day.isoweekday(), "day": day})
        ids = {r[0] for r in with_blocks} | {a.provider_id for a in appointments}
        ordered = (await db.execute(select(Provider.id).where(Provider.practice_id == practice_id,
                                                              Provider.id.in_(ids))
                                    .order_by(Provider.last_name, Provider.first_name))).scalars()
        provider_ids = list(ordered)
    else:
        appointments = [a for a in appointments if a.provider_id in set(provider_ids)]
    zones = {location.id: zone}
    zones.update(await availability.location_zones(db, practice_id))
    blocks: list[pb.DayBlock] = []
    if provider_ids:
        days = await availability.provider_days(db, practice_id, provider_ids, day, day, zones, bookings=False)
        for d in days:
            for b in d.blocks:
                if b.location_id == location.id and b.applies_on(day):
                    s0, s1 = b.on(day, zone)
                    blocks.append(pb.DayBlock(provider_id=d.provider_id, starts_at=ts(s0), ends_at=ts(s1),
                                              kind=b.kind, appointment_type_ids=list(b.appointment_type_ids)))
            for e0, e1 in d.time_off:
                blocks.append(pb.DayBlock(provider_id=d.provider_id, starts_at=ts(max(e0, start)),
                                          ends_at=ts(min(e1, end)), kind="exception"))
    blocks.sort(key=lambda b: (b.provider_id, b.starts_at.seconds))
    return pb.GetDayScheduleResponse(time_zone=location.time_zone, provider_ids=provider_ids, blocks=blocks,
                                     appointments=appointments)


async def patient_appointments(db: AsyncSession, practice_id: int, req: pb.ListPatientAppointmentsRequest
                               ) -> list[pb.Appointment]:
    where = "a.patient_id = :patient"
    params: dict[str, Any] = {"patient": req.patient_id}
    if req.HasField("from_time"):
        where += " AND a.starts_at >= :f"
        params["f"] = from_ts(req.from_time, True)
    if req.HasField("to_time"):
        where += " AND a.starts_at < :t"
        params["t"] = from_ts(req.to_time, True)
    if not req.include_cancelled:
        where += " AND a.holds_time"
    return await appointments_where(db, practice_id, where, params)


async def find_slots(db: AsyncSession, practice_id: int, req: pb.FindSlotsRequest) -> list[pb.Slot]:
    errors = FieldErrors()
    type_row = (await db.execute(select(AppointmentType).where(
        AppointmentType.practice_id == practice_id, AppointmentType.id == req.appointment_type_id))
    ).scalar_one_or_none()
    if type_row is None or not type_row.active:
        errors.add("appointment_type_id", "is not an active appointment type of this practice")
    today = await practice_today(db, practice_id)
    first = contact_rules.calendar_date(errors, "from_date", req.from_date, required=False) or today
    last = contact_rules.calendar_date(errors, "to_date", req.to_date, required=False) or first + timedelta(days=27)
    if last < first:
        errors.add("to_date", "must not be before from_date")
    elif (last - first).days >= MAX_SLOT_DAYS:
        errors.add("to_date", f"must be within {MAX_SLOT_DAYS} days of from_date")
    window = req.earliest_minute or req.latest_minute
    if window and not (0 <= req.earliest_minute <= req.latest_minute <= 1440):
        errors.add("latest_minute", "must be at or after earliest_minute, within the day")
    if any(not 1 <= w <= 7 for w in req.weekdays):
        errors.add("weekdays", "must be 1 (Monday) to 7 (Sunday)")
    minutes = req.duration_minutes or (type_row.default_minutes if type_row else 15)
    rules.minutes(errors, "duration_minutes", minutes)
    if not 0 <= req.limit <= 200:
        errors.add("limit", "must be between 0 and 200")
    providers = (await db.execute(select(Provider.id).where(Provider.practice_id == practice_id, Provider.active)
                                  )).scalars().all()
    wanted = list(req.provider_ids) or list(providers)
    if set(wanted) - set(providers):
        errors.add("provider_ids", "must be active providers of this practice")
    if req.location_id and not (await db.execute(select(Location.id).where(
            Location.practice_id == practice_id, Location.id == req.location_id, Location.active))).first():
        errors.add("location_id", "is not an active location of this practice")
    errors.raise_if_any()
    assert type_row is not None
    zones = await availability.location_zones(db, practice_id)
    needs = await availability.resources_by_location(db, practice_id, type_row.id)
    rooms = sorted({r for rs in needs.values() for r in rs})
    limit = req.limit or 20
    found: list[slots.FoundSlot] = []
    # A week at a time: the first free slots are usually near, and a week's bookings are few rows.
    chunk_first = first
    while chunk_first <= last and len(found) < limit:
        chunk_last = min(last, chunk_first + timedelta(days=SLOT_SEARCH_CHUNK_DAYS - 1))
        days = await availability.provider_days(db, practice_id, wanted, chunk_first, chunk_last, zones)
        s0, s1 = availability.span_of_days(chunk_first, chunk_last, zones)
        busy = await availability.resource_busy(db, practice_id, rooms, s0, s1)
        q = slots.SlotQuery(type_row.id, timedelta(minutes=minutes), chunk_first, chunk_last,
                            location_id=req.location_id, earliest_minute=req.earliest_minute if window else None,
                            latest_minute=req.latest_minute if window else None, weekdays=frozenset(req.weekdays),
                            limit=limit - len(found), not_before=datetime.now(UTC))
        found += slots.find_slots(q, days, zones, busy, needs)
        chunk_first = chunk_last + timedelta(days=1)
    return [pb.Slot(provider_id=s.provider_id, location_id=s.location_id, starts_at=ts(s.starts_at),
                    ends_at=ts(s.ends_at), local_start=rules.local_text(s.starts_at, zones[s.location_id]))
            for s in found]



_STEP_TIMES_SQL = """
SELECT appointment_id, to_status, max(at) AS at FROM appointment_event
 WHERE practice_id = :p AND appointment_id = ANY(:ids) AND to_status IN ('arrived', 'roomed', 'seen', 'checked_out')
 GROUP BY appointment_id, to_status"""


def _minutes(a: datetime | None, b: datetime | None) -> int:
    return int((b - a).total_seconds() // 60) if a is not None and b is not None and b >= a else 0


async def flow_board(db: AsyncSession, practice_id: int, req: pb.GetFlowBoardRequest) -> pb.GetFlowBoardResponse:
    errors = FieldErrors()
    location = (await db.execute(select(Location).where(Location.practice_id == practice_id,
                                                        Location.id == req.location_id))).scalar_one_or_none()
    if location is None:
        errors.add("location_id", "is not a location of this practice")
    day = contact_rules.calendar_date(errors, "date", req.date, required=False)
    errors.raise_if_any()
    assert location is not None
    zone = ZoneInfo(location.time_zone)
    now = datetime.now(UTC)
    day = day or now.astimezone(zone).date()
    start, end = rules.local_datetime(day, 0, zone), rules.local_datetime(day + timedelta(days=1), 0, zone)
    # Cancelled visits are not on the board; no-shows are (the front desk reconciles them).
    appointments = await appointments_where(
        db, practice_id, "a.location_id = :loc AND a.starts_at >= :s AND a.starts_at < :e AND a.status <> 'cancelled'",
        {"loc": location.id, "s": start, "e": end})
    steps: dict[int, dict[str, datetime]] = {}
    if appointments:
        for r in await raw.fetch_all(db, _STEP_TIMES_SQL, {"p": practice_id,
                                                           "ids": [a.appointment_id for a in appointments]}):
            steps.setdefault(r.appointment_id, {})[r.to_status] = r.at
    entries = []
    for a in appointments:
        s = steps.get(a.appointment_id, {})
        status = rules.STATUSES[a.status - 1]
        since = a.status_changed_at.ToDatetime(tzinfo=UTC)
        open_status = status in ("scheduled", "confirmed", "arrived", "roomed", "seen")
        entries.append(pb.FlowEntry(
            appointment=a, arrived_at=ts(s.get("arrived")), roomed_at=ts(s.get("roomed")), seen_at=ts(s.get("seen")),
            checked_out_at=ts(s.get("checked_out")),
            minutes_in_status=_minutes(since, now) if open_status else 0,
            waiting_room_minutes=_minutes(s.get("arrived"), s.get("roomed")),
            visit_minutes=_minutes(s.get("arrived"), s.get("checked_out"))))
    return pb.GetFlowBoardResponse(time_zone=location.time_zone, as_of=ts(now), entries=entries)

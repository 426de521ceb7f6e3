"""The lists a front desk works: the waitlist (patients who want an earlier slot) and recalls (patients due back)."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import select, text
from sqlalchemy.ext.asyncio import AsyncSession

from server.common import contact_rules
from server.common.convert import ts
from server.db import raw
from server.errors import FieldErrors, NotFound, RuleViolation
from server.patients.models import Patient
from server.scheduling.models import AppointmentType, Location, Provider, Recall, WaitlistEntry
from shared import dates
from shared.pms.scheduling.v1 import appointments_pb2 as pb

# How many waiting patients a freed slot offers.
OFFERS = 10
_OPEN = {"waitlist_entry": "waiting", "recall": "due"}


async def mark_booked(db: AsyncSession, practice_id: int, table: str, entry_id: int, patient_id: int,
                      appointment_id: int) -> None:
    """A waitlist entry or recall booked by this appointment; refused if it is not open or not this patient's."""
    field = "waitlist_entry_id" if table == "waitlist_entry" else "recall_id"
    found = (await db.execute(text(
        f"SELECT patient_id, status FROM {table} WHERE practice_id = :p AND id = :id FOR UPDATE"),
        {"p": practice_id, "id": entry_id})).first()
    errors = FieldErrors()
    if found is None or found.patient_id != patient_id:
        errors.add(field, "is not an entry of this patient")
    elif found.status != _OPEN[table]:
        errors.add(field, f"is {found.status}, not {_OPEN[table]}")
    errors.raise_if_any()
    await db.execute(text(f"UPDATE {table} SET status = 'booked', appointment_id = :a, updated_at = now() "
                          "WHERE practice_id = :p AND id = :id"),
                     {"a": appointment_id, "p": practice_id, "id": entry_id})


async def _exists(db: AsyncSession, model: Any, practice_id: int, row_id: int) -> bool:
    return (await db.execute(select(model.id).where(model.practice_id == practice_id, model.id == row_id))
            ).first() is not None


async def _patient_ok(db: AsyncSession, errors: FieldErrors, field: str, practice_id: int, patient_id: int) -> None:
    status = (await db.execute(select(Patient.status).where(Patient.practice_id == practice_id,
                                                            Patient.id == patient_id))).scalar_one_or_none()
    if status is None:
        errors.add(field, "is not a patient of this practice")
    elif status in ("merged", "deceased"):
        errors.add(field, f"is {status}")


# -- the waitlist ----------------------------------------------------------------------------------
_WAITLIST_SQL = """
SELECT w.id, w.patient_id, p.last_name || ', ' || p.first_name AS patient_name,
       CASE WHEN p.phone_mobile <> '' THEN p.phone_mobile ELSE p.phone_home END AS phone,
       w.appointment_type_id, w.provider_id, w.location_id, w.earliest_date, w.latest_date, w.weekdays,
       w.earliest_minute, w.latest_minute, w.note, w.status, w.appointment_id, w.created_at
  FROM waitlist_entry w JOIN patient p ON p.practice_id = w.practice_id AND p.id = w.patient_id
 WHERE w.practice_id = :p AND {where}
 ORDER BY w.created_at, w.id
 LIMIT :n"""


def waitlist_message(r: Any) -> pb.WaitlistEntry:
    return pb.WaitlistEntry(
        waitlist_entry_id=r.id, patient_id=r.patient_id, patient_name=r.patient_name, patient_phone=r.phone,
        appointment_type_id=r.appointment_type_id, provider_id=r.provider_id or 0, location_id=r.location_id or 0,
        earliest_date=dates.to_pb(r.earliest_date), latest_date=dates.to_pb(r.latest_date), weekdays=list(r.weekdays),
        earliest_minute=r.earliest_minute or 0, latest_minute=r.latest_minute or 0, note=r.note, status=r.status,
        appointment_id=r.appointment_id or 0, added_at=ts(r.created_at))


async def waitlist_where(db: AsyncSession, practice_id: int, where: str, params: dict[str, Any], limit: int = 500
                         ) -> list[pb.WaitlistEntry]:
    rows = await raw.fetch_all(db, _WAITLIST_SQL.format(where=where), {"p": practice_id, "n": limit, **params})
    return [waitlist_message(r) for r in rows]


async def add_to_waitlist(db: AsyncSession, practice_id: int, user_id: int | None, e: pb.WaitlistEntry
                          ) -> pb.WaitlistEntry:
    errors = FieldErrors()
    await _patient_ok(db, errors, "entry.patient_id", practice_id, e.patient_id)
    if not await _exists(db, AppointmentType, practice_id, e.appointment_type_id):
        errors.add("entry.appointment_type_id", "is not an appointment type of this practice")
    if e.provider_id and not await _exists(db, Provider, practice_id, e.provider_id):
        errors.add("entry.provider_id", "is not a provider of this practice")
    if e.location_id and not await _exists(db, Location, practice_id, e.location_id):
        errors.add("entry.location_id", "is not a location of this practice")
    first = contact_rules.calendar_date(errors, "entry.earliest_date", e.earliest_date, required=True)
    last = contact_rules.calendar_date(errors, "entry.latest_date", e.latest_date, required=True)
    if first and last and last < first:
        errors.add("entry.latest_date", "must not be before earliest_date")
    if any(not 1 <= d <= 7 for d in e.weekdays):
        errors.add("entry.weekdays", "must be 1 (Monday) to 7 (Sunday)")
    window = bool(e.earliest_minute or e.latest_minute)
    if window and not 0 <= e.earliest_minute <= e.latest_minute <= 1440:
        errors.add("entry.latest_minute", "must be at or after earliest_minute, within the day")
    note = contact_rules.text(errors, "entry.note", e.note, max_len=200)
    errors.raise_if_any()
    row = WaitlistEntry(practice_id=practice_id, patient_id=e.patient_id, appointment_type_id=e.appointment_type_id,
                        provider_id=e.provider_id or None, location_id=e.location_id or None, earliest_date=first,
                        latest_date=last, weekdays=sorted(set(e.weekdays)),
                        earliest_minute=e.earliest_minute if window else None,
                        latest_minute=e.latest_minute if window else None, note=note, status="waiting",
                        created_by=user_id)
    db.add(row)
    await db.flush()
    return (await waitlist_where(db, practice_id, "w.id = :id", {"id": row.id}))[0]


async def remove_from_waitlist(db: AsyncSession, practice_id: int, entry_id: int, note: str) -> pb.WaitlistEntry:
    row = (await db.execute(select(WaitlistEntry).where(WaitlistEntry.practice_id == practice_id,
                                                        WaitlistEntry.id == entry_id).with_for_update())
           ).scalar_one_or_none()
    if row is None:
        raise NotFound("No such waitlist entry.")
    if row.status != "waiting":
        raise RuleViolation(f"This entry is {row.status} already.", "NOT_WAITING")
    errors = FieldErrors()
    note = contact_rules.text(errors, "note", note, max_len=200)
    errors.raise_if_any()
    row.status, row.updated_at = "removed", datetime.now(UTC)
    if note:
        row.note = " / ".join(x for x in (row.note, note) if x)[:200]
    await db.flush()
    return (await waitlist_where(db, practice_id, "w.id = :id", {"id": row.id}))[0]


async def offers_for(db: AsyncSession, practice_id: int, *, provider_id: int, location_id: int, starts_at: datetime,
                     ends_at: datetime, zone: ZoneInfo, skip_patient: int) -> list[pb.WaitlistEntry]:
    """Waiting patients whose wishes the freed time meets: provider, location, dates, weekday, time of day, and a
    type that fits in it."""
    local = starts_at.astimezone(zone)
    minute = local.hour * 60 + local.minute
    where = """w.status = 'waiting' AND w.patient_id <> :skip
       AND (w.provider_id IS NULL OR w.provider_id = :prov) AND (w.location_id IS NULL OR w.location_id = :loc)
       AND w.earliest_date <= :day AND w.latest_date >= :day
       AND (cardinality(w.weekdays) = 0 OR :wd = ANY(w.weekdays))
       AND (w.earliest_minute IS NULL OR :minute BETWEEN w.earliest_minute AND w.latest_minute)
       AND (SELECT t.default_minutes FROM appointment_type t
             WHERE t.practice_id = w.practice_id AND t.id = w.appointment_type_id) <= :length"""
    return await waitlist_where(db, practice_id, where, {
        "skip": skip_patient, "prov": provider_id, "loc": location_id, "day": local.date(),
        "wd": local.isoweekday(), "minute": minute, "length": int((ends_at - starts_at).total_seconds() // 60)},
        limit=OFFERS)


# -- recalls ---------------------------------------------------------------------------------------
_RECALL_SQL = """
SELECT r.id, r.patient_id, p.last_name || ', ' || p.first_name AS patient_name,
       CASE WHEN p.phone_mobile <> '' THEN p.phone_mobile ELSE p.phone_home END AS phone,
       r.provider_id, r.appointment_type_id, r.due_date, r.reason, r.note, r.status, r.appointment_id
  FROM recall r JOIN patient p ON p.practice_id = r.practice_id AND p.id = r.patient_id
 WHERE r.practice_id = :p AND {where}
 ORDER BY r.due_date, p.last_name, p.first_name, r.id
 LIMIT 2000"""


def recall_message(r: Any) -> pb.Recall:
    return pb.Recall(recall_id=r.id, patient_id=r.patient_id, patient_name=r.patient_name, patient_phone=r.phone,
                     provider_id=r.provider_id or 0, appointment_type_id=r.appointment_type_id or 0,
                     due_date=dates.to_pb(r.due_date), reason=r.reason, note=r.note, status=r.status,
                     appointment_id=r.appointment_id or 0)


async def recalls_where(db: AsyncSession, practice_id: int, where: str, params: dict[str, Any]) -> list[pb.Recall]:
    rows = await raw.fetch_all(db, _RECALL_SQL.format(where=where), {"p": practice_id, **params})
    return [recall_message(r) for r in rows]


async def add_recall(db: AsyncSession, practice_id: int, user_id: int | None, r: pb.Recall) -> pb.Recall:
    errors = FieldErrors()
    await _patient_ok(db, errors, "recall.patient_id", practice_id, r.patient_id)
    if r.provider_id and not await _exists(db, Provider, practice_id, r.provider_id):
        errors.add("recall.provider_id", "is not a provider of this practice")
    if r.appointment_type_id and not await _exists(db, AppointmentType, practice_id, r.appointment_type_id):
        errors.add("recall.appointment_type_id", "is not an appointment type of this practice")
    due = contact_rules.calendar_date(errors, "recall.due_date", r.due_date, required=True)
    reason = contact_rules.text(errors, "recall.reason", r.reason, required=True, max_len=100)
    note = contact_rules.text(errors, "recall.note", r.note, max_len=200)
    errors.raise_if_any()
    row = Recall(practice_id=practice_id, patient_id=r.patient_id, provider_id=r.provider_id or None,
                 appointment_type_id=r.appointment_type_id or None, due_date=due, reason=reason, note=note,
                 status="due", created_by=user_id)
    db.add(row)
    await db.flush()
    return (await recalls_where(db, practice_id, "r.id = :id", {"id": row.id}))[0]


async def list_recalls(db: AsyncSession, practice_id: int, due_by: date | None, provider_id: int,
                       include_closed: bool) -> list[pb.Recall]:
    where = "TRUE"
    params: dict[str, Any] = {}
    if not include_closed:
        where += " AND r.status = 'due'"
    if due_by:
        where += " AND r.due_date <= :due"
        params["due"] = due_by
    if provider_id:
        where += " AND (r.provider_id IS NULL OR r.provider_id = :prov)"
        params["prov"] = provider_id
    return await recalls_where(db, practice_id, where, params)


async def close_recall(db: AsyncSession, practice_id: int, recall_id: int, note: str) -> pb.Recall:
    errors = FieldErrors()
    note = contact_rules.text(errors, "note", note, required=True, max_len=200)
    errors.raise_if_any()
    row = (await db.execute(select(Recall).where(Recall.practice_id == practice_id, Recall.id == recall_id)
                            .with_for_update())).scalar_one_or_none()
    if row is None:
        raise NotFound("No such recall.")
    if row.status != "due":
        raise RuleViolation(f"This recall is {row.status} already.", "NOT_DUE")
    row.status, row.note, row.updated_at = "closed", note, datetime.now(UTC)
    await db.flush()
    return (await recalls_where(db, practice_id, "r.id = :id", {"id": row.id}))[0]

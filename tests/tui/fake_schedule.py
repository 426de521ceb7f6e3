"""The fake gateway's schedule (mixed into ``FakeGateway``): two locations, four providers, a busy Tuesday.

The fake's clock is Tuesday 11/03/2026 10:40 in New York (``SCHEDULE_NOW``); Main Street Office has
Dr. Lee and Dr. Patel all day and NP Alvarez in the morning. Only the answers the screens must react
to are here, in simple form: a taken time (SLOT_TAKEN with the conflict and the next free starts), a
time outside the template, a step the transition table refuses, check-in on another day, stale
versions. The real rules are the server's and tested there. Switches a test flips:

- ``someone_else_books(provider_id, "2026-11-03T10:00")``: another desk takes that time first;
- ``someone_else_changes(appointment_id)``: another desk saves the appointment (the next change is stale);
- ``fail_on["book_appointment"] = ...`` and ``requests[...]`` as for the front desk's calls;
- ``end_watches()``: the server ends every open WatchSchedule stream (its connection age limit, a restart);
  ``watches_open`` counts them and ``watch_requests`` lists each watch's (location, days).

Every booking, move, cancellation and status step made through the fake (the screen's or a test's "other
desk") is sent to the open watches that cover its location and day, as the server does.
"""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator, Sequence
from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from google.protobuf.timestamp_pb2 import Timestamp

from client_tui.gateway import (
    FieldViolation,
    GatewayError,
    InvalidInput,
    NotFound,
    PermissionDenied,
    RuleBroken,
    StaleRecord,
)
from shared import dates
from shared.pms.common.v1 import contact_pb2
from shared.pms.patients.v1 import patients_pb2
from shared.pms.scheduling.v1 import appointments_pb2 as ap
from shared.pms.scheduling.v1 import setup_pb2 as su

NY = ZoneInfo("America/New_York")
SCHEDULE_DAY = date(2026, 11, 3)  # a Tuesday
SCHEDULE_NOW = datetime(2026, 11, 3, 10, 40, tzinfo=NY)
MAIN, RIVERSIDE = 1, 2
LEE, PATEL, ALVAREZ, BAKER = 1, 2, 3, 4
FOLLOW_UP, NEW_PATIENT, PHYSICAL, PROCEDURE = 1, 2, 3, 4

S = ap
STATUS_WORDS = {
    S.APPOINTMENT_STATUS_SCHEDULED: "scheduled", S.APPOINTMENT_STATUS_CONFIRMED: "confirmed",
    S.APPOINTMENT_STATUS_ARRIVED: "arrived", S.APPOINTMENT_STATUS_ROOMED: "roomed", S.APPOINTMENT_STATUS_SEEN: "seen",
    S.APPOINTMENT_STATUS_CHECKED_OUT: "checked out", S.APPOINTMENT_STATUS_CANCELLED: "cancelled",
    S.APPOINTMENT_STATUS_NO_SHOW: "a no-show",
}
TRANSITIONS: dict[int, set[int]] = {
    S.APPOINTMENT_STATUS_SCHEDULED: {S.APPOINTMENT_STATUS_CONFIRMED, S.APPOINTMENT_STATUS_ARRIVED,
                                     S.APPOINTMENT_STATUS_CANCELLED, S.APPOINTMENT_STATUS_NO_SHOW},
    S.APPOINTMENT_STATUS_CONFIRMED: {S.APPOINTMENT_STATUS_ARRIVED, S.APPOINTMENT_STATUS_CANCELLED,
                                     S.APPOINTMENT_STATUS_NO_SHOW},
    S.APPOINTMENT_STATUS_ARRIVED: {S.APPOINTMENT_STATUS_ROOMED},
    S.APPOINTMENT_STATUS_ROOMED: {S.APPOINTMENT_STATUS_SEEN},
    S.APPOINTMENT_STATUS_SEEN: {S.APPOINTMENT_STATUS_CHECKED_OUT},
}
RELEASED = {S.APPOINTMENT_STATUS_CANCELLED, S.APPOINTMENT_STATUS_NO_SHOW}
STEP_STATUSES = (S.APPOINTMENT_STATUS_ARRIVED, S.APPOINTMENT_STATUS_ROOMED, S.APPOINTMENT_STATUS_SEEN,
                 S.APPOINTMENT_STATUS_CHECKED_OUT)


def stamp(moment: datetime) -> Timestamp:
    out = Timestamp()
    out.FromDatetime(moment.astimezone(UTC))
    return out


def local(day: date, hh: int, mm: int = 0) -> datetime:
    return datetime.combine(day, time(hh, mm), tzinfo=NY)


def local_text(moment: datetime) -> str:
    return moment.astimezone(NY).strftime("%Y-%m-%dT%H:%M")


def block(location_id: int, weekday: int, start: str, end: str, kind: int = su.BLOCK_KIND_AVAILABLE
          ) -> su.TemplateBlock:
    def minutes(text: str) -> int:
        hh, mm = text.split(":")
        return int(hh) * 60 + int(mm)

    return su.TemplateBlock(location_id=location_id, weekday=weekday, start_minute=minutes(start),
                            end_minute=minutes(end), kind=kind)  # type: ignore[arg-type]


class FakeSchedule:
    """Needs ``_enter``, ``requests``, ``fail_on`` and ``patients`` from the classes it is mixed with."""

    requests: dict[str, list[Any]]
    fail_on: dict[str, GatewayError]
    patients: dict[int, patients_pb2.Patient]

    def _enter(self, method: str, permission: str = "", needs_session: bool = True) -> None:
        raise NotImplementedError

    # -- seed ---------------------------------------------------------------------------
    def _seed_schedule(self) -> None:
        self.schedule_now = SCHEDULE_NOW
        self.acting_scheduler = "fran"
        self.locations = {
            MAIN: su.Location(location_id=MAIN, name="Main Street Office", time_zone="America/New_York",
                              place_of_service="11", active=True, version=1,
                              address=contact_pb2.PostalAddress(line1="100 Main Street", city="Columbus",
                                                                state="OH", zip="43215")),
            RIVERSIDE: su.Location(location_id=RIVERSIDE, name="Riverside Clinic", time_zone="America/New_York",
                                   place_of_service="11", active=True, version=1),
        }
        self.providers = {
            LEE: su.Provider(provider_id=LEE, first_name="Anna", last_name="Lee", credentials="MD",
                             npi="1234567893", active=True, version=1),
            PATEL: su.Provider(provider_id=PATEL, first_name="Raj", last_name="Patel", credentials="DO",
                               npi="1245319599", active=True, version=1),
            ALVAREZ: su.Provider(provider_id=ALVAREZ, first_name="Sofia", last_name="Alvarez", credentials="NP",
                                 npi="1679576722", active=True, version=1),
            BAKER: su.Provider(provider_id=BAKER, first_name="Tom", last_name="Baker", credentials="PA-C",
                               npi="1003000126", active=True, version=1),
        }
        self.appointment_types = {
            FOLLOW_UP: su.AppointmentType(appointment_type_id=FOLLOW_UP, name="Follow-up", default_minutes=15,
                                          color="blue", eligibility=su.PATIENT_ELIGIBILITY_ANY, active=True),
            NEW_PATIENT: su.AppointmentType(appointment_type_id=NEW_PATIENT, name="New patient", default_minutes=30,
                                            color="green", eligibility=su.PATIENT_ELIGIBILITY_NEW, active=True),
            PHYSICAL: su.AppointmentType(appointment_type_id=PHYSICAL, name="Annual physical", default_minutes=30,
                                         color="teal", eligibility=su.PATIENT_ELIGIBILITY_ANY, active=True),
            PROCEDURE: su.AppointmentType(appointment_type_id=PROCEDURE, name="Procedure", default_minutes=45,
                                          color="orange", eligibility=su.PATIENT_ELIGIBILITY_ANY, active=True),
        }
        weekdays = range(1, 6)
        self.templates: dict[int, list[su.TemplateBlock]] = {
            LEE: [b for d in weekdays for b in (block(MAIN, d, "08:00", "17:00"),
                                                block(MAIN, d, "12:00", "13:00", su.BLOCK_KIND_LUNCH))],
            PATEL: [b for d in weekdays for b in (block(MAIN, d, "09:00", "17:00"),
                                                  block(MAIN, d, "12:30", "13:30", su.BLOCK_KIND_LUNCH))]
            + [block(MAIN, 2, "16:00", "17:00", su.BLOCK_KIND_ADMIN)],
            ALVAREZ: [block(MAIN, d, "08:00", "12:00") for d in weekdays]
            + [block(RIVERSIDE, d, "13:00", "17:00") for d in weekdays],
            BAKER: [block(RIVERSIDE, d, "08:00", "16:00") for d in weekdays],
        }
        # (provider, first instant, end instant, note): time off.
        self.time_off: list[tuple[int, datetime, datetime, str]] = [
            (PATEL, local(SCHEDULE_DAY, 14), local(SCHEDULE_DAY, 15), "dentist"),
            (ALVAREZ, local(SCHEDULE_DAY + timedelta(days=1), 0), local(SCHEDULE_DAY + timedelta(days=2), 0),
             "vacation"),
        ]
        self.appointments: dict[int, ap.Appointment] = {}
        self.appointment_history: dict[int, list[ap.AppointmentEvent]] = {}
        # Open watches: (location, days, their queue); None in a queue ends that stream.
        self.watchers: list[tuple[int, frozenset[date], asyncio.Queue[ap.WatchScheduleResponse | None]]] = []
        self.watch_requests: list[tuple[int, tuple[date, ...]]] = []
        day = SCHEDULE_DAY
        for provider, (hh, mm), patient, kind, status, reason in (
            (LEE, (8, 0), 6, FOLLOW_UP, S.APPOINTMENT_STATUS_CHECKED_OUT, "blood pressure check"),
            (LEE, (9, 0), 3, FOLLOW_UP, S.APPOINTMENT_STATUS_NO_SHOW, "medication review"),
            (LEE, (9, 30), 1, FOLLOW_UP, S.APPOINTMENT_STATUS_SEEN, "cough for two weeks"),
            (LEE, (10, 15), 2, FOLLOW_UP, S.APPOINTMENT_STATUS_ROOMED, "dizziness"),
            (LEE, (10, 30), 4, PHYSICAL, S.APPOINTMENT_STATUS_ARRIVED, "well-child visit"),
            (LEE, (14, 0), 3, FOLLOW_UP, S.APPOINTMENT_STATUS_CONFIRMED, "medication review"),
            (PATEL, (9, 0), 6, PROCEDURE, S.APPOINTMENT_STATUS_CHECKED_OUT, "skin biopsy"),
            (PATEL, (13, 30), 1, FOLLOW_UP, S.APPOINTMENT_STATUS_SCHEDULED, "biopsy results"),
            (PATEL, (15, 0), 4, FOLLOW_UP, S.APPOINTMENT_STATUS_SCHEDULED, "rash"),
            (ALVAREZ, (8, 30), 1, FOLLOW_UP, S.APPOINTMENT_STATUS_CHECKED_OUT, "flu shot"),
            (ALVAREZ, (11, 0), 6, FOLLOW_UP, S.APPOINTMENT_STATUS_SCHEDULED, "diabetes check"),
        ):
            self._seed_appointment(provider, MAIN, local(day, hh, mm), patient, kind, status, reason)
        self._seed_appointment(LEE, MAIN, local(day + timedelta(days=1), 9), 1, FOLLOW_UP,
                               S.APPOINTMENT_STATUS_SCHEDULED, "blood pressure check")
        self.waitlist: dict[int, ap.WaitlistEntry] = {}
        self.offer_waitlist = False
        self.recalls: dict[int, ap.Recall] = {}
        for patient_id, due, reason, provider_id in ((1, date(2026, 11, 20), "Annual physical", LEE),
                                                     (6, date(2026, 12, 15), "6-month diabetes follow-up", 0),
                                                     (2, date(2027, 3, 1), "Annual physical", 0)):
            recall = ap.Recall(recall_id=len(self.recalls) + 1, patient_id=patient_id, provider_id=provider_id,
                               appointment_type_id=PHYSICAL, due_date=dates.to_pb(due), reason=reason, status="due")
            self._name_recall(recall)
            self.recalls[recall.recall_id] = recall
        self._seed_waitlist_entry(2, FOLLOW_UP, LEE, 0, day, day + timedelta(days=14), [2, 4], 8 * 60, 12 * 60,
                                  "wants an earlier visit")
        self._seed_waitlist_entry(6, PHYSICAL, 0, 0, day, day + timedelta(days=30), [], 0, 0, "")

    def _seed_waitlist_entry(self, patient_id: int, kind: int, provider_id: int, location_id: int, first: date,
                             last: date, weekdays: list[int], earliest: int, latest: int, note: str) -> None:
        entry = ap.WaitlistEntry(
            waitlist_entry_id=max(self.waitlist, default=0) + 1, patient_id=patient_id, appointment_type_id=kind,
            provider_id=provider_id, location_id=location_id, earliest_date=dates.to_pb(first),
            latest_date=dates.to_pb(last), weekdays=weekdays, earliest_minute=earliest, latest_minute=latest,
            note=note, status="waiting", added_at=stamp(self.schedule_now - timedelta(days=2)))
        self._name_waiting(entry)
        self.waitlist[entry.waitlist_entry_id] = entry

    def _name_waiting(self, entry: ap.WaitlistEntry) -> None:
        patient = self.patients.get(entry.patient_id)
        if patient is not None:
            entry.patient_name = f"{patient.name.last}, {patient.name.first}"
            entry.patient_phone = patient.phones[0].number if patient.phones else ""

    def _seed_appointment(self, provider_id: int, location_id: int, starts: datetime, patient_id: int, kind: int,
                          status: int, reason: str) -> ap.Appointment:
        made = self._new_appointment(patient_id, provider_id, location_id, kind, starts,
                                     self.appointment_types[kind].default_minutes, reason, "")
        made.status = status  # type: ignore[assignment]
        booked_at = starts - timedelta(days=7)
        self.appointment_history[made.appointment_id] = [
            ap.AppointmentEvent(at=stamp(booked_at), username="fran", kind="booked",
                                to_status=S.APPOINTMENT_STATUS_SCHEDULED)]
        arrived = starts - timedelta(minutes=10)
        step_times = {
            S.APPOINTMENT_STATUS_CONFIRMED: booked_at + timedelta(days=5),
            S.APPOINTMENT_STATUS_ARRIVED: arrived,
            S.APPOINTMENT_STATUS_ROOMED: arrived + timedelta(minutes=12),
            S.APPOINTMENT_STATUS_SEEN: arrived + timedelta(minutes=21),
            S.APPOINTMENT_STATUS_CHECKED_OUT: arrived + timedelta(minutes=46),
            S.APPOINTMENT_STATUS_NO_SHOW: starts + timedelta(minutes=20),
        }
        # The steps so far: the visit's path up to ``status`` (a no-show skips straight to it).
        path = [status] if status in RELEASED else [s for s in step_times if s <= status and s not in RELEASED]
        previous = S.APPOINTMENT_STATUS_SCHEDULED
        for step in path:
            when = step_times[step]
            self.appointment_history[made.appointment_id].append(ap.AppointmentEvent(
                at=stamp(when), username="fran", kind="status", from_status=previous, to_status=step))
            previous = step
            made.status_changed_at.CopyFrom(stamp(when))
        made.cancel_reason = S.CANCEL_REASON_NO_SHOW if status == S.APPOINTMENT_STATUS_NO_SHOW else 0  # type: ignore[assignment]
        return made

    def _new_appointment(self, patient_id: int, provider_id: int, location_id: int, kind: int, starts: datetime,
                         minutes: int, reason: str, note: str, overbooked: bool = False) -> ap.Appointment:
        patient = self.patients[patient_id]
        kind_row = self.appointment_types[kind]
        ends = starts + timedelta(minutes=minutes)
        made = ap.Appointment(
            appointment_id=max(self.appointments, default=0) + 1, patient_id=patient_id,
            patient_name=f"{patient.name.last}, {patient.name.first}", patient_mrn=patient.mrn,
            provider_id=provider_id, location_id=location_id, appointment_type_id=kind,
            appointment_type_name=kind_row.name, color=kind_row.color, starts_at=stamp(starts), ends_at=stamp(ends),
            local_start=local_text(starts), local_end=local_text(ends), status=S.APPOINTMENT_STATUS_SCHEDULED,
            overbooked=overbooked, visit_reason=reason, note=note, version=1, status_changed_at=stamp(starts))
        self.appointments[made.appointment_id] = made
        return made

    # -- switches -----------------------------------------------------------------------
    def someone_else_books(self, provider_id: int, local_start: str, minutes: int = 15, patient_id: int = 6,
                           location_id: int = MAIN) -> ap.Appointment:
        """Another desk books that time first (no checks): the screen's next booking there loses the race."""
        starts = datetime.strptime(local_start, "%Y-%m-%dT%H:%M").replace(tzinfo=NY)
        made = self._new_appointment(patient_id, provider_id, location_id, FOLLOW_UP, starts, minutes,
                                     "walk-in", "")
        self.appointment_history[made.appointment_id] = [ap.AppointmentEvent(
            at=stamp(self.schedule_now), username="mary", kind="booked", to_status=S.APPOINTMENT_STATUS_SCHEDULED)]
        self._tell_watchers("booked", made.appointment_id, location_id, starts)
        return made

    def someone_else_changes(self, appointment_id: int, note: str = "called to confirm the time") -> None:
        """Another desk saves the appointment: the version a screen holds becomes stale."""
        appointment = self.appointments[appointment_id]
        appointment.note = note
        appointment.version += 1

    # -- helpers ------------------------------------------------------------------------
    def _schedule_call(self, method: str, permission: str, *arguments: Any) -> None:
        self.requests.setdefault(method, []).append(arguments)
        self._enter(method, permission)
        if method in self.fail_on:
            raise self.fail_on.pop(method)

    @staticmethod
    def _copy(appointment: ap.Appointment) -> ap.Appointment:
        out = ap.Appointment()
        out.CopyFrom(appointment)
        return out

    def _appointment(self, appointment_id: int, version: int | None = None) -> ap.Appointment:
        found = self.appointments.get(appointment_id)
        if found is None:
            raise NotFound("No such appointment.")
        if version is not None and version != found.version:
            raise StaleRecord("The appointment was changed by someone else; reload it and try again.")
        return found

    def _blocks_on(self, provider_id: int, location_id: int, day: date) -> list[tuple[datetime, datetime, str, str]]:
        kinds = {su.BLOCK_KIND_AVAILABLE: "available", su.BLOCK_KIND_LUNCH: "lunch", su.BLOCK_KIND_ADMIN: "admin"}
        out = [
            (local(day, 0) + timedelta(minutes=b.start_minute), local(day, 0) + timedelta(minutes=b.end_minute),
             kinds[b.kind], "")
            for b in self.templates.get(provider_id, [])
            if b.location_id == location_id and b.weekday == day.isoweekday()
        ]
        day_start, day_end = local(day, 0), local(day + timedelta(days=1), 0)
        out += [(max(s, day_start), min(e, day_end), "exception", note)
                for p, s, e, note in self.time_off if p == provider_id and s < day_end and e > day_start]
        return out

    def _fits_template(self, provider_id: int, location_id: int, starts: datetime, ends: datetime) -> bool:
        blocks = self._blocks_on(provider_id, location_id, starts.astimezone(NY).date())
        inside = any(k == "available" and s <= starts and ends <= e for s, e, k, _ in blocks)
        blocked = any(k != "available" and s < ends and e > starts for s, e, k, _ in blocks)
        return inside and not blocked

    def _holding(self, provider_id: int, starts: datetime, ends: datetime, skip: int = 0) -> list[ap.Appointment]:
        return sorted((a for a in self.appointments.values()
                       if a.provider_id == provider_id and a.status not in RELEASED and a.appointment_id != skip
                       and a.starts_at.ToDatetime(tzinfo=UTC) < ends and a.ends_at.ToDatetime(tzinfo=UTC) > starts),
                      key=lambda a: a.starts_at.seconds)

    def _free_starts(self, provider_id: int, location_id: int, minutes: int, first: date, last: date,
                     not_before: datetime, earliest: int = 0, latest: int = 0, weekdays: Sequence[int] = (),
                     skip: int = 0, limit: int = 20) -> list[datetime]:
        found: list[datetime] = []
        day = first
        while day <= last and len(found) < limit:
            if not weekdays or day.isoweekday() in weekdays:
                for s, e, kind, _ in sorted(self._blocks_on(provider_id, location_id, day)):
                    if kind != "available":
                        continue
                    start = s
                    while start + timedelta(minutes=minutes) <= e and len(found) < limit:
                        ends = start + timedelta(minutes=minutes)
                        minute = start.astimezone(NY).hour * 60 + start.astimezone(NY).minute
                        window = not (earliest or latest) or earliest <= minute <= latest
                        if start >= not_before and window and not self._holding(provider_id, start, ends, skip) \
                                and self._fits_template(provider_id, location_id, start, ends):
                            found.append(start)
                        start += timedelta(minutes=15)
            day += timedelta(days=1)
        return found

    def _slot_taken(self, provider_id: int, location_id: int, starts: datetime, ends: datetime, skip: int
                    ) -> RuleBroken:
        conflict = self._holding(provider_id, starts, ends, skip)[0]
        c0, c1 = conflict.starts_at.ToDatetime(tzinfo=UTC), conflict.ends_at.ToDatetime(tzinfo=UTC)
        minutes = int((ends - starts).total_seconds() // 60)
        day = starts.astimezone(NY).date()
        offers = self._free_starts(provider_id, location_id, minutes, day, day + timedelta(days=14),
                                   max(starts, self.schedule_now), skip=skip, limit=3)
        metadata = {"conflict_starts_at": c0.isoformat(), "conflict_ends_at": c1.isoformat()}
        if offers:
            metadata["next_free"] = ",".join(o.astimezone(UTC).isoformat() for o in offers)
        return RuleBroken(
            f"Someone else just took that time: the provider is booked from {c0.astimezone(NY):%H:%M} to "
            f"{c1.astimezone(NY):%H:%M}.", "SLOT_TAKEN", metadata)

    def _place(self, provider_id: int, location_id: int, starts: datetime, minutes: int, overbook: bool,
               skip: int = 0) -> None:
        violations = []
        if provider_id not in self.providers:
            violations.append(FieldViolation("provider_id", "is not an active provider of this practice"))
        if location_id not in self.locations:
            violations.append(FieldViolation("location_id", "is not an active location of this practice"))
        if minutes % 5 or not 5 <= minutes <= 480:
            violations.append(FieldViolation("duration_minutes", "must be 5 to 480 minutes, a multiple of 5"))
        if violations:
            raise InvalidInput(violations)
        ends = starts + timedelta(minutes=minutes)
        if not overbook and not self._fits_template(provider_id, location_id, starts, ends):
            raise RuleBroken("That time is outside the provider's schedule for this appointment type at this "
                             "location (template hours, lunch, time off); choose an open slot, or overbook.",
                             "OUTSIDE_TEMPLATE")
        if not overbook and self._holding(provider_id, starts, ends, skip):
            raise self._slot_taken(provider_id, location_id, starts, ends, skip)

    def _event(self, appointment_id: int, kind: str, **values: Any) -> None:
        self.appointment_history.setdefault(appointment_id, []).append(ap.AppointmentEvent(
            at=stamp(self.schedule_now), username=self.acting_scheduler, kind=kind, **values))
        row = self.appointments[appointment_id]
        self._tell_watchers(kind, appointment_id, row.location_id, row.starts_at.ToDatetime(tzinfo=UTC))
        if kind == "moved":
            self._tell_watchers(kind, appointment_id, values["previous_location_id"],
                                values["previous_starts_at"].ToDatetime(tzinfo=UTC))

    def _tell_watchers(self, kind: str, appointment_id: int, location_id: int, starts: datetime) -> None:
        day = starts.astimezone(NY).date()
        for watched_location, days, queue in self.watchers:
            if watched_location == location_id and day in days:
                queue.put_nowait(ap.WatchScheduleResponse(kind=kind, appointment_id=appointment_id,
                                                          location_id=location_id, date=dates.to_pb(day)))

    @property
    def watches_open(self) -> int:
        return len(self.watchers)

    def end_watches(self) -> None:
        """The server ends every open watch (as when a connection reaches its age limit)."""
        for _, _, queue in self.watchers:
            queue.put_nowait(None)

    def _require_overbook(self, overbook: bool) -> None:
        session = getattr(self, "session", None)
        if overbook and (session is None or "schedule.overbook" not in session.permissions):
            raise PermissionDenied("Your role may not overbook; choose a free slot.")

    # -- set-up (read) ------------------------------------------------------------------
    async def list_providers(self, include_inactive: bool = False) -> list[su.Provider]:
        self._schedule_call("list_providers", "schedule.read")
        return sorted((p for p in self.providers.values() if include_inactive or p.active),
                      key=lambda p: (p.last_name, p.first_name))

    async def list_locations(self, include_inactive: bool = False) -> list[su.Location]:
        self._schedule_call("list_locations", "schedule.read")
        return sorted((x for x in self.locations.values() if include_inactive or x.active), key=lambda x: x.name)

    async def list_appointment_types(self, include_inactive: bool = False) -> list[su.AppointmentType]:
        self._schedule_call("list_appointment_types", "schedule.read")
        return sorted((t for t in self.appointment_types.values() if include_inactive or t.active),
                      key=lambda t: t.name)

    # -- appointments -------------------------------------------------------------------
    async def get_day_schedule(
        self, location_id: int, day: date, provider_ids: Sequence[int] = (), include_cancelled: bool = False
    ) -> ap.GetDayScheduleResponse:
        self._schedule_call("get_day_schedule", "schedule.read", location_id, day, list(provider_ids))
        location = self.locations.get(location_id)
        if location is None:
            raise InvalidInput([FieldViolation("location_id", "is not a location of this practice")])
        todays = [a for a in self.appointments.values()
                  if a.location_id == location_id and a.local_start.startswith(day.isoformat())
                  and (include_cancelled or a.status not in RELEASED)]
        if provider_ids:
            wanted = list(provider_ids)
        else:
            working = {p for p in self.providers if any(k != "exception" for *_, k, _ in
                                                         self._blocks_on(p, location_id, day))}
            working |= {a.provider_id for a in todays}
            wanted = [p.provider_id for p in sorted((self.providers[i] for i in working),
                                                    key=lambda p: (p.last_name, p.first_name))]
        blocks = [ap.DayBlock(provider_id=p, starts_at=stamp(s), ends_at=stamp(e), kind=k, note=note)
                  for p in wanted for s, e, k, note in self._blocks_on(p, location_id, day)]
        blocks.sort(key=lambda b: (b.provider_id, b.starts_at.seconds))
        shown = sorted((self._copy(a) for a in todays if a.provider_id in wanted),
                       key=lambda a: (a.starts_at.seconds, a.provider_id, a.appointment_id))
        return ap.GetDayScheduleResponse(time_zone=location.time_zone, provider_ids=wanted, blocks=blocks,
                                         appointments=shown)

    async def book_appointment(self, request: ap.BookAppointmentRequest) -> ap.Appointment:
        sent = ap.BookAppointmentRequest()
        sent.CopyFrom(request)
        sent.idempotency_key = sent.idempotency_key or uuid.uuid4().hex
        self._schedule_call("book_appointment", "schedule.write", sent)
        self._require_overbook(request.overbook)
        violations = []
        patient = self.patients.get(request.patient_id)
        if patient is None:
            violations.append(FieldViolation("patient_id", "is not a patient of this practice"))
        elif patient.status == patients_pb2.PATIENT_STATUS_DECEASED:
            violations.append(FieldViolation("patient_id", "is recorded as deceased"))
        kind = self.appointment_types.get(request.appointment_type_id)
        if kind is None:
            violations.append(FieldViolation("appointment_type_id", "is not an active appointment type of this "
                                                                    "practice"))
        if not request.HasField("starts_at"):
            violations.append(FieldViolation("starts_at", "is required"))
        if len(request.visit_reason) > 200:
            violations.append(FieldViolation("visit_reason", "must be at most 200 characters"))
        if violations:
            raise InvalidInput(violations)
        assert kind is not None
        minutes = request.duration_minutes or kind.default_minutes
        starts = request.starts_at.ToDatetime(tzinfo=UTC)
        self._place(request.provider_id, request.location_id, starts, minutes, request.overbook)
        made = self._new_appointment(request.patient_id, request.provider_id, request.location_id,
                                     request.appointment_type_id, starts, minutes, request.visit_reason,
                                     request.note, request.overbook)
        made.status_changed_at.CopyFrom(stamp(self.schedule_now))
        self._event(made.appointment_id, "booked", to_status=S.APPOINTMENT_STATUS_SCHEDULED)
        if request.recall_id in self.recalls:
            self.recalls[request.recall_id].status = "booked"
            self.recalls[request.recall_id].appointment_id = made.appointment_id
        if request.waitlist_entry_id in self.waitlist:
            self.waitlist[request.waitlist_entry_id].status = "booked"
            self.waitlist[request.waitlist_entry_id].appointment_id = made.appointment_id
        return self._copy(made)

    # -- waitlist -----------------------------------------------------------------------
    async def add_to_waitlist(self, entry: ap.WaitlistEntry) -> ap.WaitlistEntry:
        self._schedule_call("add_to_waitlist", "schedule.write", ap.WaitlistEntry.FromString(
            entry.SerializeToString()))
        violations = []
        if entry.patient_id not in self.patients:
            violations.append(FieldViolation("patient_id", "is required"))
        if entry.appointment_type_id not in self.appointment_types:
            violations.append(FieldViolation("appointment_type_id", "is required"))
        if not dates.is_set(entry.earliest_date):
            violations.append(FieldViolation("earliest_date", "is required"))
        first, last = dates.from_pb(entry.earliest_date), dates.from_pb(entry.latest_date)
        if last is None:
            violations.append(FieldViolation("latest_date", "is required"))
        elif first is not None and last < first:
            violations.append(FieldViolation("latest_date", "must be on or after the earliest date"))
        if violations:
            raise InvalidInput(violations)
        made = ap.WaitlistEntry()
        made.CopyFrom(entry)
        made.waitlist_entry_id = max(self.waitlist, default=0) + 1
        made.status = "waiting"
        made.added_at.CopyFrom(stamp(self.schedule_now))
        self._name_waiting(made)
        self.waitlist[made.waitlist_entry_id] = made
        return ap.WaitlistEntry.FromString(made.SerializeToString())

    async def list_waitlist(self, provider_id: int = 0, location_id: int = 0, include_closed: bool = False
                            ) -> list[ap.WaitlistEntry]:
        self._schedule_call("list_waitlist", "schedule.read", provider_id, location_id, include_closed)
        return [ap.WaitlistEntry.FromString(e.SerializeToString()) for e in self.waitlist.values()
                if include_closed or e.status == "waiting"]

    async def remove_from_waitlist(self, waitlist_entry_id: int, note: str = "") -> ap.WaitlistEntry:
        self._schedule_call("remove_from_waitlist", "schedule.write", waitlist_entry_id, note)
        entry = self.waitlist.get(waitlist_entry_id)
        if entry is None:
            raise NotFound("That waitlist entry no longer exists.")
        if entry.status != "waiting":
            raise RuleBroken("Only a waiting entry can be removed.", "NOT_WAITING")
        entry.status = "removed"
        return ap.WaitlistEntry.FromString(entry.SerializeToString())

    # -- recalls ------------------------------------------------------------------------
    def _name_recall(self, recall: ap.Recall) -> None:
        patient = self.patients.get(recall.patient_id)
        if patient is not None:
            recall.patient_name = f"{patient.name.last}, {patient.name.first}"
            recall.patient_phone = patient.phones[0].number if patient.phones else ""

    async def add_recall(self, recall: ap.Recall) -> ap.Recall:
        self._schedule_call("add_recall", "schedule.write", ap.Recall.FromString(recall.SerializeToString()))
        violations = []
        if recall.patient_id not in self.patients:
            violations.append(FieldViolation("patient_id", "is required"))
        if not dates.is_set(recall.due_date):
            violations.append(FieldViolation("due_date", "is required"))
        if not recall.reason.strip():
            violations.append(FieldViolation("reason", "is required"))
        if violations:
            raise InvalidInput(violations)
        made = ap.Recall.FromString(recall.SerializeToString())
        made.recall_id = max(self.recalls, default=0) + 1
        made.status = "due"
        self._name_recall(made)
        self.recalls[made.recall_id] = made
        return ap.Recall.FromString(made.SerializeToString())

    async def list_recalls(self, due_by: date | None = None, provider_id: int = 0, include_closed: bool = False
                           ) -> list[ap.Recall]:
        self._schedule_call("list_recalls", "schedule.read", due_by, provider_id, include_closed)
        shown = [r for r in self.recalls.values() if (include_closed or r.status == "due")
                 and (due_by is None or date(r.due_date.year, r.due_date.month, r.due_date.day) <= due_by)]
        return [ap.Recall.FromString(r.SerializeToString()) for r in sorted(
            shown, key=lambda r: (r.due_date.year, r.due_date.month, r.due_date.day))]

    async def close_recall(self, recall_id: int, note: str = "") -> ap.Recall:
        self._schedule_call("close_recall", "schedule.write", recall_id, note)
        recall = self.recalls.get(recall_id)
        if recall is None:
            raise NotFound("That recall no longer exists.")
        if not note.strip():
            raise InvalidInput([FieldViolation("note", "is required: say why the recall is closed unbooked")])
        recall.status = "closed"
        return ap.Recall.FromString(recall.SerializeToString())

    async def reschedule_appointment(
        self, appointment_id: int, version: int, starts_at: datetime, provider_id: int = 0, location_id: int = 0,
        duration_minutes: int = 0, overbook: bool = False, note: str = "",
    ) -> ap.RescheduleAppointmentResponse:
        self._schedule_call("reschedule_appointment", "schedule.write", appointment_id, version, starts_at,
                            provider_id, location_id)
        self._require_overbook(overbook)
        row = self._appointment(appointment_id, version)
        if row.status not in (S.APPOINTMENT_STATUS_SCHEDULED, S.APPOINTMENT_STATUS_CONFIRMED):
            raise RuleBroken("Only a scheduled or confirmed appointment can be moved.", "NOT_MOVABLE")
        old_starts = row.starts_at.ToDatetime(tzinfo=UTC)
        minutes = duration_minutes or int((row.ends_at.ToDatetime(tzinfo=UTC) - old_starts).total_seconds() // 60)
        provider, location = provider_id or row.provider_id, location_id or row.location_id
        starts = starts_at.astimezone(UTC)
        self._place(provider, location, starts, minutes, overbook, skip=appointment_id)
        previous = {"previous_starts_at": stamp(old_starts), "previous_provider_id": row.provider_id,
                    "previous_location_id": row.location_id}
        ends = starts + timedelta(minutes=minutes)
        row.provider_id, row.location_id = provider, location
        row.starts_at.CopyFrom(stamp(starts))
        row.ends_at.CopyFrom(stamp(ends))
        row.local_start, row.local_end = local_text(starts), local_text(ends)
        row.overbooked = overbook
        row.version += 1
        self._event(appointment_id, "moved", from_status=row.status, to_status=row.status, note=note, **previous)
        return ap.RescheduleAppointmentResponse(appointment=self._copy(row),
                                                waitlist_offers=self._offers(row.provider_id, old_starts))

    def _offers(self, provider_id: int, freed: datetime) -> list[ap.WaitlistEntry]:
        """Waiting entries for any provider or this one whose dates take in the freed day (the fake's rule).

        Only while ``offer_waitlist`` is on, so the tests of cancelling and moving see no dialog unless they ask."""
        if not self.offer_waitlist:
            return []
        day = freed.astimezone(NY).date()
        return [ap.WaitlistEntry.FromString(e.SerializeToString()) for e in self.waitlist.values()
                if e.status == "waiting" and e.provider_id in (0, provider_id)
                and dates.from_pb(e.earliest_date) <= day <= dates.from_pb(e.latest_date)]  # type: ignore[operator]

    async def cancel_appointment(self, appointment_id: int, version: int, reason: int, note: str = ""
                                 ) -> ap.CancelAppointmentResponse:
        self._schedule_call("cancel_appointment", "schedule.write", appointment_id, version, reason, note)
        violations = []
        if reason not in (S.CANCEL_REASON_PATIENT, S.CANCEL_REASON_PROVIDER, S.CANCEL_REASON_WEATHER,
                          S.CANCEL_REASON_PRACTICE, S.CANCEL_REASON_OTHER):
            violations.append(FieldViolation("reason", "must be patient, provider, weather, practice or other "
                                                       "(a no-show is a status)"))
        if reason == S.CANCEL_REASON_OTHER and not note.strip():
            violations.append(FieldViolation("note", "is required when the reason is other"))
        if violations:
            raise InvalidInput(violations)
        row = self._appointment(appointment_id, version)
        cancelled = self._set_status(row, S.APPOINTMENT_STATUS_CANCELLED, note, reason)
        return ap.CancelAppointmentResponse(appointment=cancelled,
                                            waitlist_offers=self._offers(row.provider_id, row.starts_at.ToDatetime(
                                                tzinfo=UTC)))

    async def change_appointment_status(self, appointment_id: int, version: int, status: int, note: str = ""
                                        ) -> ap.Appointment:
        self._schedule_call("change_appointment_status", "schedule.write", appointment_id, version, status)
        row = self._appointment(appointment_id, version)
        starts = row.starts_at.ToDatetime(tzinfo=UTC)
        if status in TRANSITIONS.get(row.status, set()):
            if status == S.APPOINTMENT_STATUS_ARRIVED and starts.astimezone(NY).date() != self.schedule_now.date():
                raise RuleBroken("A patient can be checked in on the day of the appointment only.", "NOT_TODAY")
            if status == S.APPOINTMENT_STATUS_NO_SHOW and self.schedule_now < starts:
                raise RuleBroken("An appointment can be marked a no-show once its time has come.", "NOT_YET")
        reason = S.CANCEL_REASON_NO_SHOW if status == S.APPOINTMENT_STATUS_NO_SHOW else 0
        return self._set_status(row, status, note, reason)

    def _set_status(self, row: ap.Appointment, wanted: int, note: str, cancel_reason: int) -> ap.Appointment:
        if wanted not in TRANSITIONS.get(row.status, set()):
            raise RuleBroken(f"An appointment that is {STATUS_WORDS[row.status]} cannot become "
                             f"{STATUS_WORDS[wanted]}.", "TRANSITION_NOT_ALLOWED",
                             {"from_status": STATUS_WORDS[row.status], "to_status": STATUS_WORDS[wanted]})
        previous = row.status
        row.status = wanted  # type: ignore[assignment]
        row.status_changed_at.CopyFrom(stamp(self.schedule_now))
        row.version += 1
        if wanted in RELEASED:
            row.cancel_reason = cancel_reason  # type: ignore[assignment]
            row.cancel_note = note
        self._event(row.appointment_id, "cancelled" if wanted == S.APPOINTMENT_STATUS_CANCELLED else "status",
                    from_status=previous, to_status=wanted, note=note)
        return self._copy(row)

    async def watch_schedule(self, location_id: int, days: Sequence[date]) -> AsyncIterator[ap.WatchScheduleResponse]:
        self._schedule_call("watch_schedule", "schedule.read", location_id, tuple(days))
        if not 1 <= len(days) <= 14:
            raise InvalidInput([FieldViolation("dates", "must name 1 to 14 days")])
        self.watch_requests.append((location_id, tuple(days)))
        queue: asyncio.Queue[ap.WatchScheduleResponse | None] = asyncio.Queue()
        watcher = (location_id, frozenset(days), queue)
        self.watchers.append(watcher)
        try:
            yield ap.WatchScheduleResponse(kind="watching", location_id=location_id)
            while (change := await queue.get()) is not None:
                yield change
        finally:
            self.watchers.remove(watcher)

    async def get_appointment(self, appointment_id: int) -> ap.GetAppointmentResponse:
        self._schedule_call("get_appointment", "schedule.read", appointment_id)
        return ap.GetAppointmentResponse(appointment=self._copy(self._appointment(appointment_id)),
                                         history=self.appointment_history.get(appointment_id, []))

    async def list_patient_appointments(
        self, patient_id: int, from_time: datetime | None = None, to_time: datetime | None = None,
        include_cancelled: bool = False,
    ) -> list[ap.Appointment]:
        self._schedule_call("list_patient_appointments", "schedule.read", patient_id, from_time, to_time)
        return sorted(
            (self._copy(a) for a in self.appointments.values()
             if a.patient_id == patient_id and (include_cancelled or a.status not in RELEASED)
             and (from_time is None or a.starts_at.ToDatetime(tzinfo=UTC) >= from_time)
             and (to_time is None or a.starts_at.ToDatetime(tzinfo=UTC) < to_time)),
            key=lambda a: a.starts_at.seconds)

    async def find_slots(self, request: ap.FindSlotsRequest) -> list[ap.Slot]:
        sent = ap.FindSlotsRequest()
        sent.CopyFrom(request)
        self._schedule_call("find_slots", "schedule.read", sent)
        kind = self.appointment_types.get(request.appointment_type_id)
        violations = []
        if kind is None:
            violations.append(FieldViolation("appointment_type_id", "is not an active appointment type of this "
                                                                    "practice"))
        first = dates.from_pb(request.from_date) or self.schedule_now.date()
        last = dates.from_pb(request.to_date) or first + timedelta(days=27)
        if last < first:
            violations.append(FieldViolation("to_date", "must not be before from_date"))
        if (request.earliest_minute or request.latest_minute) and request.latest_minute < request.earliest_minute:
            violations.append(FieldViolation("latest_minute", "must be at or after earliest_minute, within the day"))
        if violations:
            raise InvalidInput(violations)
        assert kind is not None
        minutes = request.duration_minutes or kind.default_minutes
        limit = request.limit or 20
        found: list[ap.Slot] = []
        providers = list(request.provider_ids) or sorted(self.providers)
        locations = [request.location_id] if request.location_id else sorted(self.locations)
        for provider_id in providers:
            for location_id in locations:
                for start in self._free_starts(provider_id, location_id, minutes, first, last, self.schedule_now,
                                               request.earliest_minute, request.latest_minute,
                                               list(request.weekdays), limit=limit):
                    found.append(ap.Slot(provider_id=provider_id, location_id=location_id, starts_at=stamp(start),
                                         ends_at=stamp(start + timedelta(minutes=minutes)),
                                         local_start=local_text(start)))
        found.sort(key=lambda s: (s.starts_at.seconds, s.provider_id))
        return found[:limit]

    def _series_plan(self, first: ap.BookAppointmentRequest, recurrence: ap.Recurrence
                     ) -> list[tuple[datetime, datetime, str, str]]:
        """As server/scheduling/series.py: (start, end, problem_reason, problem) per occurrence, every N weeks or
        N months on the same weekday of the month, checked against the template and what is booked."""
        violations = []
        if recurrence.frequency not in (ap.FREQUENCY_WEEKLY, ap.FREQUENCY_MONTHLY):
            violations.append(FieldViolation("recurrence.frequency", "must be weekly or monthly"))
        if not 1 <= recurrence.interval <= 12:
            violations.append(FieldViolation("recurrence.interval", "must be 1 to 12"))
        until = dates.from_pb(recurrence.until) if recurrence.HasField("until") else None
        if bool(recurrence.count) == bool(until):
            violations.append(FieldViolation("recurrence.count", "give either a count or an until date"))
        elif recurrence.count and not 2 <= recurrence.count <= 52:
            violations.append(FieldViolation("recurrence.count", "must be 2 to 52"))
        if first.patient_id not in self.patients:
            violations.append(FieldViolation("first.patient_id", "is not a patient of this practice"))
        kind = self.appointment_types.get(first.appointment_type_id)
        if kind is None:
            violations.append(FieldViolation("first.appointment_type_id", "is not an active appointment type of "
                                                                          "this practice"))
        if violations:
            raise InvalidInput(violations)
        assert kind is not None
        minutes = first.duration_minutes or kind.default_minutes
        start = first.starts_at.ToDatetime(tzinfo=UTC).astimezone(NY)
        nth = (start.day - 1) // 7 + 1
        out: list[tuple[datetime, datetime, str, str]] = []
        k = 0
        while len(out) < 52:
            if recurrence.frequency == ap.FREQUENCY_WEEKLY:
                day = start.date() + timedelta(weeks=k * recurrence.interval)
            else:
                m = start.month - 1 + k * recurrence.interval
                month_first = date(start.year + m // 12, m % 12 + 1, 1)
                day = month_first + timedelta(days=(start.weekday() - month_first.weekday()) % 7 + 7 * (nth - 1))
                while day.month != month_first.month:
                    day -= timedelta(days=7)
            if (recurrence.count and len(out) >= recurrence.count) or (until is not None and day > until):
                break
            s = local(day, start.hour, start.minute)
            e = s + timedelta(minutes=minutes)
            if not first.overbook and not self._fits_template(first.provider_id, first.location_id, s, e):
                out.append((s, e, "OUTSIDE_TEMPLATE", "outside the provider's hours, lunch or time off"))
            elif not first.overbook and self._holding(first.provider_id, s, e):
                out.append((s, e, "SLOT_TAKEN", "the provider is booked then"))
            else:
                out.append((s, e, "", ""))
            k += 1
        return out

    @staticmethod
    def _occurrence(s: datetime, reason: str, problem: str, appointment_id: int = 0) -> ap.SeriesOccurrence:
        return ap.SeriesOccurrence(starts_at=stamp(s), local_start=local_text(s), free=not reason,
                                   problem_reason=reason, problem=problem, appointment_id=appointment_id)

    async def preview_series(self, request: ap.PreviewSeriesRequest) -> list[ap.SeriesOccurrence]:
        sent = ap.PreviewSeriesRequest()
        sent.CopyFrom(request)
        self._schedule_call("preview_series", "schedule.write", sent)
        return [self._occurrence(s, reason, problem) for s, _, reason, problem in
                self._series_plan(request.first, request.recurrence)]

    async def book_series(self, request: ap.BookSeriesRequest) -> ap.BookSeriesResponse:
        sent = ap.BookSeriesRequest()
        sent.CopyFrom(request)
        sent.idempotency_key = sent.idempotency_key or uuid.uuid4().hex
        self._schedule_call("book_series", "schedule.write", sent)
        self._require_overbook(request.first.overbook)
        planned = self._series_plan(request.first, request.recurrence)
        blocked = [p for p in planned if p[2]]
        if blocked and not request.skip_conflicts:
            when = ", ".join(f"{s:%a %d %b %H:%M}" for s, *_ in blocked[:5])
            raise RuleBroken(f"{len(blocked)} of the {len(planned)} occurrences cannot be booked ({when}"
                             f"{'...' if len(blocked) > 5 else ''}); book the free ones only, or change the series.",
                             "SERIES_CONFLICTS", {"conflicts": str(len(blocked))})
        if len(blocked) == len(planned):
            raise RuleBroken("None of the occurrences can be booked.", "SERIES_CONFLICTS",
                             {"conflicts": str(len(blocked))})
        first = request.first
        self.series_booked = getattr(self, "series_booked", 0) + 1
        out = []
        for s, e, reason, problem in planned:
            appointment_id = 0
            if not reason:
                made = self._new_appointment(first.patient_id, first.provider_id, first.location_id,
                                             first.appointment_type_id, s, int((e - s).total_seconds() // 60),
                                             first.visit_reason, first.note, first.overbook)
                made.status_changed_at.CopyFrom(stamp(self.schedule_now))
                self._event(made.appointment_id, "booked", to_status=S.APPOINTMENT_STATUS_SCHEDULED)
                appointment_id = made.appointment_id
            out.append(self._occurrence(s, reason, problem, appointment_id))
        return ap.BookSeriesResponse(series_id=self.series_booked, occurrences=out)

    async def get_flow_board(self, location_id: int, day: date | None = None) -> ap.GetFlowBoardResponse:
        self._schedule_call("get_flow_board", "schedule.read", location_id, day)
        location = self.locations.get(location_id)
        if location is None:
            raise InvalidInput([FieldViolation("location_id", "is not a location of this practice")])
        day = day or self.schedule_now.date()
        now = self.schedule_now
        entries = []
        for a in sorted(self.appointments.values(), key=lambda a: (a.starts_at.seconds, a.provider_id)):
            if a.location_id != location_id or not a.local_start.startswith(day.isoformat()) \
                    or a.status == S.APPOINTMENT_STATUS_CANCELLED:
                continue
            history = self.appointment_history.get(a.appointment_id, [])
            steps = {e.to_status: e.at.ToDatetime(tzinfo=UTC) for e in history if e.to_status in STEP_STATUSES}

            def minutes(first: datetime | None, last: datetime | None) -> int:
                return int((last - first).total_seconds() // 60) if first and last and last >= first else 0

            since = a.status_changed_at.ToDatetime(tzinfo=UTC)
            open_status = a.status in (S.APPOINTMENT_STATUS_SCHEDULED, S.APPOINTMENT_STATUS_CONFIRMED,
                                       S.APPOINTMENT_STATUS_ARRIVED, S.APPOINTMENT_STATUS_ROOMED,
                                       S.APPOINTMENT_STATUS_SEEN)
            entry = ap.FlowEntry(
                appointment=self._copy(a),
                minutes_in_status=minutes(since, now) if open_status else 0,
                waiting_room_minutes=minutes(steps.get(S.APPOINTMENT_STATUS_ARRIVED),
                                             steps.get(S.APPOINTMENT_STATUS_ROOMED)),
                visit_minutes=minutes(steps.get(S.APPOINTMENT_STATUS_ARRIVED),
                                      steps.get(S.APPOINTMENT_STATUS_CHECKED_OUT)))
            for field, status in (("arrived_at", S.APPOINTMENT_STATUS_ARRIVED),
                                  ("roomed_at", S.APPOINTMENT_STATUS_ROOMED), ("seen_at", S.APPOINTMENT_STATUS_SEEN),
                                  ("checked_out_at", S.APPOINTMENT_STATUS_CHECKED_OUT)):
                if status in steps:
                    getattr(entry, field).CopyFrom(stamp(steps[status]))
            entries.append(entry)
        return ap.GetFlowBoardResponse(time_zone=location.time_zone, as_of=stamp(now), entries=entries)

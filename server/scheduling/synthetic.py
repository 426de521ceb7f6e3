"""A synthetic schedule: providers, locations, rooms, appointment types, weekly templates, holidays, and
appointments with realistic statuses (the demo's month; millions for benchmarks).

Set-up rows are few and written with plain INSERTs; appointments, their resources and their history are
bulk-copied. Every appointment is placed in free template time of its provider, so the database's exclusion
constraints accept the whole load (they check every row as it is copied).
"""

from __future__ import annotations

import random
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import psycopg

from server.db.raw import conninfo
from server.patients.synthetic_load import END, NULL, SEP, analyze, copy_text
from server.runtime import Installation
from server.scheduling.rules import local_datetime, npi_check_digit

GENERATOR_USER = "demo-data"
FIRST = ["Amelia", "Brian", "Chloe", "David", "Esther", "Farid", "Gwen", "Hector", "Irene", "Jamal", "Keiko",
         "Luis", "Maya", "Nikhil", "Olga", "Pedro", "Renee", "Sanjay", "Teresa", "Victor"]
LAST = ["Abbott", "Bishop", "Castillo", "Dunn", "Ellison", "Flores", "Grant", "Huang", "Iqbal", "Jensen",
        "Kowalski", "Lindqvist", "Mensah", "Novak", "Ortega", "Perry", "Quarles", "Reyes", "Sato", "Thornton"]
# (credentials, NUCC taxonomy)
SPECIALTIES = [("MD", "207Q00000X"), ("DO", "207R00000X"), ("NP", "363LF0000X"), ("PA-C", "363A00000X"),
               ("MD", "208000000X")]
# ZIP+4: a claim names the place of service with its full ZIP when it is not the billing address.
LOCATIONS = [("Main Street Clinic", "1200 Main St", "Columbus", "43215-2104", "(614) 555-0100"),
             ("Northside Family Care", "85 Morse Rd", "Columbus", "43229-1507", "(614) 555-0180")]
# (name, minutes, color, eligibility, needs the procedure room, weight)
TYPES = [("Follow-up", 15, "blue", "established", False, 40), ("Sick visit", 15, "orange", "any", False, 20),
         ("New patient", 30, "green", "new", False, 10), ("Annual physical", 30, "teal", "established", False, 15),
         ("Procedure", 45, "purple", "any", True, 5), ("Telehealth", 15, "cyan", "any", False, 10)]
CANCEL_REASONS = ["patient", "patient", "patient", "provider", "weather", "practice"]
APPOINTMENT_COLUMNS = ("practice_id", "id", "patient_id", "provider_id", "location_id", "appointment_type_id",
                       "starts_at", "ends_at", "status", "overbooked", "visit_reason", "cancel_reason",
                       "status_changed_at", "version", "created_at", "updated_at")
RESOURCE_COLUMNS = ("practice_id", "appointment_id", "resource_id", "during")
EVENT_COLUMNS = ("practice_id", "appointment_id", "at", "username", "kind", "from_status", "to_status")
REASONS = ["", "", "follow-up on labs", "cough", "back pain", "medication refill", "sore throat", "rash",
           "blood pressure check", "headache", "annual exam", "knee pain"]


@dataclass
class ScheduleResult:
    providers: int
    locations: int
    appointments: int
    first_day: date
    last_day: date
    seconds: float


@dataclass
class _Setup:
    zone: ZoneInfo
    locations: list[int]
    providers: list[int]
    types: list[tuple[int, int, bool, int]]  # id, minutes, needs room, weight
    rooms: dict[int, int]  # location -> procedure room
    # provider -> weekday -> list of (location, start minute, end minute) open stretches
    hours: dict[int, dict[int, list[tuple[int, int, int]]]]
    holidays: set[date]


def _ids(conn: psycopg.Connection[Any], table: str, n: int) -> list[int]:
    return [r[0] for r in conn.execute(
        f"SELECT nextval(pg_get_serial_sequence('{table}', 'id')) FROM generate_series(1, %s)", (n,))]


def _week(rng: random.Random, index: int, locations: list[int]) -> dict[int, list[tuple[int, int, int]]]:
    """A provider's week: clinic days at one or two locations, lunch 12-13, some half days and admin time."""
    home = locations[index % len(locations)]
    other = locations[(index + 1) % len(locations)]
    week: dict[int, list[tuple[int, int, int]]] = {}
    for weekday in range(1, 6):
        where = other if weekday in (2, 4) and index % 3 == 0 else home
        start = 8 * 60 if index % 2 == 0 else 9 * 60
        end = 17 * 60
        if weekday == 5 and index % 4 == 1:
            end = 12 * 60  # Friday afternoons off
        if weekday == 3 and index % 5 == 2:
            continue  # a research/admin day
        week[weekday] = [(where, start, min(end, 12 * 60))] + ([(where, 13 * 60, end)] if end > 13 * 60 else [])
    return week


def _last_name(i: int) -> str:
    """Distinct names for up to 400 providers (20 x 20), then repeats with the doubled surname."""
    base = LAST[(i * 7) % len(LAST)]
    return base if i < len(LAST) else f"{base}-{LAST[(i // len(LAST)) % len(LAST)]}"


def _setup(conn: psycopg.Connection[Any], practice_id: int, providers: int, rng: random.Random,
           locations_wanted: int = 2) -> _Setup:
    tz = conn.execute("SELECT time_zone FROM practice WHERE id = %s",
                      (practice_id,)).fetchone()[0]  # type: ignore[index]
    locations = []
    for name, line1, city, zip_code, phone in LOCATIONS[:locations_wanted]:
        locations.append(conn.execute(
            "INSERT INTO location (practice_id, name, address_line1, city, state, zip, phone, place_of_service,"
            " time_zone) VALUES (%s, %s, %s, %s, 'OH', %s, %s, '11', %s) RETURNING id",
            (practice_id, name, line1, city, zip_code, "+1" + "".join(c for c in phone if c.isdigit()), tz)
        ).fetchone()[0])  # type: ignore[index]
    rooms = {}
    for loc in locations:
        rooms[loc] = conn.execute(
            "INSERT INTO resource (practice_id, location_id, name, kind) VALUES (%s, %s, 'Procedure room', 'room')"
            " RETURNING id", (practice_id, loc)).fetchone()[0]  # type: ignore[index]
    types = []
    for name, minutes, color, eligibility, room, weight in TYPES:
        type_id = conn.execute(
            "INSERT INTO appointment_type (practice_id, name, default_minutes, color, eligibility)"
            " VALUES (%s, %s, %s, %s, %s) RETURNING id", (practice_id, name, minutes, color, eligibility)
        ).fetchone()[0]  # type: ignore[index]
        if room:
            for r in rooms.values():
                conn.execute("INSERT INTO appointment_type_resource VALUES (%s, %s, %s)", (practice_id, type_id, r))
        types.append((type_id, minutes, room, weight))
    provider_ids: list[int] = []
    hours: dict[int, dict[int, list[tuple[int, int, int]]]] = {}
    for i in range(providers):
        credentials, taxonomy = SPECIALTIES[i % len(SPECIALTIES)]
        first_nine = f"1{practice_id % 100:02d}{i + 1:06d}"
        pid = conn.execute(
            "INSERT INTO provider (practice_id, first_name, last_name, credentials, npi, taxonomy_code)"
            " VALUES (%s, %s, %s, %s, %s, %s) RETURNING id",
            (practice_id, FIRST[i % len(FIRST)], _last_name(i), credentials,
             first_nine + str(npi_check_digit(first_nine)), taxonomy)).fetchone()[0]  # type: ignore[index]
        provider_ids.append(pid)
        week = _week(rng, i, locations)
        hours[pid] = week
        for weekday, stretches in week.items():
            loc = stretches[0][0]
            start, end = stretches[0][1], stretches[-1][2]
            conn.execute("INSERT INTO template_block (practice_id, provider_id, location_id, weekday, start_minute,"
                         " end_minute, kind) VALUES (%s, %s, %s, %s, %s, %s, 'available')",
                         (practice_id, pid, loc, weekday, start, end))
            if len(stretches) > 1:
                conn.execute("INSERT INTO template_block (practice_id, provider_id, location_id, weekday,"
                             " start_minute, end_minute, kind) VALUES (%s, %s, %s, %s, 720, 780, 'lunch')",
                             (practice_id, pid, loc, weekday))
    return _Setup(ZoneInfo(tz), locations, provider_ids, types, rooms, hours, set())


def _us_holidays(first: date, last: date) -> set[date]:
    """New Year, Memorial Day, Independence Day, Labor Day, Thanksgiving, Christmas."""
    out: set[date] = set()
    for year in range(first.year, last.year + 1):
        may31 = date(year, 5, 31)
        sept1 = date(year, 9, 1)
        nov1 = date(year, 11, 1)
        out |= {date(year, 1, 1), date(year, 7, 4), date(year, 12, 25),
                may31 - timedelta(days=(may31.weekday()) % 7),
                sept1 + timedelta(days=(7 - sept1.weekday()) % 7),
                nov1 + timedelta(days=(3 - nov1.weekday()) % 7 + 21)}
    return {d for d in out if first <= d <= last}


def _status(rng: random.Random, start: datetime, now: datetime, minutes: int) -> tuple[str, str | None]:
    """What happened to an appointment, by where it lies relative to now."""
    if start + timedelta(minutes=minutes + 30) < now:
        return rng.choices([("checked_out", None), ("no_show", "no_show"),
                            ("cancelled", rng.choice(CANCEL_REASONS))], [87, 5, 8])[0]
    if start <= now:
        return rng.choice([("arrived", None), ("roomed", None), ("seen", None)])
    if start - now < timedelta(days=2):
        return rng.choices([("confirmed", None), ("scheduled", None), ("cancelled", "patient")], [60, 35, 5])[0]
    return rng.choices([("scheduled", None), ("confirmed", None), ("cancelled", "patient")], [80, 15, 5])[0]


STEPS = ["arrived", "roomed", "seen", "checked_out"]


def load_schedule(inst: Installation, *, providers: int, appointments: int | None = None, days_back: int = 14,
                  days_ahead: int = 30, fill: float = 0.7, seed: int = 1, now: datetime | None = None,
                  locations: int = 2,
                  progress: Callable[[int, int], None] | None = None) -> ScheduleResult:
    """Sets up ``providers`` providers with templates at one or two ``locations`` and books their time
    (``fill``: the share of template time booked).

    With ``appointments`` the days run back from today + days_ahead until that many are booked; otherwise the
    days are today - days_back ... today + days_ahead.
    """
    started = time.monotonic()
    rng = random.Random(seed)
    practice_id = inst.settings.practice_id
    now = now or datetime.now(UTC)
    with psycopg.connect(conninfo(inst.urls.app_url), client_encoding="utf8") as conn:
        patients = [r[0] for r in conn.execute(
            "SELECT id FROM patient WHERE practice_id = %s AND status = 'active' ORDER BY id LIMIT 200000",
            (practice_id,))]
        if not patients:
            raise ValueError("the practice has no patients to book; load patients first")
        setup = _setup(conn, practice_id, providers, rng, locations)
        conn.commit()
        today = now.astimezone(setup.zone).date()
        last = today + timedelta(days=days_ahead)
        first = today - timedelta(days=days_back) if appointments is None else date(2000, 1, 1)
        setup.holidays = _us_holidays(min(first, today - timedelta(days=3650)), last)
        for h in sorted(setup.holidays):
            if first <= h <= last:
                s0 = local_datetime(h, 0, setup.zone)
                conn.execute("INSERT INTO schedule_exception (practice_id, kind, first_date, last_date, during, note)"
                             " VALUES (%s, 'holiday', %s, %s, tstzrange(%s, %s), 'Practice closed')",
                             (practice_id, h, h, s0, local_datetime(h + timedelta(days=1), 0, setup.zone)))
        conn.commit()
        target = appointments if appointments is not None else None
        booked = 0
        day = last
        weights = [t[3] for t in setup.types]
        while day >= first and (target is None or booked < target):
            rows = _Day(practice_id)
            room_taken: dict[int, list[tuple[int, int]]] = {}
            for pid in setup.providers:
                for loc, m0, m1 in ([] if day in setup.holidays else setup.hours[pid].get(day.isoweekday(), [])):
                    m = m0
                    while m < m1 and (target is None or booked + rows.count < target):
                        type_id, minutes, room, _ = rng.choices(setup.types, weights)[0]
                        # One procedure room per location: another provider may hold it at this time.
                        if room and any(a < m + minutes and m < b for a, b in room_taken.get(loc, [])):
                            type_id, minutes, room, _ = setup.types[0]
                        if m + minutes > m1:
                            break
                        if room:
                            room_taken.setdefault(loc, []).append((m, m + minutes))
                        if rng.random() < fill:
                            start = local_datetime(day, m, setup.zone)
                            rows.add(rng, patients, pid, loc, type_id, start, minutes,
                                     setup.rooms[loc] if room else None, now)
                        m += minutes
            if rows.count:
                ids = _ids(conn, "appointment", rows.count)
                _copy(conn, rows, ids)
                conn.commit()
                booked += rows.count
                if progress is not None:
                    progress(booked, target or booked)
            day -= timedelta(days=1)
    analyze(inst)
    return ScheduleResult(providers, len(setup.locations), booked, day + timedelta(days=1), last,
                          time.monotonic() - started)


class _Day:
    """One day's appointments, waiting for their ids."""

    def __init__(self, practice_id: int) -> None:
        self.practice_id = practice_id
        self.items: list[tuple[Any, ...]] = []

    @property
    def count(self) -> int:
        return len(self.items)

    def add(self, rng: random.Random, patients: list[int], provider: int, location: int, type_id: int,
            start: datetime, minutes: int, room: int | None, now: datetime) -> None:
        status, reason = _status(rng, start, now, minutes)
        booked_at = start - timedelta(days=rng.randint(1, 60), minutes=rng.randint(0, 600))
        self.items.append((rng.choice(patients), provider, location, type_id, start,
                           start + timedelta(minutes=minutes), status, reason, room, min(booked_at, now),
                           rng.choice(REASONS)))


def _copy(conn: psycopg.Connection[Any], day: _Day, ids: list[int]) -> None:
    pid = str(day.practice_id)
    appts, resources, events = [], [], []
    for appointment_id, (patient, provider, loc, type_id, start, end, status, reason, room, booked_at,
                         visit_reason) in zip(ids, day.items, strict=True):
        aid = str(appointment_id)
        steps: list[tuple[datetime, str, str]] = []
        if status in STEPS:
            at, previous = start - timedelta(minutes=10), "scheduled"
            for step in STEPS[:STEPS.index(status) + 1]:
                steps.append((at, previous, step))
                previous = step
                at += timedelta(minutes=7 if step == "arrived" else 15)
        elif status in ("no_show", "cancelled", "confirmed"):
            at = end if status == "no_show" else booked_at + (start - booked_at) / 2
            steps.append((at, "scheduled", status))
        changed = steps[-1][0] if steps else booked_at
        appts.append(SEP.join((pid, aid, str(patient), str(provider), str(loc), str(type_id), start.isoformat(),
                               end.isoformat(), status, "f", visit_reason, reason or NULL, changed.isoformat(),
                               str(1 + len(steps)), booked_at.isoformat(), changed.isoformat())) + END)
        if room is not None and status not in ("cancelled", "no_show"):
            resources.append(SEP.join((pid, aid, str(room), f"[{start.isoformat()},{end.isoformat()})")) + END)
        events.append(SEP.join((pid, aid, booked_at.isoformat(), GENERATOR_USER, "booked", NULL, "scheduled")) + END)
        for at, previous, step in steps:
            kind = "cancelled" if step == "cancelled" else "status"
            events.append(SEP.join((pid, aid, at.isoformat(), GENERATOR_USER, kind, previous, step)) + END)
    with conn.cursor() as cur:
        for table, columns, rows in (("appointment", APPOINTMENT_COLUMNS, appts),
                                     ("appointment_resource", RESOURCE_COLUMNS, resources),
                                     ("appointment_event", EVENT_COLUMNS, events)):
            if rows:
                with cur.copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN") as copy:
                    copy.write(copy_text(rows))


def practice_has_schedule(inst: Installation) -> bool:
    with psycopg.connect(conninfo(inst.urls.app_url)) as conn:
        return conn.execute("SELECT EXISTS (SELECT 1 FROM provider WHERE practice_id = %s)",
                            (inst.settings.practice_id,)).fetchone()[0]  # type: ignore[index,no-any-return]


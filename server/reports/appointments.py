"""Appointment reports: no-shows and cancellations, patient wait times, schedule utilization.

An appointment belongs to its local date: the day it starts where its location is (an appointment at 23:30 on
30 November in New York is November's, though it is December in UTC). A rescheduled appointment is one row that
moved, so it counts once, on the date it has now.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any
from zoneinfo import ZoneInfo

from server.reports.filters import Filter, rows
from server.reports.registry import report
from server.reports.table import Cell, Col, Table, quotient, ratio
from server.rpc.context import CallContext
from server.scheduling import availability, slots

FILTERS = ("dates", "providers", "locations")

# Appointments whose local date is in the range. The starts_at bounds (a day of margin either side: no time zone
# is more than 14 hours from UTC) let the (practice, provider/location, starts_at) indexes find the range.
_IN_RANGE = """
       a.starts_at >= CAST(:start AS timestamp) AT TIME ZONE 'UTC' - interval '1 day'
   AND a.starts_at < CAST(:end_x AS timestamp) AT TIME ZONE 'UTC' + interval '1 day'
   AND (a.starts_at AT TIME ZONE loc.time_zone)::date BETWEEN :start AND :end"""

KEPT = ("arrived", "roomed", "seen", "checked_out")
_KEPT_SQL = "('" + "', '".join(KEPT) + "')"

_COUNTS = f"""count(*) AS scheduled,
       count(*) FILTER (WHERE a.status IN {_KEPT_SQL}) AS kept,
       count(*) FILTER (WHERE a.status = 'cancelled') AS cancelled,
       count(*) FILTER (WHERE a.status = 'no_show') AS no_shows"""

_RATE_COLS = (
    Col("scheduled", "Scheduled", "count", total="sum"),
    Col("kept", "Kept", "count", total="sum"),
    Col("cancelled", "Cancelled", "count", total="sum"),
    Col("no_shows", "No-shows", "count", total="sum"),
    Col("cancellation_rate", "Cancellation rate", "percent", scale=1),
    Col("no_show_rate", "No-show rate", "percent", scale=1),
)

RATE_NOTES = [
    "Scheduled: every appointment booked for a date in the range, whatever became of it (cancelled and no-shows "
    "included). A rescheduled appointment counts once, on the date it was moved to.",
    "Kept: the patient came (arrived, roomed, seen or checked out).",
    "Cancellation rate = cancelled / scheduled.",
    "No-show rate = no-shows / (kept + no-shows): of the appointments that were due and not cancelled, the share "
    "the patient missed. Appointments still only scheduled or confirmed count in neither.",
    "The date is the appointment's local date at its location.",
]


def _rates(scheduled: int, kept: int, cancelled: int, no_shows: int) -> list[Cell]:
    return [scheduled, kept, cancelled, no_shows, ratio(cancelled, scheduled, 1), ratio(no_shows, kept + no_shows, 1)]


def _rate_table(key: str, title: str, f: Filter, label_cols: tuple[Col, ...], found: list[Any],
                notes: list[str]) -> Table:
    n = len(label_cols)
    t = Table(key, title, f.describe(), (*label_cols, *_RATE_COLS),
              [[*r[:n], *_rates(*r[n:n + 4])] for r in found], notes=notes)
    t.totals = ["Total", *[None] * (n - 1), *_rates(*(sum(int(r[i]) for r in found) for i in range(n, n + 4)))]
    return t


def _from(f: Filter, join: str = "") -> str:
    return f"""
  FROM appointment a{join}
  JOIN location loc ON loc.practice_id = a.practice_id AND loc.id = a.location_id
 WHERE a.practice_id = :p AND {_IN_RANGE}
       {f.conditions(provider='a.provider_id', location='a.location_id')}"""


_PROVIDER = """
  JOIN provider pr ON pr.practice_id = a.practice_id AND pr.id = a.provider_id"""

_TYPE = """
  JOIN appointment_type ty ON ty.practice_id = a.practice_id AND ty.id = a.appointment_type_id"""
_PATIENT = """
  JOIN patient pt ON pt.practice_id = a.practice_id AND pt.id = a.patient_id"""


def _provider_name(alias: str) -> str:
    return f"{alias}.last_name || ', ' || {alias}.first_name"


@report("no_shows_by_provider", "No-shows and cancellations by provider",
        "Appointments booked, kept, cancelled and missed, with the rates, for each provider.",
        group="Appointments", filters=FILTERS)
async def no_shows_by_provider(ctx: CallContext, f: Filter) -> Table:
    found = await rows(ctx, f"""
SELECT {_provider_name('pr')}, {_COUNTS}{_from(f, _PROVIDER)}
 GROUP BY a.provider_id, pr.last_name, pr.first_name
 ORDER BY pr.last_name, pr.first_name, a.provider_id""", f)
    return _rate_table("no_shows_by_provider", "No-shows and cancellations by provider", f,
                       (Col("provider", "Provider"),), found, list(RATE_NOTES))


@report("no_shows_by_type", "No-shows and cancellations by appointment type",
        "Appointments booked, kept, cancelled and missed, with the rates, for each appointment type.",
        group="Appointments", filters=FILTERS)
async def no_shows_by_type(ctx: CallContext, f: Filter) -> Table:
    found = await rows(ctx, f"""
SELECT ty.name, {_COUNTS}{_from(f, _TYPE)}
 GROUP BY a.appointment_type_id, ty.name
 ORDER BY ty.name, a.appointment_type_id""", f)
    return _rate_table("no_shows_by_type", "No-shows and cancellations by appointment type", f,
                       (Col("appointment_type", "Appointment type"),), found, list(RATE_NOTES))


@report("no_shows_by_patient", "No-shows and cancellations by patient",
        "Each patient's appointments booked, kept, cancelled and missed: who misses most comes first.",
        group="Appointments", filters=FILTERS, names_patients=True)
async def no_shows_by_patient(ctx: CallContext, f: Filter) -> Table:
    found = await rows(ctx, f"""
SELECT pt.mrn, pt.last_name || ', ' || pt.first_name, {_COUNTS}{_from(f, _PATIENT)}
 GROUP BY a.patient_id, pt.mrn, pt.last_name, pt.first_name
 ORDER BY no_shows DESC, cancelled DESC, pt.last_name, pt.first_name, a.patient_id""", f)
    return _rate_table("no_shows_by_patient", "No-shows and cancellations by patient", f,
                       (Col("mrn", "MRN"), Col("patient", "Patient")), found,
                       [*RATE_NOTES, "Patients with the most no-shows first, then the most cancellations."])


@report("wait_times_by_provider", "Patient wait times by provider",
        "Average minutes from arrival to the exam room, from the room to check-out, and the whole visit.",
        group="Appointments", filters=FILTERS)
async def wait_times_by_provider(ctx: CallContext, f: Filter) -> Table:
    found = await rows(ctx, f"""
WITH steps AS (
SELECT a.provider_id,
       max(ev.at) FILTER (WHERE ev.to_status = 'arrived') AS arrived,
       max(ev.at) FILTER (WHERE ev.to_status = 'roomed') AS roomed,
       max(ev.at) FILTER (WHERE ev.to_status = 'checked_out') AS checked_out
  FROM appointment a
  JOIN location loc ON loc.practice_id = a.practice_id AND loc.id = a.location_id
  JOIN appointment_event ev ON ev.practice_id = a.practice_id AND ev.appointment_id = a.id
                           AND ev.to_status IN ('arrived', 'roomed', 'checked_out')
                           AND ev.from_status IS DISTINCT FROM ev.to_status
 WHERE a.practice_id = :p AND a.status = 'checked_out' AND {_IN_RANGE}
       {f.conditions(provider='a.provider_id', location='a.location_id')}
 GROUP BY a.provider_id, a.id)
SELECT {_provider_name('pr')}, count(*) AS visits,
       sum(extract(epoch FROM s.roomed - s.arrived))::bigint AS waiting_s,
       sum(extract(epoch FROM s.checked_out - s.roomed))::bigint AS with_staff_s,
       sum(extract(epoch FROM s.checked_out - s.arrived))::bigint AS visit_s
  FROM steps s
  JOIN provider pr ON pr.practice_id = :p AND pr.id = s.provider_id
 WHERE s.arrived IS NOT NULL AND s.roomed IS NOT NULL AND s.checked_out IS NOT NULL
   AND s.arrived <= s.roomed AND s.roomed <= s.checked_out
 GROUP BY s.provider_id, pr.last_name, pr.first_name
 ORDER BY pr.last_name, pr.first_name, s.provider_id""", f)

    def averages(visits: int, waiting: int, with_staff: int, visit: int) -> list[Cell]:
        return [visits, quotient(waiting, 60 * visits), quotient(with_staff, 60 * visits),
                quotient(visit, 60 * visits)]

    t = Table("wait_times_by_provider", "Patient wait times by provider", f.describe(), (
        Col("provider", "Provider"), Col("visits", "Visits measured", "count", total="sum"),
        Col("arrived_to_roomed", "Arrived to roomed (min)", "decimal", scale=1),
        Col("roomed_to_checked_out", "Roomed to checked out (min)", "decimal", scale=1),
        Col("arrived_to_checked_out", "Arrived to checked out (min)", "decimal", scale=1)),
        [[r[0], *averages(r[1], r[2], r[3], r[4])] for r in found], notes=[
            "Visits measured: checked-out appointments in the range with their arrival, rooming and check-out "
            "times recorded (the latest time of each step when a step was recorded more than once).",
            "Averages in minutes over the visits measured; the totals row averages every visit, not the "
            "providers' averages.",
            "The date is the appointment's local date at its location."])
    total = [sum(r[i] for r in found) for i in range(1, 5)]
    t.totals = ["Total", *averages(*total)]
    return t


@report("schedule_utilization", "Schedule utilization by provider",
        "Minutes booked against the minutes the providers' templates make available.",
        group="Appointments", filters=FILTERS)
async def schedule_utilization(ctx: CallContext, f: Filter) -> Table:
    names = {r[0]: r[1] for r in await rows(ctx, f"""
SELECT pr.id, {_provider_name('pr')} FROM provider pr
 WHERE pr.practice_id = :p {f.conditions(provider='pr.id')}""", f)}
    booked = {r[0]: (int(r[1]), int(r[2])) for r in await rows(ctx, f"""
SELECT a.provider_id, count(*), sum(extract(epoch FROM a.ends_at - a.starts_at))::bigint / 60{_from(f)}
   AND a.holds_time
 GROUP BY a.provider_id""", f)}
    zones = {r[0]: ZoneInfo(r[1]) for r in await rows(ctx, "SELECT id, time_zone FROM location "
                                                          "WHERE practice_id = :p", f)}
    days = await availability.provider_days(ctx.db, ctx.practice_id, sorted(names), f.start, f.end, zones,
                                            bookings=False)
    available = {d.provider_id: available_minutes(d, f, zones) for d in days}
    ids = [i for i in names if available.get(i) or i in booked]
    ids.sort(key=lambda i: (names[i], i))
    t = Table("schedule_utilization", "Schedule utilization by provider", f.describe(), (
        Col("provider", "Provider"), Col("appointments", "Appointments", "count", total="sum"),
        Col("booked_minutes", "Booked minutes", "count", total="sum"),
        Col("available_minutes", "Available minutes", "count", total="sum"),
        Col("utilization", "Utilization", "percent", scale=1)),
        [[names[i], booked.get(i, (0, 0))[0], booked.get(i, (0, 0))[1], available.get(i, 0),
          ratio(booked.get(i, (0, 0))[1], available.get(i, 0), 1)] for i in ids], notes=[
            "Available minutes: the template's available blocks on each day of the range, less lunch and admin "
            "blocks and less time off (the provider's exceptions and practice-wide closures).",
            "Booked minutes: appointments that hold time (not cancelled, not no-shows) on a date in the range, "
            "overbooked ones and any outside the template included, so utilization can pass 100%.",
            "With a location filter, only that location's blocks and appointments count.",
            "The date is the local date at the location."])
    minutes = sum(booked.get(i, (0, 0))[1] for i in ids), sum(available.get(i, 0) for i in ids)
    t.totals = ["Total", sum(booked.get(i, (0, 0))[0] for i in ids), *minutes, ratio(*minutes, 1)]
    return t


def available_minutes(provider: slots.ProviderDay, f: Filter, zones: dict[int, ZoneInfo]) -> int:
    """The provider's open template minutes over the range: what find-slot offers, for any appointment type."""
    total = timedelta()
    day = f.start
    while day <= f.end:
        todays = [b for b in provider.blocks if b.applies_on(day)]
        opening = [b for b in todays if b.kind == "available"
                   and (not f.location_ids or b.location_id in f.location_ids)]
        if opening:
            spans = merged([b.on(day, zones[b.location_id]) for b in opening])
            first, last = spans[0][0], spans[-1][1]
            closed = [b.on(day, zones[b.location_id]) for b in todays if b.kind != "available"]
            closed += [(s, e) for s, e in provider.time_off if s < last and e > first]
            for s0, s1 in slots.subtract(spans, closed):
                total += s1 - s0
        day += timedelta(days=1)
    return int(total.total_seconds()) // 60


def merged(spans: list[slots.Interval]) -> list[slots.Interval]:
    """Overlapping intervals as one (two blocks that both apply must not count their common time twice)."""
    out: list[slots.Interval] = []
    for s0, s1 in sorted(spans):
        if out and s0 <= out[-1][1]:
            out[-1] = (out[-1][0], max(out[-1][1], s1))
        else:
            out.append((s0, s1))
    return out

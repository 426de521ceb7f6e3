"""Recurring series: every N weeks or months, a count or an end date; each occurrence checked before any is booked."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date, timedelta

from server.common import contact_rules
from server.common.convert import ts
from server.errors import FieldErrors, RuleViolation
from server.rpc.context import CallContext
from server.scheduling import availability, booking, rules, slots
from server.scheduling.models import AppointmentSeries
from shared.pms.scheduling.v1 import appointments_pb2 as pb

MAX_OCCURRENCES = 52
MAX_SPAN = timedelta(days=2 * 366)


def nth_weekday(year: int, month: int, weekday: int, n: int) -> date:
    """The n-th (1-5) given weekday (0 Monday) of a month; the last one when the month has no n-th."""
    first = date(year, month, 1)
    day = first + timedelta(days=(weekday - first.weekday()) % 7 + 7 * (n - 1))
    while day.month != month:
        day -= timedelta(days=7)
    return day


def occurrence_days(first: date, frequency: int, interval: int, count: int, until: date | None) -> list[date]:
    out: list[date] = []
    n = (first.day - 1) // 7 + 1
    k = 0
    while len(out) < MAX_OCCURRENCES:
        if frequency == pb.FREQUENCY_WEEKLY:
            day = first + timedelta(weeks=k * interval)
        else:
            m = first.month - 1 + k * interval
            day = nth_weekday(first.year + m // 12, m % 12 + 1, first.weekday(), n)
        if (count and len(out) >= count) or (until is not None and day > until):
            break
        out.append(day)
        k += 1
    return out


def describe(r: pb.Recurrence) -> str:
    unit = "weekly" if r.frequency == pb.FREQUENCY_WEEKLY else "monthly"
    end = f"count {r.count}" if r.count else f"until {r.until.year:04}-{r.until.month:02}-{r.until.day:02}"
    return f"{unit} every {r.interval}, {end}"


@dataclass
class Planned:
    place: booking.Placement
    problem_reason: str = ""
    problem: str = ""


async def plan(ctx: CallContext, first: pb.BookAppointmentRequest, recurrence: pb.Recurrence
               ) -> tuple[booking.Request, list[Planned]]:
    """The occurrences, each free or with its problem (from templates, time off and what is booked now)."""
    errors = FieldErrors()
    if recurrence.frequency not in (pb.FREQUENCY_WEEKLY, pb.FREQUENCY_MONTHLY):
        errors.add("recurrence.frequency", "must be weekly or monthly")
    if not 1 <= recurrence.interval <= 12:
        errors.add("recurrence.interval", "must be 1 to 12")
    until = contact_rules.calendar_date(errors, "recurrence.until", recurrence.until, required=False)
    if bool(recurrence.count) == bool(until):
        errors.add("recurrence.count", "give either a count or an until date")
    elif recurrence.count and not 2 <= recurrence.count <= MAX_OCCURRENCES:
        errors.add("recurrence.count", f"must be 2 to {MAX_OCCURRENCES}")
    if first.waitlist_entry_id or first.recall_id:
        errors.add("first", "a series is not booked from the waitlist or a recall")
    errors.raise_if_any()
    r = await booking.prepare(ctx, first)
    zone = r.place.zone
    local = r.place.starts_at.astimezone(zone)
    minute = local.hour * 60 + local.minute
    if until is not None and until - local.date() > MAX_SPAN:
        raise RuleViolation("A series may span two years at most.", "SERIES_TOO_LONG")
    days = occurrence_days(local.date(), recurrence.frequency, recurrence.interval, recurrence.count, until)
    length = r.place.ends_at - r.place.starts_at
    planned = []
    for day in days:
        start = rules.local_datetime(day, minute, zone)
        planned.append(Planned(replace(r.place, starts_at=start, ends_at=start + length)))
    await _check(ctx, r, planned)
    return r, planned


async def _check(ctx: CallContext, r: booking.Request, planned: list[Planned]) -> None:
    db, practice_id = ctx.db, ctx.practice_id
    place = r.place
    zones = await availability.location_zones(db, practice_id)
    first_day = planned[0].place.starts_at.astimezone(place.zone).date()
    last_day = planned[-1].place.starts_at.astimezone(place.zone).date()
    provider = (await availability.provider_days(db, practice_id, [place.provider.id], first_day, last_day,
                                                 zones))[0]
    booked = slots.BusyTimes(provider.booked)
    s0, s1 = availability.span_of_days(first_day, last_day, zones)
    held = {rid: slots.BusyTimes(spans) for rid, spans in
            (await availability.resource_busy(db, practice_id, place.resource_ids, s0, s1)).items()}
    for p in planned:
        a0, a1 = p.place.starts_at, p.place.ends_at
        day = a0.astimezone(place.zone).date()
        if not r.overbook and not slots.fits(provider, day, zones, place.appointment_type.id, place.location.id,
                                             a0, a1):
            p.problem_reason, p.problem = "OUTSIDE_TEMPLATE", "outside the provider's hours, lunch or time off"
        elif not r.overbook and booked.overlaps(a0, a1):
            p.problem_reason, p.problem = "SLOT_TAKEN", "the provider is booked then"
        elif not r.overbook and any(h.overlaps(a0, a1) for h in held.values()):
            p.problem_reason, p.problem = "SLOT_TAKEN", "a room or piece of equipment it needs is booked then"


def occurrence_message(p: Planned, appointment_id: int = 0) -> pb.SeriesOccurrence:
    return pb.SeriesOccurrence(starts_at=ts(p.place.starts_at),
                               local_start=rules.local_text(p.place.starts_at, p.place.zone),
                               free=not p.problem_reason, problem_reason=p.problem_reason, problem=p.problem,
                               appointment_id=appointment_id)


async def preview(ctx: CallContext, req: pb.PreviewSeriesRequest) -> list[pb.SeriesOccurrence]:
    _, planned = await plan(ctx, req.first, req.recurrence)
    return [occurrence_message(p) for p in planned]


async def book_series(ctx: CallContext, req: pb.BookSeriesRequest) -> pb.BookSeriesResponse:
    db, practice_id = ctx.db, ctx.practice_id
    # Locked before checking, so what the check finds free is still free when it is written.
    await booking.lock_schedules(db, practice_id, [req.first.provider_id], list(req.first.resource_ids))
    r, planned = await plan(ctx, req.first, req.recurrence)
    await booking.lock_schedules(db, practice_id, [], r.place.resource_ids)
    await booking.check_eligibility(db, practice_id, r.patient_id, r.place.appointment_type, r.place.starts_at)
    blocked = [p for p in planned if p.problem_reason]
    if blocked and not req.skip_conflicts:
        when = ", ".join(p.place.starts_at.astimezone(p.place.zone).strftime("%a %d %b %H:%M") for p in blocked[:5])
        raise RuleViolation(f"{len(blocked)} of the {len(planned)} occurrences cannot be booked ({when}"
                            f"{'...' if len(blocked) > 5 else ''}); book the free ones only, or change the series.",
                            "SERIES_CONFLICTS", {"conflicts": str(len(blocked))})
    if len(blocked) == len(planned):
        raise RuleViolation("None of the occurrences can be booked.", "SERIES_CONFLICTS",
                            {"conflicts": str(len(blocked))})
    series = AppointmentSeries(practice_id=practice_id, recurrence=describe(req.recurrence),
                               created_by=ctx.session.user_id if ctx.session else None)
    db.add(series)
    await db.flush()
    out = []
    for p in planned:
        appointment_id = 0
        if not p.problem_reason:
            appointment_id = (await booking.insert(ctx, r, p.place, series_id=series.id)).id
        out.append(occurrence_message(p, appointment_id))
    return pb.BookSeriesResponse(series_id=series.id, occurrences=out)


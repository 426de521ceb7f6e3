"""Where an appointment can go: a provider's template on a day, minus time off and what is booked.

Pure functions over plain data (the service loads it): easy to test, and the same rules answer both
"find me a slot" and "does this booking fit the template".
"""

from __future__ import annotations

import bisect
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from server.scheduling.rules import SLOT_STEP_MINUTES, local_datetime

Interval = tuple[datetime, datetime]


@dataclass(frozen=True)
class Block:
    provider_id: int
    location_id: int
    weekday: int
    start_minute: int
    end_minute: int
    kind: str
    appointment_type_ids: tuple[int, ...] = ()
    effective_from: date | None = None
    effective_until: date | None = None

    def applies_on(self, day: date) -> bool:
        return (day.isoweekday() == self.weekday
                and (self.effective_from is None or day >= self.effective_from)
                and (self.effective_until is None or day <= self.effective_until))

    def accepts(self, appointment_type_id: int) -> bool:
        return not self.appointment_type_ids or appointment_type_id in self.appointment_type_ids

    def on(self, day: date, zone: ZoneInfo) -> Interval:
        return local_datetime(day, self.start_minute, zone), local_datetime(day, self.end_minute, zone)


@dataclass(frozen=True)
class OpenTime:
    provider_id: int
    location_id: int
    starts_at: datetime
    ends_at: datetime
    # Where the slot grid starts (the template block's start), so starts line up with the calendar's rows.
    grid_origin: datetime


@dataclass
class ProviderDay:
    """What is known about one provider for the days searched."""

    provider_id: int
    blocks: list[Block]
    # Time off: exceptions of the provider and practice-wide ones.
    time_off: list[Interval] = field(default_factory=list)
    # Appointments that hold the provider's time.
    booked: list[Interval] = field(default_factory=list)


def subtract(spans: list[Interval], cuts: Iterable[Interval]) -> list[Interval]:
    """Half-open intervals minus others: [9:00, 12:00) minus [10:00, 10:30) is [9:00, 10:00) and [10:30, 12:00)."""
    out = spans
    for c0, c1 in cuts:
        nxt: list[Interval] = []
        for s0, s1 in out:
            if c1 <= s0 or c0 >= s1:
                nxt.append((s0, s1))
                continue
            if s0 < c0:
                nxt.append((s0, c0))
            if c1 < s1:
                nxt.append((c1, s1))
        out = nxt
    return out


def open_time(provider: ProviderDay, day: date, zones: dict[int, ZoneInfo], appointment_type_id: int,
              location_id: int = 0) -> list[OpenTime]:
    """Bookable time on one local day: available blocks that accept the type, minus lunch/admin blocks and
    time off. ``location_id`` 0 means any location."""
    closed: list[Interval] = [b.on(day, zones[b.location_id]) for b in provider.blocks
                              if b.kind != "available" and b.applies_on(day)]
    closed += provider.time_off
    out: list[OpenTime] = []
    for b in provider.blocks:
        if b.kind != "available" or not b.applies_on(day) or not b.accepts(appointment_type_id):
            continue
        if location_id and b.location_id != location_id:
            continue
        start, end = b.on(day, zones[b.location_id])
        for s0, s1 in subtract([(start, end)], closed):
            out.append(OpenTime(provider.provider_id, b.location_id, s0, s1, start))
    return out


def fits(provider: ProviderDay, day: date, zones: dict[int, ZoneInfo], appointment_type_id: int, location_id: int,
         starts_at: datetime, ends_at: datetime) -> bool:
    """The appointment lies inside one stretch of open template time at its location."""
    return any(o.starts_at <= starts_at and ends_at <= o.ends_at
               for o in open_time(provider, day, zones, appointment_type_id, location_id))


@dataclass(frozen=True)
class SlotQuery:
    appointment_type_id: int
    duration: timedelta
    first_day: date
    last_day: date
    location_id: int = 0
    # Local start-of-appointment window in minutes after midnight; None: any.
    earliest_minute: int | None = None
    latest_minute: int | None = None
    weekdays: frozenset[int] = frozenset()
    limit: int = 20
    # No slot starts before this instant (now).
    not_before: datetime | None = None
    step: timedelta = timedelta(minutes=SLOT_STEP_MINUTES)


@dataclass(frozen=True)
class FoundSlot:
    provider_id: int
    location_id: int
    starts_at: datetime
    ends_at: datetime


class BusyTimes:
    """Intervals sorted by start with the running latest end: "does [s0, s1) overlap any?" in O(log n)."""

    def __init__(self, spans: Iterable[Interval]) -> None:
        ordered = sorted(spans)
        self.starts = [s for s, _ in ordered]
        self.latest_end: list[datetime] = []
        for _, e in ordered:
            self.latest_end.append(max(e, self.latest_end[-1]) if self.latest_end else e)

    def overlaps(self, s0: datetime, s1: datetime) -> bool:
        # Intervals starting before s1 overlap iff the latest of their ends is after s0.
        i = bisect.bisect_left(self.starts, s1)
        return i > 0 and self.latest_end[i - 1] > s0


def find_slots(q: SlotQuery, providers: Sequence[ProviderDay], zones: dict[int, ZoneInfo],
               resource_busy: dict[int, list[Interval]] | None = None,
               resources_for: dict[int, tuple[int, ...]] | None = None) -> list[FoundSlot]:
    """The earliest free slots, day by day, ordered by start then provider.

    ``resources_for`` maps a location to the resources the type holds there; a slot is free only when each of
    them is free too (``resource_busy``).
    """
    resources_for = resources_for or {}
    busy = {p.provider_id: BusyTimes(p.booked) for p in providers}
    held = {rid: BusyTimes(spans) for rid, spans in (resource_busy or {}).items()}
    found: list[FoundSlot] = []
    day = q.first_day
    while day <= q.last_day and len(found) < q.limit:
        if not q.weekdays or day.isoweekday() in q.weekdays:
            today: list[FoundSlot] = []
            for p in providers:
                for o in open_time(p, day, zones, q.appointment_type_id, q.location_id):
                    needed = [held[r] for r in resources_for.get(o.location_id, ()) if r in held]
                    today += _slots_in(q, o, zones[o.location_id], busy[p.provider_id], needed)
            today.sort(key=lambda s: (s.starts_at, s.provider_id, s.location_id))
            found += today
        day += timedelta(days=1)
    return found[:q.limit]


def _slots_in(q: SlotQuery, o: OpenTime, zone: ZoneInfo, busy: BusyTimes, resources: list[BusyTimes]
              ) -> list[FoundSlot]:
    out: list[FoundSlot] = []
    # First grid point at or after the open stretch's start.
    offset = (o.starts_at - o.grid_origin) % q.step
    t = o.starts_at if not offset else o.starts_at + (q.step - offset)
    while t + q.duration <= o.ends_at:
        end = t + q.duration
        local = t.astimezone(zone)
        minute = local.hour * 60 + local.minute
        in_window = ((q.earliest_minute is None or minute >= q.earliest_minute)
                     and (q.latest_minute is None or minute <= q.latest_minute))
        if in_window and (q.not_before is None or t >= q.not_before) \
                and not busy.overlaps(t, end) and not any(r.overlaps(t, end) for r in resources):
            out.append(FoundSlot(o.provider_id, o.location_id, t, end))
        t += q.step
    return out

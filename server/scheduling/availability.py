"""Loads what slots.py reasons over: templates, time off and bookings of providers for a span of local days."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy.ext.asyncio import AsyncSession

from server.db import raw
from server.scheduling import slots


async def location_zones(db: AsyncSession, practice_id: int) -> dict[int, ZoneInfo]:
    rows = await raw.fetch_all(db, "SELECT id, time_zone FROM location WHERE practice_id = :p", {"p": practice_id})
    return {loc_id: ZoneInfo(tz) for loc_id, tz in rows}


def span_of_days(first: date, last: date, zones: dict[int, ZoneInfo]) -> tuple[datetime, datetime]:
    """Instants that cover the local days in every zone involved (a day or so of margin is harmless)."""
    zs = list(zones.values()) or [ZoneInfo("UTC")]
    start = min(datetime.combine(first, datetime.min.time(), z) for z in zs)
    end = max(datetime.combine(last + timedelta(days=1), datetime.min.time(), z) for z in zs)
    return start, end


# Only the blocks that can apply on the days asked for.
_BLOCKS_SQL = """
SELECT provider_id, location_id, weekday, start_minute, end_minute, kind, appointment_type_ids, effective_from,
       effective_until
  FROM template_block
 WHERE practice_id = :p AND provider_id = ANY(:providers) AND weekday = ANY(:weekdays)
   AND (effective_from IS NULL OR effective_from <= :last) AND (effective_until IS NULL OR effective_until >= :first)
 ORDER BY provider_id, weekday, start_minute"""

_BOOKED_SQL = """
SELECT provider_id, starts_at, ends_at FROM appointment
 WHERE practice_id = :p AND provider_id = ANY(:providers) AND holds_time AND during && tstzrange(:s0, :s1, '[)')
   AND starts_at < :s1 AND starts_at > CAST(:s0 AS timestamptz) - interval '8 hours'
   AND id <> :skip"""
# The starts_at bounds let the (provider, starts_at) index find the span; no appointment is longer than 8 hours
# (rules.MAX_APPOINTMENT_MINUTES), so none that overlaps the span starts earlier.

_TIME_OFF_SQL = """
SELECT provider_id, lower(during), upper(during) FROM schedule_exception
 WHERE practice_id = :p AND (provider_id IS NULL OR provider_id = ANY(:providers))
   AND during && tstzrange(:s0, :s1, '[)')"""

_RESOURCE_SQL = """
SELECT ar.resource_id, lower(ar.during), upper(ar.during) FROM appointment_resource ar
 WHERE ar.practice_id = :p AND ar.resource_id = ANY(:resources) AND ar.during && tstzrange(:s0, :s1, '[)')
   AND ar.appointment_id <> :skip"""


async def provider_days(db: AsyncSession, practice_id: int, provider_ids: list[int], first: date, last: date,
                        zones: dict[int, ZoneInfo], *, skip_appointment: int = 0, bookings: bool = True
                        ) -> list[slots.ProviderDay]:
    """Each provider's blocks, time off and (unless ``bookings`` is false) booked time over [first, last] (local
    days).

    ``skip_appointment``: leave one appointment out (the one being moved frees its own time).
    """
    s0, s1 = span_of_days(first, last, zones)
    params = {"p": practice_id, "providers": provider_ids, "s0": s0, "s1": s1, "skip": skip_appointment,
              "weekdays": sorted({(first + timedelta(days=i)).isoweekday() for i in range(min(7, (last - first).days
                                                                                              + 1))}),
              "first": first, "last": last}
    days = {pid: slots.ProviderDay(pid, []) for pid in provider_ids}
    for b in await raw.fetch_all(db, _BLOCKS_SQL, params):
        days[b.provider_id].blocks.append(slots.Block(
            b.provider_id, b.location_id, b.weekday, b.start_minute, b.end_minute, b.kind,
            tuple(b.appointment_type_ids), b.effective_from, b.effective_until))
    if bookings:
        for pid, a0, a1 in await raw.fetch_all(db, _BOOKED_SQL, params):
            days[pid].booked.append((a0, a1))
    for pid, e0, e1 in await raw.fetch_all(db, _TIME_OFF_SQL, params):
        for d in ([days[pid]] if pid is not None else days.values()):
            d.time_off.append((e0, e1))
    return list(days.values())


async def resources_by_location(db: AsyncSession, practice_id: int, appointment_type_id: int
                                ) -> dict[int, tuple[int, ...]]:
    """The resources an appointment type holds, per location (a type's rooms exist at some locations only)."""
    rows = await raw.fetch_all(db, """
        SELECT r.location_id, r.id FROM resource r
          JOIN appointment_type_resource tr ON tr.practice_id = r.practice_id AND tr.resource_id = r.id
         WHERE r.practice_id = :p AND tr.appointment_type_id = :t AND r.active
         ORDER BY r.id""", {"p": practice_id, "t": appointment_type_id})
    out: dict[int, list[int]] = {}
    for loc, rid in rows:
        out.setdefault(loc, []).append(rid)
    return {loc: tuple(ids) for loc, ids in out.items()}


async def resource_busy(db: AsyncSession, practice_id: int, resource_ids: list[int], s0: datetime, s1: datetime,
                        *, skip_appointment: int = 0) -> dict[int, list[slots.Interval]]:
    out: dict[int, list[slots.Interval]] = {r: [] for r in resource_ids}
    if resource_ids:
        for rid, b0, b1 in await raw.fetch_all(db, _RESOURCE_SQL, {"p": practice_id, "resources": resource_ids,
                                                            "s0": s0, "s1": s1, "skip": skip_appointment}):
            out[rid].append((b0, b1))
    return out

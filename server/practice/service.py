"""Creating a practice and changing its settings."""

from __future__ import annotations

import time
from datetime import date, datetime
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from server.audit.chain import ensure_chain
from server.errors import FieldErrors, NotFound, StaleVersion
from server.practice.models import Practice


async def create_practice(db: AsyncSession, name: str, time_zone: str = "America/New_York") -> Practice:
    errors = FieldErrors()
    _check_name(errors, name)
    _check_time_zone(errors, time_zone)
    errors.raise_if_any()
    practice = Practice(name=name.strip(), time_zone=time_zone)
    db.add(practice)
    await db.flush()
    await ensure_chain(db, practice.id)
    return practice


async def get_practice(db: AsyncSession, practice_id: int, *, for_update: bool = False) -> Practice:
    stmt = select(Practice).where(Practice.id == practice_id)
    if for_update:
        stmt = stmt.with_for_update()
    practice = (await db.execute(stmt)).scalar_one_or_none()
    if practice is None:
        raise NotFound("No such practice.")
    return practice


async def update_settings(db: AsyncSession, practice_id: int, *, name: str, idle_timeout_minutes: int,
                          workstation_cert_days: int, time_zone: str, version: int) -> Practice:
    practice = await get_practice(db, practice_id, for_update=True)
    if version != practice.version:
        raise StaleVersion("practice settings")
    errors = FieldErrors()
    _check_name(errors, name)
    _check_time_zone(errors, time_zone)
    if not 1 <= idle_timeout_minutes <= 720:
        errors.add("settings.idle_timeout_minutes", "must be between 1 and 720")
    if not 1 <= workstation_cert_days <= 825:
        errors.add("settings.workstation_cert_days", "must be between 1 and 825")
    errors.raise_if_any()
    practice.name = name.strip()
    practice.idle_timeout_minutes = idle_timeout_minutes
    practice.workstation_cert_days = workstation_cert_days
    practice.time_zone = time_zone
    _zones.pop(practice_id, None)
    practice.version += 1
    return practice


def _check_name(errors: FieldErrors, name: str) -> None:
    if not name.strip():
        errors.add("settings.practice_name", "is required")
    elif len(name.strip()) > 200:
        errors.add("settings.practice_name", "must be at most 200 characters")


def _check_time_zone(errors: FieldErrors, tz: str) -> None:
    try:
        ZoneInfo(tz)
    except (ZoneInfoNotFoundError, ValueError):
        errors.add("settings.time_zone", "is not a known IANA time zone (e.g. America/Chicago)")


# Practice time zones change rarely; a minute-old answer is fine for deciding what "today" is.
_ZONE_TTL_S = 60.0
_zones: dict[int, tuple[float, ZoneInfo]] = {}


async def practice_zone(db: AsyncSession, practice_id: int) -> ZoneInfo:
    """The practice's time zone (cached for a minute; a settings change forgets it at once)."""
    cached = _zones.get(practice_id)
    if cached is None or cached[0] < time.monotonic():
        zone_name = (await db.execute(select(Practice.time_zone).where(Practice.id == practice_id))).scalar_one()
        cached = (time.monotonic() + _ZONE_TTL_S, ZoneInfo(zone_name))
        _zones[practice_id] = cached
    return cached[1]


async def practice_today(db: AsyncSession, practice_id: int) -> date:
    """Today's date where the practice is (not where the server's clock is)."""
    return datetime.now(await practice_zone(db, practice_id)).date()

"""Schedule set-up: providers, locations, resources, appointment types, weekly templates and exceptions."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import delete, or_, select
from sqlalchemy.dialects.postgresql import Range
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from server.common import contact_rules
from server.common.persistence import add_unique
from server.errors import FieldErrors, InvalidArgument, NotFound, StaleVersion
from server.practice.models import Practice
from server.scheduling import rules
from server.scheduling.models import (
    TEMPLATE_OVERLAP_EXCLUSION,
    AppointmentType,
    AppointmentTypeResource,
    Location,
    Provider,
    Resource,
    ScheduleException,
    TemplateBlock,
)
from shared import dates
from shared.pms.common.v1 import contact_pb2
from shared.pms.scheduling.v1 import setup_pb2 as pb

RESOURCE_KINDS = {pb.RESOURCE_KIND_ROOM: "room", pb.RESOURCE_KIND_EQUIPMENT: "equipment"}
ELIGIBILITY = {pb.PATIENT_ELIGIBILITY_ANY: "any", pb.PATIENT_ELIGIBILITY_NEW: "new",
               pb.PATIENT_ELIGIBILITY_ESTABLISHED: "established"}
BLOCK_KINDS = {pb.BLOCK_KIND_AVAILABLE: "available", pb.BLOCK_KIND_LUNCH: "lunch", pb.BLOCK_KIND_ADMIN: "admin"}
EXCEPTION_KINDS = {pb.EXCEPTION_KIND_VACATION: "vacation", pb.EXCEPTION_KIND_HOLIDAY: "holiday",
                   pb.EXCEPTION_KIND_HALF_DAY: "half_day", pb.EXCEPTION_KIND_MEETING: "meeting",
                   pb.EXCEPTION_KIND_OTHER: "other"}


def _number(mapping: dict[Any, str], value: str) -> Any:
    return next(k for k, v in mapping.items() if v == value)


def _bump(row: Any, version: int, what: str) -> None:
    if version != row.version:
        raise StaleVersion(what)
    row.version += 1
    if hasattr(row, "updated_at"):
        row.updated_at = datetime.now(UTC)


async def get_row(db: AsyncSession, model: Any, practice_id: int, row_id: int, what: str, *,
               for_update: bool = False) -> Any:
    stmt = select(model).where(model.practice_id == practice_id, model.id == row_id)
    if for_update:
        stmt = stmt.with_for_update()
    row = (await db.execute(stmt)).scalar_one_or_none()
    if row is None:
        raise NotFound(f"No such {what}.")
    return row


async def _exists(db: AsyncSession, model: Any, practice_id: int, ids: set[int]) -> set[int]:
    if not ids:
        return set()
    found = await db.execute(select(model.id).where(model.practice_id == practice_id, model.id.in_(ids)))
    return {r[0] for r in found}


# -- providers ------------------------------------------------------------------------------
def provider_message(p: Provider) -> pb.Provider:
    return pb.Provider(provider_id=p.id, first_name=p.first_name, last_name=p.last_name, credentials=p.credentials,
                       npi=p.npi, taxonomy_code=p.taxonomy_code, active=p.active, version=p.version,
                       template_version=p.template_version)


def provider_values(p: pb.Provider) -> dict[str, Any]:
    errors = FieldErrors()
    first = contact_rules.person_name_part(errors, "provider.first_name", p.first_name, required=True)
    last = contact_rules.person_name_part(errors, "provider.last_name", p.last_name, required=True)
    credentials = contact_rules.text(errors, "provider.credentials", p.credentials, max_len=20)
    npi = p.npi.strip()
    if not npi:
        errors.add("provider.npi", "is required")
    elif not rules.npi_is_valid(npi):
        errors.add("provider.npi", "is not a valid NPI (10 digits with a correct check digit)")
    taxonomy = p.taxonomy_code.strip().upper()
    if not rules.taxonomy_is_valid(taxonomy):
        errors.add("provider.taxonomy_code", "must be a NUCC taxonomy code such as 207Q00000X")
    errors.raise_if_any()
    return {"first_name": first, "last_name": last, "credentials": credentials, "npi": npi,
            "taxonomy_code": taxonomy, "active": p.active}


async def list_providers(db: AsyncSession, practice_id: int, include_inactive: bool) -> list[Provider]:
    stmt = select(Provider).where(Provider.practice_id == practice_id)
    if not include_inactive:
        stmt = stmt.where(Provider.active)
    return list((await db.execute(stmt.order_by(Provider.last_name, Provider.first_name, Provider.id))).scalars())


async def save_provider(db: AsyncSession, practice_id: int, p: pb.Provider) -> Provider:
    values = provider_values(p)
    if not p.provider_id:
        row = Provider(practice_id=practice_id, version=1, template_version=1, **{**values, "active": True})
    else:
        row = await get_row(db, Provider, practice_id, p.provider_id, "provider", for_update=True)
        _bump(row, p.version, "provider")
        for key, value in values.items():
            setattr(row, key, value)
    await add_unique(db, row, "provider.npi", "another provider has this NPI")
    await db.refresh(row)
    return row


# -- locations -------------------------------------------------------------------------------
def location_message(loc: Location) -> pb.Location:
    return pb.Location(
        location_id=loc.id, name=loc.name,
        address=contact_pb2.PostalAddress(line1=loc.address_line1, line2=loc.address_line2, city=loc.city,
                                          state=loc.state, zip=loc.zip),
        phone=contact_pb2.Phone(type=contact_pb2.PHONE_TYPE_WORK, number=loc.phone) if loc.phone else None,
        place_of_service=loc.place_of_service, time_zone=loc.time_zone, active=loc.active, version=loc.version)


def location_values(loc: pb.Location) -> dict[str, Any]:
    errors = FieldErrors()
    name = contact_rules.text(errors, "location.name", loc.name, required=True)
    addr = contact_rules.address(errors, "location.address", loc.address, required=False)
    phone = contact_rules.phone_number(errors, "location.phone.number", loc.phone.number)
    pos = loc.place_of_service.strip()
    if not rules.place_of_service_is_valid(pos):
        errors.add("location.place_of_service", "must be a two-digit CMS place-of-service code such as 11")
    tz = rules.time_zone(errors, "location.time_zone", loc.time_zone)
    errors.raise_if_any()
    return {"name": name, "address_line1": addr["line1"], "address_line2": addr["line2"], "city": addr["city"],
            "state": addr["state"], "zip": addr["zip"], "phone": phone, "place_of_service": pos, "time_zone": tz,
            "active": loc.active}


async def list_locations(db: AsyncSession, practice_id: int, include_inactive: bool) -> list[Location]:
    stmt = select(Location).where(Location.practice_id == practice_id)
    if not include_inactive:
        stmt = stmt.where(Location.active)
    return list((await db.execute(stmt.order_by(Location.name))).scalars())


async def save_location(db: AsyncSession, practice_id: int, loc: pb.Location) -> Location:
    values = location_values(loc)
    if not loc.location_id:
        row = Location(practice_id=practice_id, version=1, **{**values, "active": True})
    else:
        row = await get_row(db, Location, practice_id, loc.location_id, "location", for_update=True)
        _bump(row, loc.version, "location")
        for key, value in values.items():
            setattr(row, key, value)
    await add_unique(db, row, "location.name", "another location has this name")
    await db.refresh(row)
    return row


# -- resources -------------------------------------------------------------------------------
def resource_message(r: Resource) -> pb.Resource:
    return pb.Resource(resource_id=r.id, location_id=r.location_id, name=r.name,
                       kind=_number(RESOURCE_KINDS, r.kind), active=r.active, version=r.version)


async def list_resources(db: AsyncSession, practice_id: int, location_id: int, include_inactive: bool
                         ) -> list[Resource]:
    stmt = select(Resource).where(Resource.practice_id == practice_id)
    if location_id:
        stmt = stmt.where(Resource.location_id == location_id)
    if not include_inactive:
        stmt = stmt.where(Resource.active)
    return list((await db.execute(stmt.order_by(Resource.location_id, Resource.name))).scalars())


async def save_resource(db: AsyncSession, practice_id: int, r: pb.Resource) -> Resource:
    errors = FieldErrors()
    name = contact_rules.text(errors, "resource.name", r.name, required=True, max_len=60)
    kind = RESOURCE_KINDS.get(r.kind)
    if kind is None:
        errors.add("resource.kind", "must be a room or equipment")
    if not await _exists(db, Location, practice_id, {r.location_id}):
        errors.add("resource.location_id", "is not a location of this practice")
    errors.raise_if_any()
    values = {"name": name, "kind": kind, "location_id": r.location_id, "active": r.active}
    if not r.resource_id:
        row = Resource(practice_id=practice_id, version=1, **{**values, "active": True})
    else:
        row = await get_row(db, Resource, practice_id, r.resource_id, "resource", for_update=True)
        _bump(row, r.version, "resource")
        for key, value in values.items():
            setattr(row, key, value)
    await add_unique(db, row, "resource.name", "this location has a resource with this name")
    await db.refresh(row)
    return row


# -- appointment types -----------------------------------------------------------------------
async def type_resource_ids(db: AsyncSession, practice_id: int, type_ids: list[int]) -> dict[int, list[int]]:
    out: dict[int, list[int]] = {t: [] for t in type_ids}
    if type_ids:
        rows = await db.execute(select(AppointmentTypeResource.appointment_type_id,
                                       AppointmentTypeResource.resource_id)
                                .where(AppointmentTypeResource.practice_id == practice_id,
                                       AppointmentTypeResource.appointment_type_id.in_(type_ids))
                                .order_by(AppointmentTypeResource.resource_id))
        for type_id, resource_id in rows:
            out[type_id].append(resource_id)
    return out


def appointment_type_message(t: AppointmentType, resource_ids: list[int]) -> pb.AppointmentType:
    return pb.AppointmentType(appointment_type_id=t.id, name=t.name, default_minutes=t.default_minutes,
                              color=t.color, resource_ids=resource_ids,
                              eligibility=_number(ELIGIBILITY, t.eligibility), active=t.active, version=t.version)


async def list_appointment_types(db: AsyncSession, practice_id: int, include_inactive: bool
                                 ) -> list[pb.AppointmentType]:
    stmt = select(AppointmentType).where(AppointmentType.practice_id == practice_id)
    if not include_inactive:
        stmt = stmt.where(AppointmentType.active)
    rows = list((await db.execute(stmt.order_by(AppointmentType.name))).scalars())
    held = await type_resource_ids(db, practice_id, [t.id for t in rows])
    return [appointment_type_message(t, held[t.id]) for t in rows]


async def save_appointment_type(db: AsyncSession, practice_id: int, t: pb.AppointmentType) -> pb.AppointmentType:
    errors = FieldErrors()
    name = contact_rules.text(errors, "appointment_type.name", t.name, required=True, max_len=60)
    rules.minutes(errors, "appointment_type.default_minutes", t.default_minutes)
    if t.color not in rules.COLORS:
        errors.add("appointment_type.color", "must be one of " + ", ".join(rules.COLORS))
    eligibility = ELIGIBILITY.get(t.eligibility)
    if eligibility is None:
        errors.add("appointment_type.eligibility", "must be any, new or established patients")
    wanted = set(t.resource_ids)
    missing = wanted - await _exists(db, Resource, practice_id, wanted)
    if missing:
        errors.add("appointment_type.resource_ids", "names a resource this practice does not have")
    errors.raise_if_any()
    values = {"name": name, "default_minutes": t.default_minutes, "color": t.color, "eligibility": eligibility,
              "active": t.active}
    if not t.appointment_type_id:
        row = AppointmentType(practice_id=practice_id, version=1, **{**values, "active": True})
    else:
        row = await get_row(db, AppointmentType, practice_id, t.appointment_type_id, "appointment type",
                         for_update=True)
        _bump(row, t.version, "appointment type")
        for key, value in values.items():
            setattr(row, key, value)
    await add_unique(db, row, "appointment_type.name", "another appointment type has this name")
    await db.execute(delete(AppointmentTypeResource).where(AppointmentTypeResource.practice_id == practice_id,
                                                           AppointmentTypeResource.appointment_type_id == row.id))
    db.add_all(AppointmentTypeResource(practice_id=practice_id, appointment_type_id=row.id, resource_id=r)
               for r in sorted(wanted))
    await db.flush()
    await db.refresh(row)
    return appointment_type_message(row, sorted(wanted))


# -- weekly templates --------------------------------------------------------------------------
def block_message(b: TemplateBlock) -> pb.TemplateBlock:
    return pb.TemplateBlock(location_id=b.location_id, weekday=b.weekday, start_minute=b.start_minute,
                            end_minute=b.end_minute, kind=_number(BLOCK_KINDS, b.kind),
                            appointment_type_ids=list(b.appointment_type_ids),
                            effective_from=dates.to_pb(b.effective_from),
                            effective_until=dates.to_pb(b.effective_until))


async def template_blocks(db: AsyncSession, practice_id: int, provider_ids: list[int]) -> list[TemplateBlock]:
    if not provider_ids:
        return []
    return list((await db.execute(
        select(TemplateBlock).where(TemplateBlock.practice_id == practice_id,
                                    TemplateBlock.provider_id.in_(provider_ids))
        .order_by(TemplateBlock.provider_id, TemplateBlock.weekday, TemplateBlock.start_minute, TemplateBlock.id)
    )).scalars())


def _overlap(a: dict[str, Any], b: dict[str, Any]) -> bool:
    if a["weekday"] != b["weekday"] or a["kind"] != "available" or b["kind"] != "available":
        return False
    if a["end_minute"] <= b["start_minute"] or b["end_minute"] <= a["start_minute"]:
        return False
    a0, a1 = a["effective_from"] or date.min, a["effective_until"] or date.max
    b0, b1 = b["effective_from"] or date.min, b["effective_until"] or date.max
    return a0 <= b1 and b0 <= a1


async def set_template(db: AsyncSession, practice_id: int, provider_id: int, blocks: list[pb.TemplateBlock],
                       template_version: int) -> Provider:
    provider = await get_row(db, Provider, practice_id, provider_id, "provider", for_update=True)
    if template_version != provider.template_version:
        raise StaleVersion("provider's template")
    errors = FieldErrors()
    locations = await _exists(db, Location, practice_id, {b.location_id for b in blocks})
    types = await _exists(db, AppointmentType, practice_id, {t for b in blocks for t in b.appointment_type_ids})
    values: list[dict[str, Any]] = []
    for i, b in enumerate(blocks):
        f = f"blocks[{i}]"
        if b.location_id not in locations:
            errors.add(f"{f}.location_id", "is not a location of this practice")
        if not 1 <= b.weekday <= 7:
            errors.add(f"{f}.weekday", "must be 1 (Monday) to 7 (Sunday)")
        if not (0 <= b.start_minute < b.end_minute <= 1440) or b.start_minute % 5 or b.end_minute % 5:
            errors.add(f"{f}.end_minute", "must be after the start, within the day, on the 5-minute grid")
        kind = BLOCK_KINDS.get(b.kind)
        if kind is None:
            errors.add(f"{f}.kind", "must be available, lunch or admin")
        if set(b.appointment_type_ids) - types:
            errors.add(f"{f}.appointment_type_ids", "names an appointment type this practice does not have")
        start = contact_rules.calendar_date(errors, f"{f}.effective_from", b.effective_from, required=False)
        until = contact_rules.calendar_date(errors, f"{f}.effective_until", b.effective_until, required=False)
        if start and until and until < start:
            errors.add(f"{f}.effective_until", "must not be before effective_from")
        values.append({"location_id": b.location_id, "weekday": b.weekday, "start_minute": b.start_minute,
                       "end_minute": b.end_minute, "kind": kind, "appointment_type_ids": sorted(set(
                           b.appointment_type_ids)), "effective_from": start, "effective_until": until})
    for i, a in enumerate(values):
        for j in range(i):
            if _overlap(a, values[j]):
                errors.add(f"blocks[{i}]", f"overlaps blocks[{j}]: a provider is in one place at a time")
    errors.raise_if_any()
    await db.execute(delete(TemplateBlock).where(TemplateBlock.practice_id == practice_id,
                                                 TemplateBlock.provider_id == provider_id))
    db.add_all(TemplateBlock(practice_id=practice_id, provider_id=provider_id, **v) for v in values)
    try:
        async with db.begin_nested():
            await db.flush()
    except IntegrityError as exc:  # the database's own check of the same rule
        if TEMPLATE_OVERLAP_EXCLUSION in str(exc.orig):
            raise InvalidArgument.one("blocks", "available blocks overlap") from exc
        raise
    provider.template_version += 1
    provider.updated_at = datetime.now(UTC)
    await db.flush()
    return provider


# -- exceptions --------------------------------------------------------------------------------
async def practice_zone(db: AsyncSession, practice_id: int) -> ZoneInfo:
    name = (await db.execute(select(Practice.time_zone).where(Practice.id == practice_id))).scalar_one()
    return ZoneInfo(name)


def exception_message(e: ScheduleException) -> pb.ScheduleException:
    return pb.ScheduleException(exception_id=e.id, provider_id=e.provider_id or 0,
                                kind=_number(EXCEPTION_KINDS, e.kind), first_date=dates.to_pb(e.first_date),
                                last_date=dates.to_pb(e.last_date), start_minute=e.start_minute,
                                end_minute=e.end_minute, note=e.note)


def exception_span(first: date, last: date, start_minute: int, end_minute: int, zone: ZoneInfo
                   ) -> tuple[datetime, datetime]:
    """Whole days (both minutes 0) run from the first day's midnight to the midnight after the last day."""
    if start_minute == 0 and end_minute == 0:
        return rules.local_datetime(first, 0, zone), rules.local_datetime(last + timedelta(days=1), 0, zone)
    return rules.local_datetime(first, start_minute, zone), rules.local_datetime(last, end_minute, zone)


async def add_exception(db: AsyncSession, practice_id: int, user_id: int | None, e: pb.ScheduleException
                        ) -> ScheduleException:
    errors = FieldErrors()
    if e.provider_id and not await _exists(db, Provider, practice_id, {e.provider_id}):
        errors.add("exception.provider_id", "is not a provider of this practice")
    kind = EXCEPTION_KINDS.get(e.kind)
    if kind is None:
        errors.add("exception.kind", "must be vacation, holiday, half day, meeting or other")
    first = contact_rules.calendar_date(errors, "exception.first_date", e.first_date, required=True)
    last = contact_rules.calendar_date(errors, "exception.last_date", e.last_date, required=True)
    if first and last and last < first:
        errors.add("exception.last_date", "must not be before first_date")
    whole_days = e.start_minute == 0 and e.end_minute == 0
    if not whole_days:
        for name, value in (("start_minute", e.start_minute), ("end_minute", e.end_minute)):
            if not 0 <= value <= 1440 or value % 5:
                errors.add(f"exception.{name}", "must be 0 to 1440 on the 5-minute grid")
        if first == last and e.end_minute <= e.start_minute:
            errors.add("exception.end_minute", "must be after start_minute")
    note = contact_rules.text(errors, "exception.note", e.note, max_len=200)
    errors.raise_if_any()
    assert first is not None and last is not None and kind is not None
    zone = await practice_zone(db, practice_id)
    s0, s1 = exception_span(first, last, e.start_minute, e.end_minute, zone)
    row = ScheduleException(practice_id=practice_id, provider_id=e.provider_id or None, kind=kind,
                            first_date=first, last_date=last, start_minute=e.start_minute, end_minute=e.end_minute,
                            during=Range(s0, s1), note=note, created_by=user_id)
    db.add(row)
    await db.flush()
    await db.refresh(row)
    return row


async def list_exceptions(db: AsyncSession, practice_id: int, provider_id: int, first: date | None,
                          last: date | None) -> list[ScheduleException]:
    stmt = select(ScheduleException).where(ScheduleException.practice_id == practice_id)
    if provider_id:
        stmt = stmt.where(or_(ScheduleException.provider_id == provider_id, ScheduleException.provider_id.is_(None)))
    if first:
        stmt = stmt.where(ScheduleException.last_date >= first)
    if last:
        stmt = stmt.where(ScheduleException.first_date <= last)
    return list((await db.execute(stmt.order_by(ScheduleException.first_date, ScheduleException.id))).scalars())


async def remove_exception(db: AsyncSession, practice_id: int, exception_id: int) -> None:
    row = await get_row(db, ScheduleException, practice_id, exception_id, "schedule exception", for_update=True)
    await db.delete(row)
    await db.flush()

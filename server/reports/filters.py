"""What a report is run for: the checked filter, the practice's calendar, and the SQL conditions it becomes.

Every condition is a bound parameter on a fixed column: nothing a caller sends is ever spliced into SQL.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any

from sqlalchemy import text

from server.errors import FieldErrors
from server.practice.service import practice_zone
from server.rpc.context import CallContext
from shared import dates
from shared.pms.reports.v1 import reports_pb2 as pb

# Reports read a lot; a caller cannot make one read decades.
MAX_RANGE_DAYS = 3 * 366


@dataclass(frozen=True)
class Filter:
    start: date
    end: date          # inclusive
    today: date
    zone: str
    provider_ids: tuple[int, ...] = ()
    location_ids: tuple[int, ...] = ()
    payer_ids: tuple[int, ...] = ()
    aging_basis: str = "date_of_service"   # or "date_billed"

    @property
    def end_exclusive(self) -> date:
        return self.end + timedelta(days=1)

    def params(self) -> dict[str, Any]:
        return {"start": self.start, "end": self.end, "end_x": self.end_exclusive, "today": self.today,
                "tz": self.zone, "providers": list(self.provider_ids), "locations": list(self.location_ids),
                "payers": list(self.payer_ids)}

    def encounter_conditions(self, alias: str) -> str:
        """Provider and location conditions on an encounter (or appointment: same column names via `names`)."""
        return self.conditions(provider=f"{alias}.rendering_provider_id", location=f"{alias}.location_id")

    def conditions(self, *, provider: str | None = None, location: str | None = None,
                   payer: str | None = None) -> str:
        out = []
        if provider and self.provider_ids:
            out.append(f"{provider} = ANY(:providers)")
        if location and self.location_ids:
            out.append(f"{location} = ANY(:locations)")
        if payer and self.payer_ids:
            out.append(f"{payer} = ANY(:payers)")
        return "".join(f" AND {c}" for c in out)

    def describe(self, *, dated: bool = True) -> str:
        parts = [f"{_day(self.start)} - {_day(self.end)}" if dated else f"as of {_day(self.today)}"]
        parts.append(f"{len(self.provider_ids)} provider(s)" if self.provider_ids else "all providers")
        if self.location_ids:
            parts.append(f"{len(self.location_ids)} location(s)")
        if self.payer_ids:
            parts.append(f"{len(self.payer_ids)} payer(s)")
        if self.aging_basis == "date_billed":
            parts.append("aged from date billed")
        return ", ".join(parts)


def _day(d: date) -> str:
    return f"{d.day} {d:%b %Y}"


def month_start(d: date) -> date:
    return d.replace(day=1)


def month_end(d: date) -> date:
    nxt = (d.replace(day=28) + timedelta(days=4)).replace(day=1)
    return nxt - timedelta(days=1)


async def practice_calendar(ctx: CallContext) -> tuple[date, str]:
    """The practice's today and time zone name (reports count days where the practice is)."""
    zone = await practice_zone(ctx.db, ctx.practice_id)
    return datetime.now(zone).date(), zone.key


async def from_request(ctx: CallContext, f: pb.ReportFilter, field: str = "filter") -> Filter:
    today, zone = await practice_calendar(ctx)
    errors = FieldErrors()
    start = _date(errors, f"{field}.from", f, "from")
    end = _date(errors, f"{field}.to", f, "to")
    if start is None and end is None:
        start, end = month_start(today), month_end(today)
    elif start is None:
        assert end is not None
        start = month_start(end)
    elif end is None:
        end = month_end(start)
    if start > end:
        errors.add(f"{field}.to", "must be on or after the start date")
    elif (end - start).days > MAX_RANGE_DAYS:
        errors.add(f"{field}.to", "must be within three years of the start date")
    for name in ("provider_ids", "location_ids", "payer_ids"):
        if any(i <= 0 for i in getattr(f, name)):
            errors.add(f"{field}.{name}", "must be record ids (positive numbers)")
        if len(getattr(f, name)) > 500:
            errors.add(f"{field}.{name}", "may name at most 500 records")
    errors.raise_if_any()
    basis = "date_billed" if f.aging_basis == pb.AGING_BASIS_DATE_BILLED else "date_of_service"
    return Filter(start=start, end=end, today=today, zone=zone, provider_ids=tuple(sorted(set(f.provider_ids))),
                  location_ids=tuple(sorted(set(f.location_ids))), payer_ids=tuple(sorted(set(f.payer_ids))),
                  aging_basis=basis)


def _date(errors: FieldErrors, name: str, f: pb.ReportFilter, attr: str) -> date | None:
    if not f.HasField(attr):  # type: ignore[arg-type]
        return None
    try:
        return dates.from_pb(getattr(f, attr))
    except ValueError:
        errors.add(name, "is not a calendar date")
        return None


async def rows(ctx: CallContext, sql: str, flt: Filter, **extra: Any) -> list[list[Any]]:
    """The query's rows as lists; PostgreSQL's numeric sums (whole cents, counts) come back as ints."""
    found = (await ctx.db.execute(text(sql), {"p": ctx.practice_id, **flt.params(), **extra})).all()
    return [[int(v) if isinstance(v, Decimal) else v for v in r] for r in found]

"""Custom reports without SQL: the manager picks measures and dimensions from a fixed catalog.

The catalog maps each key to a SQL expression written here. A definition is a list of keys; a key that is not in
the catalog is refused (naming the field), so nothing a caller sends ever becomes SQL: the query is assembled from
our expressions only, and every value (dates, ids, limit) is a bound parameter.

The facts are the ledger's lines (every charge, payment, adjustment), dated by their business day, with the visit
they belong to (provider, location, date of service) and the visit's primary payer.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from google.protobuf.json_format import MessageToDict, ParseDict
from sqlalchemy import func, or_, select

from server.errors import FieldErrors, NotFound, PermissionDenied, StaleVersion
from server.reports import filters
from server.reports.models import CustomReport
from server.reports.table import Col, Kind, Table
from server.rpc.context import CallContext
from server.security import Permission, Role
from shared.pms.reports.v1 import reports_pb2 as pb


@dataclass(frozen=True)
class Entry:
    key: str
    title: str
    description: str
    sql: str
    kind: Kind
    names_patients: bool = False


_PAY = "l.account = 'undeposited_funds'"
MEASURES = {m.key: m for m in (
    Entry("charges", "Charges", "Fees charged, less charge reversals.",
          "-sum(l.amount_cents) FILTER (WHERE l.account = 'charges')", "money"),
    Entry("insurance_payments", "Insurance payments", "Money received from payers (ERAs, paper EOBs).",
          f"sum(l.amount_cents) FILTER (WHERE {_PAY} AND x.kind = 'insurance_payment')", "money"),
    Entry("patient_payments", "Patient payments", "Money received from patients, less reversed payments.",
          f"sum(l.amount_cents) FILTER (WHERE {_PAY} AND x.kind IN ('patient_payment', 'payment_reversal'))",
          "money"),
    Entry("contractual", "Contractual adjustments", "What payer contracts took off the fees.",
          "sum(l.amount_cents) FILTER (WHERE l.account = 'contractual')", "money"),
    Entry("write_offs", "Write-offs", "Small balance, bad debt and courtesy write-offs.",
          "sum(l.amount_cents) FILTER (WHERE l.account LIKE 'write\\_off\\_%')", "money"),
    Entry("refunds", "Refunds", "Money owed back to patients.",
          "-sum(l.amount_cents) FILTER (WHERE l.account = 'refunds_payable')", "money"),
    Entry("ar_change", "Change in A/R", "How much the receivables grew (negative: shrank).",
          "sum(l.amount_cents) FILTER (WHERE l.account IN ('insurance_ar', 'patient_ar'))", "money"),
    Entry("visits", "Visits charged", "Visits with a charge posted.",
          "count(DISTINCT x.encounter_id) FILTER (WHERE x.kind = 'charge')", "count"),
    Entry("patients", "Patients", "Different patients with any posting.", "count(DISTINCT x.patient_id)", "count"),
    Entry("postings", "Postings", "Ledger entries (charges, payments, adjustments).", "count(DISTINCT x.id)",
          "count"),
)}

DIMENSIONS = {d.key: d for d in (
    Entry("month", "Month", "The business month of the posting.",
          "to_char(x.business_date, 'YYYY-MM')", "text"),
    Entry("business_date", "Business day", "The day the posting belongs to.", "x.business_date", "date"),
    Entry("service_month", "Month of service", "The month of the visit's date of service.",
          "to_char(e.date_of_service, 'YYYY-MM')", "text"),
    Entry("provider", "Provider", "The rendering provider.",
          "coalesce(pv.last_name || ', ' || pv.first_name, '(no visit)')", "text"),
    Entry("location", "Location", "Where the visit was.", "coalesce(loc.name, '(no visit)')", "text"),
    Entry("primary_payer", "Primary payer", "The payer the visit was first charged to, or Self-pay.",
          "coalesce(py.name, 'Self-pay')", "text"),
    Entry("transaction", "Transaction type", "Charge, patient payment, insurance payment, write-off...",
          "replace(x.kind, '_', ' ')", "text"),
    Entry("procedure", "Procedure", "The charge's CPT/HCPCS code.", "nullif(x.code, '')", "text"),
    Entry("posted_by", "Posted by", "The user who posted it.", "x.posted_by_name", "text"),
    Entry("patient", "Patient", "The patient's name and MRN.",
          "pt.last_name || ', ' || pt.first_name || ' (' || pt.mrn || ')'", "text", names_patients=True),
)}

_FROM = """
  FROM ledger_line l
  JOIN ledger_entry x ON x.practice_id = l.practice_id AND x.id = l.entry_id
  LEFT JOIN encounter e ON e.practice_id = x.practice_id AND e.id = x.encounter_id
  LEFT JOIN provider pv ON pv.practice_id = e.practice_id AND pv.id = e.rendering_provider_id
  LEFT JOIN location loc ON loc.practice_id = e.practice_id AND loc.id = e.location_id
  LEFT JOIN LATERAL (SELECT f.payer_id FROM ledger_line f
                      WHERE f.practice_id = e.practice_id AND f.encounter_id = e.id AND f.account = 'insurance_ar'
                      ORDER BY f.id LIMIT 1) pc ON TRUE
  LEFT JOIN payer py ON py.practice_id = e.practice_id AND py.id = pc.payer_id
  LEFT JOIN patient pt ON pt.practice_id = x.practice_id AND pt.id = x.patient_id
 WHERE l.practice_id = :p AND x.business_date >= :start AND x.business_date < :end_x"""

MAX_ROWS = 5000
_ROLES = {r.value for r in Role}


def _entry_pb(e: Entry) -> pb.CatalogEntry:
    from server.reports.table import _KINDS
    return pb.CatalogEntry(key=e.key, title=e.title, description=e.description, kind=_KINDS[e.kind],
                           names_patients=e.names_patients)


def catalog_pb() -> pb.GetReportCatalogResponse:
    return pb.GetReportCatalogResponse(measures=[_entry_pb(m) for m in MEASURES.values()],
                                       dimensions=[_entry_pb(d) for d in DIMENSIONS.values()])


@dataclass(frozen=True)
class Definition:
    title: str
    measures: tuple[str, ...]
    dimensions: tuple[str, ...]
    sort_by: str
    descending: bool
    row_limit: int
    filter: pb.ReportFilter
    shared_with_roles: tuple[str, ...]

    @property
    def names_patients(self) -> bool:
        return any(DIMENSIONS[d].names_patients for d in self.dimensions)


def check(d: pb.CustomReportDefinition, field: str = "definition") -> Definition:
    """A definition made of catalog keys only, or InvalidArgument naming each bad field."""
    errors = FieldErrors()
    title = d.title.strip()
    if not title:
        errors.add(f"{field}.title", "is required")
    elif len(title) > 100:
        errors.add(f"{field}.title", "must be at most 100 characters")
    if not d.measures:
        errors.add(f"{field}.measures", "choose at least one measure")
    for i, m in enumerate(d.measures):
        if m not in MEASURES:
            errors.add(f"{field}.measures[{i}]", "is not a measure in the report catalog")
    for i, k in enumerate(d.dimensions):
        if k not in DIMENSIONS:
            errors.add(f"{field}.dimensions[{i}]", "is not a dimension in the report catalog")
    if len(set(d.measures)) != len(d.measures) or len(set(d.dimensions)) != len(d.dimensions):
        errors.add(f"{field}.measures", "name each measure and dimension once")
    if len(d.dimensions) > 4:
        errors.add(f"{field}.dimensions", "at most 4 dimensions")
    chosen = set(d.measures) | set(d.dimensions)
    if d.sort_by and d.sort_by not in chosen:
        errors.add(f"{field}.sort_by", "must be one of the chosen measures or dimensions")
    if not 0 <= d.row_limit <= MAX_ROWS:
        errors.add(f"{field}.row_limit", f"must be between 1 and {MAX_ROWS:,} (0: 1,000)")
    for i, r in enumerate(d.shared_with_roles):
        if r not in _ROLES:
            errors.add(f"{field}.shared_with_roles[{i}]", "is not a role")
    errors.raise_if_any()
    return Definition(title, tuple(d.measures), tuple(d.dimensions), d.sort_by,
                      d.sort_direction == pb.SORT_DIRECTION_DESCENDING, d.row_limit or 1000, d.filter,
                      tuple(dict.fromkeys(d.shared_with_roles)))


async def execute(ctx: CallContext, d: Definition, flt: filters.Filter, key: str = "custom") -> Table:
    if d.names_patients and not ctx.has(Permission.REPORTS_READ_PHI):
        raise PermissionDenied("This report's Patient dimension names patients; your role may not run it.",
                               "PHI_REPORT_DENIED")
    dims = [DIMENSIONS[k] for k in d.dimensions]
    meas = [MEASURES[k] for k in d.measures]
    select_list = [f"{x.sql} AS c{i}" for i, x in enumerate(dims)]
    select_list += [f"coalesce({m.sql}, 0) AS c{len(dims) + i}" for i, m in enumerate(meas)]
    conds = flt.encounter_conditions("e") + flt.conditions(payer="pc.payer_id")
    sql = f"SELECT {', '.join(select_list)} {_FROM}{conds}"
    if dims:
        sql += " GROUP BY " + ", ".join(str(i + 1) for i in range(len(dims)))
    order = [*d.dimensions, *d.measures]
    if d.sort_by:
        pos = order.index(d.sort_by) + 1
        sql += f" ORDER BY {pos} {'DESC' if d.descending else 'ASC'} NULLS LAST"
        rest = [i + 1 for i in range(len(dims)) if i + 1 != pos]
        sql += "".join(f", {i}" for i in rest)
    elif dims:
        sql += " ORDER BY " + ", ".join(str(i + 1) for i in range(len(dims)))
    sql += " LIMIT :limit"
    found = await filters.rows(ctx, sql, flt, limit=d.row_limit + 1)
    truncated = len(found) > d.row_limit
    cols = [Col(x.key, x.title, x.kind) for x in dims]
    cols += [Col(m.key, m.title, m.kind, total="sum" if m.kind == "money" else "none") for m in meas]
    t = Table(key, d.title, flt.describe(), cols, [list(r) for r in found[:d.row_limit]],
              notes=[f"{m.title}: {m.description}" for m in meas])
    if truncated:
        t.notes.insert(0, f"Only the first {d.row_limit:,} rows are shown; the totals are of those rows.")
    if dims:
        t.sum_totals()
    return t


def _merge(saved: pb.ReportFilter, given: pb.ReportFilter) -> pb.ReportFilter:
    """The saved filter with each field the caller sets replaced."""
    out = pb.ReportFilter()
    out.CopyFrom(saved)
    for field_desc, value in given.ListFields():
        if field_desc.is_repeated:
            getattr(out, field_desc.name)[:] = value
        elif field_desc.message_type is not None:
            getattr(out, field_desc.name).CopyFrom(value)
        else:
            setattr(out, field_desc.name, value)
    return out


def _visible_clause(ctx: CallContext) -> Any:
    who = ctx.require_session()
    return or_(CustomReport.owner_user_id == who.user_id, CustomReport.shared_with_roles.overlap(list(who.roles)))


async def _get(ctx: CallContext, report_id: int, *, for_update: bool = False) -> CustomReport:
    stmt = select(CustomReport).where(CustomReport.practice_id == ctx.practice_id, CustomReport.id == report_id,
                                      _visible_clause(ctx))
    if for_update:
        stmt = stmt.with_for_update()
    found = (await ctx.db.execute(stmt)).scalar_one_or_none()
    if found is None:
        raise NotFound("No such custom report (or it is not shared with you).")
    return found


def _definition_pb(row: CustomReport) -> pb.CustomReportDefinition:
    d = pb.CustomReportDefinition()
    ParseDict(row.definition, d, ignore_unknown_fields=True)
    d.title = row.title
    d.shared_with_roles[:] = row.shared_with_roles
    return d


def to_pb(row: CustomReport) -> pb.CustomReport:
    out = pb.CustomReport(custom_report_id=row.id, definition=_definition_pb(row), owner=row.owner_name,
                          version=row.version)
    out.updated_at.FromDatetime(row.updated_at)
    return out


async def run_saved(ctx: CallContext, report_id: int, given: pb.ReportFilter) -> Table:
    row = await _get(ctx, report_id)
    d = check(_definition_pb(row))  # the catalog may have changed since it was saved
    flt = await filters.from_request(ctx, _merge(d.filter, given))
    return await execute(ctx, d, flt, key=f"custom_{row.id}")


async def save(ctx: CallContext, request: pb.SaveCustomReportRequest) -> pb.CustomReport:
    d = check(request.definition)
    await filters.from_request(ctx, d.filter, "definition.filter")
    if d.names_patients and not ctx.has(Permission.REPORTS_READ_PHI):
        raise PermissionDenied("The Patient dimension names patients; your role may not use it.",
                               "PHI_REPORT_DENIED")
    who = ctx.require_session()
    body = MessageToDict(request.definition, preserving_proto_field_name=True)
    body.pop("title", None)
    body.pop("shared_with_roles", None)
    if request.custom_report_id == 0:
        row = CustomReport(practice_id=ctx.practice_id, owner_user_id=who.user_id, owner_name=who.username,
                           title=d.title, definition=body, shared_with_roles=list(d.shared_with_roles))
        ctx.db.add(row)
    else:
        row = await _get(ctx, request.custom_report_id, for_update=True)
        if row.owner_user_id != who.user_id:
            raise PermissionDenied("Only its owner can change a custom report; save a copy instead.",
                                   "NOT_OWNER")
        if row.version != request.version:
            raise StaleVersion("custom report")
        row.title, row.definition, row.shared_with_roles = d.title, body, list(d.shared_with_roles)
        row.version += 1
        row.updated_at = func.now()
    await ctx.db.flush()
    await ctx.db.refresh(row)
    return to_pb(row)


async def list_visible(ctx: CallContext) -> list[pb.CustomReport]:
    found = (await ctx.db.execute(select(CustomReport).where(
        CustomReport.practice_id == ctx.practice_id, _visible_clause(ctx)).order_by(CustomReport.title,
                                                                                    CustomReport.id))).scalars()
    return [to_pb(r) for r in found]


async def delete(ctx: CallContext, report_id: int, version: int) -> None:
    row = await _get(ctx, report_id, for_update=True)
    if row.owner_user_id != ctx.require_session().user_id:
        raise PermissionDenied("Only its owner can delete a custom report.", "NOT_OWNER")
    if row.version != version:
        raise StaleVersion("custom report")
    await ctx.db.delete(row)

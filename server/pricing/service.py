"""The practice's fee schedule and payer contracts: entry, lists, and the Medicare fee lookup."""

from __future__ import annotations

from datetime import UTC, date, datetime

from google.type.date_pb2 import Date
from sqlalchemy import delete, select
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.exc import IntegrityError

from server.db import raw
from server.errors import FieldErrors, NotFound, RuleViolation, StaleVersion
from server.practice.service import practice_today
from server.pricing import lines as pricing
from server.pricing import rules
from server.pricing.fees import fee_cents
from server.pricing.models import FeeScheduleEntry, PayerContract, PayerContractRate
from server.rpc.context import CallContext
from shared import dates
from shared.pms.pricing.v1 import pricing_pb2 as pb

DEFAULT_FEES, MAX_FEES = 200, 2000
OVERLAP_CONSTRAINT = "ex_payer_contract_no_overlap"


def _date(value: Date, name: str, errors: FieldErrors) -> date | None:
    try:
        return dates.from_pb(value) if dates.is_set(value) else None
    except ValueError:
        errors.add(name, "is not a real date")
        return None


async def _unknown_codes(ctx: CallContext, codes: list[str]) -> set[str]:
    """Codes no CPT or HCPCS release has ever listed (a fee or rate for them is a typo)."""
    known = await raw.fetch_all(ctx.db, """
        SELECT DISTINCT code FROM code_entry WHERE system IN ('cpt', 'hcpcs') AND code = ANY(:codes)""",
                                {"codes": codes})
    return set(codes) - {r.code for r in known}


# -- fee schedule ------------------------------------------------------------------------------------
_LIST_FEES_SQL = """
SELECT DISTINCT ON (code, modifier) code, modifier, fee_cents, effective_from FROM fee_schedule_entry
 WHERE practice_id = :p AND code LIKE :prefix AND effective_from <= :on
 ORDER BY code, modifier, effective_from DESC
 LIMIT :n"""


async def list_fees(ctx: CallContext, req: pb.ListFeesRequest) -> list[pb.Fee]:
    errors = FieldErrors()
    on = _date(req.on_date, "on_date", errors)
    prefix = rules.normal_code(req.code_prefix)
    if not prefix.isalnum() and prefix:
        errors.add("code_prefix", "letters and digits only")
    if not 0 <= req.limit <= MAX_FEES:
        errors.add("limit", f"must be between 0 and {MAX_FEES}")
    errors.raise_if_any()
    rows = await raw.fetch_all(ctx.db, _LIST_FEES_SQL, {
        "p": ctx.practice_id, "prefix": prefix + "%", "on": on or await practice_today(ctx.db, ctx.practice_id),
        "n": req.limit or DEFAULT_FEES})
    return [pb.Fee(code=r.code, modifier=r.modifier, fee_cents=r.fee_cents,
                   effective_from=dates.to_pb(r.effective_from)) for r in rows]


async def set_fees(ctx: CallContext, req: pb.SetFeesRequest) -> int:
    errors = FieldErrors()
    effective = _date(req.effective_from, "effective_from", errors)
    fees = [(rules.normal_code(f.code), rules.normal_code(f.modifier), f.fee_cents) for f in req.fees]
    rules.check_fees(effective, fees, errors)
    if not errors.violations:
        unknown = await _unknown_codes(ctx, sorted({c for c, _, _ in fees}))
        for i, (code, _, _) in enumerate(fees):
            if code in unknown:
                errors.add(f"fees[{i}].code", f"{code} is in no CPT or HCPCS release loaded on this server")
    errors.raise_if_any()
    who = ctx.require_session().user_id
    stmt = insert(FeeScheduleEntry).values([
        {"practice_id": ctx.practice_id, "code": c, "modifier": m, "effective_from": effective, "fee_cents": cents,
         "set_by": who} for c, m, cents in fees])
    # Setting the same code again for the same date corrects that entry; another date adds a row.
    await ctx.db.execute(stmt.on_conflict_do_update(
        index_elements=["practice_id", "code", "modifier", "effective_from"],
        set_={"fee_cents": stmt.excluded.fee_cents, "set_by": stmt.excluded.set_by, "set_at": datetime.now(UTC)}))
    return len(fees)


# -- contracts ---------------------------------------------------------------------------------------
def _contract_input(c: pb.Contract, errors: FieldErrors) -> rules.ContractInput:
    return rules.ContractInput(
        payer_id=c.payer_id, name=c.name.strip(), effective_from=_date(c.effective_from, "effective_from", errors),
        effective_to=_date(c.effective_to, "effective_to", errors), medicare_percent=c.medicare_percent,
        medicare_contractor=c.medicare_contractor.strip(), medicare_locality=c.medicare_locality.strip(),
        rates=[(rules.normal_code(r.code), rules.normal_code(r.modifier), r.allowed_cents) for r in c.rates])


async def _checked(ctx: CallContext, c: pb.Contract, skip_id: int = 0) -> rules.ContractInput:
    errors = FieldErrors()
    given = _contract_input(c, errors)
    rules.check_contract(given, errors)
    if given.payer_id > 0:
        payer = await raw.fetch_one(ctx.db, "SELECT name FROM payer WHERE practice_id = :p AND id = :id",
                                    {"p": ctx.practice_id, "id": given.payer_id})
        if payer is None:
            errors.add("payer_id", "no such payer")
    if given.rates and not errors.violations:
        unknown = await _unknown_codes(ctx, sorted({code for code, _, _ in given.rates}))
        for i, (code, _, _) in enumerate(given.rates):
            if code in unknown:
                errors.add(f"rates[{i}].code", f"{code} is in no CPT or HCPCS release loaded on this server")
    errors.raise_if_any()
    other = await raw.fetch_one(ctx.db, """
        SELECT name, effective_from, effective_to FROM payer_contract
         WHERE practice_id = :p AND payer_id = :payer AND id <> :skip
           AND daterange(effective_from, effective_to, '[]') && daterange(:f, :t, '[]')
         ORDER BY effective_from LIMIT 1""",
        {"p": ctx.practice_id, "payer": given.payer_id, "skip": skip_id, "f": given.effective_from,
         "t": given.effective_to})
    if other is not None:
        raise _overlap(other.name, other.effective_from, other.effective_to)
    return given


def _overlap(name: str, start: date, end: date | None) -> RuleViolation:
    span = f"from {start:%m/%d/%Y}" + (f" to {end:%m/%d/%Y}" if end else " with no end")
    return RuleViolation(f"This payer already has a contract on those dates: \"{name}\" {span}. End that one "
                         "first, or change the dates.", "CONTRACT_OVERLAP")


def _apply(row: PayerContract, given: rules.ContractInput) -> None:
    row.payer_id = given.payer_id
    row.name = given.name
    assert given.effective_from is not None
    row.effective_from = given.effective_from
    row.effective_to = given.effective_to
    row.medicare_percent = given.medicare_percent or None
    row.medicare_contractor = given.medicare_contractor if given.medicare_percent else ""
    row.medicare_locality = given.medicare_locality if given.medicare_percent else ""


async def _save(ctx: CallContext, row: PayerContract, given: rules.ContractInput) -> None:
    try:
        async with ctx.db.begin_nested():
            await ctx.db.flush()
            await ctx.db.execute(delete(PayerContractRate).where(PayerContractRate.practice_id == ctx.practice_id,
                                                                 PayerContractRate.contract_id == row.id))
            ctx.db.add_all(PayerContractRate(practice_id=ctx.practice_id, contract_id=row.id, code=code,
                                             modifier=modifier, allowed_cents=cents)
                           for code, modifier, cents in given.rates)
            await ctx.db.flush()
    except IntegrityError as exc:
        # Another manager saved an overlapping contract for the payer a moment ago.
        if OVERLAP_CONSTRAINT in str(exc.orig):
            raise RuleViolation("Another contract for this payer on those dates was just saved; reload the "
                                "contracts.", "CONTRACT_OVERLAP") from exc
        raise


async def create_contract(ctx: CallContext, c: pb.Contract) -> PayerContract:
    given = await _checked(ctx, c)
    row = PayerContract(practice_id=ctx.practice_id)
    _apply(row, given)
    ctx.db.add(row)
    await _save(ctx, row, given)
    return row


async def load_contract(ctx: CallContext, contract_id: int, *, for_update: bool = False) -> PayerContract:
    query = select(PayerContract).where(PayerContract.practice_id == ctx.practice_id,
                                        PayerContract.id == contract_id)
    row = (await ctx.db.execute(query.with_for_update() if for_update else query)).scalar_one_or_none()
    if row is None:
        raise NotFound("No such contract.", "CONTRACT_NOT_FOUND")
    return row


async def update_contract(ctx: CallContext, c: pb.Contract) -> PayerContract:
    row = await load_contract(ctx, c.contract_id, for_update=True)
    if row.version != c.version:
        raise StaleVersion("contract")
    given = await _checked(ctx, c, skip_id=row.id)
    if given.payer_id != row.payer_id:
        errors = FieldErrors()
        errors.add("payer_id", "a contract stays with its payer: create one for the other payer")
        errors.raise_if_any()
    _apply(row, given)
    row.version += 1
    row.updated_at = datetime.now(UTC)
    await _save(ctx, row, given)
    return row


async def contract_message(ctx: CallContext, row: PayerContract) -> pb.Contract:
    rates = await raw.fetch_all(ctx.db, """
        SELECT code, modifier, allowed_cents FROM payer_contract_rate
         WHERE practice_id = :p AND contract_id = :c ORDER BY code, modifier""",
                                {"p": ctx.practice_id, "c": row.id})
    payer = await raw.fetch_one(ctx.db, "SELECT name FROM payer WHERE practice_id = :p AND id = :id",
                                {"p": ctx.practice_id, "id": row.payer_id})
    return pb.Contract(
        contract_id=row.id, payer_id=row.payer_id, payer_name=payer.name if payer else "", name=row.name,
        effective_from=dates.to_pb(row.effective_from),
        effective_to=dates.to_pb(row.effective_to) if row.effective_to else None,
        medicare_percent=row.medicare_percent or 0, medicare_contractor=row.medicare_contractor,
        medicare_locality=row.medicare_locality,
        rates=[pb.ContractRate(code=r.code, modifier=r.modifier, allowed_cents=r.allowed_cents) for r in rates],
        version=row.version)


async def list_contracts(ctx: CallContext, payer_id: int) -> list[pb.ContractSummary]:
    rows = await raw.fetch_all(ctx.db, """
        SELECT c.id, c.payer_id, y.name AS payer_name, c.name, c.effective_from, c.effective_to, c.medicare_percent,
               (SELECT count(*) FROM payer_contract_rate r
                 WHERE r.practice_id = c.practice_id AND r.contract_id = c.id) AS rate_count
          FROM payer_contract c JOIN payer y ON y.practice_id = c.practice_id AND y.id = c.payer_id
         WHERE c.practice_id = :p AND (:payer = 0 OR c.payer_id = :payer)
         ORDER BY y.name, c.effective_from DESC""", {"p": ctx.practice_id, "payer": payer_id})
    return [pb.ContractSummary(contract_id=r.id, payer_id=r.payer_id, payer_name=r.payer_name, name=r.name,
                               effective_from=dates.to_pb(r.effective_from),
                               effective_to=dates.to_pb(r.effective_to) if r.effective_to else None,
                               medicare_percent=r.medicare_percent or 0, rate_count=r.rate_count) for r in rows]


# -- Medicare and superbill pricing ------------------------------------------------------------------
async def medicare_fee(ctx: CallContext, req: pb.GetMedicareFeeRequest) -> pb.GetMedicareFeeResponse:
    errors = FieldErrors()
    code, modifier = rules.normal_code(req.code), rules.normal_code(req.modifier)
    rules.check_priced_code(code, modifier, 0, "", errors, "fee_cents")
    if modifier and modifier not in rules.PFS_MODIFIERS:
        errors.add("modifier", "the Medicare file prices only 26, TC and 53 on their own; leave it empty")
    contractor, locality = req.medicare_contractor.strip(), req.medicare_locality.strip()
    rules.check_locality(contractor, locality, errors)
    dos = _date(req.date_of_service, "date_of_service", errors)
    errors.raise_if_any()
    found = await pricing.medicare_rates(ctx.db, [code], contractor, locality,
                                         dos or await practice_today(ctx.db, ctx.practice_id))
    hit = found.get((code, modifier))
    if hit is None:
        raise NotFound("The Medicare fee schedule in force on that date does not price this code in this "
                       "locality (or no release is loaded: pms-server fees import-rvu).", "NO_MEDICARE_FEE")
    rates, label, locality_name = hit
    return pb.GetMedicareFeeResponse(
        release_label=label, status=rates.status,
        nonfacility_fee_cents=fee_cents(rates.rvus, rates.gpcis, rates.conversion_factor, facility=False),
        facility_fee_cents=fee_cents(rates.rvus, rates.gpcis, rates.conversion_factor, facility=True),
        work_rvu=rates.rvus.work, pe_nonfacility_rvu=rates.rvus.pe_nonfacility,
        pe_facility_rvu=rates.rvus.pe_facility, mp_rvu=rates.rvus.mp, work_gpci=rates.gpcis.work,
        pe_gpci=rates.gpcis.pe, mp_gpci=rates.gpcis.mp, conversion_factor=rates.conversion_factor,
        locality_name=locality_name)


async def price_draft(ctx: CallContext, req: pb.PriceLinesRequest) -> pb.PriceLinesResponse:
    errors = FieldErrors()
    dos = _date(req.date_of_service, "date_of_service", errors)
    if dos is None and not errors.violations:
        errors.add("date_of_service", "is required: fees and contracts depend on it")
    if req.patient_id <= 0:
        errors.add("patient_id", "is required: the expected amount depends on the patient's coverage")
    if len(req.lines) > 50:
        errors.add("lines", "at most 50")
    errors.raise_if_any()
    assert dos is not None
    pos = req.place_of_service.strip()
    if not pos and req.location_id:
        loc = await raw.fetch_one(ctx.db, "SELECT place_of_service FROM location WHERE practice_id = :p "
                                          "AND id = :id", {"p": ctx.practice_id, "id": req.location_id})
        pos = loc.place_of_service if loc else ""
    priced = await pricing.price(ctx.db, ctx.practice_id, req.patient_id, dos, pos, [
        pricing.LineToPrice(rules.normal_code(li.code), [rules.normal_code(m) for m in li.modifiers if m.strip()],
                            li.units) for li in req.lines])
    return pb.PriceLinesResponse(
        lines=[pb.LinePrice(has_fee=f is not None, fee_cents=f or 0, has_expected_allowed=a is not None,
                            expected_allowed_cents=a or 0) for f, a in zip(priced.fees, priced.allowed, strict=True)]
        if priced.fees else [pb.LinePrice() for _ in req.lines],
        payer_name=priced.payer_name, contract_name=priced.contract_name)

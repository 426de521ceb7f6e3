"""Pricing a visit's lines on its date of service: the practice's fee, and what the primary payer's contract is
expected to allow (stored on each line so payment posting can flag an underpayment)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date

from sqlalchemy.ext.asyncio import AsyncSession

from server.db import raw
from server.pricing import rules
from server.pricing.fees import Gpcis, Rvus


@dataclass(frozen=True)
class LineToPrice:
    code: str
    modifiers: Sequence[str]
    units: int


@dataclass
class PricedLines:
    # Per line: the schedule's fee for all units, or None when the schedule has no fee for the code.
    fees: list[int | None] = field(default_factory=list)
    # Per line: the contract's expected allowed amount for all units, or None.
    allowed: list[int | None] = field(default_factory=list)
    contract_id: int | None = None
    contract_name: str = ""
    payer_name: str = ""
    # The payer of that coverage: who owes the charges until it has paid its part.
    payer_id: int | None = None


_FEES_SQL = """
SELECT DISTINCT ON (code, modifier) code, modifier, fee_cents FROM fee_schedule_entry
 WHERE practice_id = :p AND code = ANY(:codes) AND effective_from <= :dos
 ORDER BY code, modifier, effective_from DESC"""

# The coverage on the date of service: the patient's first-priority policy in force then (a policy ended since
# still covered its dates), and its payer's contract on that date.
_CONTRACT_SQL = """
SELECT y.id AS payer_id, y.name AS payer_name, c.id AS contract_id, c.name AS contract_name, c.medicare_percent,
       c.medicare_contractor, c.medicare_locality
  FROM (SELECT payer_id FROM insurance_policy
         WHERE practice_id = :p AND patient_id = :patient AND effective_date <= :dos
           AND (termination_date IS NULL OR termination_date >= :dos)
         ORDER BY priority NULLS LAST, effective_date DESC, id LIMIT 1) pol
  JOIN payer y ON y.practice_id = :p AND y.id = pol.payer_id
  LEFT JOIN payer_contract c ON c.practice_id = :p AND c.payer_id = pol.payer_id AND c.effective_from <= :dos
                            AND (c.effective_to IS NULL OR c.effective_to >= :dos)"""

_RATES_SQL = """
SELECT code, modifier, allowed_cents FROM payer_contract_rate
 WHERE practice_id = :p AND contract_id = :contract AND code = ANY(:codes)"""

# The Medicare release in force on the date of service, with the codes' RVUs and the locality's GPCIs.
MEDICARE_SQL = """
SELECT r.label, v.code, v.modifier, v.status, v.work_rvu, v.pe_nonfacility_rvu, v.pe_facility_rvu, v.mp_rvu,
       g.name AS locality_name, g.work_gpci, g.pe_gpci, g.mp_gpci, r.conversion_factor
  FROM (SELECT id, label, conversion_factor FROM medicare_pfs_release
         WHERE effective_date <= :dos ORDER BY effective_date DESC LIMIT 1) r
  JOIN medicare_pfs_rvu v ON v.release_id = r.id AND v.code = ANY(:codes)
  JOIN medicare_pfs_locality g ON g.release_id = r.id AND g.contractor = :contractor AND g.locality = :locality"""


async def medicare_rates(db: AsyncSession, codes: list[str], contractor: str, locality: str,
                         dos: date) -> dict[tuple[str, str], tuple[rules.MedicareRates, str, str]]:
    """(code, modifier) -> the rates, the release label and the locality name."""
    rows = await raw.fetch_all(db, MEDICARE_SQL, {"dos": dos, "codes": codes, "contractor": contractor,
                                                  "locality": locality})
    return {(r.code, r.modifier): (rules.MedicareRates(
        r.status, Rvus(r.work_rvu, r.pe_nonfacility_rvu, r.pe_facility_rvu, r.mp_rvu),
        Gpcis(r.work_gpci, r.pe_gpci, r.mp_gpci), r.conversion_factor), r.label, r.locality_name) for r in rows}


async def price(db: AsyncSession, practice_id: int, patient_id: int, dos: date, place_of_service: str,
                lines: Sequence[LineToPrice]) -> PricedLines:
    out = PricedLines()
    codes = sorted({li.code for li in lines})
    if not codes:
        return out
    fee_rows = await raw.fetch_all(db, _FEES_SQL, {"p": practice_id, "codes": codes, "dos": dos})
    fee_table = {(r.code, r.modifier): r.fee_cents for r in fee_rows}
    for li in lines:
        unit = rules.match(li.code, li.modifiers, fee_table)
        out.fees.append(unit * li.units if unit is not None and li.units > 0 else None)
    coverage = await raw.fetch_one(db, _CONTRACT_SQL, {"p": practice_id, "patient": patient_id, "dos": dos})
    out.payer_id = coverage.payer_id if coverage is not None else None
    if coverage is None or coverage.contract_id is None:
        out.payer_name = coverage.payer_name if coverage is not None else ""
        out.allowed = [None] * len(lines)
        return out
    out.payer_name, out.contract_id, out.contract_name = (coverage.payer_name, coverage.contract_id,
                                                          coverage.contract_name)
    rate_rows = await raw.fetch_all(db, _RATES_SQL, {"p": practice_id, "contract": coverage.contract_id,
                                                     "codes": codes})
    terms = rules.Terms(coverage.contract_id, {(r.code, r.modifier): r.allowed_cents for r in rate_rows},
                        coverage.medicare_percent)
    medicare: dict[tuple[str, str], tuple[rules.MedicareRates, str, str]] = {}
    if terms.medicare_percent is not None and any(rules.match(li.code, li.modifiers, terms.rates) is None
                                                  for li in lines):
        medicare = await medicare_rates(db, codes, coverage.medicare_contractor, coverage.medicare_locality, dos)

    def medicare_for(code: str, modifier: str) -> rules.MedicareRates | None:
        found = medicare.get((code, modifier))
        return found[0] if found is not None else None

    out.allowed = [rules.expected_allowed(terms, li.code, li.modifiers, li.units, place_of_service, medicare_for)
                   for li in lines]
    return out

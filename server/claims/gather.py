"""Reading claims with everything the scrubber and the 837P need, a batch at a time (set-based: a few statements
for any number of claims, so scrubbing and writing thousands stays fast)."""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from server.db import raw

_HEADERS_SQL = """
SELECT c.id, c.frequency, c.date_of_service, c.patient_id, c.payer_id, c.replaces_claim_id, c.status,
       c.responsibility, c.total_charge_cents, c.first_scrub_clean,
       (SELECT r.payer_claim_number FROM claim r WHERE r.practice_id = c.practice_id AND r.id = c.replaces_claim_id)
           AS replaced_payer_claim_number,
       e.place_of_service, e.prior_authorization, e.referring_provider_name, e.referring_provider_npi,
       e.diagnoses, e.supervising_provider_id,
       loc.place_of_service AS location_pos, loc.name AS location_name, loc.address_line1 AS location_line1,
       loc.address_line2 AS location_line2, loc.city AS location_city, loc.state AS location_state,
       loc.zip AS location_zip,
       p.last_name, p.first_name, p.middle_name, p.suffix, p.date_of_birth, p.sex, p.address_line1, p.address_line2,
       p.city, p.state, p.zip,
       pol.relationship, pol.subscriber, pol.member_id, pol.group_number, pol.plan_name, pol.medicare_secondary_type,
       pol.accept_assignment, pol.signature_on_file,
       y.name AS payer_name, y.electronic_payer_id, y.timely_filing_days, y.claim_filing_indicator,
       y.address_line1 AS payer_line1, y.address_line2 AS payer_line2, y.city AS payer_city, y.state AS payer_state,
       y.zip AS payer_zip,
       v.npi AS rendering_npi, v.taxonomy_code AS rendering_taxonomy, v.last_name AS rendering_last,
       v.first_name AS rendering_first,
       s.npi AS supervising_npi, s.last_name AS supervising_last, s.first_name AS supervising_first
  FROM claim c
  JOIN encounter e ON e.practice_id = c.practice_id AND e.id = c.encounter_id
  JOIN location loc ON loc.practice_id = e.practice_id AND loc.id = e.location_id
  JOIN patient p ON p.practice_id = c.practice_id AND p.id = c.patient_id
  JOIN insurance_policy pol ON pol.practice_id = c.practice_id AND pol.id = c.policy_id
  JOIN payer y ON y.practice_id = c.practice_id AND y.id = c.payer_id
  JOIN provider v ON v.practice_id = e.practice_id AND v.id = e.rendering_provider_id
  LEFT JOIN provider s ON s.practice_id = e.practice_id AND s.id = e.supervising_provider_id
 WHERE c.practice_id = :p AND c.id = ANY(:ids)
 ORDER BY c.id"""

_LINES_SQL = """
SELECT claim_id, line_number, code, modifiers, units, charge_cents, dx_pointers, ndc, ndc_quantity_milli, ndc_unit
  FROM claim_line WHERE practice_id = :p AND claim_id = ANY(:ids) ORDER BY claim_id, line_number"""


async def headers(db: AsyncSession, practice_id: int, claim_ids: list[int]) -> list[Any]:
    return await raw.fetch_all(db, _HEADERS_SQL, {"p": practice_id, "ids": claim_ids})


async def lines(db: AsyncSession, practice_id: int, claim_ids: list[int]) -> dict[int, list[Any]]:
    out: dict[int, list[Any]] = defaultdict(list)
    for r in await raw.fetch_all(db, _LINES_SQL, {"p": practice_id, "ids": claim_ids}):
        out[r.claim_id].append(r)
    return out


# For secondary and tertiary claims: the payer before, its policy, and its newest posted answer (not a reversal).
_PRIOR_SQL = """
SELECT c.id AS claim_id, rc.detail, rc.plan, r.payment_date, pol.relationship, pol.subscriber, pol.member_id,
       pol.group_number, pol.plan_name, y.name AS payer_name, y.electronic_payer_id, y.claim_filing_indicator
  FROM claim c
  JOIN claim pc ON pc.practice_id = c.practice_id AND pc.id = c.primary_claim_id
  CROSS JOIN LATERAL (
        SELECT * FROM remittance_claim x
         WHERE x.practice_id = c.practice_id AND x.claim_id = pc.id AND x.outcome = 'posted' AND x.status_code <> '22'
         ORDER BY x.remittance_id DESC, x.position DESC LIMIT 1) rc
  JOIN remittance r ON r.practice_id = rc.practice_id AND r.id = rc.remittance_id
  JOIN insurance_policy pol ON pol.practice_id = pc.practice_id AND pol.id = pc.policy_id
  JOIN payer y ON y.practice_id = pc.practice_id AND y.id = pc.payer_id
 WHERE c.practice_id = :p AND c.id = ANY(:ids) AND c.primary_claim_id IS NOT NULL"""


async def prior_payers(db: AsyncSession, practice_id: int, claim_ids: list[int]) -> dict[int, Any]:
    """claim id -> what the payer before it decided (secondary and tertiary claims only)."""
    return {r.claim_id: r for r in await raw.fetch_all(db, _PRIOR_SQL, {"p": practice_id, "ids": claim_ids})}

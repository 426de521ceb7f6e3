"""The demo practice's fee schedule and payer contracts, and the expected allowed amounts of its coded visits.

Commercial payers get a contract with a rate per demo code, a share of the practice's fee that differs by payer
(as real contracts do). Medicare and Medicaid payers get none: their contracts are a percentage of the Medicare
fee, which needs the CMS files a practice loads itself (`pms-server fees import-rvu`); the demo ships no RVUs.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

import psycopg

from server.db.raw import conninfo
from server.encounters.synthetic import DEMO_CPT
from server.runtime import Installation

FEES_FROM = date(2020, 1, 1)
CONTRACTS_FROM = date(2024, 1, 1)
GOVERNMENT = ("MA", "MB", "MC")

# Stored on the demo's generated lines as pricing would have: the primary payer on the date of service, its
# contract then, the rate for the code.
_BACKFILL_SQL = """
UPDATE encounter_line l SET expected_allowed_cents = r.allowed_cents * l.units, contract_id = c.id
  FROM encounter e
  CROSS JOIN LATERAL (
        SELECT payer_id FROM insurance_policy p
         WHERE p.practice_id = e.practice_id AND p.patient_id = e.patient_id
           AND p.effective_date <= e.date_of_service
           AND (p.termination_date IS NULL OR p.termination_date >= e.date_of_service)
         ORDER BY p.priority NULLS LAST, p.effective_date DESC, p.id LIMIT 1) pol
  JOIN payer_contract c ON c.practice_id = e.practice_id AND c.payer_id = pol.payer_id
                       AND c.effective_from <= e.date_of_service
                       AND (c.effective_to IS NULL OR c.effective_to >= e.date_of_service)
  JOIN payer_contract_rate r ON r.practice_id = c.practice_id AND r.contract_id = c.id AND r.modifier = ''
 WHERE r.code = l.code AND l.practice_id = e.practice_id AND l.encounter_id = e.id AND e.practice_id = %(p)s
   AND l.expected_allowed_cents IS NULL AND cardinality(l.modifiers) = 0"""


@dataclass
class PricingLoad:
    fees: int
    contracts: int
    lines_priced: int


def load_demo_pricing(inst: Installation) -> PricingLoad:
    """Once per practice (a kept folder has them): the fee schedule, commercial contracts, expected amounts."""
    practice_id = inst.settings.practice_id
    with psycopg.connect(conninfo(inst.urls.app_url), client_encoding="utf8") as conn:
        if conn.execute("SELECT 1 FROM fee_schedule_entry WHERE practice_id = %s LIMIT 1",
                        (practice_id,)).fetchone():
            return PricingLoad(0, 0, 0)
        with conn.cursor() as cur:
            cur.executemany("INSERT INTO fee_schedule_entry (practice_id, code, modifier, effective_from, fee_cents)"
                            " VALUES (%s, %s, '', %s, %s)",
                            [(practice_id, code, FEES_FROM, fee) for code, _, fee in DEMO_CPT])
        payers = conn.execute("SELECT id, name FROM payer WHERE practice_id = %s AND active "
                              "AND claim_filing_indicator <> ALL(%s) ORDER BY id",
                              (practice_id, list(GOVERNMENT))).fetchall()
        for n, (payer_id, name) in enumerate(payers):
            contract_id = _contract(conn, practice_id, payer_id, f"{name} {CONTRACTS_FROM.year} fee schedule")
            share = 55 + (n * 7) % 26  # 55% to 80% of the practice's fee
            with conn.cursor() as cur:
                cur.executemany("INSERT INTO payer_contract_rate (practice_id, contract_id, code, modifier, "
                                "allowed_cents) VALUES (%s, %s, %s, '', %s)",
                                [(practice_id, contract_id, code, fee * share // 100) for code, _, fee in DEMO_CPT])
        priced = conn.execute(_BACKFILL_SQL, {"p": practice_id}).rowcount
        conn.commit()
    return PricingLoad(len(DEMO_CPT), len(payers), priced)


def _contract(conn: psycopg.Connection[Any], practice_id: int, payer_id: int, name: str) -> int:
    row = conn.execute("INSERT INTO payer_contract (practice_id, payer_id, name, effective_from) "
                       "VALUES (%s, %s, %s, %s) RETURNING id", (practice_id, payer_id, name[:100],
                                                                CONTRACTS_FROM)).fetchone()
    assert row is not None
    return int(row[0])

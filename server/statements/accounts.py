"""What each guarantor owes, read set-based for a whole run: open balances, visits, credits, payments, the last
statement, payment plans and collections (decision 0028).

The open balances come from ``ar_balance`` (one row per encounter and party, kept by the ledger's trigger), so a run
reads the money still owed, not the whole ledger. A visit with any balance still with insurance is pending: shown,
never due.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from server.db import raw
from server.patients.names import compact
from server.rpc.context import CallContext
from server.statements import guarantors, rules
from server.statements.guarantors import Account

_OPEN_SQL = """
SELECT b.encounter_id, n.patient_id, n.date_of_service,
       coalesce(sum(b.balance_cents) FILTER (WHERE b.account = 'patient_ar'), 0) AS patient_cents,
       coalesce(sum(b.balance_cents) FILTER (WHERE b.account = 'insurance_ar'), 0) AS insurance_cents
  FROM ar_balance b
  JOIN encounter n ON n.practice_id = b.practice_id AND n.id = b.encounter_id
 WHERE b.practice_id = :p AND b.balance_cents <> 0 {where}
 GROUP BY b.encounter_id, n.patient_id, n.date_of_service"""

_PATIENT_COLUMNS = """id, mrn, first_name, last_name, suffix, address_line1, address_line2, city, state, zip,
       phone_home, phone_mobile, email, preferred_contact_method, guarantor, status"""

_PATIENTS_SQL = f"SELECT {_PATIENT_COLUMNS} FROM patient WHERE practice_id = :p AND id = ANY(:ids) " \
                "AND status <> 'merged'"

# Self-guaranteed patients who may be the guarantor another patient named (same last name; the rest is compared
# in Python on the normalized key).
_SELF_CANDIDATES_SQL = f"""
SELECT {_PATIENT_COLUMNS} FROM patient
 WHERE practice_id = :p AND search_last = ANY(:lasts) AND status <> 'merged'
   AND coalesce((guarantor ->> 'is_self')::boolean, true)
 ORDER BY id"""

_CREDIT_SQL = """
SELECT patient_id, -sum(amount_cents) AS credit
  FROM ledger_line
 WHERE practice_id = :p AND patient_id = ANY(:ids) AND account = 'unapplied_credit'
 GROUP BY patient_id"""

_PREVIOUS_SQL = """
SELECT DISTINCT ON (s.guarantor_key) s.guarantor_key, s.id, s.statement_date, s.dunning_level, s.amount_due_cents,
       r.created_at
  FROM statement s JOIN statement_run r ON r.practice_id = s.practice_id AND r.id = s.run_id
 WHERE s.practice_id = :p AND s.guarantor_key = ANY(:keys) AND s.status <> 'voided'
 ORDER BY s.guarantor_key, s.statement_date DESC, s.id DESC"""

_PAYMENTS_SQL = """
SELECT patient_id, amount_cents, received_on, created_at
  FROM patient_payment
 WHERE practice_id = :p AND patient_id = ANY(:ids) AND reversal_entry_id IS NULL AND entry_id IS NOT NULL"""

_PLANS_SQL = """
SELECT id, guarantor_key, patient_ids, total_cents, installment_cents, due_day, start_date
  FROM payment_plan WHERE practice_id = :p AND status = 'active' AND guarantor_key = ANY(:keys)"""

_COLLECTIONS_SQL = "SELECT guarantor_key FROM collection_account WHERE practice_id = :p AND guarantor_key = ANY(:keys)"

# Each visit's history in four figures: charges, insurance payments, the patients' payments, and (computed) the
# adjustments that make the row add up to what is still owed.
_VISITS_SQL = """
SELECT l.encounter_id,
       coalesce(-sum(l.amount_cents) FILTER (WHERE l.account = 'charges'), 0) AS charges,
       coalesce(sum(l.amount_cents) FILTER (WHERE l.account = 'undeposited_funds'
                                              AND e.kind = 'insurance_payment'), 0) AS insurance_paid,
       coalesce(-sum(l.amount_cents) FILTER (WHERE l.account = 'patient_ar' AND e.kind IN (
                     'patient_payment', 'payment_reversal', 'credit_application')), 0) AS patient_paid
  FROM ledger_line l
  JOIN ledger_entry e ON e.practice_id = l.practice_id AND e.id = l.entry_id
 WHERE l.practice_id = :p AND l.encounter_id = ANY(:encs)
 GROUP BY l.encounter_id"""

_CODES_SQL = """
SELECT encounter_id, string_agg(code, ', ' ORDER BY line_number) AS codes
  FROM encounter_line WHERE practice_id = :p AND encounter_id = ANY(:encs)
 GROUP BY encounter_id"""


@dataclass(frozen=True)
class Visit:
    encounter_id: int
    patient_id: int
    date_of_service: date
    patient_cents: int
    insurance_cents: int


@dataclass
class Plan:
    plan_id: int
    installment_cents: int
    standing: rules.PlanStanding


@dataclass
class Owed:
    """One guarantor's account as a run sees it."""

    account: Account
    visits: list[Visit] = field(default_factory=list)
    balance_cents: int = 0
    pending_cents: int = 0
    credit_cents: int = 0
    previous: rules.Previous | None = None
    previous_at: datetime | None = None
    paid_since_cents: int = 0
    last_payment: date | None = None
    plan: Plan | None = None
    in_collections: bool = False
    # What the run decides: "statement", "collections", "below_threshold", "within_cycle", "in_collections".
    outcome: str = ""
    level: int = 0

    @property
    def amount_due_cents(self) -> int:
        return max(0, self.balance_cents - self.credit_cents)


async def _rows(ctx: CallContext, sql: str, **params: Any) -> list[Any]:
    return await raw.fetch_all(ctx.db, sql, {"p": ctx.practice_id, **params})


async def open_accounts(ctx: CallContext, today: date, settings: rules.Settings,
                        patient_ids: list[int] | None = None) -> list[Owed]:
    """Every guarantor with an open balance (or only those of these patients), with what the run would do."""
    where = "AND n.patient_id = ANY(:ids)" if patient_ids is not None else ""
    open_rows = await _rows(ctx, _OPEN_SQL.format(where=where), ids=patient_ids or [])
    visits = [Visit(r.encounter_id, r.patient_id, r.date_of_service, int(r.patient_cents), int(r.insurance_cents))
              for r in open_rows]
    ids = sorted({v.patient_id for v in visits} | set(patient_ids or []))
    patients = await _rows(ctx, _PATIENTS_SQL, ids=ids)
    lasts = sorted({compact((r.guarantor.get("name") or {}).get("last", "")) for r in patients
                    if not guarantors.is_self(r.guarantor)})
    candidates: dict[str, Any] = {}
    if lasts:
        for r in await _rows(ctx, _SELF_CANDIDATES_SQL, lasts=lasts):
            candidates.setdefault(guarantors.self_match_key(r), r)
    accounts = guarantors.group(patients, candidates)
    by_patient = {pid: acct.key for acct in accounts.values() for pid in acct.patient_ids}
    owed = {key: Owed(acct) for key, acct in accounts.items()}
    for v in visits:
        key = by_patient.get(v.patient_id)
        if key is None:
            continue  # a merged record's leftovers: they moved to the survivor
        o = owed[key]
        o.visits.append(v)
        if v.insurance_cents:
            o.pending_cents += v.insurance_cents
        else:
            o.balance_cents += v.patient_cents
    for r in await _rows(ctx, _CREDIT_SQL, ids=ids):
        if by_patient.get(r.patient_id) in owed and int(r.credit) > 0:
            owed[by_patient[r.patient_id]].credit_cents += int(r.credit)
    keys = sorted(owed)
    for r in await _rows(ctx, _PREVIOUS_SQL, keys=keys):
        o = owed[r.guarantor_key]
        o.previous = rules.Previous(r.id, r.statement_date, r.dunning_level, r.amount_due_cents)
        o.previous_at = r.created_at
    in_collections = {r.guarantor_key for r in await _rows(ctx, _COLLECTIONS_SQL, keys=keys)}
    plans = await _rows(ctx, _PLANS_SQL, keys=keys)
    plan_patients = {pid for p in plans for pid in p.patient_ids}
    payments = await _rows(ctx, _PAYMENTS_SQL, ids=sorted(set(ids) | plan_patients))
    paid_by_patient: dict[int, list[Any]] = defaultdict(list)
    for r in payments:
        paid_by_patient[r.patient_id].append(r)
    for o in owed.values():
        for pid in o.account.patient_ids:
            for pay in paid_by_patient.get(pid, ()):
                if o.previous_at is not None and pay.created_at > o.previous_at:
                    o.paid_since_cents += pay.amount_cents
                if o.last_payment is None or pay.received_on > o.last_payment:
                    o.last_payment = pay.received_on
        o.in_collections = o.account.key in in_collections
    for p in plans:
        paid = sum(pay.amount_cents for pid in p.patient_ids for pay in paid_by_patient.get(pid, ())
                   if pay.received_on >= p.start_date)
        owed[p.guarantor_key].plan = Plan(p.id, p.installment_cents, rules.plan_standing(
            p.start_date, p.due_day, p.installment_cents, p.total_cents, paid, today))
    for o in owed.values():
        decide(o, today, settings)
    return sorted(owed.values(), key=lambda o: (o.account.mailing.name, o.account.key))


def decide(o: Owed, today: date, settings: rules.Settings) -> None:
    if o.in_collections:
        o.outcome = "in_collections"
    elif o.amount_due_cents <= 0 or o.amount_due_cents < settings.threshold_cents:
        o.outcome = "below_threshold"
    elif not rules.due_for_statement(o.previous, today, settings.cycle_days):
        o.outcome = "within_cycle"
    else:
        on_plan = o.plan is not None and o.plan.standing.current
        o.level = rules.next_level(o.previous, o.paid_since_cents, on_plan)
        o.outcome = "collections" if o.level > settings.levels else "statement"


async def visit_facts(ctx: CallContext, encounter_ids: list[int]) -> tuple[dict[int, Any], dict[int, str]]:
    """Each visit's charges, insurance and patient payments; and its codes."""
    facts = {r.encounter_id: r for r in await _rows(ctx, _VISITS_SQL, encs=encounter_ids)}
    codes = {r.encounter_id: r.codes for r in await _rows(ctx, _CODES_SQL, encs=encounter_ids)}
    return facts, codes

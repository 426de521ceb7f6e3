"""Coding and staff reports: the most frequent diagnoses and procedures, and what each user did."""

from __future__ import annotations

from server.codes.lookup import display
from server.reports.filters import Filter, rows
from server.reports.registry import report
from server.reports.table import Col, Table
from server.rpc.context import CallContext

TOP = 100


@report("top_diagnoses", "Most frequent diagnoses",
        "The ICD-10-CM codes on the most encounters in the range, with how many patients had them.",
        group="Coding", filters=("dates", "providers", "locations"))
async def top_diagnoses(ctx: CallContext, f: Filter) -> Table:
    found = await rows(ctx, f"""
WITH coded AS (
SELECT d.code, count(DISTINCT e.id) AS encounters, count(DISTINCT e.patient_id) AS patients
  FROM encounter e
 CROSS JOIN LATERAL unnest(e.diagnoses) AS d(code)
 WHERE e.practice_id = :p AND e.date_of_service BETWEEN :start AND :end {f.encounter_conditions('e')}
 GROUP BY d.code
 ORDER BY encounters DESC, patients DESC, d.code
 LIMIT {TOP})
SELECT c.code, coalesce(x.description, ''), c.encounters, c.patients
  FROM coded c
  LEFT JOIN LATERAL (SELECT ce.description FROM code_entry ce
                      WHERE ce.system = 'icd10cm' AND ce.code = c.code
                      ORDER BY (ce.valid_from <= :end) DESC, ce.valid_from DESC LIMIT 1) x ON TRUE
 ORDER BY c.encounters DESC, c.patients DESC, c.code""", f)
    t = Table("top_diagnoses", "Most frequent diagnoses", f.describe(), (
        Col("code", "ICD-10-CM"), Col("description", "Description"),
        Col("encounters", "Encounters", "count", total="sum"), Col("patients", "Patients", "count")),
        [[display("icd10cm", r[0]), r[1], r[2], r[3]] for r in found], notes=[
            f"The {TOP} diagnoses on the most encounters with a date of service in the range (any position on "
            "the encounter, not only the first).",
            "Patients: different patients with the diagnosis; one patient can have several diagnoses, so the "
            "column does not add up.",
            "The encounter total counts an encounter once per diagnosis it lists."])
    t.sum_totals()
    return t


@report("top_procedures", "Most frequent procedures",
        "The CPT and HCPCS codes billed most in the range: lines, units and charges.",
        group="Coding", filters=("dates", "providers", "locations"))
async def top_procedures(ctx: CallContext, f: Filter) -> Table:
    found = await rows(ctx, f"""
SELECT l.code, upper(l.code_system), count(*) AS lines, sum(l.units) AS units, sum(l.fee_cents) AS charges
  FROM encounter e
  JOIN encounter_line l ON l.practice_id = e.practice_id AND l.encounter_id = e.id
 WHERE e.practice_id = :p AND e.date_of_service BETWEEN :start AND :end {f.encounter_conditions('e')}
 GROUP BY l.code_system, l.code
 ORDER BY lines DESC, units DESC, l.code
 LIMIT {TOP}""", f)
    t = Table("top_procedures", "Most frequent procedures", f.describe(), (
        Col("code", "Code"), Col("code_system", "Code set"), Col("lines", "Lines", "count", total="sum"),
        Col("units", "Units", "count", total="sum"), Col("charges", "Charges", "money", total="sum")),
        [list(r) for r in found], notes=[
            f"The {TOP} procedure codes on the most service lines of encounters with a date of service in the "
            "range; modifiers are not part of the code (99213 and 99213-25 are one row).",
            "Charges: the lines' fees as entered on the encounters, whether billed yet or not."])
    t.sum_totals()
    return t


# Each user's work in the range. Ledger entries belong to their business date (the practice's day); claim events to
# their local date in the practice's time zone. Work the server did on its own (no user) is shown as such.
_STAFF_SQL = """
WITH claims AS (
SELECT ev.by_user_id AS user_id, CASE WHEN ev.by_user_id IS NULL THEN ev.by_name ELSE '' END AS name,
       count(DISTINCT ev.claim_id) AS claims_worked
  FROM claim_event ev
 WHERE ev.practice_id = :p
   AND ev.at >= CAST(:start AS timestamp) AT TIME ZONE :tz AND ev.at < CAST(:end_x AS timestamp) AT TIME ZONE :tz
 GROUP BY 1, 2),
money AS (
SELECT e.id, e.kind, e.claim_id, e.reverses_entry_id, e.posted_by AS user_id,
       CASE WHEN e.posted_by IS NULL THEN e.posted_by_name ELSE '' END AS name,
       coalesce(sum(l.amount_cents) FILTER (WHERE l.account = 'undeposited_funds'), 0) AS received,
       coalesce(-sum(l.amount_cents) FILTER (WHERE l.account = 'charges'), 0) AS charged,
       coalesce(sum(l.amount_cents) FILTER (WHERE l.account LIKE 'write\\_off\\_%'), 0) AS written_off
  FROM ledger_entry e
  JOIN ledger_line l ON l.practice_id = e.practice_id AND l.entry_id = e.id
 WHERE e.practice_id = :p AND e.business_date BETWEEN :start AND :end
 GROUP BY e.practice_id, e.id),
posted AS (
SELECT user_id, name,
       count(*) FILTER (WHERE kind = 'patient_payment') AS payments,
       coalesce(sum(received) FILTER (WHERE kind = 'patient_payment'), 0) AS payment_cents,
       count(*) FILTER (WHERE kind = 'insurance_payment' AND claim_id IS NOT NULL) AS era_claims,
       coalesce(sum(received) FILTER (WHERE kind = 'insurance_payment' AND claim_id IS NOT NULL), 0) AS era_cents,
       count(*) FILTER (WHERE kind = 'charge') AS charges,
       coalesce(sum(charged) FILTER (WHERE kind = 'charge'), 0) AS charge_cents,
       count(*) FILTER (WHERE kind = 'write_off') AS write_offs,
       coalesce(sum(written_off) FILTER (WHERE kind = 'write_off'), 0) AS write_off_cents,
       count(*) FILTER (WHERE reverses_entry_id IS NOT NULL) AS reversals
  FROM money
 GROUP BY user_id, name)
SELECT CASE WHEN w.user_id IS NULL THEN w.name || ' (automatic)' ELSE coalesce(u.username::text, '#' || w.user_id)
       END AS staff,
       coalesce(c.claims_worked, 0), coalesce(m.payments, 0), coalesce(m.payment_cents, 0),
       coalesce(m.era_claims, 0), coalesce(m.era_cents, 0), coalesce(m.charges, 0), coalesce(m.charge_cents, 0),
       coalesce(m.write_offs, 0), coalesce(m.write_off_cents, 0), coalesce(m.reversals, 0)
  FROM (SELECT user_id, name FROM claims UNION SELECT user_id, name FROM posted) w
  LEFT JOIN claims c ON c.user_id IS NOT DISTINCT FROM w.user_id AND c.name = w.name
  LEFT JOIN posted m ON m.user_id IS NOT DISTINCT FROM w.user_id AND m.name = w.name
  LEFT JOIN app_user u ON u.practice_id = :p AND u.id = w.user_id
 ORDER BY w.user_id IS NULL, staff"""


@report("staff_activity", "Staff activity",
        "What each user did in the range: claims worked, payments and ERA claim payments posted, charges "
        "entered, write-offs and reversals.",
        group="Staff", filters=("dates",))
async def staff_activity(ctx: CallContext, f: Filter) -> Table:
    found = await rows(ctx, _STAFF_SQL, f)
    t = Table("staff_activity", "Staff activity", f.describe(), (
        Col("staff", "User"), Col("claims_worked", "Claims worked", "count", total="sum"),
        Col("patient_payments", "Patient payments", "count", total="sum"),
        Col("patient_payment_cents", "Patient payments amount", "money", total="sum"),
        Col("era_claim_payments", "ERA claim payments", "count", total="sum"),
        Col("era_claim_payment_cents", "ERA paid amount", "money", total="sum"),
        Col("charges", "Charges entered", "count", total="sum"),
        Col("charge_cents", "Charges amount", "money", total="sum"),
        Col("write_offs", "Write-offs", "count", total="sum"),
        Col("write_off_cents", "Write-offs amount", "money", total="sum"),
        Col("reversals", "Reversals", "count", total="sum")),
        [list(r) for r in found], notes=[
            "Claims worked: different claims the user moved along (created, scrubbed, sent, corrected, worked a "
            "denial...) on a date in the range, in the practice's time zone.",
            "Ledger figures are by business date. Patient payments: payments taken (the money received). ERA "
            "claim payments: one per claim payment posted from an ERA, with what the payer paid on it "
            "(provider-level adjustments not included).",
            "Charges entered: service lines posted as charges, with their fees. Write-offs: patient balances and "
            "denials written off. Reversals: entries that undo an earlier one (a charge or a payment).",
            "Work the server did on its own (delivery, acknowledgments, automatic posting) shows as automatic."])
    t.sum_totals()
    return t

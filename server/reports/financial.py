"""Receivables, money and claims reports: read from the ledger and its summaries (decision 0027).

Sign conventions follow the ledger (debit +, credit -); every figure shown is positive in its usual direction:
charges and payments as positive amounts, reversals subtracting from them.
"""

from __future__ import annotations

from server.reports.filters import Filter, rows
from server.reports.registry import report
from server.reports.table import Col, Table, num, quotient, ratio
from server.rpc.context import CallContext
from server.x12 import adjustment_codes

BUCKETS = (("0-30", 0, 30), ("31-60", 31, 60), ("61-90", 61, 90), ("91-120", 91, 120), ("120+", 121, None))
_AGING_COLS = (*(Col(f"days_{label}", label, "money", total="sum") for label, _, _ in BUCKETS),
               Col("total", "Total", "money", total="sum"))


def _bucket_sums(age: str) -> str:
    parts = []
    for _, low, high in BUCKETS:
        cond = f"{age} >= {low}" if low else "TRUE"
        if high is not None:
            cond = f"{age} <= {high}" if not low else f"{cond} AND {age} <= {high}"
        parts.append(f"coalesce(sum(b.balance_cents) FILTER (WHERE {cond}), 0)")
    return ", ".join(parts) + ", sum(b.balance_cents)"


def _age(f: Filter) -> str:
    # Days old on the report date; a future date of service counts as current.
    return "(:today - e.date_of_service)" if f.aging_basis == "date_of_service" else "(:today - b.since)"


AGING_NOTES = ["Open balances as they stand now, aged in days to the report date.",
               "Date billed: when the balance was put on its current payer (a secondary after the primary paid) "
               "or passed to the patient."]


@report("ar_aging_insurance", "A/R aging: insurance", "What each payer owes, by age of the balance.",
        group="Receivables", filters=("providers", "locations", "payers", "aging_basis"))
async def ar_aging_insurance(ctx: CallContext, f: Filter) -> Table:
    found = await rows(ctx, f"""
SELECT py.name, {_bucket_sums(_age(f))}
  FROM ar_balance b
  JOIN encounter e ON e.practice_id = b.practice_id AND e.id = b.encounter_id
  JOIN payer py ON py.practice_id = b.practice_id AND py.id = b.payer_id
 WHERE b.practice_id = :p AND b.account = 'insurance_ar' AND b.balance_cents <> 0
       {f.encounter_conditions('e')}{f.conditions(payer='b.payer_id')}
 GROUP BY py.id, py.name
 ORDER BY py.name, py.id""", f)
    t = Table("ar_aging_insurance", "A/R aging: insurance", f.describe(dated=False),
              (Col("payer", "Payer"), *_AGING_COLS), [list(r) for r in found], notes=list(AGING_NOTES))
    t.sum_totals()
    return t


@report("ar_aging_patient", "A/R aging: patients", "What each patient owes after insurance, by age.",
        group="Receivables", filters=("providers", "locations", "aging_basis"), names_patients=True)
async def ar_aging_patient(ctx: CallContext, f: Filter) -> Table:
    # Summed per patient first, then named: ten thousand patients are joined once each, not once per visit.
    found = await rows(ctx, f"""
WITH owed AS (
  SELECT b.patient_id, {_bucket_sums(_age(f))}
    FROM ar_balance b
    JOIN encounter e ON e.practice_id = b.practice_id AND e.id = b.encounter_id
   WHERE b.practice_id = :p AND b.account = 'patient_ar' AND b.balance_cents <> 0 {f.encounter_conditions('e')}
   GROUP BY b.patient_id)
SELECT pt.mrn, pt.last_name || ', ' || pt.first_name, o.*
  FROM owed o JOIN patient pt ON pt.practice_id = :p AND pt.id = o.patient_id
 ORDER BY pt.last_name, pt.first_name, pt.id""", f)
    found = [r[:2] + r[3:] for r in found]  # o.* starts with the patient id
    t = Table("ar_aging_patient", "A/R aging: patients", f.describe(dated=False),
              (Col("mrn", "MRN"), Col("patient", "Patient"), *_AGING_COLS), [list(r) for r in found],
              notes=[*AGING_NOTES, "A negative balance is money the patient paid ahead (a credit)."])
    t.sum_totals()
    return t


# Money reports group each ledger line by the visit it names (a payment spread over three visits counts on each);
# lines on no visit (unapplied credit, refunds, payer-level adjustments) form their own row.
_LINES = """
  FROM ledger_line l
  JOIN ledger_entry x ON x.practice_id = l.practice_id AND x.id = l.entry_id
  LEFT JOIN encounter e ON e.practice_id = l.practice_id AND e.id = l.encounter_id
 WHERE l.practice_id = :p AND x.business_date >= :start AND x.business_date < :end_x"""

CHARGES = "coalesce(-sum(l.amount_cents) FILTER (WHERE l.account = 'charges'), 0)"
CONTRACTUAL = "coalesce(sum(l.amount_cents) FILTER (WHERE l.account = 'contractual'), 0)"
WRITE_OFFS = "coalesce(sum(l.amount_cents) FILTER (WHERE l.account LIKE 'write\\_off\\_%'), 0)"
INSURANCE_PAID = ("coalesce(sum(l.amount_cents) FILTER (WHERE l.account = 'undeposited_funds' "
                  "AND x.kind = 'insurance_payment'), 0)")
# Patient money as applied: to a visit's balance, or held as credit; applying credit later moves it between rows.
PATIENT_PAID = ("coalesce(-sum(l.amount_cents) FILTER (WHERE l.account IN ('patient_ar', 'unapplied_credit') "
                "AND x.kind IN ('patient_payment', 'payment_reversal', 'credit_application')), 0)")
REFUNDS = "coalesce(-sum(l.amount_cents) FILTER (WHERE l.account = 'refunds_payable' AND x.kind = 'refund'), 0)"
AR_CHANGE = "coalesce(sum(l.amount_cents) FILTER (WHERE l.account IN ('insurance_ar', 'patient_ar')), 0)"
PROVIDER_NAME = "coalesce(pv.last_name || ', ' || pv.first_name, '(not on a visit)')"
_PROVIDER_JOIN = " LEFT JOIN provider pv ON pv.practice_id = e.practice_id AND pv.id = e.rendering_provider_id"


def _money_from(f: Filter) -> str:
    # The payer filter keeps the postings of that payer's A/R: charges billed to it, its payments and their
    # adjustments (an ERA's money line names no payer, so the test is on the entry, not the line).
    payer = (" AND EXISTS (SELECT 1 FROM ledger_line pl WHERE pl.practice_id = x.practice_id AND pl.entry_id = x.id"
             " AND pl.account = 'insurance_ar' AND pl.payer_id = ANY(:payers)"
             # A payer's payment takes from its own A/R (the share it passes to a secondary names the secondary).
             " AND (x.kind <> 'insurance_payment' OR pl.amount_cents < 0 OR x.reverses_entry_id IS NOT NULL))"
             ) if f.payer_ids else ""
    return _LINES.replace(" WHERE", _PROVIDER_JOIN + "\n WHERE") + f.encounter_conditions("e") + payer


def _with_rates(row: list, collected: int, charges: int, contractual: int) -> list:
    # No ratio over a period with no charges (payments on older visits only): nothing to divide by.
    return [*row, ratio(collected, charges) if charges > 0 else None,
            ratio(collected, charges - contractual) if charges - contractual > 0 else None]


@report("collections", "Collections", "Charges, adjustments and money collected per provider, with the gross "
        "and net collection ratios.", group="Money", filters=("dates", "providers", "locations", "payers"))
async def collections(ctx: CallContext, f: Filter) -> Table:
    found = await rows(ctx, f"""
SELECT {PROVIDER_NAME}, {CHARGES}, {CONTRACTUAL}, {INSURANCE_PAID}, {PATIENT_PAID}, {REFUNDS}, {WRITE_OFFS}
{_money_from(f)}
 GROUP BY pv.id, pv.last_name, pv.first_name
 ORDER BY pv.id IS NULL, pv.last_name, pv.first_name, pv.id""", f)
    cols = (Col("provider", "Provider"), Col("charges", "Charges", "money", total="sum"),
            Col("contractual", "Contractual", "money", total="sum"),
            Col("insurance_paid", "Insurance paid", "money", total="sum"),
            Col("patient_paid", "Patient paid", "money", total="sum"), Col("refunds", "Refunds", "money", total="sum"),
            Col("write_offs", "Write-offs", "money", total="sum"),
            Col("collected", "Collected", "money", total="sum"), Col("gross_ratio", "Gross %", "percent", 2),
            Col("net_ratio", "Net %", "percent", 2))
    out = []
    for name, charges, contractual, ins, pat, refunds, wo in found:
        collected = ins + pat - refunds
        out.append(_with_rates([name, charges, contractual, ins, pat, refunds, wo, collected], collected, charges,
                               contractual))
    t = Table("collections", "Collections", f.describe(), cols, out, notes=[
        "Collected = insurance paid + patient paid - refunds, by the day each was posted.",
        "Gross % = collected / charges; net % = collected / (charges - contractual adjustments).",
        "Patient money counts on the visit it was applied to; money held as credit (and credit applied later) "
        "shows on the row for money not on a visit."])
    totals = t.sum_totals()
    totals[8], totals[9] = _with_rates([], num(totals[7]), num(totals[1]), num(totals[2]))
    return t


@report("day_sheet", "Day sheet", "Each business day's charges, payments and adjustments.", group="Money",
        filters=("dates", "providers", "locations", "payers"))
async def day_sheet(ctx: CallContext, f: Filter) -> Table:
    found = await rows(ctx, f"""
SELECT x.business_date, {CHARGES}, {INSURANCE_PAID}, {PATIENT_PAID}, {REFUNDS}, {CONTRACTUAL}, {WRITE_OFFS},
       {AR_CHANGE}
{_money_from(f)}
 GROUP BY x.business_date ORDER BY x.business_date""", f)
    cols = (Col("business_date", "Day", "date"), Col("charges", "Charges", "money", total="sum"),
            Col("insurance_paid", "Insurance paid", "money", total="sum"),
            Col("patient_paid", "Patient paid", "money", total="sum"), Col("refunds", "Refunds", "money", total="sum"),
            Col("contractual", "Contractual", "money", total="sum"),
            Col("write_offs", "Write-offs", "money", total="sum"),
            Col("ar_change", "Change in A/R", "money", total="sum"))
    t = Table("day_sheet", "Day sheet", f.describe(), cols, [list(r) for r in found],
              notes=["Days are business days: a posting made after its day was closed counts on the next open day.",
                     "Change in A/R = charges - payments applied to visits - adjustments (what is still owed)."])
    t.sum_totals()
    return t


@report("days_in_ar", "Days in A/R", "How many days of charges are still owed, per provider.",
        group="Receivables", filters=("dates", "providers", "locations"))
async def days_in_ar(ctx: CallContext, f: Filter) -> Table:
    end = min(f.end, f.today)
    days = max((end - f.start).days + 1, 1)
    # A/R on the end date = what is open now less what the A/R moved after it (a short range of recent lines).
    found = await rows(ctx, f"""
WITH now_open AS (
  SELECT e.rendering_provider_id AS provider_id, sum(b.balance_cents) AS cents
    FROM ar_balance b JOIN encounter e ON e.practice_id = b.practice_id AND e.id = b.encounter_id
   WHERE b.practice_id = :p AND b.balance_cents <> 0 {f.encounter_conditions('e')}
   GROUP BY 1),
later AS (
  SELECT e.rendering_provider_id AS provider_id, sum(l.amount_cents) AS cents
    FROM ledger_entry x
    JOIN ledger_line l ON l.practice_id = x.practice_id AND l.entry_id = x.id
    JOIN encounter e ON e.practice_id = l.practice_id AND e.id = l.encounter_id
   WHERE x.practice_id = :p AND x.business_date > :ar_date AND l.account IN ('insurance_ar', 'patient_ar')
         {f.encounter_conditions('e')}
   GROUP BY 1),
charged AS (
  SELECT e.rendering_provider_id AS provider_id, -sum(l.amount_cents) AS cents
    FROM ledger_entry x
    JOIN ledger_line l ON l.practice_id = x.practice_id AND l.entry_id = x.id
    JOIN encounter e ON e.practice_id = l.practice_id AND e.id = l.encounter_id
   WHERE x.practice_id = :p AND x.business_date >= :start AND x.business_date <= :ar_date
         AND l.account = 'charges' {f.encounter_conditions('e')}
   GROUP BY 1)
SELECT pv.last_name || ', ' || pv.first_name,
       coalesce(n.cents, 0) - coalesce(la.cents, 0), coalesce(c.cents, 0)
  FROM provider pv
  LEFT JOIN now_open n ON n.provider_id = pv.id
  LEFT JOIN later la ON la.provider_id = pv.id
  LEFT JOIN charged c ON c.provider_id = pv.id
 WHERE pv.practice_id = :p AND (n.cents IS NOT NULL OR la.cents IS NOT NULL OR c.cents IS NOT NULL)
 ORDER BY pv.last_name, pv.first_name, pv.id""", f, ar_date=end)
    cols = (Col("provider", "Provider"), Col("ar", "A/R at end", "money", total="sum"),
            Col("charges", "Charges in period", "money", total="sum"), Col("days", "Days", "count"),
            Col("daily_charges", "Average daily charges", "money"), Col("days_in_ar", "Days in A/R", "decimal", 1))
    out = [[name, ar, charges, days, _daily(charges, days), quotient(ar * days, charges, 1)]
           for name, ar, charges in found if ar or charges]
    t = Table("days_in_ar", "Days in A/R", f.describe(), cols, out, notes=[
        f"Days in A/R = A/R on {end.isoformat()} / average daily charges over the {days} day(s) of the period "
        "(goal: under 35)."])
    totals = t.sum_totals()
    totals[3], totals[4] = days, _daily(num(totals[2]), days)
    totals[5] = quotient(num(totals[1]) * days, num(totals[2]), 1)
    return t


def _daily(charges: int, days: int) -> int:
    q, r = divmod(charges, days)
    return q + (1 if 2 * r >= days else 0)


# Visits by date of service: what was charged for them and what has been paid on them so far (any posting date).
_VISITS = """
WITH visit AS (
  SELECT e.id, e.patient_id, e.rendering_provider_id, e.date_of_service,
         (SELECT l.payer_id FROM ledger_line l WHERE l.practice_id = e.practice_id AND l.encounter_id = e.id
             AND l.account = 'insurance_ar' ORDER BY l.id LIMIT 1) AS primary_payer_id
    FROM encounter e
   WHERE e.practice_id = :p AND e.date_of_service >= :start AND e.date_of_service < :end_x
         AND e.status IN ('ready', 'billed') {conds}),
money AS (
  SELECT v.id,
         coalesce(-sum(l.amount_cents) FILTER (WHERE l.account = 'charges'), 0) AS charges,
         coalesce(sum(l.amount_cents) FILTER (WHERE l.account = 'undeposited_funds'
                                                AND x.kind = 'insurance_payment'), 0) AS insurance_paid,
         coalesce(-sum(l.amount_cents) FILTER (WHERE l.account = 'patient_ar' AND x.kind IN
                   ('patient_payment', 'payment_reversal', 'credit_application')), 0) AS patient_paid
    FROM visit v
    JOIN ledger_line l ON l.practice_id = :p AND l.encounter_id = v.id
    JOIN ledger_entry x ON x.practice_id = l.practice_id AND x.id = l.entry_id
   GROUP BY v.id)"""


@report("revenue_per_visit", "Revenue per visit", "Charges and money collected per visit, per provider, for "
        "visits in the period.", group="Money", filters=("dates", "providers", "locations"))
async def revenue_per_visit(ctx: CallContext, f: Filter) -> Table:
    found = await rows(ctx, _VISITS.format(conds=f.encounter_conditions("e")) + """
SELECT pv.last_name || ', ' || pv.first_name, count(*), sum(coalesce(m.charges, 0)),
       sum(coalesce(m.insurance_paid, 0) + coalesce(m.patient_paid, 0))
  FROM visit v JOIN provider pv ON pv.practice_id = :p AND pv.id = v.rendering_provider_id
  LEFT JOIN money m ON m.id = v.id
 GROUP BY pv.id, pv.last_name, pv.first_name ORDER BY pv.last_name, pv.first_name, pv.id""", f)
    cols = (Col("provider", "Provider"), Col("visits", "Visits", "count", total="sum"),
            Col("charges", "Charges", "money", total="sum"), Col("collected", "Collected", "money", total="sum"),
            Col("charges_per_visit", "Charges per visit", "money"),
            Col("collected_per_visit", "Revenue per visit", "money"))
    out = [[name, n, ch, co, _daily(ch, n), _daily(co, n)] for name, n, ch, co in found]
    t = Table("revenue_per_visit", "Revenue per visit", f.describe(), cols, out, notes=[
        "Visits: billed encounters with a date of service in the period. Collected: insurance and patient "
        "payments applied to those visits so far, whenever they were posted."])
    totals = t.sum_totals()
    n = num(totals[1])
    totals[4], totals[5] = (_daily(num(totals[2]), n), _daily(num(totals[3]), n)) if n else (None, None)
    return t


@report("payer_mix", "Payer mix", "Visits, charges and collections by primary payer.", group="Money",
        filters=("dates", "providers", "locations", "payers"))
async def payer_mix(ctx: CallContext, f: Filter) -> Table:
    payer_cond = " AND v.primary_payer_id = ANY(:payers)" if f.payer_ids else ""
    found = await rows(ctx, _VISITS.format(conds=f.encounter_conditions("e")) + f"""
SELECT coalesce(py.name, 'Self-pay'), count(*), sum(coalesce(m.charges, 0)),
       sum(coalesce(m.insurance_paid, 0) + coalesce(m.patient_paid, 0))
  FROM visit v
  LEFT JOIN payer py ON py.practice_id = :p AND py.id = v.primary_payer_id
  LEFT JOIN money m ON m.id = v.id
 WHERE TRUE {payer_cond}
 GROUP BY py.id, py.name ORDER BY count(*) DESC, py.name NULLS LAST""", f)
    visits = sum(r[1] for r in found)
    charges = sum(r[2] for r in found)
    cols = (Col("payer", "Primary payer"), Col("visits", "Visits", "count", total="sum"),
            Col("visit_share", "% of visits", "percent", 2), Col("charges", "Charges", "money", total="sum"),
            Col("charge_share", "% of charges", "percent", 2), Col("collected", "Collected", "money", total="sum"))
    out = [[name, n, ratio(n, visits), ch, ratio(ch, charges), co] for name, n, ch, co in found]
    t = Table("payer_mix", "Payer mix", f.describe(), cols, out, notes=[
        "Primary payer: the payer the visit was first charged to (its coverage on the date of service); visits "
        "charged to the patient are Self-pay."])
    totals = t.sum_totals()
    totals[2], totals[4] = (10000 if visits else None), (10000 if charges else None)
    return t


@report("provider_productivity", "Provider productivity", "Visits, work RVUs, charges and collections per "
        "provider.", group="Providers", filters=("dates", "providers", "locations"))
async def provider_productivity(ctx: CallContext, f: Filter) -> Table:
    found = await rows(ctx, _VISITS.format(conds=f.encounter_conditions("e")) + """,
rvus AS (
  SELECT v.id, sum(el.units * coalesce(rv.work_rvu, 0)) AS work
    FROM visit v
    JOIN encounter_line el ON el.practice_id = :p AND el.encounter_id = v.id
    LEFT JOIN LATERAL (
      SELECT r.work_rvu FROM medicare_pfs_release rel
        JOIN medicare_pfs_rvu r ON r.release_id = rel.id AND r.code = el.code
             AND r.modifier = CASE WHEN '26' = ANY(el.modifiers) THEN '26'
                                   WHEN 'TC' = ANY(el.modifiers) THEN 'TC' ELSE '' END
       WHERE rel.effective_date <= v.date_of_service
       ORDER BY rel.effective_date DESC LIMIT 1) rv ON TRUE
   GROUP BY v.id)
SELECT pv.last_name || ', ' || pv.first_name, count(*), count(DISTINCT v.patient_id),
       sum(coalesce(r.work, 0)), sum(coalesce(m.charges, 0)),
       sum(coalesce(m.insurance_paid, 0) + coalesce(m.patient_paid, 0))
  FROM visit v JOIN provider pv ON pv.practice_id = :p AND pv.id = v.rendering_provider_id
  LEFT JOIN money m ON m.id = v.id
  LEFT JOIN rvus r ON r.id = v.id
 GROUP BY pv.id, pv.last_name, pv.first_name ORDER BY pv.last_name, pv.first_name, pv.id""", f)
    cols = (Col("provider", "Provider"), Col("visits", "Visits", "count", total="sum"),
            Col("patients", "Patients", "count"),
            Col("work_rvus", "Work RVUs", "decimal", 2, total="sum"), Col("charges", "Charges", "money", total="sum"),
            Col("collected", "Collected", "money", total="sum"))
    t = Table("provider_productivity", "Provider productivity", f.describe(), cols, [list(r) for r in found],
              notes=["Visits with a date of service in the period. Work RVUs: units x the Medicare work RVU of the "
                     "release in force on the date of service (26/TC modifiers priced as such); codes without "
                     "Medicare RVUs count 0.",
                     "Collected: payments applied to those visits so far."])
    t.sum_totals()
    return t


# A claim's first submission: its first move to 'sent', as a date where the practice is.
_FIRST_SENT = """
  SELECT c.id, c.payer_id, c.date_of_service, c.first_scrub_clean, c.encounter_id,
         (min(ev.at) FILTER (WHERE ev.to_status = 'sent') AT TIME ZONE :tz)::date AS sent_on,
         bool_or(ev.to_status = 'rejected') AS rejected
    FROM claim c JOIN claim_event ev ON ev.practice_id = c.practice_id AND ev.claim_id = c.id
    JOIN encounter e ON e.practice_id = c.practice_id AND e.id = c.encounter_id
   WHERE c.practice_id = :p AND c.frequency = '1' {conds}
   GROUP BY c.practice_id, c.id
  HAVING (min(ev.at) FILTER (WHERE ev.to_status = 'sent') AT TIME ZONE :tz)::date >= :start
     AND (min(ev.at) FILTER (WHERE ev.to_status = 'sent') AT TIME ZONE :tz)::date < :end_x"""


def _claim_conds(f: Filter) -> str:
    return f.encounter_conditions("e") + f.conditions(payer="c.payer_id")


@report("clean_claim_rate", "Clean claim rate", "Claims accepted on their first submission, by payer.",
        group="Claims", filters=("dates", "providers", "locations", "payers"))
async def clean_claim_rate(ctx: CallContext, f: Filter) -> Table:
    found = await rows(ctx, "WITH first AS (" + _FIRST_SENT.format(conds=_claim_conds(f)) + """)
SELECT py.name, count(*), count(*) FILTER (WHERE f.first_scrub_clean AND NOT f.rejected),
       count(*) FILTER (WHERE f.rejected), count(*) FILTER (WHERE NOT coalesce(f.first_scrub_clean, false))
  FROM first f JOIN payer py ON py.practice_id = :p AND py.id = f.payer_id
 GROUP BY py.id, py.name ORDER BY py.name, py.id""", f)
    cols = (Col("payer", "Payer"), Col("claims", "Claims sent", "count", total="sum"),
            Col("clean", "Clean", "count", total="sum"), Col("rejected", "Rejected", "count", total="sum"),
            Col("scrub_findings", "Needed fixing", "count", total="sum"),
            Col("clean_rate", "Clean claim rate", "percent", 2))
    out = [[name, n, clean, rej, fixed, ratio(clean, n)] for name, n, clean, rej, fixed in found]
    t = Table("clean_claim_rate", "Clean claim rate", f.describe(), cols, out, notes=[
        "Original claims first sent in the period. Clean: passed the scrubber the first time with nothing to fix "
        "and never rejected by the clearinghouse or payer (goal: 95% or more)."])
    totals = t.sum_totals()
    totals[5] = ratio(num(totals[2]), num(totals[1]))
    return t


# One row per claim payment posted from an ERA whose payment date is in the period.
_ADJUDICATED = """
  SELECT rc.claim_id, c.payer_id, rc.status_code, rc.denied_cents, rc.charge_cents, r.payment_date
    FROM remittance_claim rc
    JOIN remittance r ON r.practice_id = rc.practice_id AND r.id = rc.remittance_id
    JOIN claim c ON c.practice_id = rc.practice_id AND c.id = rc.claim_id
    JOIN encounter e ON e.practice_id = c.practice_id AND e.id = c.encounter_id
   WHERE rc.practice_id = :p AND rc.outcome = 'posted' AND r.payment_date >= :start AND r.payment_date < :end_x
         AND rc.status_code <> '22' {conds}"""


@report("denials_by_payer", "Denial rate by payer", "Claims adjudicated and denied (in whole or in part), per "
        "payer.", group="Claims", filters=("dates", "providers", "locations", "payers"))
async def denials_by_payer(ctx: CallContext, f: Filter) -> Table:
    found = await rows(ctx, "WITH adj AS (" + _ADJUDICATED.format(conds=_claim_conds(f)) + """)
SELECT py.name, count(*), count(*) FILTER (WHERE a.status_code = '4'),
       count(*) FILTER (WHERE a.status_code <> '4' AND a.denied_cents > 0),
       coalesce(sum(CASE WHEN a.status_code = '4' THEN a.charge_cents ELSE a.denied_cents END), 0)
  FROM adj a JOIN payer py ON py.practice_id = :p AND py.id = a.payer_id
 GROUP BY py.id, py.name ORDER BY py.name, py.id""", f)
    cols = (Col("payer", "Payer"), Col("adjudicated", "Adjudicated", "count", total="sum"),
            Col("denied", "Denied", "count", total="sum"), Col("lines_denied", "Partly denied", "count", total="sum"),
            Col("denied_charges", "Denied charges", "money", total="sum"),
            Col("denial_rate", "Denial rate", "percent", 2))
    out = [[name, n, d, part, cents, ratio(d + part, n)] for name, n, d, part, cents in found]
    t = Table("denials_by_payer", "Denial rate by payer", f.describe(), cols, out, notes=[
        "Claim payments posted from ERAs dated in the period (reversals left out). Denied: the payer denied the "
        "claim (CLP02 4); partly denied: one or more service lines denied. Denial rate = both / adjudicated "
        "(goal: under 5%)."])
    totals = t.sum_totals()
    totals[5] = ratio(num(totals[2]) + num(totals[3]), num(totals[1]))
    return t


@report("denials_by_reason", "Denials by reason (CARC)", "Denied claims and lines by the payer's reason code.",
        group="Claims", filters=("dates", "providers", "locations", "payers"))
async def denials_by_reason(ctx: CallContext, f: Filter) -> Table:
    found = await rows(ctx, f"""
SELECT reason, count(*), count(DISTINCT d.claim_id), coalesce(sum(d.charge_cents), 0)
  FROM denial d
  JOIN remittance r ON r.practice_id = d.practice_id AND r.id = d.remittance_id
  JOIN claim c ON c.practice_id = d.practice_id AND c.id = d.claim_id
  JOIN encounter e ON e.practice_id = c.practice_id AND e.id = c.encounter_id
  CROSS JOIN LATERAL unnest(d.reasons[1:1]) AS reason
 WHERE d.practice_id = :p AND r.payment_date >= :start AND r.payment_date < :end_x {_claim_conds(f)}
 GROUP BY reason ORDER BY count(*) DESC, reason""", f)
    descriptions = _carc_descriptions([r[0] for r in found])
    cols = (Col("carc", "CARC"), Col("description", "Reason"), Col("denials", "Denials", "count", total="sum"),
            Col("claims", "Claims", "count"), Col("denied_charges", "Denied charges", "money", total="sum"))
    t = Table("denials_by_reason", "Denials by reason (CARC)", f.describe(), cols,
              [[code, descriptions.get(code, ""), n, claims, cents] for code, n, claims, cents in found],
              notes=["Each denied claim or line counted once, under its first reason code (group code and CARC)."])
    t.sum_totals()
    return t


def _carc_descriptions(codes: list[str]) -> dict[str, str]:
    return {c: adjustment_codes.CARC.get(c.split("-")[-1], "") for c in codes}


@report("lag_times", "Claim lag times", "Days from the date of service to the claim being sent, and from sending "
        "to the first payment, per payer.", group="Claims", filters=("dates", "providers", "locations", "payers"))
async def lag_times(ctx: CallContext, f: Filter) -> Table:
    found = await rows(ctx, "WITH first AS (" + _FIRST_SENT.format(conds=_claim_conds(f)) + """),
paid AS (
  SELECT rc.claim_id, min(r.payment_date) AS paid_on
    FROM remittance_claim rc JOIN remittance r ON r.practice_id = rc.practice_id AND r.id = rc.remittance_id
   WHERE rc.practice_id = :p AND rc.outcome = 'posted' AND rc.claim_id IN (SELECT id FROM first)
   GROUP BY rc.claim_id)
SELECT py.name, count(*), sum(f.sent_on - f.date_of_service), count(pd.claim_id),
       coalesce(sum(pd.paid_on - f.sent_on), 0), coalesce(sum(pd.paid_on - f.date_of_service), 0)
  FROM first f JOIN payer py ON py.practice_id = :p AND py.id = f.payer_id
  LEFT JOIN paid pd ON pd.claim_id = f.id
 GROUP BY py.id, py.name ORDER BY py.name, py.id""", f)
    cols = (Col("payer", "Payer"), Col("claims", "Claims sent", "count", total="sum"),
            Col("service_to_sent", "Days service to sent", "decimal", 1),
            Col("paid", "Paid", "count", total="sum"), Col("sent_to_paid", "Days sent to paid", "decimal", 1),
            Col("service_to_paid", "Days service to paid", "decimal", 1))
    out, sums = [], [0, 0, 0, 0, 0]
    for name, n, to_sent, paid, sent_paid, svc_paid in found:
        out.append([name, n, quotient(to_sent, n, 1), paid, quotient(sent_paid, paid, 1),
                    quotient(svc_paid, paid, 1)])
        for i, v in enumerate((n, to_sent, paid, sent_paid, svc_paid)):
            sums[i] += v
    t = Table("lag_times", "Claim lag times", f.describe(), cols, out, notes=[
        "Original claims first sent in the period; averages in days. Paid: the payment date of the first ERA "
        "posted for the claim."])
    totals = t.sum_totals()
    totals[2], totals[4], totals[5] = (quotient(sums[1], sums[0], 1), quotient(sums[3], sums[2], 1),
                                       quotient(sums[4], sums[2], 1))
    return t


@report("underpayments", "Underpayments", "Service lines a payer allowed less for than its contract says.",
        group="Claims", filters=("dates", "providers", "locations", "payers"), names_patients=True)
async def underpayments(ctx: CallContext, f: Filter) -> Table:
    found = await rows(ctx, f"""
SELECT py.name, c.id, pt.last_name || ', ' || pt.first_name, c.date_of_service, cl.code,
       cl.expected_allowed_cents, u.allowed_cents, u.short_cents, u.status
  FROM underpayment u
  JOIN remittance r ON r.practice_id = u.practice_id AND r.id = u.remittance_id
  JOIN claim c ON c.practice_id = u.practice_id AND c.id = u.claim_id
  JOIN claim_line cl ON cl.practice_id = u.practice_id AND cl.claim_id = u.claim_id AND cl.line_number = u.line_number
  JOIN encounter e ON e.practice_id = c.practice_id AND e.id = c.encounter_id
  JOIN patient pt ON pt.practice_id = c.practice_id AND pt.id = c.patient_id
  JOIN payer py ON py.practice_id = c.practice_id AND py.id = c.payer_id
 WHERE u.practice_id = :p AND r.payment_date >= :start AND r.payment_date < :end_x {_claim_conds(f)}
 ORDER BY py.name, c.date_of_service, c.id, u.line_number""", f)
    cols = (Col("payer", "Payer"), Col("claim", "Claim", "count"), Col("patient", "Patient"),
            Col("date_of_service", "Service date", "date"), Col("code", "Code"),
            Col("expected", "Contract allows", "money", total="sum"), Col("allowed", "Allowed", "money", total="sum"),
            Col("short", "Short", "money", total="sum"), Col("status", "Status"))
    t = Table("underpayments", "Underpayments", f.describe(), cols, [list(r) for r in found], notes=[
        "Lines from ERAs dated in the period whose allowed amount was below the payer contract's."])
    t.sum_totals()
    return t


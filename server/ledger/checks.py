"""Proofs that the ledger adds up, run by `pms-server verify-ledger` and after every test that used a server:
every entry balances, its lines name its patient, the amounts kept on it for the patient ledger are its
lines', and the reports' summaries (open A/R balances, daily totals) are the lines summed.

The database already refuses an unbalanced entry at commit; these read the whole ledger back and say what is
wrong, so a bug elsewhere (a trigger dropped, a bulk load around it) cannot hide.
"""

from __future__ import annotations

from typing import Any

import psycopg

# Entries that do not sum to zero or have fewer than two lines.
UNBALANCED = """
SELECT e.practice_id, e.id, e.kind, count(l.id) AS lines, coalesce(sum(l.amount_cents), 0) AS total
  FROM ledger_entry e
  LEFT JOIN ledger_line l ON l.practice_id = e.practice_id AND l.entry_id = e.id
 GROUP BY e.practice_id, e.id, e.kind
HAVING count(l.id) < 2 OR coalesce(sum(l.amount_cents), 0) <> 0
 ORDER BY e.practice_id, e.id
 LIMIT 20"""

# A line whose patient or encounter differs from its entry's (a payment for one patient applied to another's).
MISMATCHED = """
SELECT l.practice_id, l.entry_id, l.id
  FROM ledger_line l JOIN ledger_entry e ON e.practice_id = l.practice_id AND e.id = l.entry_id
 WHERE (e.patient_id IS NOT NULL AND l.patient_id IS NOT NULL AND l.patient_id <> e.patient_id)
 LIMIT 20"""


# An entry whose kept patient amounts differ from its lines (the patient ledger would show other figures).
MATERIALISED = """
SELECT e.practice_id, e.id
  FROM ledger_entry e
  LEFT JOIN (SELECT practice_id, entry_id,
                    coalesce(sum(amount_cents) FILTER (WHERE account = 'insurance_ar'), 0) AS insurance,
                    coalesce(sum(amount_cents) FILTER (WHERE account = 'patient_ar'), 0) AS patient,
                    coalesce(-sum(amount_cents) FILTER (WHERE account = 'unapplied_credit'), 0) AS credit
               FROM ledger_line GROUP BY practice_id, entry_id) l
         ON l.practice_id = e.practice_id AND l.entry_id = e.id
 WHERE (e.insurance_cents, e.patient_cents, e.credit_cents)
       IS DISTINCT FROM (coalesce(l.insurance, 0), coalesce(l.patient, 0), coalesce(l.credit, 0))
 LIMIT 20"""


# The summaries the rollup trigger keeps (migration 0026) against the lines they sum.
AR_BALANCE_DRIFT = """
SELECT coalesce(l.practice_id, b.practice_id), coalesce(l.encounter_id, b.encounter_id),
       coalesce(l.account, b.account), coalesce(l.total, 0), coalesce(b.balance_cents, 0)
  FROM (SELECT practice_id, encounter_id, account, payer_id, sum(amount_cents) AS total
          FROM ledger_line WHERE account IN ('patient_ar', 'insurance_ar') AND encounter_id IS NOT NULL
         GROUP BY practice_id, encounter_id, account, payer_id) l
  FULL JOIN ar_balance b ON b.practice_id = l.practice_id AND b.encounter_id = l.encounter_id
        AND b.account = l.account AND b.payer_id IS NOT DISTINCT FROM l.payer_id
 WHERE coalesce(l.total, 0) <> coalesce(b.balance_cents, 0)
 LIMIT 20"""

DAY_TOTAL_DRIFT = """
SELECT coalesce(l.practice_id, t.practice_id), coalesce(l.business_date, t.business_date),
       coalesce(l.kind, t.kind), coalesce(l.account, t.account)
  FROM (SELECT l.practice_id, e.business_date, e.kind, l.account, l.payer_id, sum(l.amount_cents) AS total
          FROM ledger_line l JOIN ledger_entry e ON e.practice_id = l.practice_id AND e.id = l.entry_id
         GROUP BY l.practice_id, e.business_date, e.kind, l.account, l.payer_id) l
  FULL JOIN ledger_day_total t ON t.practice_id = l.practice_id AND t.business_date = l.business_date
        AND t.kind = l.kind AND t.account = l.account AND t.payer_id IS NOT DISTINCT FROM l.payer_id
 WHERE coalesce(l.total, 0) <> coalesce(t.amount_cents, 0)
 LIMIT 20"""


def problems(conn: psycopg.Connection[Any]) -> list[str]:
    """Every way the ledger does not add up, as sentences; empty when it does."""
    out = [f"practice {p} entry {e} ({kind}) has {n} lines summing to {total} cents"
           for p, e, kind, n, total in conn.execute(UNBALANCED)]
    out += [f"practice {p} entry {e}: line {line} names another patient"
            for p, e, line in conn.execute(MISMATCHED)]
    out += [f"practice {p} entry {e}: its patient amounts differ from its lines"
            for p, e in conn.execute(MATERIALISED)]
    out += [f"practice {p} encounter {enc} {account}: lines sum to {lines} cents, ar_balance says {kept}"
            for p, enc, account, lines, kept in conn.execute(AR_BALANCE_DRIFT)]
    out += [f"practice {p} {day} {kind} {account}: ledger_day_total differs from the lines"
            for p, day, kind, account in conn.execute(DAY_TOTAL_DRIFT)]
    return out

"""Proofs that the ledger adds up, run by `pms-server verify-ledger` and after every test that used a server:
every entry balances, its lines name its patient, and the amounts kept on it for the patient ledger are its
lines'.

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


def problems(conn: psycopg.Connection[Any]) -> list[str]:
    """Every way the ledger does not add up, as sentences; empty when it does."""
    out = [f"practice {p} entry {e} ({kind}) has {n} lines summing to {total} cents"
           for p, e, kind, n, total in conn.execute(UNBALANCED)]
    out += [f"practice {p} entry {e}: line {line} names another patient"
            for p, e, line in conn.execute(MISMATCHED)]
    out += [f"practice {p} entry {e}: its patient amounts differ from its lines"
            for p, e in conn.execute(MATERIALISED)]
    return out

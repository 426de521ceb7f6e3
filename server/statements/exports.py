"""The files that leave the practice: the print vendor's statement CSV and the collection agency's CSV, pure.

Their layouts are documented for the vendor and the agency: docs/statement-vendor-csv.md and
docs/collections-agency-csv.md. A change of layout changes the format name in the first record.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable
from datetime import date
from typing import Any

from shared.money import plain

VENDOR_FORMAT = "PMS-STATEMENTS-1"
AGENCY_COLUMNS = ("account_number", "guarantor_name", "address_line1", "address_line2", "city", "state", "zip",
                  "phone", "balance", "oldest_service_date", "last_payment_date", "flagged_on", "patient_count",
                  "practice_name", "placed_on")


def _writer(out: io.StringIO) -> Any:
    return csv.writer(out, lineterminator="\r\n", quoting=csv.QUOTE_MINIMAL)


def vendor_csv(statements: Iterable[tuple[int, int, dict[str, Any]]]) -> bytes:
    """H, then per statement one S record and one V record per visit (statement id, level, content)."""
    items = list(statements)
    out = io.StringIO()
    w = _writer(out)
    practice = items[0][2]["practice"]["name"] if items else ""
    w.writerow(["H", VENDOR_FORMAT, practice, items[0][2]["statement_date"] if items else "", len(items),
                plain(sum(c["amount_due_cents"] for _, _, c in items))])
    for statement_id, level, c in items:
        to, remit, aging = c["to"], [*c["remit_to"], "", "", ""], c["aging"]
        w.writerow(["S", statement_id, c["account_number"], c["statement_date"], c["due_date"], to["name"],
                    to["line1"], to["line2"], to["city"], to["state"], to["zip"], plain(c["amount_due_cents"]),
                    plain(c["balance_cents"]), plain(c["credit_cents"]),
                    plain(c["pending_insurance_cents"]), plain(aging["current"]), plain(aging["days_31_60"]),
                    plain(aging["days_61_90"]), plain(aging["days_91_120"]), plain(aging["over_120"]), level,
                    c["message"], c["practice"]["name"], remit[0], remit[1], remit[2],
                    plain(c["plan_installment_cents"])])
        for v in c["visits"]:
            w.writerow(["V", statement_id, c["account_number"], v["date"], v["patient"], v["services"],
                        plain(v["charges_cents"]), plain(v["insurance_paid_cents"]),
                        plain(v["adjusted_cents"]), plain(v["patient_paid_cents"]), plain(v["balance_cents"]),
                        plain(v["pending_insurance_cents"])])
    return out.getvalue().encode()


def agency_csv(practice_name: str, placed_on: date, accounts: Iterable[tuple[Any, str]]) -> bytes:
    """One row per account (a collection_account row and its account number), after a header row."""
    out = io.StringIO()
    w = _writer(out)
    w.writerow(AGENCY_COLUMNS)
    for row, account_number in accounts:
        c = row.contact
        w.writerow([account_number, row.guarantor_name, c.get("line1", ""), c.get("line2", ""), c.get("city", ""),
                    c.get("state", ""), c.get("zip", ""), c.get("phone", ""), plain(row.balance_cents),
                    row.oldest_service_date.isoformat() if row.oldest_service_date else "",
                    row.last_payment_date.isoformat() if row.last_payment_date else "",
                    row.flagged_on.isoformat(), len(row.patient_ids), practice_name, placed_on.isoformat()])
    return out.getvalue().encode()

"""Statement rules without a database: the workflow table, guarantor keys, dunning, aging, payment plans, the
vendor CSV and the PDF drawn from a statement's content."""

from __future__ import annotations

import csv
import io
from datetime import date, timedelta
from types import SimpleNamespace
from typing import Any

import pytest
from pypdf import PdfReader

from server.errors import RuleViolation
from server.statements import exports, guarantors, render, rules

STATUSES = list(rules.TRANSITIONS)


@pytest.mark.parametrize("current", STATUSES)
@pytest.mark.parametrize("wanted", STATUSES)
def test_transition_table(current: str, wanted: str) -> None:
    allowed = {("generated", "printed"), ("generated", "emailed"), ("generated", "exported"),
               ("generated", "voided"), ("printed", "voided"), ("emailed", "voided"), ("exported", "voided")}
    if (current, wanted) in allowed:
        rules.check_transition(current, wanted)
    else:
        with pytest.raises(RuleViolation) as info:
            rules.check_transition(current, wanted)
        assert info.value.reason == "TRANSITION_NOT_ALLOWED"


def _patient(pid: int, first: str, last: str, guarantor: dict[str, Any] | None = None, **kw: Any) -> Any:
    base = {"id": pid, "mrn": f"M{pid}", "first_name": first, "last_name": last, "suffix": "",
            "address_line1": "12 Elm St", "address_line2": "", "city": "Columbus", "state": "OH", "zip": "43215",
            "phone_home": "", "phone_mobile": "", "email": "", "preferred_contact_method": "",
            "guarantor": guarantor or {"is_self": True}, "status": "active"}
    return SimpleNamespace(**{**base, **kw})


def _parent(line1: str = "12 Elm Street", zip_code: str = "43215-0001") -> dict[str, Any]:
    return {"is_self": False, "name": {"first": "Dana", "last": "Parker"}, "relationship": "19",
            "address": {"line1": line1, "city": "Columbus", "state": "OH", "zip": zip_code}, "phone": "+16145550100"}


def test_children_naming_one_parent_share_her_account_and_she_is_a_patient_too() -> None:
    dana = _patient(1, "Dana", "Parker", email="dana@example.com", preferred_contact_method="email")
    kid1 = _patient(2, "Kim", "Parker", _parent())
    kid2 = _patient(3, "Lee", "Parker", _parent("12 elm st.", "43215"))
    candidates = {guarantors.self_match_key(dana): dana}
    accounts = guarantors.group([kid1, kid2, dana], candidates)
    assert list(accounts) == ["p:1"]
    acct = accounts["p:1"]
    assert acct.patient_ids == [1, 2, 3] and acct.account_patient_id == 1 and acct.email == "dana@example.com"
    # Without the parent on file, the children still share one account, addressed to the guarantor as typed.
    alone = guarantors.group([kid1, kid2], {})
    [(key, acct)] = alone.items()
    assert key == "g:dana parker|12 elm st|43215" and acct.patient_ids == [2, 3] and acct.account_patient_id == 2
    assert acct.mailing.name == "Dana Parker" and acct.email == ""
    # Another address is another person.
    other = _patient(4, "Sam", "Parker", _parent("99 Oak Ave"))
    assert len(guarantors.group([kid1, other], {})) == 2


def test_dunning_levels_rise_start_over_and_hold_on_a_plan() -> None:
    prev = rules.Previous(1, date(2026, 1, 1), 2, 10_000)
    assert rules.next_level(None, 0, False) == 1
    assert rules.next_level(prev, 0, False) == 3
    assert rules.next_level(prev, 9_999, False) == 3
    assert rules.next_level(prev, 10_000, False) == 1
    assert rules.next_level(prev, 0, True) == 2
    assert rules.due_for_statement(prev, date(2026, 1, 31), 30)
    assert not rules.due_for_statement(prev, date(2026, 1, 30), 30)


def test_aging_buckets_by_date_of_service() -> None:
    day = date(2026, 12, 31)
    assert [rules.bucket(day - timedelta(days=d), day)
            for d in (0, 30, 31, 60, 61, 90, 91, 120, 121)] == [
        "current", "current", "days_31_60", "days_31_60", "days_61_90", "days_61_90", "days_91_120",
        "days_91_120", "over_120"]


def test_a_plan_counts_installments_whose_due_day_passed() -> None:
    # $100 in $30 installments due on the 15th from 2026-01-10: due 01-15, 02-15, 03-15, 04-15 ($10).
    s = rules.plan_standing(date(2026, 1, 10), 15, 3_000, 10_000, 0, date(2026, 1, 15))
    assert (s.installments_due, s.expected_cents, s.missed_installments, s.next_due_date) == (
        0, 0, 0, date(2026, 1, 15))
    s = rules.plan_standing(date(2026, 1, 10), 15, 3_000, 10_000, 3_000, date(2026, 2, 16))
    assert (s.installments_due, s.expected_cents, s.missed_installments, s.current) == (2, 6_000, 1, False)
    s = rules.plan_standing(date(2026, 1, 10), 15, 3_000, 10_000, 6_000, date(2026, 2, 16))
    assert s.current and s.next_due_date == date(2026, 3, 15)
    s = rules.plan_standing(date(2026, 1, 20), 15, 3_000, 10_000, 9_000, date(2026, 9, 1))
    assert (s.installments_due, s.expected_cents, s.missed_installments, s.next_due_date) == (
        4, 10_000, 1, None)


def _content(visits: int = 2) -> dict[str, Any]:
    return {
        "practice": {"name": "Elm Family Practice", "address": ["1 Main St", "Columbus, OH 43215",
                                                               "Questions? Call (614) 555-0100"]},
        "remit_to": ["1 Main St", "Columbus, OH 43215"], "account_number": "M000123",
        "statement_date": "2026-12-03", "due_date": "2026-12-24",
        "to": {"name": "Dana Parker", "line1": "12 Elm St", "line2": "", "city": "Columbus", "state": "OH",
               "zip": "43215", "phone": ""},
        "visits": [{"encounter_id": i, "date": "2026-11-20", "patient": "Kim Parker", "services": "99213, 96372",
                    "charges_cents": 13_500, "insurance_paid_cents": 0, "adjusted_cents": 0,
                    "patient_paid_cents": 3_500, "balance_cents": 10_000, "pending_insurance_cents": 0}
                   for i in range(visits)],
        "aging": {"current": 10_000 * visits, "days_31_60": 0, "days_61_90": 0, "days_91_120": 0, "over_120": 0},
        "balance_cents": 10_000 * visits, "credit_cents": 0, "amount_due_cents": 10_000 * visits,
        "pending_insurance_cents": 0, "paid_since_last_cents": 0, "plan_installment_cents": 0, "level": 1,
        "message": "Thank you."}


def test_the_pdf_is_the_same_bytes_for_the_same_content_and_long_statements_continue() -> None:
    one, pages = render.statement_pdf(_content())
    assert pages == 1 and render.statement_pdf(_content())[0] == one
    text = PdfReader(io.BytesIO(one)).pages[0].extract_text()
    for want in ("STATEMENT", "Dana Parker", "M000123", "12/24/2026", "$200.00", "REMIT TO", "Amount enclosed"):
        assert want in text
    many, pages = render.statement_pdf(_content(40))
    assert pages == 2 and len(PdfReader(io.BytesIO(many)).pages) == 2
    both = render.combined_pdf([_content(), _content(40)], "run")
    assert len(PdfReader(io.BytesIO(both)).pages) == 3


def test_the_vendor_csv_has_a_header_then_a_statement_and_its_visits() -> None:
    rows = list(csv.reader(io.StringIO(exports.vendor_csv([(7, 2, _content())]).decode())))
    assert rows[0] == ["H", exports.VENDOR_FORMAT, "Elm Family Practice", "2026-12-03", "1", "200.00"]
    assert rows[1][:12] == ["S", "7", "M000123", "2026-12-03", "2026-12-24", "Dana Parker", "12 Elm St", "",
                            "Columbus", "OH", "43215", "200.00"]
    assert rows[1][20] == "2" and len(rows[1]) == 27
    assert [r[0] for r in rows[2:]] == ["V", "V"] and rows[2][6:12] == ["135.00", "0.00", "0.00", "35.00",
                                                                        "100.00", "0.00"]

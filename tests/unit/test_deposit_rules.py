"""Deposit and day-close rules without a server: what a deposit request must say, which days may close."""

from __future__ import annotations

from datetime import date

from server.deposits import rules
from server.errors import FieldErrors

TODAY = date(2026, 12, 3)


def _fields(**kw: object) -> set[str]:
    args: dict[str, object] = {"idempotency_key": "k", "payment_ids": [1], "remittance_ids": [],
                               "deposit_date": TODAY, "today": TODAY, "bank_reference": "", "note": ""}
    args.update(kw)
    errors = FieldErrors()
    rules.check_deposit(errors, **args)  # type: ignore[arg-type]
    return {v.field for v in errors.violations}


def test_a_deposit_names_its_items_once_and_is_not_in_the_future() -> None:
    assert _fields() == set()
    assert _fields(idempotency_key="") == {"idempotency_key"}
    assert _fields(payment_ids=[]) == {"payment_ids"}
    assert _fields(payment_ids=[], remittance_ids=[4]) == set()
    assert _fields(payment_ids=[1, 1], remittance_ids=[2, 2]) == {"payment_ids", "remittance_ids"}
    assert _fields(deposit_date=date(2026, 12, 4)) == {"deposit_date"}
    assert _fields(bank_reference="x" * 61, note="y" * 501) == {"bank_reference", "note"}


def test_any_day_up_to_today_closes_once() -> None:
    assert rules.close_refusal(TODAY, TODAY, False) is None
    assert rules.close_refusal(date(2026, 11, 1), TODAY, False) is None
    assert rules.close_refusal(date(2026, 12, 4), TODAY, False) == ("A day in the future cannot be closed.",
                                                                     "DAY_IN_FUTURE")
    assert rules.close_refusal(TODAY, TODAY, True) == ("This day is already closed.", "DAY_ALREADY_CLOSED")

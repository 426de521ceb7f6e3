"""Deposit and day-close rules, pure: what a deposit request must say, and which days may close."""

from __future__ import annotations

from datetime import date

from server.errors import FieldErrors

MAX_ITEMS = 2000


def check_deposit(errors: FieldErrors, idempotency_key: str, payment_ids: list[int], remittance_ids: list[int],
                  deposit_date: date | None, today: date, bank_reference: str, note: str) -> None:
    if not idempotency_key:
        errors.add("idempotency_key", "is required: a deposit must never post twice")
    if not payment_ids and not remittance_ids:
        errors.add("payment_ids", "name at least one payment or ERA to deposit")
    if len(payment_ids) + len(remittance_ids) > MAX_ITEMS:
        errors.add("payment_ids", f"at most {MAX_ITEMS} items in one deposit")
    for field, ids in (("payment_ids", payment_ids), ("remittance_ids", remittance_ids)):
        if len(set(ids)) != len(ids):
            errors.add(field, "an item is listed twice")
    if deposit_date is not None and deposit_date > today:
        errors.add("deposit_date", "is in the future")
    if len(bank_reference) > 60:
        errors.add("bank_reference", "is longer than 60 characters")
    if len(note) > 500:
        errors.add("note", "is longer than 500 characters")


def close_refusal(business_date: date, today: date, already_closed: bool) -> tuple[str, str] | None:
    """Why a day cannot be closed (message, reason), or None. Any past or current open day may close, once."""
    if business_date > today:
        return "A day in the future cannot be closed.", "DAY_IN_FUTURE"
    if already_closed:
        return "This day is already closed.", "DAY_ALREADY_CLOSED"
    return None

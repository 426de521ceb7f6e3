"""Patient payment rules, pure: what a payment must say, and where its money goes."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from server.errors import FieldErrors

MAX_PAYMENT_CENTS = 10_000_000  # $100,000: more is a typing slip, not a patient payment
MAX_APPLICATIONS = 500
METHOD_NEEDS = {"check": ("check_number", "the check number"),
                "card": ("card_reference", "the card processor's reference")}


@dataclass(frozen=True)
class Owed:
    """What the patient owes on one encounter line."""

    encounter_id: int
    line_number: int
    cents: int


@dataclass(frozen=True)
class Share:
    encounter_id: int
    line_number: int
    cents: int


def check_payment(errors: FieldErrors, method: str | None, amount_cents: int, check_number: str,
                  card_reference: str, note: str) -> None:
    if method is None:
        errors.add("payment.method", "say how the patient paid: cash, check or card")
    elif method in METHOD_NEEDS:
        field, what = METHOD_NEEDS[method]
        value = check_number if method == "check" else card_reference
        if not value.strip():
            errors.add(f"payment.{field}", f"is required for a {method} payment: {what}")
        elif len(value) > (30 if method == "check" else 60):
            errors.add(f"payment.{field}", "is too long")
    if amount_cents <= 0:
        errors.add("payment.amount_cents", "must be more than $0.00")
    elif amount_cents > MAX_PAYMENT_CENTS:
        errors.add("payment.amount_cents", "is more than $100,000.00: check the amount")
    if len(note) > 500:
        errors.add("payment.note", "is longer than 500 characters")


def oldest_first(owed: Sequence[Owed], cents: int) -> tuple[list[Share], int]:
    """Spreads ``cents`` over the balances in the order given (oldest first); returns the shares and what is left."""
    shares: list[Share] = []
    left = cents
    for o in owed:
        if left <= 0:
            break
        take = min(o.cents, left)
        if take > 0:
            shares.append(Share(o.encounter_id, o.line_number, take))
            left -= take
    return shares, left


def chosen(errors: FieldErrors, owed: Sequence[Owed], wanted: Sequence[Share], cents: int) -> tuple[list[Share], int]:
    """The applications the clerk chose, each checked against what the line owes; returns them and what is left."""
    balances = {(o.encounter_id, o.line_number): o.cents for o in owed}
    seen: set[tuple[int, int]] = set()
    if len(wanted) > MAX_APPLICATIONS:
        errors.add("applications", f"at most {MAX_APPLICATIONS} lines in one payment")
        return [], cents
    for i, w in enumerate(wanted):
        field = f"applications[{i}].amount_cents"
        key = (w.encounter_id, w.line_number)
        if key in seen:
            errors.add(f"applications[{i}]", "this line is listed twice")
        elif key not in balances:
            errors.add(f"applications[{i}]", "the patient owes nothing on this line")
        elif w.cents <= 0:
            errors.add(field, "must be more than $0.00")
        elif w.cents > balances[key]:
            errors.add(field, f"is more than the {balances[key] / 100:,.2f} the patient owes on this line")
        seen.add(key)
    total = sum(w.cents for w in wanted)
    if total > cents:
        errors.add("applications", f"apply at most the payment's {cents / 100:,.2f} (these add up to "
                                   f"{total / 100:,.2f})")
    return list(wanted), cents - total

"""Pricing rules (pure: no database): which fee and which contract rate a line matches, what the payer is
expected to allow, and the checks on fees and contracts as they are entered."""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date

from server.errors import FieldErrors
from server.pricing.fees import Gpcis, Rvus, fee_cents

# Places of service the Medicare fee schedule pays at the facility rate (the facility bears the practice
# expense): hospitals, ASCs, SNFs, hospice, psychiatric and rehabilitation facilities, telehealth outside the home.
FACILITY_POS = frozenset({"02", "19", "21", "22", "23", "24", "26", "31", "34", "41", "42", "51", "52", "53",
                          "56", "61"})
# Modifiers that select their own RVUs in the Medicare file (professional/technical component, discontinued).
PFS_MODIFIERS = ("26", "TC", "53")
# CMS status codes whose RVUs are paid as published; the others (bundled, carrier priced, not valid, excluded,
# not covered) give no expectation from the Medicare fee.
PFS_PAYABLE = frozenset({"A", "R", "T"})
# Hundredths of a percent: 11500 is 115%. Above 1000% is a typo, not a contract.
MAX_PERCENT = 100_000
MAX_FEE_CENTS = 10_000_000_00
MAX_FEES_PER_CALL = 5000
MAX_RATES = 20_000

_CODE = re.compile(r"^[0-9A-Z][0-9]{3}[0-9A-Z]$")
_MODIFIER = re.compile(r"^[0-9A-Z]{2}$")
_CONTRACTOR = re.compile(r"^[0-9]{5}$")
_LOCALITY = re.compile(r"^[0-9]{2}$")


def match(code: str, modifiers: Sequence[str], table: Mapping[tuple[str, str], int]) -> int | None:
    """The amount for the code with the first of the line's modifiers that has one of its own, else the code's
    amount for any modifier ('' row), else None."""
    for m in modifiers:
        found = table.get((code, m))
        if found is not None:
            return found
    return table.get((code, ""))


def pfs_modifier(modifiers: Sequence[str]) -> str:
    """The modifier that picks the line's Medicare RVUs: 26, TC or 53 when the line has one, else global."""
    return next((m for m in modifiers if m in PFS_MODIFIERS), "")


def percent_of(cents: int, percent: int) -> int:
    """cents x percent (hundredths of a percent), rounded to the cent, half up."""
    q, r = divmod(cents * percent, 10_000)
    return q + 1 if 2 * r >= 10_000 else q


@dataclass(frozen=True)
class MedicareRates:
    status: str
    rvus: Rvus
    gpcis: Gpcis
    conversion_factor: int


@dataclass(frozen=True)
class Terms:
    """One contract as pricing sees it."""

    contract_id: int
    rates: Mapping[tuple[str, str], int]
    medicare_percent: int | None


def expected_allowed(terms: Terms, code: str, modifiers: Sequence[str], units: int, place_of_service: str,
                     medicare: Callable[[str, str], MedicareRates | None]) -> int | None:
    """What the contract allows for the line (all units): its rate for the code, else its percentage of the
    Medicare fee for the place of service; None when neither prices the line. Each unit is priced and rounded
    before it is multiplied, as payers price a line."""
    if units <= 0:
        return None
    rate = match(code, modifiers, terms.rates)
    if rate is not None:
        return rate * units
    if terms.medicare_percent is None:
        return None
    found = medicare(code, pfs_modifier(modifiers))
    if found is None or found.status not in PFS_PAYABLE:
        return None
    unit_fee = fee_cents(found.rvus, found.gpcis, found.conversion_factor,
                         facility=place_of_service in FACILITY_POS)
    return percent_of(unit_fee, terms.medicare_percent) * units


# -- entry checks -----------------------------------------------------------------------------------
def normal_code(text: str) -> str:
    return text.strip().upper()


def check_priced_code(code: str, modifier: str, cents: int, path: str, errors: FieldErrors,
                      amount_field: str) -> None:
    at = f"{path}." if path else ""
    if not _CODE.match(code):
        errors.add(f"{at}code", "is not a CPT or HCPCS code (five characters, e.g. 99213 or J3420)")
    if modifier and not _MODIFIER.match(modifier):
        errors.add(f"{at}modifier", "is two letters or digits, or empty for any modifier")
    if not 0 <= cents <= MAX_FEE_CENTS:
        errors.add(f"{at}{amount_field}", "must be between $0.00 and $10,000,000.00")


def check_locality(contractor: str, locality: str, errors: FieldErrors) -> None:
    if not _CONTRACTOR.match(contractor):
        errors.add("medicare_contractor", "the Medicare contractor number is 5 digits (e.g. 10112)")
    if not _LOCALITY.match(locality):
        errors.add("medicare_locality", "the Medicare locality is 2 digits (e.g. 00 or 99)")


def check_fees(effective_from: date | None, fees: Sequence[tuple[str, str, int]], errors: FieldErrors) -> None:
    if effective_from is None:
        errors.add("effective_from", "is required: the first date of service the fees apply to")
    if not fees:
        errors.add("fees", "give at least one fee")
    elif len(fees) > MAX_FEES_PER_CALL:
        errors.add("fees", f"at most {MAX_FEES_PER_CALL} in one call")
    seen: set[tuple[str, str]] = set()
    for i, (code, modifier, cents) in enumerate(fees):
        check_priced_code(code, modifier, cents, f"fees[{i}]", errors, "fee_cents")
        if (code, modifier) in seen:
            errors.add(f"fees[{i}]", f"{code}{' ' + modifier if modifier else ''} is listed twice")
        seen.add((code, modifier))


@dataclass
class ContractInput:
    payer_id: int
    name: str
    effective_from: date | None
    effective_to: date | None
    medicare_percent: int
    medicare_contractor: str
    medicare_locality: str
    rates: list[tuple[str, str, int]]


def check_contract(c: ContractInput, errors: FieldErrors) -> None:
    if c.payer_id <= 0:
        errors.add("payer_id", "choose the payer the contract is with")
    if not c.name.strip():
        errors.add("name", "is required (e.g. \"2026 commercial fee schedule\")")
    elif len(c.name.strip()) > 100:
        errors.add("name", "is longer than 100 characters")
    if c.effective_from is None:
        errors.add("effective_from", "is required")
    elif c.effective_to is not None and c.effective_to < c.effective_from:
        errors.add("effective_to", "is before effective_from")
    if not 0 <= c.medicare_percent <= MAX_PERCENT:
        errors.add("medicare_percent", "must be between 0 and 1000% (in hundredths: 115% is 11500)")
    if c.medicare_percent:
        check_locality(c.medicare_contractor, c.medicare_locality, errors)
    elif not c.rates:
        errors.add("rates", "a contract needs rates, a percentage of Medicare, or both")
    if len(c.rates) > MAX_RATES:
        errors.add("rates", f"at most {MAX_RATES} rates")
    seen: set[tuple[str, str]] = set()
    for i, (code, modifier, cents) in enumerate(c.rates):
        check_priced_code(code, modifier, cents, f"rates[{i}]", errors, "allowed_cents")
        if (code, modifier) in seen:
            errors.add(f"rates[{i}]", f"{code}{' ' + modifier if modifier else ''} is listed twice")
        seen.add((code, modifier))

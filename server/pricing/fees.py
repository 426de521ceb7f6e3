"""The Medicare physician fee schedule formula, exact (pure: no database).

    non-facility fee = [(work RVU x work GPCI) + (non-facility PE RVU x PE GPCI) + (MP RVU x MP GPCI)] x CF
    facility fee     = the same with the facility PE RVU

Inputs are the integers the database stores: RVUs in hundredths, GPCIs in thousandths, the conversion factor (CF)
in ten-thousandths of a dollar. Their products are exact integers: an RVU x a GPCI is in 1/100,000 of an RVU, and
that x the CF is in 1/1,000,000,000 of a dollar (1/10,000,000 of a cent). Nothing is rounded on the way (no float,
no rounded GPCI-adjusted RVUs); the fee is rounded once, to the cent, half up (half a cent and more goes up:
$1,670.045 is $1,670.05, not the banker's $1,670.04). Decision 0017.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal

RVU_PLACES = 2
GPCI_PLACES = 3
CF_PLACES = 4
# The exact fee is in units of 10^-(2 + 3 + 4) dollars = 10^-7 cents.
_PER_CENT = 10 ** (RVU_PLACES + GPCI_PLACES + CF_PLACES - 2)

_FIXED = re.compile(r"^([+-]?)(\d*)(?:\.(\d*))?$")


@dataclass(frozen=True)
class Rvus:
    """One code's RVUs (hundredths: 1.30 is 130)."""

    work: int
    pe_nonfacility: int
    pe_facility: int
    mp: int


@dataclass(frozen=True)
class Gpcis:
    """One locality's geographic practice cost indices (thousandths: 0.950 is 950)."""

    work: int
    pe: int
    mp: int


def parse_fixed(text: str, places: int) -> int:
    """'1.3' with 2 places is 130; '33.4009' with 4 is 334009. Exact: more decimals than `places` is an error
    (unless they are zeros), as is anything but an optional sign, digits and one point."""
    m = _FIXED.match(text.strip())
    if m is None or not (m.group(2) or m.group(3)):
        raise ValueError(f"{text.strip()!r} is not a number")
    sign, whole, frac = m.group(1), m.group(2) or "0", (m.group(3) or "").rstrip("0")
    if len(frac) > places:
        raise ValueError(f"{text.strip()!r} has more than {places} decimals")
    value = int(whole) * 10 ** places + int(frac.ljust(places, "0") or "0")
    return -value if sign == "-" else value


def format_fixed(value: int, places: int) -> str:
    """130 with 2 places is '1.30'."""
    return f"{Decimal(value).scaleb(-places):.{places}f}"


def _round_half_up(value: int, unit: int) -> int:
    """value / unit rounded to the nearest integer, halves away from zero."""
    q, r = divmod(abs(value), unit)
    if 2 * r >= unit:
        q += 1
    return -q if value < 0 else q


def adjusted_rvus(rvus: Rvus, gpcis: Gpcis, *, facility: bool) -> Decimal:
    """The GPCI-adjusted total RVUs, exact (5 decimals), for display and checks; fee_cents does not round it."""
    return Decimal(_adjusted(rvus, gpcis, facility)).scaleb(-(RVU_PLACES + GPCI_PLACES))


def _adjusted(rvus: Rvus, gpcis: Gpcis, facility: bool) -> int:
    pe = rvus.pe_facility if facility else rvus.pe_nonfacility
    return rvus.work * gpcis.work + pe * gpcis.pe + rvus.mp * gpcis.mp


def fee_cents(rvus: Rvus, gpcis: Gpcis, conversion_factor: int, *, facility: bool) -> int:
    """The Medicare fee schedule amount for one unit in one locality, in cents (rounded once, half up)."""
    return _round_half_up(_adjusted(rvus, gpcis, facility) * conversion_factor, _PER_CENT)


def work_rvus(rvus: Rvus, units: int = 1) -> int:
    """Work RVUs credited for `units` of a service, in hundredths (productivity reports add these per provider).

    These are the national work RVUs, not GPCI-adjusted: productivity compares providers across localities."""
    if units < 0:
        raise ValueError("units cannot be negative")
    return rvus.work * units

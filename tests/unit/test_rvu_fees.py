"""The Medicare fee schedule formula against figures computed by hand (decision 0017).

    fee = [(work RVU x work GPCI) + (PE RVU x PE GPCI) + (MP RVU x MP GPCI)] x CF, rounded once to the cent, half up
    (non-facility uses the non-facility PE RVU, facility the facility PE RVU)

The RVUs below are illustrative (shaped like the CY2026 values, not copied from the CMS file); the conversion factor
is CY2026's non-QP one, 33.4009. Two localities:
    A: work 1.000, PE 0.950, MP 0.600  (a work floor of 1.0, low practice costs)
    B: work 1.045, PE 1.185, MP 0.724  (a high-cost metropolitan locality)
"""

from __future__ import annotations

from decimal import Decimal

import pytest

from server.pricing.fees import Gpcis, Rvus, adjusted_rvus, fee_cents, format_fixed, parse_fixed, work_rvus

CF = 334009  # $33.4009
A = Gpcis(work=1000, pe=950, mp=600)
B = Gpcis(work=1045, pe=1185, mp=724)

# code: work, PE non-facility, PE facility, MP (hundredths)
E99213 = Rvus(work=130, pe_nonfacility=133, pe_facility=55, mp=10)    # 1.30, 1.33, 0.55, 0.10
E99214 = Rvus(work=192, pe_nonfacility=171, pe_facility=78, mp=14)    # 1.92, 1.71, 0.78, 0.14
X71046_26 = Rvus(work=22, pe_nonfacility=8, pe_facility=8, mp=2)      # 0.22, 0.08, 0.08, 0.02 (professional part)


def test_99213_in_both_localities() -> None:
    # A, non-facility: 1.30 x 1.000 = 1.30000; 1.33 x 0.950 = 1.26350; 0.10 x 0.600 = 0.06000
    #   sum 2.62350 x 33.4009 = 87.627261150 -> $87.63
    assert adjusted_rvus(E99213, A, facility=False) == Decimal("2.62350")
    assert fee_cents(E99213, A, CF, facility=False) == 87_63
    # A, facility: 1.30000 + 0.55 x 0.950 = 0.52250 + 0.06000 = 1.88250 x 33.4009 = 62.877194250 -> $62.88
    assert fee_cents(E99213, A, CF, facility=True) == 62_88
    # B, non-facility: 1.30 x 1.045 = 1.35850; 1.33 x 1.185 = 1.57605; 0.10 x 0.724 = 0.07240
    #   sum 3.00695 x 33.4009 = 100.434836255 -> $100.43
    assert fee_cents(E99213, B, CF, facility=False) == 100_43
    # B, facility: 1.35850 + 0.55 x 1.185 = 0.65175 + 0.07240 = 2.08265 x 33.4009 = 69.562384385 -> $69.56
    assert fee_cents(E99213, B, CF, facility=True) == 69_56


def test_99214_in_both_localities() -> None:
    # A, non-facility: 1.92000 + 1.71 x 0.950 = 1.62450 + 0.14 x 0.600 = 0.08400 -> 3.62850
    #   x 33.4009 = 121.195165650 -> $121.20
    assert fee_cents(E99214, A, CF, facility=False) == 121_20
    # A, facility: 1.92000 + 0.78 x 0.950 = 0.74100 + 0.08400 = 2.74500 x 33.4009 = 91.685470500 -> $91.69
    assert fee_cents(E99214, A, CF, facility=True) == 91_69
    # B, non-facility: 1.92 x 1.045 = 2.00640; 1.71 x 1.185 = 2.02635; 0.14 x 0.724 = 0.10136
    #   sum 4.13411 x 33.4009 = 138.082994699 -> $138.08
    assert adjusted_rvus(E99214, B, facility=False) == Decimal("4.13411")
    assert fee_cents(E99214, B, CF, facility=False) == 138_08
    # B, facility: 2.00640 + 0.78 x 1.185 = 0.92430 + 0.10136 = 3.03206 x 33.4009 = 101.273532854 -> $101.27
    assert fee_cents(E99214, B, CF, facility=True) == 101_27


def test_a_professional_component_is_the_same_in_and_out_of_a_facility() -> None:
    # 71046-26 has one PE RVU (0.08) for both settings.
    # A: 0.22 x 1.000 = 0.22000; 0.08 x 0.950 = 0.07600; 0.02 x 0.600 = 0.01200; sum 0.30800
    #   x 33.4009 = 10.287477200 -> $10.29
    assert fee_cents(X71046_26, A, CF, facility=False) == fee_cents(X71046_26, A, CF, facility=True) == 10_29
    # B: 0.22 x 1.045 = 0.22990; 0.08 x 1.185 = 0.09480; 0.02 x 0.724 = 0.01448; sum 0.33918
    #   x 33.4009 = 11.328917262 -> $11.33
    assert fee_cents(X71046_26, B, CF, facility=False) == fee_cents(X71046_26, B, CF, facility=True) == 11_33


def test_nothing_is_rounded_before_the_end() -> None:
    # 99214 in B: the exact 4.13411 adjusted RVUs give $138.08; rounding them first to 4.13 would give
    # 4.13 x 33.4009 = 137.945717 -> $137.95, 13 cents less.
    assert fee_cents(E99214, B, CF, facility=False) == 138_08 != round(Decimal("4.13") * Decimal("33.4009"), 2) * 100


def test_half_a_cent_rounds_up() -> None:
    # A major procedure in locality A: work 30.40 x 1.000 = 30.40000; PE 20.00 x 0.950 = 19.00000;
    # MP 1.00 x 0.600 = 0.60000; sum 50.00000 x 33.4009 = 1670.045 exactly: half a cent, rounded up to $1,670.05
    # (the banker's rounding, Python's Decimal default, would give $1,670.04).
    surgery = Rvus(work=3040, pe_nonfacility=2000, pe_facility=2000, mp=100)
    assert adjusted_rvus(surgery, A, facility=True) == Decimal("50.00000")
    assert fee_cents(surgery, A, CF, facility=True) == 1670_05
    assert round(Decimal("1670.045"), 2) == Decimal("1670.04")
    # With CY2025's conversion factor, 32.3465: 50.00000 x 32.3465 = 1617.325 -> $1,617.33 (banker's: $1,617.32).
    assert fee_cents(surgery, A, 323465, facility=True) == 1617_33
    # Just under half a cent goes down: MP 0.99 x 0.600 = 0.59400; sum 49.99400 x 33.4009 = 1669.844594600 -> $1,669.84
    assert fee_cents(Rvus(3040, 2000, 2000, 99), A, CF, facility=True) == 1669_84


def test_a_code_without_rvus_costs_nothing() -> None:
    assert fee_cents(Rvus(0, 0, 0, 0), B, CF, facility=False) == 0


def test_work_rvus_for_productivity_are_national_and_per_unit() -> None:
    # 3 units of 99213: 3 x 1.30 = 3.90 work RVUs, whatever the locality.
    assert work_rvus(E99213, 3) == 390 and format_fixed(work_rvus(E99213, 3), 2) == "3.90"
    assert work_rvus(E99214) == 192
    assert work_rvus(E99213, 0) == 0
    with pytest.raises(ValueError):
        work_rvus(E99213, -1)


@pytest.mark.parametrize(("text", "places", "value"), [
    ("1.30", 2, 130), ("1.3", 2, 130), (".93", 2, 93), ("12", 2, 1200), ("0.00", 2, 0), (" 1.5 ", 2, 150),
    ("33.4009", 4, 334009), ("1.000", 3, 1000), ("0.950", 3, 950), ("1.2500", 2, 125), ("-0.10", 2, -10),
])
def test_numbers_are_read_exactly(text: str, places: int, value: int) -> None:
    assert parse_fixed(text, places) == value


@pytest.mark.parametrize(("text", "places"), [("1.305", 2), ("abc", 2), ("", 2), (".", 2), ("1,30", 2), ("1e2", 2),
                                              ("33.40091", 4), ("1.0.0", 3)])
def test_numbers_that_are_not_exact_are_refused(text: str, places: int) -> None:
    with pytest.raises(ValueError):
        parse_fixed(text, places)


def test_format_fixed() -> None:
    assert format_fixed(334009, 4) == "33.4009" and format_fixed(950, 3) == "0.950" and format_fixed(5, 2) == "0.05"

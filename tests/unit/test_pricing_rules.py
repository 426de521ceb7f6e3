"""Pricing rules without a database: which fee or rate a line matches, the expected allowed amount, entry checks."""

from __future__ import annotations

from datetime import date

import pytest

from server.errors import FieldErrors
from server.pricing import rules
from server.pricing.fees import Gpcis, Rvus

# 99213 with Los Angeles GPCIs and the CY2026 test conversion factor: $100.43 non-facility, $69.56 facility.
LA_99213 = rules.MedicareRates("A", Rvus(130, 133, 55, 10), Gpcis(1045, 1185, 724), 334009)


def medicare(table: dict[tuple[str, str], rules.MedicareRates]):  # type: ignore[no-untyped-def]
    return lambda code, modifier: table.get((code, modifier))


def test_a_modifier_of_its_own_wins_then_the_any_modifier_row() -> None:
    table = {("99214", ""): 100, ("99214", "25"): 150, ("99214", "59"): 170}
    assert rules.match("99214", ["25", "59"], table) == 150
    assert rules.match("99214", ["GT", "59"], table) == 170
    assert rules.match("99214", ["GT"], table) == 100
    assert rules.match("99215", [], table) is None


@pytest.mark.parametrize(("cents", "percent", "expected"), [
    (10_043, 12_000, 12_052),  # 120.516 -> 120.52
    (10_000, 11_550, 11_550),
    (1, 5_000, 1),  # half a cent goes up
    (3, 5_000, 2),  # 1.5 -> 2
    (10_043, 10_000, 10_043),
])
def test_a_percentage_of_a_fee_rounds_half_up_to_the_cent(cents: int, percent: int, expected: int) -> None:
    assert rules.percent_of(cents, percent) == expected


def test_expected_allowed_uses_the_rate_else_the_medicare_percentage() -> None:
    terms = rules.Terms(7, {("99214", ""): 9_000}, 12_000)
    prices = medicare({("99213", ""): LA_99213})
    assert rules.expected_allowed(terms, "99214", [], 2, "11", prices) == 18_000
    assert rules.expected_allowed(terms, "99213", ["25"], 1, "11", prices) == 12_052
    # At a hospital outpatient department the facility fee ($69.56) is the base: 120% is $83.472 -> $83.47.
    assert rules.expected_allowed(terms, "99213", [], 1, "22", prices) == 8_347
    assert rules.expected_allowed(terms, "99213", [], 3, "11", prices) == 3 * 12_052
    assert rules.expected_allowed(terms, "96372", [], 1, "11", prices) is None
    assert rules.expected_allowed(rules.Terms(7, {}, None), "99213", [], 1, "11", prices) is None
    bundled = medicare({("99213", ""): rules.MedicareRates("B", LA_99213.rvus, LA_99213.gpcis, 334009)})
    assert rules.expected_allowed(terms, "99213", [], 1, "11", bundled) is None


def test_the_medicare_modifier_picks_component_rvus() -> None:
    assert rules.pfs_modifier(["59", "26"]) == "26"
    assert rules.pfs_modifier(["TC"]) == "TC"
    assert rules.pfs_modifier(["25"]) == ""


def test_contract_entry_names_every_bad_field() -> None:
    errors = FieldErrors()
    rules.check_contract(rules.ContractInput(0, " ", date(2026, 2, 1), date(2026, 1, 1), 200_000, "", "", [
        ("99213", "", 100), ("99213", "", 200), ("X", "ZZZ", -1)]), errors)
    assert {v.field for v in errors.violations} == {
        "payer_id", "name", "effective_to", "medicare_percent", "medicare_contractor", "medicare_locality",
        "rates[1]", "rates[2].code", "rates[2].modifier", "rates[2].allowed_cents"}
    ok = FieldErrors()
    rules.check_contract(rules.ContractInput(3, "2026", date(2026, 1, 1), None, 11_500, "10112", "00", []), ok)
    assert ok.violations == []

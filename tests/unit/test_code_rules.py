"""Pure code-set logic: NDC formats, the verdict for a date of service, how a query is read."""

from __future__ import annotations

from datetime import date
from types import SimpleNamespace

from server.codes import lookup, rules


def test_ndc_becomes_eleven_digits_5_4_2() -> None:
    assert rules.ndc_11("0002-1433-80") == "00002143380"  # 4-4-2
    assert rules.ndc_11("50242-040-62") == "50242004062"  # 5-3-2
    assert rules.ndc_11("60575-4112-1") == "60575411201"  # 5-4-1
    assert rules.ndc_11("00002143380") == "00002143380"
    for bad in ("0002143380", "123-4567-89", "00002-1433-800", "abcde-1234-12", ""):
        assert rules.ndc_11(bad) is None, bad


def version(start: date, end: date | None, billable: bool = True) -> SimpleNamespace:
    return SimpleNamespace(valid_from=start, valid_to=end, billable=billable)


def test_the_version_for_the_date_of_service_decides() -> None:
    rows = [version(date(2024, 10, 1), date(2025, 10, 1)), version(date(2025, 10, 1), date(2026, 10, 1))]
    assert rules.check("icd10cm", "E11.9", rows, date(2025, 3, 1)).row is rows[0]
    assert rules.check("icd10cm", "E11.9", rows, date(2025, 10, 1)).row is rows[1]
    early = rules.check("icd10cm", "E11.9", rows, date(2024, 9, 30))
    assert (early.valid, early.reason) == (False, "NOT_YET_VALID")
    late = rules.check("icd10cm", "E11.9", rows, date(2026, 10, 1))
    assert (late.valid, late.reason, late.row) == (False, "NO_LONGER_VALID", rows[1])
    assert "retired on 10/01/2026" in late.problem
    assert rules.check("icd10cm", "E11", [version(date(2024, 10, 1), None, billable=False)],
                       date(2025, 1, 1)).reason == "NOT_BILLABLE"
    # Only ICD-10-CM has header codes; the flag means nothing elsewhere.
    assert rules.check("cpt", "99213", [version(date(2024, 1, 1), None, billable=False)], date(2025, 1, 1)).valid
    assert rules.check("pos", "11", [], date(2025, 1, 1)).problem == "11 is not a known place of service code."


def test_a_query_is_a_code_prefix_words_or_both() -> None:
    assert lookup.parse("E11.6") == lookup.CodeQuery("E116", ())
    assert lookup.parse("diab typ 2") == lookup.CodeQuery("", ("diab", "typ", "2"))
    assert lookup.parse("lt") == lookup.CodeQuery("LT", ("lt",))
    assert lookup.parse("99213").prefix == "99213"
    assert lookup.display("icd10cm", "E1165") == "E11.65" and lookup.display("cpt", "99213") == "99213"

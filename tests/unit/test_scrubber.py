"""Every scrubber rule: one claim it passes, one it stops (issue 6, item 2). Pure: the facts are built here."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from datetime import date

import pytest

from server.claims import scrubber
from server.claims.scrubber import ClaimFacts, Line, Person
from server.codes.rules import CodeCheck

OK = CodeCheck(object(), True)
DOS = date(2026, 3, 2)


def a_line(code: str = "99213", **fields: object) -> Line:
    values: dict[str, object] = {"code": code, "modifiers": (), "units": 1, "charge_cents": 12500,
                                 "dx_pointers": (1,), "code_check": OK, "modifier_checks": ()}
    values.update(fields)
    return Line(**values)  # type: ignore[arg-type]


PATIENT = Person("Doe", "Jane", date(1980, 5, 17), "F", "1 Elm St", "Columbus", "OH", "43215")


def clean() -> ClaimFacts:
    return ClaimFacts(
        claim_id=1, frequency="1", date_of_service=DOS, today=date(2026, 3, 10), place_of_service="11",
        location_place_of_service="11", billing=scrubber.Billing("1234567893", "123456789", "207Q00000X",
                                                                 "432151234"),
        patient=PATIENT, relationship="18", subscriber=None, member_id="XYZ123", payer_name="Aetna",
        payer_electronic_id="60054", timely_filing_days=90, rendering_npi="1245319599",
        rendering_taxonomy="207Q00000X", referring_name="", referring_npi="", prior_authorization="",
        diagnoses=("E119", "I10"), diagnosis_checks=(OK, OK), lines=(a_line(), a_line("36415", charge_cents=1500)))


BAD_CODE = CodeCheck(object(), False, "NO_LONGER_VALID", "X was retired on 10/01/2025.")

# rule -> (what breaks it, the field it must name)
CASES: dict[str, tuple[Callable[[ClaimFacts], ClaimFacts], str]] = {
    "PATIENT_DEMOGRAPHICS": (lambda f: replace(f, patient=replace(PATIENT, birth_date=None)),
                             "patient.date_of_birth"),
    "SUBSCRIBER_DATA": (lambda f: replace(f, relationship="19", subscriber=None), "subscriber"),
    "BILLING_PROVIDER": (lambda f: replace(f, billing=scrubber.Billing("1234567890", "123456789", "207Q00000X",
                                                                       "432151234")), "billing.npi"),
    "SERVICE_FACILITY": (lambda f: replace(f, facility=("Northside", "5 North Rd", "43017")), "location_id"),
    "PROVIDER_NPI": (lambda f: replace(f, referring_name="Dr Who", referring_npi=""), "referring_provider_npi"),
    "DIAGNOSIS_CODES": (lambda f: replace(f, diagnosis_checks=(OK, BAD_CODE)), "diagnoses[1]"),
    "PROCEDURE_CODES": (lambda f: replace(f, lines=(a_line(code_check=BAD_CODE),)), "lines[0].code"),
    "DX_POINTERS": (lambda f: replace(f, lines=(a_line(dx_pointers=(1, 3)),)), "lines[0].dx_pointers"),
    "MODIFIERS": (lambda f: replace(f, lines=(a_line(modifiers=("QQ",), modifier_checks=(BAD_CODE,)),)),
                  "lines[0].modifiers"),
    "UNITS_AND_CHARGES": (lambda f: replace(f, lines=(a_line(), a_line("36415", charge_cents=0))),
                          "lines[1].fee_cents"),
    "FUTURE_DATE": (lambda f: replace(f, date_of_service=date(2026, 3, 11)), "date_of_service"),
    "TIMELY_FILING": (lambda f: replace(f, timely_filing_days=7), "date_of_service"),
    "TIMELY_FILING_SOON": (lambda f: replace(f, timely_filing_days=20), "date_of_service"),
    "DUPLICATE_CLAIM": (lambda f: replace(f, duplicate_claim_ids=(7,)), "lines"),
    "POS_LOCATION": (lambda f: replace(f, place_of_service="22"), "place_of_service"),
    "PRIOR_AUTH": (lambda f: replace(f, auth_required_codes=frozenset({"36415"})), "prior_authorization"),
    "SEX_SPECIFIC": (lambda f: replace(f, diagnoses=("E119", "N401"), patient=replace(PATIENT, sex="F")),
                     "diagnoses[1]"),
    "AGE_SPECIFIC": (lambda f: replace(f, lines=(a_line("99397"),)), "lines[0].code"),
    "CODE_PAIRS": (lambda f: replace(f, code_pairs=(("99213", "36415", True),)), "lines[1].modifiers"),
    "REPLACEMENT_REFERENCE": (lambda f: replace(f, frequency="7"), "payer_claim_number"),
}


def test_the_clean_claim_passes_every_rule() -> None:
    assert scrubber.scrub(clean()) == []


def test_every_rule_has_a_case() -> None:
    assert set(CASES) == set(scrubber.RULES_BY_CODE)


@pytest.mark.parametrize("rule", sorted(CASES))
def test_each_rule_stops_its_claim_and_names_the_field(rule: str) -> None:
    breaks, field = CASES[rule]
    found = scrubber.scrub(breaks(clean()))
    mine = [f for f in found if f.rule == rule]
    assert mine and mine[0].field == field and mine[0].message, found
    assert mine[0].severity == scrubber.RULES_BY_CODE[rule].severity
    # Switched off by the practice, the rule says nothing.
    assert not [f for f in scrubber.scrub(breaks(clean()), frozenset({rule})) if f.rule == rule]


def test_warnings_do_not_block_errors_do() -> None:
    soon = scrubber.scrub(CASES["TIMELY_FILING_SOON"][0](clean()))
    assert [f.severity for f in soon] == ["warning"] and scrubber.is_clean(soon)
    assert not scrubber.is_clean(scrubber.scrub(CASES["FUTURE_DATE"][0](clean())))


def test_a_distinct_service_modifier_lets_a_pair_through_only_where_allowed() -> None:
    facts = replace(clean(), lines=(a_line(), a_line("36415", charge_cents=1500, modifiers=("59",))))
    assert scrubber.scrub(replace(facts, code_pairs=(("99213", "36415", True),))) == []
    never = scrubber.scrub(replace(facts, code_pairs=(("99213", "36415", False),)))
    assert [(f.rule, f.field) for f in never] == [("CODE_PAIRS", "lines[1].code")]


@pytest.mark.parametrize(("code", "born", "stopped"), [
    ("99395", date(1990, 3, 2), False), ("99395", date(1986, 3, 1), True), ("99396", date(1986, 3, 1), False),
    ("99381", date(2025, 6, 1), False), ("99381", date(2025, 3, 1), True), ("99387", date(1950, 1, 1), False)])
def test_preventive_visits_by_age_on_the_date_of_service(code: str, born: date, stopped: bool) -> None:
    facts = replace(clean(), patient=replace(PATIENT, birth_date=born), lines=(a_line(code),))
    assert any(f.rule == "AGE_SPECIFIC" for f in scrubber.scrub(facts)) == stopped

"""Pure rules: reading the search box, names to search keys, contact data, document content."""

from __future__ import annotations

from datetime import date

import pytest

from server.common import contact_rules
from server.documents.rules import content_type
from server.errors import FieldErrors
from server.patients.names import search_keys
from server.patients.rules import ssn_digits
from server.patients.search_query import member_key, parse
from tests.builders import pdf_bytes, png_bytes

TODAY = date(2026, 11, 25)


def test_query_kinds() -> None:
    q = parse("Smith, Jo 2/3/80", TODAY)
    assert (q.names, q.birth_dates) == (["smith", "jo"], [date(1980, 2, 3)])
    assert parse("(614) 555-0134", TODAY).phone == "+16145550134"
    assert parse("614.555.0134", TODAY).phone == "+16145550134"
    mrn = parse("100234", TODAY)
    assert mrn.mrns == ["100234"] and mrn.member_keys == ["100234"] and not mrn.birth_dates
    eight = parse("02031980", TODAY)
    assert eight.birth_dates == [date(1980, 2, 3)] and eight.mrns == ["02031980"]
    assert parse("w123-456-789", TODAY).member_keys == ["W123456789"]
    assert parse("123-45-6789", TODAY).ssn == "123456789"
    assert parse("O'Brien José", TODAY).names == ["obrien", "jose"]
    assert parse("   ", TODAY).empty


@pytest.mark.parametrize("typed", ["02/30/1980", "13/01/1980", "1/1/2027", "1/1/1899"])
def test_impossible_or_future_dates_are_not_birth_dates(typed: str) -> None:
    assert parse(typed, TODAY).birth_dates == []


def test_two_digit_years_are_the_most_recent_past() -> None:
    assert parse("1/2/26", TODAY).birth_dates == [date(2026, 1, 2)]
    assert parse("1/2/27", TODAY).birth_dates == [date(1927, 1, 2)]


def test_search_keys_fold_accents_apostrophes_and_compounds() -> None:
    assert search_keys("José", "", "O'Brien-Núñez", "Pepe") == (
        "obriennunez", "jose", "obrien nunez jose pepe obriennunez")
    assert search_keys("Ann", "B.", "De La Cruz", "") == ("delacruz", "ann", "de la cruz ann b delacruz")
    assert member_key("w12 3-45") == "W12345"


@pytest.mark.parametrize(("typed", "stored"), [("(614) 555-0134", "+16145550134"), ("1-614-555-0134", "+16145550134"),
                                               ("+1 614 555 0134", "+16145550134")])
def test_phones_become_e164(typed: str, stored: str) -> None:
    errors = FieldErrors()
    assert contact_rules.phone_number(errors, "p", typed) == stored and not errors.violations


@pytest.mark.parametrize("typed", ["555-0134", "(014) 555-0134", "(614) 155-0134", "614-555-01345", "call me"])
def test_bad_phones_are_named(typed: str) -> None:
    errors = FieldErrors()
    contact_rules.phone_number(errors, "patient.phones[0].number", typed)
    assert [v.field for v in errors.violations] == ["patient.phones[0].number"]


def test_zip_formats_and_state_areas() -> None:
    errors = FieldErrors()
    assert contact_rules.zip_code(errors, "z", "432151234", "OH") == "43215-1234"
    assert contact_rules.zip_code(errors, "z", "10001", "NY") == "10001"
    assert not errors.violations
    contact_rules.zip_code(errors, "z", "90210", "OH")
    contact_rules.zip_code(errors, "z", "4321", "OH")
    assert len(errors.violations) == 2


@pytest.mark.parametrize(("typed", "ok"), [("123-45-6789", True), ("123456789", True), ("000-12-3456", False),
                                           ("666-12-3456", False), ("912-34-5678", False), ("123-00-4567", False),
                                           ("123-45-0000", False), ("12-345-678", False)])
def test_ssn_ranges(typed: str, ok: bool) -> None:
    errors = FieldErrors()
    ssn_digits(errors, "ssn", typed)
    assert (not errors.violations) == ok


def test_documents_are_recognised_by_their_bytes() -> None:
    assert content_type(pdf_bytes()) == "application/pdf"
    assert content_type(png_bytes()) == "image/png"
    jpeg = b"\xff\xd8\xff\xe0" + b"\x00" * 100 + b"\xff\xd9"
    assert content_type(jpeg) == "image/jpeg"
    assert content_type(b"GIF89a....") is None
    assert content_type(pdf_bytes()[:-40]) is None  # cut short
    assert content_type(b"hello.pdf") is None

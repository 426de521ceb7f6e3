"""The CMS-1500 (02/12) as PDF: every page is read back with pypdf, and each value must sit at its box's place in
the form's character grid (10 characters per inch, 6 lines per inch; within half a character), in both modes."""

from __future__ import annotations

import dataclasses
import io
import itertools
from collections.abc import Sequence
from datetime import date

import pypdf
import pytest

from server.claims import cms1500
from server.claims.cms1500 import FormClaim, render_cms1500
from server.scheduling.rules import npi_check_digit
from server.x12.claim837 import (
    Address,
    BillingProvider,
    Claim,
    OtherPayer,
    PayerName,
    Person,
    ProviderName,
    ServiceFacility,
    ServiceLine,
    Subscriber,
)

MODES = ("red_form", "full")
DOS = date(2026, 10, 5)
HALF_CHAR = 72 / 10 / 2


def npi(nine: str) -> str:
    return nine + str(npi_check_digit(nine))


BILLING_NPI, RENDERING_NPI, REFERRING_NPI, FACILITY_NPI = (
    npi("123456789"), npi("198765432"), npi("156789012"), npi("187654321"))
HOME = Address("12 Elm St.", "Columbus", "OH", "432151234", line2="Apt #4")
JANE = Person("Doe", "Jane", middle="Quinn", birth_date=date(1980, 2, 3), sex="F", address=HOME)
TIMMY = Person("Doe", "Timmy", birth_date=date(2015, 6, 7), sex="M", address=HOME)
BUCKEYE = PayerName("Buckeye Health Plan", "BHP01", Address("PO Box 1234", "Dayton", "OH", "45401"))
BILLING = BillingProvider("Elm Street Family Practice", BILLING_NPI, "31-1234567", "207Q00000X",
                          Address("100 Main St", "Columbus", "OH", "432151234"), phone="614-555-0100")


def line(code: str = "99213", cents: int = 12_500, **changes: object) -> ServiceLine:
    return dataclasses.replace(ServiceLine(code, cents, 1000, (1,), DOS), **changes)  # type: ignore[arg-type]


def claim(lines: Sequence[ServiceLine] | None = None, **changes: object) -> Claim:
    lines = tuple(lines) if lines is not None else (line(),)
    base = Claim("C1042", sum(x.charge_cents for x in lines), "11", "1",
                 Subscriber(JANE, "XYZ123456", "P", "CI", group_number="GRP100"), BUCKEYE, ("E119",), lines,
                 rendering=ProviderName("Welby", "Marcus", RENDERING_NPI, "207Q00000X"))
    return dataclasses.replace(base, **changes)  # type: ignore[arg-type]


def form(c: Claim | None = None, **changes: object) -> FormClaim:
    base = FormClaim(BILLING, c or claim(), patient_phone="614-555-0111", insured_phone="(614) 555-0112",
                     signature_date=date(2026, 10, 6))
    return dataclasses.replace(base, **changes)  # type: ignore[arg-type]


@dataclasses.dataclass(frozen=True)
class Text:
    x: float
    y: float
    text: str


def pages(pdf: bytes) -> list[list[Text]]:
    """Each page's data (the Courier strings) with where it starts."""
    reader = pypdf.PdfReader(io.BytesIO(pdf))
    out: list[list[Text]] = []
    for page in reader.pages:
        found: list[Text] = []

        def visit(text: str, cm: list[float], tm: list[float], font: dict | None, size: float,
                  found: list[Text] = found) -> None:
            if text.strip() and font is not None and font.get("/BaseFont") == "/Courier":
                # The text matrix's origin, through the current transformation.
                x = tm[4] * cm[0] + tm[5] * cm[2] + cm[4]
                y = tm[4] * cm[1] + tm[5] * cm[3] + cm[5]
                found.append(Text(x, y, text.strip()))

        page.extract_text(visitor_text=visit)
        out.append(found)
    return out


def grid(line: int, col: float) -> tuple[float, float]:
    """Where text at (line, col) of the 1500 grid starts: 10 characters per inch from the grid's left edge, 6 lines
    per inch down from its top, the baseline 3 pt above the bottom of the line on US Letter (792 pt high)."""
    return cms1500.GRID_LEFT_PT + (col - 1) * 7.2, 792 - cms1500.GRID_TOP_PT - line * 12 + 3


def at(page: list[Text], line: int, col: float) -> str:
    """The text starting at (line, col), within half a character; '' when nothing is there."""
    x, y = grid(line, col)
    hits = [t.text for t in page if abs(t.x - x) <= HALF_CHAR and abs(t.y - y) <= 1.0]
    assert len(hits) <= 1, hits
    return hits[0] if hits else ""


def line_texts(page: list[Text], line: int) -> list[tuple[int, str]]:
    """Every value on a grid line as (column, text), left to right."""
    _, y = grid(line, 1)
    return sorted((round((t.x - cms1500.GRID_LEFT_PT) / 7.2) + 1, t.text) for t in page if abs(t.y - y) <= 1.0)


def render(claims: Sequence[FormClaim], mode: str) -> list[list[Text]]:
    pdf = render_cms1500(claims, mode=mode)  # type: ignore[arg-type]
    assert pdf.startswith(b"%PDF-")
    return pages(pdf)


@pytest.mark.parametrize("mode", MODES)
def test_a_simple_claim_fills_each_box_at_its_place(mode: str) -> None:
    (page,) = render([form()], mode)
    assert at(page, 2, 41) == "BUCKEYE HEALTH PLAN"
    assert at(page, 3, 41) == "PO BOX 1234" and at(page, 4, 41) == "DAYTON OH 45401"
    assert at(page, 8, 31) == "X"  # 1: CI is a group health plan
    assert at(page, 8, 50) == "XYZ123456"  # 1a
    assert at(page, 10, 1) == "DOE, JANE, Q"  # 2
    assert at(page, 10, 31) == "02 03 1980"  # 3
    assert at(page, 10, 47) == "X" and at(page, 10, 42) == ""  # 3: F
    assert at(page, 10, 50) == "DOE, JANE, Q"  # 4
    assert at(page, 12, 1) == "12 ELM ST APT 4"  # 5: no punctuation
    assert at(page, 12, 33) == "X"  # 6: self
    assert at(page, 14, 1) == "COLUMBUS" and at(page, 14, 26) == "OH"
    assert at(page, 16, 1) == "43215-1234" and at(page, 16, 15) == "614" and at(page, 16, 19) == "5550111"
    assert at(page, 16, 65) == "614" and at(page, 16, 69) == "5550112"  # 7's phone
    assert at(page, 18, 1) == ""  # 9: no other insurance
    assert at(page, 18, 50) == "GRP100"  # 11
    assert [at(page, n, 41) for n in (20, 22, 24)] == ["X", "X", "X"]  # 10a-c: NO
    assert at(page, 20, 53) == "02 03 1980" and at(page, 20, 75) == "X"  # 11a
    assert at(page, 24, 50) == "BUCKEYE HEALTH PLAN"  # 11c
    assert at(page, 26, 57) == "X" and at(page, 26, 52) == ""  # 11d: NO
    assert at(page, 29, 7) == "SIGNATURE ON FILE" and at(page, 29, 56) == "SIGNATURE ON FILE"  # 12, 13
    assert at(page, 37, 42) == "0"  # 21: ICD-10
    assert at(page, 38, 3) == "E119"
    assert at(page, 38, 50) == ""  # 22: an original claim
    # 24, line 1: the data line under the first shaded line.
    assert line_texts(page, 44) == [(1, "10 05 26"), (10, "10 05 26"), (19, "11"), (25, "99213"), (45, "A"),
                                    (52, "125"), (56, "00"), (59, "1"), (68, RENDERING_NPI)]
    assert at(page, 56, 1) == "311234567" and at(page, 56, 19) == "X"  # 25: EIN, no hyphen
    assert at(page, 56, 23) == "C1042"  # 26: the claim control number
    assert at(page, 56, 38) == "X"  # 27: YES
    assert at(page, 56, 54) == "125" and at(page, 56, 58) == "00"  # 28: dollars right justified
    assert at(page, 56, 62) == ""  # 29: nobody paid yet
    assert at(page, 57, 66) == "614" and at(page, 57, 70) == "5550100"  # 33's phone
    assert at(page, 58, 23) == "ELM STREET FAMILY PRACTICE"  # 32: seen at the billing address
    assert at(page, 61, 23) == ""  # 32a then stays empty
    assert [at(page, n, 50) for n in (58, 59, 60, 61)] == [
        "ELM STREET FAMILY PRACTICE", "100 MAIN ST", "COLUMBUS OH 43215-1234", BILLING_NPI]  # 33, 33a
    assert at(page, 60, 1) == "SIGNATURE ON FILE" and at(page, 61, 6) == "10 06 26"  # 31
    assert at(page, 1, 66) == ""  # a one-page claim has no page number


@pytest.mark.parametrize("mode", MODES)
def test_a_child_of_the_subscriber_with_a_referring_provider_and_a_facility(mode: str) -> None:
    child = claim(patient=TIMMY, patient_relationship="19",
                  referring=ProviderName("Kildare", "James", REFERRING_NPI),
                  facility=ServiceFacility("Elm St. Surgery Center", Address("200 Oak Ave", "Columbus", "OH",
                                                                             "432151111"), FACILITY_NPI),
                  subscriber=Subscriber(JANE, "MCD998877", "P", "MC"))
    (page,) = render([form(child)], mode)
    assert at(page, 8, 8) == "X" and at(page, 8, 31) == ""  # 1: Medicaid
    assert at(page, 10, 1) == "DOE, TIMMY"
    assert at(page, 10, 31) == "06 07 2015" and at(page, 10, 42) == "X"
    assert at(page, 10, 50) == "DOE, JANE, Q"
    assert at(page, 12, 42) == "X" and at(page, 12, 33) == ""  # 6: child
    assert at(page, 20, 53) == "02 03 1980"  # 11a: the insured's, not the patient's
    assert (at(page, 34, 1), at(page, 34, 4), at(page, 34, 33)) == ("DN", "JAMES KILDARE", REFERRING_NPI)
    assert [at(page, n, 23) for n in (58, 59, 60, 61)] == [
        "ELM ST SURGERY CENTER", "200 OAK AVE", "COLUMBUS OH 43215-1111", FACILITY_NPI]


@pytest.mark.parametrize("mode", MODES)
def test_twelve_diagnoses_with_pointers_and_four_modifiers(mode: str) -> None:
    codes = ("E119", "I10", "E785", "Z0000", "R319", "M545", "M25561", "M25562", "M1711", "M1712", "Z79899", "J069")
    lines = [line("99214", 18_500, dx_pointers=(1, 2, 3, 4), modifiers=("25",)),
             line("20610", 22_000, dx_pointers=(9, 10, 12), modifiers=("RT", "59", "XS", "76")),
             line("97110", 9_000, dx_pointers=(11,), units_milli=1_500)]
    (page,) = render([form(claim(lines, diagnoses=codes))], mode)
    grid_codes = [at(page, 38 + n // 4, (3, 16, 29, 42)[n % 4]) for n in range(12)]
    assert grid_codes == list(codes)  # A-D, E-H, I-L across three lines
    assert at(page, 44, 45) == "ABCD" and at(page, 44, 33) == "25"
    assert [at(page, 46, col) for col in (33, 36, 39, 42)] == ["RT", "59", "XS", "76"]
    assert at(page, 46, 45) == "IJL"
    assert at(page, 48, 45) == "K" and at(page, 48, 59) == "1.5"
    assert at(page, 56, 54) == "495" and at(page, 56, 58) == "00"


@pytest.mark.parametrize("mode", MODES)
def test_eight_lines_continue_on_a_second_page_totalled_on_the_last(mode: str) -> None:
    lines = [line(f"9921{n % 6}", 1_000 * (n + 1) + 5) for n in range(8)]
    first, second = render([form(claim(lines))], mode)
    assert at(first, 1, 66) == "PAGE 1 OF 2" and at(second, 1, 66) == "PAGE 2 OF 2"
    assert at(first, 56, 51) == "CONTINUED" and at(first, 56, 58) == ""
    assert [at(first, 44 + 2 * n, 25) for n in range(6)] == [f"9921{n}" for n in range(6)]
    assert [at(second, 44 + 2 * n, 25) for n in range(2)] == ["99210", "99211"]
    assert at(second, 48, 25) == ""  # lines 3-6 of page 2 stay empty
    assert (at(second, 44, 53), at(second, 44, 56)) == ("70", "05")
    assert (at(second, 56, 54), at(second, 56, 58)) == ("360", "40")  # the claim's total, 360.40
    for page in (first, second):  # every page names the patient, the insured and the diagnoses
        assert at(page, 8, 50) == "XYZ123456" and at(page, 10, 1) == "DOE, JANE, Q" and at(page, 38, 3) == "E119"


@pytest.mark.parametrize("mode", MODES)
def test_a_replacement_claim_with_other_insurance_and_prior_authorization(mode: str) -> None:
    other = OtherPayer(Subscriber(Person("Doe", "John", birth_date=date(1979, 1, 1), sex="M"), "OTH555", "S", "CI",
                                  group_number="G-77", plan_name="Acme Employer Plan"),
                       "01", PayerName("Acme Health", "ACME1"), paid_cents=4_050)
    replacement = claim(frequency="7", original_claim_number="PAYER998877", prior_authorization="PA55555",
                        other_payers=(other,), accept_assignment=False, note="Corrected units")
    (page,) = render([form(replacement)], mode)
    assert (at(page, 38, 50), at(page, 38, 62)) == ("7", "PAYER998877")  # 22
    assert at(page, 40, 50) == "PA55555"  # 23
    assert at(page, 18, 1) == "DOE, JOHN" and at(page, 20, 1) == "G-77" and at(page, 26, 1) == "ACME EMPLOYER PLAN"
    assert at(page, 26, 52) == "X" and at(page, 26, 57) == ""  # 11d: YES
    assert at(page, 36, 1) == "CORRECTED UNITS"  # 19
    assert at(page, 56, 43) == "X" and at(page, 56, 38) == ""  # 27: NO
    assert (at(page, 56, 65), at(page, 56, 68)) == ("40", "50")  # 29


def test_medicare_is_box_one_and_none_in_eleven() -> None:
    medicare = claim(subscriber=Subscriber(JANE, "1EG4TE5MK73", "P", "MB"))
    (page,) = render([form(medicare)], "red_form")
    assert at(page, 8, 1) == "X" and at(page, 18, 50) == "NONE"


@pytest.mark.parametrize("mode", MODES)
def test_too_long_values_are_cut_to_their_box(mode: str) -> None:
    address = Address("1234 Extraordinarily Long Boulevard Name", "Llanfairpwllgwyngyllgogerychwyrndrobwll", "PA",
                      "19103")
    long_person = Person("Wolfeschlegelsteinhausenbergerdorff", "Hubert", middle="Blaine", birth_date=date(1950, 1, 1),
                         sex="M", address=address)
    long_claim = claim(subscriber=Subscriber(long_person, "ID" + "9" * 40, "P", "CI", group_number="G" * 40),
                       diagnoses=("E119",), prior_authorization="A" * 60,
                       payer=PayerName("The Extremely Long Named Health Insurance Company of America", "X1"))
    (page,) = render([form(long_claim, physician_signature="Doctor Hubert Wolfeschlegelsteinhausenberger MD")],
                     mode)
    for line_no, col, width in ((8, 50, 29), (10, 1, 28), (10, 50, 29), (12, 1, 28), (14, 1, 23), (18, 50, 29),
                                (40, 50, 29), (2, 41, 31), (60, 1, 21)):
        text = at(page, line_no, col)
        assert len(text) == width, (line_no, col, text)
    assert at(page, 10, 1) == "WOLFESCHLEGELSTEINHAUSENBERG"
    # Nothing runs into the neighbouring box: each line's values end before the next value starts.
    for line_no in (8, 10, 12, 14, 60):
        row = line_texts(page, line_no)
        for (col, text), (next_col, _) in itertools.pairwise(row):
            assert col + len(text) <= next_col, (line_no, row)
    # And the right-hand boxes stay inside the form (column 80).
    for line_no in (2, 8, 10, 18, 40):
        assert all(col + len(text) - 1 <= 80 for col, text in line_texts(page, line_no))


def test_numbers_that_do_not_fit_are_refused_with_the_field_named() -> None:
    with pytest.raises(ValueError, match=r"claims\[0\]\.lines\[0\]\.charge_cents"):
        render_cms1500([form(claim([line(cents=10_000_000)]))], mode="red_form")
    with pytest.raises(ValueError, match=r"claims\[1\]\.lines\[0\]\.units_milli"):
        render_cms1500([form(), form(claim([line(units_milli=2_250)]))], mode="full")
    with pytest.raises(ValueError, match=r"claims\[0\]\.total_charge_cents"):
        render_cms1500([form(claim(total_charge_cents=1))], mode="full")
    with pytest.raises(ValueError, match=r"claims\[0\]\.lines\[0\]\.dx_pointers"):
        render_cms1500([form(claim([line(dx_pointers=(2,))]))], mode="full")
    with pytest.raises(ValueError, match="mode"):
        render_cms1500([form()], mode="blue")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="claims"):
        render_cms1500([], mode="full")


def test_one_page_per_claim_and_the_modes_differ_only_in_the_form() -> None:
    claims = [form(), form(claim(patient=TIMMY, patient_relationship="19")), form(claim([line()] * 7))]
    red = render_cms1500(claims, mode="red_form")
    full = render_cms1500(claims, mode="full")
    assert len(pages(red)) == len(pages(full)) == 4
    assert pages(red) == pages(full)  # the same data at the same places
    red_page = pypdf.PdfReader(io.BytesIO(red)).pages[0]
    full_page = pypdf.PdfReader(io.BytesIO(full)).pages[0]
    red_ops, full_ops = (page.get_contents().get_data() for page in (red_page, full_page))  # type: ignore[union-attr]
    assert b" Do" in full_ops  # the form, drawn once and placed on every page
    for drawing in (b" Do", b" re", b" l\n", b" RG"):  # no form, rectangles, lines or red: just the data
        assert drawing not in red_ops
    assert "INSURED'S I.D. NUMBER" not in red_page.extract_text()
    assert "INSURED'S I.D. NUMBER" in full_page.extract_text()
    assert "FEDERAL TAX I.D. NUMBER" in full_page.extract_text()


def test_offset_moves_everything() -> None:
    (page,) = pages(render_cms1500([form()], mode="full", offset_pt=(3.6, -6.0)))
    x, y = grid(8, 50)
    assert any(t.text == "XYZ123456" and abs(t.x - x - 3.6) < 0.01 and abs(t.y - y + 6.0) < 0.01 for t in page)

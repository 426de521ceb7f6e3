"""The paper claim: the NUCC 1500 (CMS-1500, version 02/12) as PDF, from the same plain values as the 837P
(`server/x12/claim837.py`). Pure Python (reportlab), no database.

The form is a character grid: 10 characters per inch across and 6 lines per inch down on US Letter, and every box
holds its data at a fixed (line, column) of that grid (1-based, as the print-alignment tables of practice
management systems give them; the table below follows the layout OpenEMR prints on the red form). Each value is
drawn in Courier 10 pt (exactly 10 characters per inch) at the grid position of its box and cut to the box's width,
so a long value never runs into the next box. The grid's origin (`GRID_LEFT_PT`, `GRID_TOP_PT`) is the usual
default for laser printers; printers differ by a few points, so `render_cms1500` takes an `offset_pt` to nudge
everything for one printer.

Two modes:
- ``red_form``: the data only (no lines, no labels), for the pre-printed red OCR forms payers scan;
- ``full``: the form itself drawn in red (box outlines, box numbers, short labels) under the same data, readable on
  plain paper (for payers that take a printed copy, for the practice's records, and to check a claim by eye).

One page per claim; a claim with more than 6 service lines continues on further pages. Every page repeats the
claim's other boxes, only 24 and 28 change: as payers' multi-page instructions say, box 28 reads CONTINUED on all
but the last page, the last page carries the total charge of all pages (and box 29 what other payers paid), and
each page says "PAGE n OF m" at its top right.

Contents follow the NUCC 1500 Reference Instruction Manual: upper case; names "LAST SUFFIX, FIRST, M" in 2, 4 and
9 but "FIRST M LAST" in 17; no punctuation in names and addresses (the hyphen of a ZIP+4 stays); phone numbers as a
3-digit area code and 7 digits without separators; dates MM DD YY in 24A and MM DD YYYY in 3 and 11a; ICD-10-CM codes
without the dot (the 837 values have none) and ICD indicator 0; diagnosis pointers as letters A-L, left justified,
no commas; money as dollars right justified and cents in their own box, no dollar sign, no commas; the tax id
without hyphens. A number that does not fit its box (a charge of a million dollars, 2.25 units) is refused with a
`ValueError` naming the field (`claims[0].lines[3].units_milli: ...`), as the 837P writer does: cutting a number
would bill a wrong amount. Text is cut to the box.

Box 1 from the claim filing indicator (SBR09): MB, MA Medicare; MC Medicaid; CH TRICARE; VA CHAMPVA; the group
plans (CI commercial, BL Blue Cross Blue Shield, HM HMO, 12-17 PPO, POS, EPO, indemnity, HMO Medicare risk, dental
maintenance; FI Federal Employees Program) Group Health Plan; everything else (workers' compensation, automobile,
liability, self-pay, ...) Other.
"""

from __future__ import annotations

import io
import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import Literal, NamedTuple

from reportlab.lib.colors import Color, black
from reportlab.lib.pagesizes import letter
from reportlab.pdfgen.canvas import Canvas

from server.x12.claim837 import (
    Address,
    BillingProvider,
    Claim,
    Person,
    ProviderName,
    ServiceLine,
)

Mode = Literal["red_form", "full"]

PAGE_WIDTH_PT, PAGE_HEIGHT_PT = letter
CHAR_WIDTH_PT = 72 / 10  # 10 characters per inch
LINE_HEIGHT_PT = 72 / 6  # 6 lines per inch
# Where the grid starts on the page: the left edge of column 1 and the top edge of line 1 (points from the page's
# left and top edges).
GRID_LEFT_PT = 24.0
GRID_TOP_PT = 20.0
# The baseline of a line's characters sits this far above the bottom of its 1/6-inch band (Courier's descenders).
BASELINE_RAISE_PT = 3.0
DATA_FONT = "Courier"
DATA_SIZE = 10
LINES_PER_PAGE = 6
# Box 24: line n (1-6) has its shaded supplemental line at FIRST_SERVICE_LINE + 2 (n - 1) and its data below.
FIRST_SERVICE_LINE = 43

RED = Color(0.82, 0.11, 0.13)
SHADE = Color(1.0, 0.89, 0.89)
LABEL_FONT = "Helvetica"
LABEL_BOLD = "Helvetica-Bold"


class Box(NamedTuple):
    """Where a box's data goes: grid line, first column, and how many characters fit."""

    line: int
    col: int
    width: int


class Money(NamedTuple):
    """A split money box: the dollars right justified in `dollar_width` columns ending at `dollars_end`, the cents in
    the two columns from `cents_col`."""

    line: int
    dollars_end: int
    dollar_width: int
    cents_col: int


# The layout of the 02/12 form on the grid (line, column, width). Checkboxes are one-character boxes.
PAGE_OF = Box(1, 66, 14)
CARRIER = (Box(2, 41, 31), Box(3, 41, 31), Box(4, 41, 31), Box(5, 41, 31))
PROGRAM = {"medicare": Box(8, 1, 1), "medicaid": Box(8, 8, 1), "tricare": Box(8, 15, 1),
           "champva": Box(8, 24, 1), "group": Box(8, 31, 1), "feca": Box(8, 39, 1), "other": Box(8, 45, 1)}
INSURED_ID = Box(8, 50, 29)  # 1a
PATIENT_NAME = Box(10, 1, 28)  # 2
PATIENT_BIRTH = Box(10, 31, 10)  # 3: MM DD YYYY
PATIENT_SEX = {"M": Box(10, 42, 1), "F": Box(10, 47, 1)}
INSURED_NAME = Box(10, 50, 29)  # 4
PATIENT_STREET = Box(12, 1, 28)  # 5
RELATIONSHIP = {"self": Box(12, 33, 1), "spouse": Box(12, 38, 1), "child": Box(12, 42, 1),
                "other": Box(12, 47, 1)}  # 6
INSURED_STREET = Box(12, 50, 29)  # 7
PATIENT_CITY, PATIENT_STATE = Box(14, 1, 23), Box(14, 26, 3)
INSURED_CITY, INSURED_STATE = Box(14, 50, 22), Box(14, 74, 3)
PATIENT_ZIP, PATIENT_AREA_CODE, PATIENT_PHONE = Box(16, 1, 10), Box(16, 15, 3), Box(16, 19, 7)
INSURED_ZIP, INSURED_AREA_CODE, INSURED_PHONE = Box(16, 50, 10), Box(16, 65, 3), Box(16, 69, 7)
OTHER_INSURED_NAME = Box(18, 1, 28)  # 9
INSURED_GROUP = Box(18, 50, 29)  # 11
OTHER_INSURED_POLICY = Box(20, 1, 28)  # 9a
EMPLOYMENT = {True: Box(20, 35, 1), False: Box(20, 41, 1)}  # 10a
INSURED_BIRTH = Box(20, 53, 10)  # 11a: MM DD YYYY
INSURED_SEX = {"M": Box(20, 68, 1), "F": Box(20, 75, 1)}
AUTO_ACCIDENT = {True: Box(22, 35, 1), False: Box(22, 41, 1)}  # 10b
OTHER_ACCIDENT = {True: Box(24, 35, 1), False: Box(24, 41, 1)}  # 10c
INSURED_PLAN = Box(24, 50, 29)  # 11c
OTHER_INSURED_PLAN = Box(26, 1, 28)  # 9d
ANOTHER_PLAN = {True: Box(26, 52, 1), False: Box(26, 57, 1)}  # 11d
PATIENT_SIGNATURE = Box(29, 7, 23)  # 12
INSURED_SIGNATURE = Box(29, 56, 23)  # 13
REFERRING_QUALIFIER, REFERRING_NAME, REFERRING_NPI = Box(34, 1, 2), Box(34, 4, 25), Box(34, 33, 10)  # 17, 17b
ADDITIONAL_INFO = Box(36, 1, 47)  # 19
ICD_INDICATOR = Box(37, 42, 1)  # 21
DIAGNOSIS_LINE, DIAGNOSIS_COLS, DIAGNOSIS_WIDTH = 38, (3, 16, 29, 42), 7  # 21 A-L: 3 lines of 4
RESUBMISSION_CODE, ORIGINAL_REF = Box(38, 50, 10), Box(38, 62, 18)  # 22
PRIOR_AUTH = Box(40, 50, 29)  # 23
# Box 24, columns on a service line (the line itself comes from the line's position on the page).
SUPPLEMENTAL_COL, SUPPLEMENTAL_WIDTH = 1, 61  # shaded line, 24A-24G
FROM_COL, TO_COL, DATE_WIDTH = 1, 10, 8  # 24A: MM DD YY
POS_COL, POS_WIDTH = 19, 2  # 24B
CODE_COL, CODE_WIDTH = 25, 6  # 24D
MODIFIER_COLS, MODIFIER_WIDTH = (33, 36, 39, 42), 2
POINTER_COL, POINTER_WIDTH = 45, 4  # 24E
LINE_CHARGE = Money(0, 54, 5, 56)  # 24F (line set per service line)
UNITS_COL, UNITS_WIDTH = 59, 3  # 24G
RENDERING_NPI_COL, RENDERING_NPI_WIDTH = 68, 10  # 24J
TAX_ID = Box(56, 1, 15)  # 25
TAX_ID_TYPE = {"SSN": Box(56, 17, 1), "EIN": Box(56, 19, 1)}
ACCOUNT_NUMBER = Box(56, 23, 14)  # 26
ACCEPT_ASSIGNMENT = {True: Box(56, 38, 1), False: Box(56, 43, 1)}  # 27
TOTAL_CHARGE = Money(56, 56, 6, 58)  # 28
CONTINUED = Box(56, 51, 9)
AMOUNT_PAID = Money(56, 66, 5, 68)  # 29
BILLING_AREA_CODE, BILLING_PHONE = Box(57, 66, 3), Box(57, 70, 7)  # 33 phone
PHYSICIAN_SIGNATURE, SIGNATURE_DATE = Box(60, 1, 21), Box(61, 6, 8)  # 31
FACILITY_LINES = (Box(58, 23, 26), Box(59, 23, 26), Box(60, 23, 26))  # 32
FACILITY_NPI = Box(61, 23, 10)  # 32a
BILLING_LINES = (Box(58, 50, 29), Box(59, 50, 29), Box(60, 50, 29))  # 33
BILLING_NPI = Box(61, 50, 10)  # 33a

PROGRAM_BY_FILING = {"MB": "medicare", "MA": "medicare", "MC": "medicaid", "CH": "tricare", "VA": "champva",
                     **dict.fromkeys(("CI", "BL", "HM", "12", "13", "14", "15", "16", "17", "FI"), "group")}
RELATIONSHIP_BY_CODE = {"18": "self", "01": "spouse", "19": "child"}
SIGNATURE_ON_FILE = "SIGNATURE ON FILE"


@dataclass(frozen=True)
class FormClaim:
    """One claim as the 1500 prints it: the 837 values plus what the form asks that the 837 does not carry."""

    billing_provider: BillingProvider
    claim: Claim
    # 10 digits; box 5 and box 7.
    patient_phone: str = ""
    insured_phone: str = ""
    # Box 33's phone; the billing provider's contact phone when empty.
    billing_phone: str = ""
    # Box 25: the billing provider's tax id is an EIN (the 837 sends REF*EI) or, for a solo provider, an SSN.
    tax_id_type: Literal["EIN", "SSN"] = "EIN"
    # Box 31: the date the form was signed (printed), and the signature (SIGNATURE ON FILE when empty and the
    # claim says the provider's signature is on file).
    signature_date: date | None = None
    physician_signature: str = ""

    @property
    def patient_account_number(self) -> str:
        """Box 26: the claim control number (CLM01), echoed by the payer like the 837's."""
        return self.claim.control_number


# --- the grid -------------------------------------------------------------------------------------------------


def grid_x(col: float) -> float:
    """The x (points from the page's left edge) of the left edge of a grid column (1-based; fractions allowed)."""
    return GRID_LEFT_PT + (col - 1) * CHAR_WIDTH_PT


def line_top_y(line: float) -> float:
    """The y (points from the page's bottom, as PDF counts) of the top edge of a grid line (1-based)."""
    return PAGE_HEIGHT_PT - GRID_TOP_PT - (line - 1) * LINE_HEIGHT_PT


def baseline_y(line: int) -> float:
    """The y of the baseline data on a grid line is written at."""
    return line_top_y(line + 1) + BASELINE_RAISE_PT


# --- values to text -------------------------------------------------------------------------------------------


def _text(value: str) -> str:
    """Upper case, plain ASCII (accents dropped: OCR reads A-Z), single spaces."""
    ascii_text = unicodedata.normalize("NFKD", value).encode("ascii", "ignore").decode("ascii")
    return " ".join(ascii_text.upper().split())


def _plain(value: str) -> str:
    """Names and addresses: no punctuation but the hyphen (the manual's "123 N Main Street 101")."""
    return _text(re.sub(r"[.,#'\"]", " ", value).replace("  ", " "))


def _digits(value: str) -> str:
    return re.sub(r"\D", "", value)


def _person_name(person: Person) -> str:
    """Boxes 2, 4, 9: LAST SUFFIX, FIRST, M."""
    last = _plain(f"{person.last} {person.suffix}")
    parts = [last, _plain(person.first)]
    if person.middle.strip():
        parts.append(_plain(person.middle)[:1])
    return ", ".join(p for p in parts if p)


def _provider_name(provider: ProviderName) -> str:
    """Box 17: FIRST LAST."""
    return _plain(f"{provider.first} {provider.last}")


def _zip(value: str) -> str:
    digits = _digits(value)
    return f"{digits[:5]}-{digits[5:]}" if len(digits) == 9 else digits


def _street(address: Address) -> str:
    return _plain(f"{address.line1} {address.line2}")


def _city_state_zip(address: Address) -> str:
    return _plain(f"{address.city} {address.state}") + " " + _zip(address.zip)


def _date8(value: date) -> str:
    return value.strftime("%m %d %Y")


def _date6(value: date) -> str:
    return value.strftime("%m %d %y")


def _units(units_milli: int) -> str:
    whole, milli = divmod(units_milli, 1000)
    return str(whole) if not milli else f"{whole}.{milli:03d}".rstrip("0")


def _pointer_letters(pointers: Sequence[int]) -> str:
    return "".join(chr(ord("A") + p - 1) for p in pointers)


# --- checks ---------------------------------------------------------------------------------------------------


def _check(claims: Sequence[FormClaim], mode: str) -> None:
    if mode not in ("red_form", "full"):
        raise ValueError(f"mode: {mode!r} is neither 'red_form' nor 'full'")
    if not claims:
        raise ValueError("claims: nothing to print")
    for i, form in enumerate(claims):
        claim, where = form.claim, f"claims[{i}]"
        if not claim.lines:
            raise ValueError(f"{where}.lines: a claim needs at least one service line")
        if len(claim.diagnoses) > 12:
            raise ValueError(f"{where}.diagnoses: box 21 holds 12 diagnoses, the claim has {len(claim.diagnoses)}")
        total = sum(line.charge_cents for line in claim.lines)
        if total != claim.total_charge_cents:
            raise ValueError(f"{where}.total_charge_cents: {claim.total_charge_cents} is not the sum of the lines "
                             f"({total})")
        _money_parts(total, TOTAL_CHARGE, f"{where}.total_charge_cents")
        for n, line in enumerate(claim.lines):
            at = f"{where}.lines[{n}]"
            _money_parts(line.charge_cents, LINE_CHARGE, f"{at}.charge_cents")
            if len(_units(line.units_milli)) > UNITS_WIDTH or line.units_milli <= 0:
                raise ValueError(f"{at}.units_milli: {_units(line.units_milli)} units do not fit box 24G "
                                 f"({UNITS_WIDTH} characters)")
            if not line.dx_pointers or any(not 1 <= p <= len(claim.diagnoses) for p in line.dx_pointers):
                raise ValueError(f"{at}.dx_pointers: {line.dx_pointers} do not point into the "
                                 f"{len(claim.diagnoses)} diagnoses")
            if len(line.dx_pointers) > POINTER_WIDTH:
                raise ValueError(f"{at}.dx_pointers: box 24E holds {POINTER_WIDTH} pointers")
            if len(line.modifiers) > len(MODIFIER_COLS):
                raise ValueError(f"{at}.modifiers: box 24D holds {len(MODIFIER_COLS)} modifiers")
        paid = _paid_by_others(claim)
        if paid is not None:
            _money_parts(paid, AMOUNT_PAID, f"{where}.other_payers.paid_cents")


def _money_parts(cents: int, box: Money, field: str) -> tuple[str, str]:
    if cents < 0:
        raise ValueError(f"{field}: the form takes no negative amounts ({cents})")
    dollars, rest = divmod(cents, 100)
    if len(str(dollars)) > box.dollar_width:
        raise ValueError(f"{field}: {dollars}.{rest:02d} does not fit the box ({box.dollar_width} dollar digits)")
    return str(dollars), f"{rest:02d}"


def _paid_by_others(claim: Claim) -> int | None:
    paid = [o.paid_cents for o in claim.other_payers if o.paid_cents is not None]
    return sum(paid) if paid else None


# --- drawing the data -----------------------------------------------------------------------------------------


class _Page:
    """Writes data on one page of the grid, each value cut to its box."""

    def __init__(self, canvas: Canvas, dx: float, dy: float) -> None:
        self.canvas, self.dx, self.dy = canvas, dx, dy
        canvas.setFillColor(black)
        canvas.setFont(DATA_FONT, DATA_SIZE)

    def put(self, box: Box, value: str, *, clean: bool = True) -> None:
        text = (_text(value) if clean else value)[: box.width]
        if text.strip():
            self.canvas.drawString(grid_x(box.col) + self.dx, baseline_y(box.line) + self.dy, text)

    def at(self, line: int, col: int, width: int, value: str) -> None:
        self.put(Box(line, col, width), value)

    def check(self, box: Box) -> None:
        self.put(box, "X")

    def money(self, box: Money, dollars: str, cents: str) -> None:
        self.put(Box(box.line, box.dollars_end - len(dollars) + 1, len(dollars)), dollars)  # right justified
        self.put(Box(box.line, box.cents_col, 2), cents)

    def phone(self, area: Box, number: Box, value: str) -> None:
        digits = _digits(value)
        if len(digits) == 11 and digits.startswith("1"):
            digits = digits[1:]
        if len(digits) == 10:
            self.put(area, digits[:3])
            self.put(number, digits[3:])


def _program(filing_indicator: str) -> str:
    return PROGRAM_BY_FILING.get(filing_indicator.strip().upper(), "other")


def _claim_header(page: _Page, form: FormClaim, page_no: int, pages: int) -> None:
    """Everything but boxes 24, 28 and 29: the same on every page of a claim."""
    claim, billing = form.claim, form.billing_provider
    subscriber = claim.subscriber
    insured = subscriber.person
    patient = claim.patient or insured
    if pages > 1:
        page.put(PAGE_OF, f"PAGE {page_no} OF {pages}")

    carrier = [_plain(claim.payer.name)]
    if claim.payer.address is not None:
        carrier += [_street(claim.payer.address), _city_state_zip(claim.payer.address)]
    for box, value in zip(CARRIER, carrier, strict=False):
        page.put(box, value)

    page.check(PROGRAM[_program(subscriber.claim_filing_indicator)])  # 1
    page.put(INSURED_ID, subscriber.member_id)  # 1a
    page.put(PATIENT_NAME, _person_name(patient))  # 2
    if patient.birth_date is not None:  # 3
        page.put(PATIENT_BIRTH, _date8(patient.birth_date))
    if patient.sex in PATIENT_SEX:
        page.check(PATIENT_SEX[patient.sex])
    page.put(INSURED_NAME, _person_name(insured))  # 4
    if patient.address is not None:  # 5
        page.put(PATIENT_STREET, _street(patient.address))
        page.put(PATIENT_CITY, _plain(patient.address.city))
        page.put(PATIENT_STATE, patient.address.state)
        page.put(PATIENT_ZIP, _zip(patient.address.zip))
    page.phone(PATIENT_AREA_CODE, PATIENT_PHONE, form.patient_phone)
    relationship = "self" if claim.patient is None else RELATIONSHIP_BY_CODE.get(claim.patient_relationship, "other")
    page.check(RELATIONSHIP[relationship])  # 6
    if insured.address is not None:  # 7
        page.put(INSURED_STREET, _street(insured.address))
        page.put(INSURED_CITY, _plain(insured.address.city))
        page.put(INSURED_STATE, insured.address.state)
        page.put(INSURED_ZIP, _zip(insured.address.zip))
    page.phone(INSURED_AREA_CODE, INSURED_PHONE, form.insured_phone)

    if claim.other_payers:  # 9, 9a, 9d
        other = claim.other_payers[0]
        page.put(OTHER_INSURED_NAME, _person_name(other.subscriber.person))
        page.put(OTHER_INSURED_POLICY, other.subscriber.group_number or other.subscriber.member_id)
        page.put(OTHER_INSURED_PLAN, _plain(other.subscriber.plan_name or other.payer.name))
    for condition in (EMPLOYMENT, AUTO_ACCIDENT, OTHER_ACCIDENT):  # 10a-c
        page.check(condition[False])

    group = subscriber.group_number  # 11: Medicare asks NONE when no insurance is primary to it
    if not group and _program(subscriber.claim_filing_indicator) == "medicare" and not claim.other_payers:
        group = "NONE"
    page.put(INSURED_GROUP, group)
    if insured.birth_date is not None:  # 11a
        page.put(INSURED_BIRTH, _date8(insured.birth_date))
    if insured.sex in INSURED_SEX:
        page.check(INSURED_SEX[insured.sex])
    page.put(INSURED_PLAN, _plain(subscriber.plan_name or claim.payer.name))  # 11c
    page.check(ANOTHER_PLAN[bool(claim.other_payers)])  # 11d

    if claim.release_of_information == "Y":  # 12
        page.put(PATIENT_SIGNATURE, SIGNATURE_ON_FILE)
    if claim.benefits_assigned:  # 13
        page.put(INSURED_SIGNATURE, SIGNATURE_ON_FILE)

    source, qualifier = (claim.referring, "DN") if claim.referring else (claim.supervising, "DQ")
    if source is not None:  # 17, 17b
        page.put(REFERRING_QUALIFIER, qualifier)
        page.put(REFERRING_NAME, _provider_name(source))
        page.put(REFERRING_NPI, source.npi)
    page.put(ADDITIONAL_INFO, claim.note)  # 19

    page.put(ICD_INDICATOR, "0")  # 21
    for n, code in enumerate(claim.diagnoses):
        page.at(DIAGNOSIS_LINE + n // 4, DIAGNOSIS_COLS[n % 4], DIAGNOSIS_WIDTH, code.replace(".", ""))
    if claim.frequency in ("7", "8"):  # 22
        page.put(RESUBMISSION_CODE, claim.frequency)
        page.put(ORIGINAL_REF, claim.original_claim_number)
    page.put(PRIOR_AUTH, claim.prior_authorization)  # 23

    page.put(TAX_ID, _digits(billing.tax_id))  # 25
    page.check(TAX_ID_TYPE[form.tax_id_type])
    page.put(ACCOUNT_NUMBER, form.patient_account_number)  # 26
    page.check(ACCEPT_ASSIGNMENT[claim.accept_assignment])  # 27

    signature = form.physician_signature or (SIGNATURE_ON_FILE if claim.provider_signature else "")
    page.put(PHYSICIAN_SIGNATURE, signature)  # 31
    if form.signature_date is not None:
        page.put(SIGNATURE_DATE, _date6(form.signature_date))

    if claim.facility is not None:  # 32, 32a
        facility = [_plain(claim.facility.name), _street(claim.facility.address),
                    _city_state_zip(claim.facility.address)]
        page.put(FACILITY_NPI, claim.facility.npi)
    else:  # seen at the billing address: 32a stays empty (its NPI would repeat 33a)
        facility = [_plain(billing.organization_name), _street(billing.address), _city_state_zip(billing.address)]
    for box, value in zip(FACILITY_LINES, facility, strict=True):
        page.put(box, value)

    page.phone(BILLING_AREA_CODE, BILLING_PHONE, form.billing_phone or billing.phone)  # 33
    billing_lines = [_plain(billing.organization_name), _street(billing.address), _city_state_zip(billing.address)]
    for box, value in zip(BILLING_LINES, billing_lines, strict=True):
        page.put(box, value)
    page.put(BILLING_NPI, billing.npi)  # 33a


def _service_line(page: _Page, form: FormClaim, slot: int, line: ServiceLine) -> None:
    claim = form.claim
    shaded = FIRST_SERVICE_LINE + 2 * slot
    data = shaded + 1
    if line.ndc:  # the shaded line: N4 qualifier, NDC, unit and quantity
        page.at(shaded, SUPPLEMENTAL_COL, SUPPLEMENTAL_WIDTH,
                f"N4{line.ndc} {line.ndc_unit}{_units(line.ndc_quantity_milli)}")
    page.at(data, FROM_COL, DATE_WIDTH, _date6(line.service_date))  # 24A
    page.at(data, TO_COL, DATE_WIDTH, _date6(line.service_date))
    page.at(data, POS_COL, POS_WIDTH, line.place_of_service or claim.place_of_service)  # 24B
    page.at(data, CODE_COL, CODE_WIDTH, line.procedure_code)  # 24D
    for col, modifier in zip(MODIFIER_COLS, line.modifiers, strict=False):
        page.at(data, col, MODIFIER_WIDTH, modifier)
    page.at(data, POINTER_COL, POINTER_WIDTH, _pointer_letters(line.dx_pointers))  # 24E
    page.money(LINE_CHARGE._replace(line=data), *_money_parts(line.charge_cents, LINE_CHARGE, "24F"))  # 24F
    page.at(data, UNITS_COL, UNITS_WIDTH, _units(line.units_milli))  # 24G
    if claim.rendering is not None:  # 24J
        page.at(data, RENDERING_NPI_COL, RENDERING_NPI_WIDTH, claim.rendering.npi)


# --- drawing the form (mode "full") ---------------------------------------------------------------------------

FRAME_LEFT_COL = 1 - 4 / CHAR_WIDTH_PT  # the frame sits 4 pt left of column 1
FRAME_RIGHT_COL = 81.0


def _draw_form(c: Canvas) -> None:
    """The 1500 in red on the grid: each box's label on the line above its data, outlines between boxes."""
    c.setStrokeColor(RED)
    c.setFillColor(RED)
    left, right = FRAME_LEFT_COL, FRAME_RIGHT_COL
    col: float  # grid columns below are whole or half characters

    def hline(line: float, c1: float = left, c2: float = right, width: float = 0.6) -> None:
        c.setLineWidth(width)
        c.line(grid_x(c1), line_top_y(line), grid_x(c2), line_top_y(line))

    def vline(col: float, first: float, last: float, width: float = 0.6) -> None:
        c.setLineWidth(width)
        c.line(grid_x(col), line_top_y(first), grid_x(col), line_top_y(last + 1))

    def label(line: int, col: float, text: str, size: float = 5.5, tier: int = 0, font: str = LABEL_FONT) -> None:
        """Text in the upper (tier 0) or lower (tier 1) half of a grid line."""
        c.setFont(font, size)
        c.drawString(grid_x(col) + 1, line_top_y(line) - 1 - size * 0.8 - tier * 5.5, text)

    def before(line: int, col: int, text: str, size: float = 5.5) -> None:
        """A checkbox's caption, right aligned just left of the box, on the data's baseline."""
        c.setFont(LABEL_FONT, size)
        c.drawRightString(grid_x(col) - 1.5, baseline_y(line), text)

    def checkbox(box: Box) -> None:
        c.setLineWidth(0.5)
        c.rect(grid_x(box.col) - 0.4, baseline_y(box.line) - 2.0, CHAR_WIDTH_PT + 0.8, 9.0, stroke=1, fill=0)

    def shade(line: int, c1: float, c2: float) -> None:
        c.setFillColor(SHADE)
        c.rect(grid_x(c1), line_top_y(line + 1), grid_x(c2) - grid_x(c1), LINE_HEIGHT_PT, stroke=0, fill=1)
        c.setFillColor(RED)

    def vertical_caption(first: int, last: int, text: str) -> None:
        c.saveState()
        c.setFont(LABEL_FONT, 5)
        middle = (line_top_y(first) + line_top_y(last + 1)) / 2
        c.translate(grid_x(right) + 7, middle)
        c.rotate(90)
        c.drawCentredString(0, 0, text)
        c.restoreState()

    # Heading and carrier.
    c.setFont(LABEL_BOLD, 20)
    c.drawString(grid_x(1), line_top_y(3) + 2, "1500")
    label(4, 1, "HEALTH INSURANCE CLAIM FORM", size=10, font=LABEL_BOLD)
    label(5, 1, "APPROVED BY NATIONAL UNIFORM CLAIM COMMITTEE (NUCC) 02/12", size=5.5)
    label(6, 1, "PICA", size=5.5)
    checkbox(Box(6, 5, 1))
    label(6, 73, "PICA", size=5.5)
    checkbox(Box(6, 78, 1))
    vertical_caption(1, 6, "CARRIER")
    vertical_caption(7, 30, "PATIENT AND INSURED INFORMATION")
    vertical_caption(31, 61, "PHYSICIAN OR SUPPLIER INFORMATION")

    # Frame and the rules across the whole form.
    vline(left, 7, 61, 1.0)
    vline(right, 7, 61, 1.0)
    for line in (7, 62):
        hline(line, width=1.0)
    hline(31, width=1.0)
    for line in (9, 11, 13, 17, 19, 21, 23, 25, 27, 33, 35, 37, 41, 55, 57):
        hline(line)
    hline(15, left, 30)
    hline(15, 49, right)
    hline(39, 49, right)
    hline(61, 22, right)

    # 1, 1a.
    vline(49, 7, 40)
    for box, caption, hint in zip(
            PROGRAM.values(),
            ("1. MEDICARE", "MEDICAID", "TRICARE", "CHAMPVA", "GROUP HEALTH PLAN", "FECA BLK LUNG", "OTHER"),
            ("(Medicare#)", "(Medicaid#)", "(ID#/DoD#)", "(Member ID#)", "(ID#)", "(ID#)", "(ID#)"), strict=True):
        label(7, box.col - 0.3, caption, size=5)
        checkbox(box)
        c.setFont(LABEL_FONT, 5)
        c.drawString(grid_x(box.col + 1) + 1.5, baseline_y(box.line), hint)
    label(7, 49, "1a. INSURED'S I.D. NUMBER", tier=0)
    label(7, 62, "(For Program in Item 1)", size=5)

    # 2, 3, 4.
    vline(30, 9, 26)
    label(9, 1, "2. PATIENT'S NAME (Last Name, First Name, Middle Initial)")
    label(9, 30, "3. PATIENT'S BIRTH DATE")
    label(9, 31, "MM      DD       YY", size=4.5, tier=1)
    label(9, 43, "SEX")
    for sex, box in PATIENT_SEX.items():
        checkbox(box)
        before(box.line, box.col, sex)
    label(9, 49, "4. INSURED'S NAME (Last Name, First Name, Middle Initial)")

    # 5, 6, 7, 8.
    label(11, 1, "5. PATIENT'S ADDRESS (No., Street)")
    label(11, 30, "6. PATIENT RELATIONSHIP TO INSURED")
    for box, caption in zip(RELATIONSHIP.values(), ("Self", "Spouse", "Child", "Other"), strict=True):
        checkbox(box)
        before(box.line, box.col, caption)
    label(11, 49, "7. INSURED'S ADDRESS (No., Street)")
    label(13, 1, "CITY")
    label(13, 25, "STATE")
    vline(25, 13, 14)
    label(13, 30, "8. RESERVED FOR NUCC USE")
    label(13, 49, "CITY")
    label(13, 73, "STATE")
    vline(73, 13, 14)
    for zip_col, phone_col, area in ((1, 12, PATIENT_AREA_CODE), (49, 62, INSURED_AREA_CODE)):
        label(15, zip_col, "ZIP CODE")
        label(15, phone_col, "TELEPHONE (Include Area Code)")
        vline(phone_col, 15, 16)
        c.setFont(LABEL_FONT, 9)
        c.drawCentredString(grid_x(area.col - 0.5), baseline_y(16), "(")
        c.drawCentredString(grid_x(area.col + 3.5), baseline_y(16), ")")

    # 9, 10, 11.
    label(17, 1, "9. OTHER INSURED'S NAME (Last Name, First Name, Middle Initial)")
    label(17, 30, "10. IS PATIENT'S CONDITION RELATED TO:")
    label(17, 49, "11. INSURED'S POLICY GROUP OR FECA NUMBER")
    label(19, 1, "a. OTHER INSURED'S POLICY OR GROUP NUMBER")
    label(19, 30, "a. EMPLOYMENT? (Current or Previous)")
    label(19, 49, "a. INSURED'S DATE OF BIRTH")
    label(19, 53, "MM      DD       YY", size=4.5, tier=1)
    label(19, 69, "SEX")
    for sex, box in INSURED_SEX.items():
        checkbox(box)
        before(box.line, box.col, sex)
    label(21, 1, "b. RESERVED FOR NUCC USE")
    label(21, 30, "b. AUTO ACCIDENT?")
    label(21, 43, "PLACE (State)", size=5)
    label(21, 49, "b. OTHER CLAIM ID (Designated by NUCC)")
    label(23, 1, "c. RESERVED FOR NUCC USE")
    label(23, 30, "c. OTHER ACCIDENT?")
    label(23, 49, "c. INSURANCE PLAN NAME OR PROGRAM NAME")
    label(25, 1, "d. INSURANCE PLAN NAME OR PROGRAM NAME")
    label(25, 30, "10d. CLAIM CODES (Designated by NUCC)")
    label(25, 49, "d. IS THERE ANOTHER HEALTH BENEFIT PLAN?")
    for boxes in (EMPLOYMENT, AUTO_ACCIDENT, OTHER_ACCIDENT, ANOTHER_PLAN):
        for yes, box in boxes.items():
            checkbox(box)
            before(box.line, box.col, "YES" if yes else "NO")
    c.setFont(LABEL_FONT, 5)
    c.drawString(grid_x(58) + 2, baseline_y(26), "If yes, complete items 9, 9a, and 9d.")

    # 12, 13.
    label(27, 1, "READ BACK OF FORM BEFORE COMPLETING & SIGNING THIS FORM.", size=6, font=LABEL_BOLD)
    label(28, 1, "12. PATIENT'S OR AUTHORIZED PERSON'S SIGNATURE  I authorize the release of any medical or other "
                 "information necessary", size=4.5)
    label(28, 1, "to process this claim. I also request payment of government benefits either to myself or to the "
                 "party who accepts assignment below.", size=4.5, tier=1)
    label(27, 49, "13. INSURED'S OR AUTHORIZED PERSON'S SIGNATURE  I authorize", size=5)
    label(28, 49, "payment of medical benefits to the undersigned physician or", size=4.5)
    label(28, 49, "supplier for services described below.", size=4.5, tier=1)
    for line, col, caption in ((29, 7, "SIGNED"), (29, 38, "DATE"), (29, 56, "SIGNED")):
        before(line, col, caption, size=6)
    vline(49, 27, 30)

    # 14-18.
    vline(30, 31, 34)
    vline(49, 31, 40)
    label(31, 1, "14. DATE OF CURRENT ILLNESS, INJURY, or PREGNANCY (LMP)")
    label(31, 30, "15. OTHER DATE")
    label(31, 49, "16. DATES PATIENT UNABLE TO WORK IN CURRENT OCCUPATION")
    label(33, 1, "17. NAME OF REFERRING PROVIDER OR OTHER SOURCE")
    label(33, 30, "17a.")
    shade(33, 32, 49)
    label(34, 29.9, "17b.  NPI", size=4.5, tier=1)
    label(33, 49, "18. HOSPITALIZATION DATES RELATED TO CURRENT SERVICES")

    # 19, 20.
    label(35, 1, "19. ADDITIONAL CLAIM INFORMATION (Designated by NUCC)")
    label(35, 49, "20. OUTSIDE LAB?")
    label(35, 62, "$ CHARGES")
    for yes, col in ((True, 52), (False, 57)):
        checkbox(Box(36, col, 1))
        before(36, col, "YES" if yes else "NO")

    # 21, 22, 23.
    label(37, 1, "21. DIAGNOSIS OR NATURE OF ILLNESS OR INJURY  Relate A-L to service line below (24E)", size=5)
    before(ICD_INDICATOR.line, ICD_INDICATOR.col, "ICD Ind.", size=5)
    c.setLineWidth(0.4)
    for n in range(12):
        line, col = DIAGNOSIS_LINE + n // 4, DIAGNOSIS_COLS[n % 4]
        before(line, col, chr(ord("A") + n) + ".", size=6)
        c.line(grid_x(col), baseline_y(line) - 1.5, grid_x(col + DIAGNOSIS_WIDTH + 2), baseline_y(line) - 1.5)
    label(37, 49, "22. RESUBMISSION CODE")
    label(37, 61, "ORIGINAL REF. NO.")
    vline(61, 38, 38)
    label(39, 49, "23. PRIOR AUTHORIZATION NUMBER")

    # 24: heading, then six lines of a shaded supplemental line over a data line.
    label(41, 1, "24. A.      DATE(S) OF SERVICE")
    for col, caption in ((18.6, "B."), (21.6, "C."), (24.6, "D. PROCEDURES, SERVICES, OR SUPPLIES"), (44.6, "E."),
                         (49.6, "F."), (58.6, "G."), (62.6, "H."), (65.0, "I."), (67.6, "J.")):
        label(41, col, caption)
    for col, upper, lower in ((1, "From", "MM    DD    YY"), (10, "To", "MM    DD    YY"),
                              (18.5, "PLACE OF", "SERVICE"), (21.5, "EMG", ""),
                              (24.6, "(Explain Unusual Circumstances)", "CPT/HCPCS"), (32.6, "", "MODIFIER"),
                              (44.4, "DIAGNOSIS", "POINTER"), (49.6, "", "$ CHARGES"), (58.4, "DAYS", "UNITS"),
                              (62.3, "EPSDT", "Fam. Plan"), (65.0, "ID.", "QUAL."),
                              (67.6, "RENDERING", "PROVIDER ID. #")):
        label(42, col, upper, size=3.8)
        label(42, col, lower, size=3.8, tier=1)
    for col in (9.5, 18.5, 21.5, 24.5, 44.5, 49.5, 58.5, 62.5, 65.0, 67.5):
        vline(col, 42 if col == 9.5 else 41, 42, 0.5)
    for slot in range(LINES_PER_PAGE):
        shaded = FIRST_SERVICE_LINE + 2 * slot
        shade(shaded, left, right)
        hline(shaded)
        vline(65.0, shaded, shaded + 1, 0.5)
        vline(67.5, shaded, shaded + 1, 0.5)
        for col in (9.5, 18.5, 21.5, 24.5, 32.0, 44.5, 49.5, 58.5, 62.5):
            vline(col, shaded + 1, shaded + 1, 0.5)
        c.setLineWidth(0.3)
        c.setDash(1, 1)
        for col in (3.5, 6.5, 12.5, 15.5, 35.5, 38.5, 41.5, 55.5):
            c.line(grid_x(col), line_top_y(shaded + 1), grid_x(col), line_top_y(shaded + 2))
        c.setDash()
        c.setFont(LABEL_FONT, 7)
        c.drawRightString(grid_x(left) - 2, baseline_y(shaded + 1), str(slot + 1))
        c.setFont(LABEL_FONT, 4.5)
        c.drawString(grid_x(65) + 1.5, baseline_y(shaded + 1), "NPI")

    # 25-30.
    for col in (22, 37, 49, 61, 71):
        vline(col, 55, 56)
    label(55, 1, "25. FEDERAL TAX I.D. NUMBER")
    for kind, box in TAX_ID_TYPE.items():
        label(55, box.col - 0.3, kind, size=4.5, tier=1)
        checkbox(box)
    label(55, 22, "26. PATIENT'S ACCOUNT NO.")
    label(55, 37, "27. ACCEPT ASSIGNMENT?")
    label(55, 37, "(For govt. claims, see back)", size=4, tier=1)
    for yes, box in ACCEPT_ASSIGNMENT.items():  # captions after the boxes: the box starts one column in
        checkbox(box)
        c.setFont(LABEL_FONT, 5.5)
        c.drawString(grid_x(box.col + 1) + 1.5, baseline_y(box.line), "YES" if yes else "NO")
    label(55, 49, "28. TOTAL CHARGE")
    label(55, 61, "29. AMOUNT PAID")
    label(55, 71, "30. Rsvd for NUCC Use")
    c.setFont(LABEL_FONT, 7)
    c.drawString(grid_x(49) + 1.5, baseline_y(56), "$")
    c.drawString(grid_x(61) + 1.5, baseline_y(56), "$")
    c.setLineWidth(0.3)
    c.setDash(1, 1)
    for col in (57.5, 67.5):
        c.line(grid_x(col), line_top_y(56), grid_x(col), line_top_y(57))
    c.setDash()

    # 31, 32, 33.
    vline(22, 57, 61)
    vline(49, 55, 61)
    vline(35, 61, 61)
    vline(62, 61, 61)
    label(57, 1, "31. SIGNATURE OF PHYSICIAN OR SUPPLIER", size=5)
    label(57, 1, "INCLUDING DEGREES OR CREDENTIALS", size=5, tier=1)
    label(58, 1, "(I certify that the statements on the reverse", size=4.2)
    label(58, 1, "apply to this bill and are made a part thereof.)", size=4.2, tier=1)
    before(SIGNATURE_DATE.line, SIGNATURE_DATE.col, "DATE", size=6)
    label(57, 22, "32. SERVICE FACILITY LOCATION INFORMATION")
    label(57, 49, "33. BILLING PROVIDER INFO & PH #", size=5)
    c.setFont(LABEL_FONT, 9)
    c.drawCentredString(grid_x(BILLING_AREA_CODE.col - 0.5), baseline_y(57), "(")
    c.drawCentredString(grid_x(BILLING_AREA_CODE.col + 3.5), baseline_y(57), ")")
    shade(61, 35, 49)
    shade(61, 62, right)
    for col, caption in ((23, "a."), (36, "b."), (50, "a."), (63, "b.")):
        before(61, col, caption, size=6)

    # Footer.
    c.setFont(LABEL_FONT, 5.5)
    y = line_top_y(63) - 6
    c.drawString(grid_x(1), y, "NUCC Instruction Manual available at: www.nucc.org")
    c.drawString(grid_x(33), y, "PLEASE PRINT OR TYPE")
    c.drawRightString(grid_x(right), y, "APPROVED OMB-0938-1197 FORM 1500 (02-12)")


# --- the document ---------------------------------------------------------------------------------------------


def render_cms1500(claims: Sequence[FormClaim], *, mode: Mode, offset_pt: tuple[float, float] = (0.0, 0.0)) -> bytes:
    """The claims as one PDF: a page per claim (and per further 6 service lines), in `mode` ("red_form": data only,
    for pre-printed forms; "full": the form drawn in red with the data). `offset_pt` moves everything right and up by
    that many points, to align with one printer. Raises `ValueError` naming the field when a claim cannot be printed
    (a number too large for its box, a pointer to no diagnosis, ...)."""
    _check(claims, mode)
    out = io.BytesIO()
    canvas = Canvas(out, pagesize=letter, invariant=True, pageCompression=1)
    canvas.setTitle("CMS-1500 claims")
    canvas.setCreator("pms")
    dx, dy = offset_pt
    if mode == "full":
        canvas.beginForm("cms1500")
        _draw_form(canvas)
        canvas.endForm()
    for form in claims:
        lines = form.claim.lines
        chunks = [lines[i:i + LINES_PER_PAGE] for i in range(0, len(lines), LINES_PER_PAGE)]
        for number, chunk in enumerate(chunks, start=1):
            if mode == "full":
                canvas.saveState()
                canvas.translate(dx, dy)
                canvas.doForm("cms1500")
                canvas.restoreState()
            page = _Page(canvas, dx, dy)
            _claim_header(page, form, number, len(chunks))
            for slot, line in enumerate(chunk):
                _service_line(page, form, slot, line)
            if number < len(chunks):  # 28
                page.put(CONTINUED, "CONTINUED")
            else:
                page.money(TOTAL_CHARGE, *_money_parts(form.claim.total_charge_cents, TOTAL_CHARGE, "28"))
                paid = _paid_by_others(form.claim)
                if paid is not None:  # 29
                    page.money(AMOUNT_PAID, *_money_parts(paid, AMOUNT_PAID, "29"))
            canvas.showPage()
    canvas.save()
    return out.getvalue()

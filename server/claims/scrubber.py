"""The claim scrubber (issue 6, item 2): rules run before a claim may queue, each with a code, a severity, a
message and the field it points at, so the biller can jump to the fix. Pure: the caller gathers the facts.

An error keeps the claim from queueing; a warning is shown and does not. A practice may switch any rule off
(`scrub_rule_setting`); the defaults are on. The field paths are the encounter's (``lines[1].modifiers``,
``diagnoses[0]``) or the record to fix (``patient.date_of_birth``, ``subscriber.member_id``, ``billing.npi``).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date, timedelta

from server.codes import rules as code_rules
from server.codes.lookup import display
from server.scheduling.rules import npi_is_valid, taxonomy_is_valid

ERROR, WARNING = "error", "warning"
# Modifiers that say two services on one day were distinct (NCCI "modifier indicator 1").
DISTINCT_MODIFIERS = frozenset({"59", "XE", "XS", "XP", "XU", "25", "91"})
TIMELY_WARNING_DAYS = 14
_TAX_ID = re.compile(r"^\d{9}$")
_ZIP = re.compile(r"^\d{5}(\d{4})?$")

# Diagnoses that belong to one sex (ICD-10-CM chapter and category conventions): pregnancy and childbirth (O),
# weeks of gestation (Z3A), female genital organs (N70-N98, C51-C58, D25-D28), male genital organs (N40-N53,
# C60-C63). Claims checks them against the patient's administrative sex; U (unknown) is not flagged.
_FEMALE_DX = re.compile(r"^(O|Z3A|N7|N8|N9[0-8]|C5[1-8]|D2[5-8])")
_MALE_DX = re.compile(r"^(N4[0-9]|N5[0-3]|C6[0-3])")
# Preventive visits coded by age (CPT): new 99381-99387, established 99391-99397.
_PREVENTIVE_AGES = {"1": (0, 0), "2": (1, 4), "3": (5, 11), "4": (12, 17), "5": (18, 39), "6": (40, 64),
                    "7": (65, 200)}


@dataclass(frozen=True)
class Person:
    last: str
    first: str
    birth_date: date | None
    sex: str
    line1: str
    city: str
    state: str
    zip: str


@dataclass(frozen=True)
class Line:
    code: str
    modifiers: tuple[str, ...]
    units: int
    charge_cents: int
    dx_pointers: tuple[int, ...]
    code_check: code_rules.CodeCheck
    modifier_checks: tuple[code_rules.CodeCheck, ...]


@dataclass(frozen=True)
class Billing:
    npi: str
    tax_id: str
    taxonomy: str
    zip: str


@dataclass
class ClaimFacts:
    claim_id: int
    frequency: str
    date_of_service: date
    today: date
    place_of_service: str
    location_place_of_service: str
    billing: Billing | None
    patient: Person
    # The patient's relationship to the subscriber (18 self); the subscriber when not the patient.
    relationship: str
    subscriber: Person | None
    member_id: str
    payer_name: str
    payer_electronic_id: str
    timely_filing_days: int
    rendering_npi: str
    rendering_taxonomy: str
    referring_name: str
    referring_npi: str
    prior_authorization: str
    diagnoses: tuple[str, ...]
    diagnosis_checks: tuple[code_rules.CodeCheck, ...]
    lines: tuple[Line, ...]
    # The payer's claim number of the claim a replacement (7) replaces.
    replaced_payer_claim_number: str = ""
    # Earlier live claims of the patient to the same payer on the same date of service with a code in common.
    duplicate_claim_ids: tuple[int, ...] = ()
    # Codes this payer requires a prior authorization for.
    auth_required_codes: frozenset[str] = frozenset()
    # (column 1 code, column 2 code, a distinct-service modifier lets both be billed)
    code_pairs: tuple[tuple[str, str, bool], ...] = ()
    # The visit's location when it is not the billing provider's address (loop 2310C): name, street, ZIP.
    facility: tuple[str, str, str] | None = None


@dataclass(frozen=True)
class Finding:
    rule: str
    severity: str
    field: str
    message: str


Check = Callable[[ClaimFacts], Iterable[tuple[str, str]]]


@dataclass(frozen=True)
class Rule:
    code: str
    severity: str
    description: str
    check: Check = field(compare=False)


def _person(p: Person, who: str) -> Iterable[tuple[str, str]]:
    if not p.last.strip() or not p.first.strip():
        yield f"{who}.name", f"the {who}'s first and last name are required"
    if p.birth_date is None:
        yield f"{who}.date_of_birth", f"the {who}'s date of birth is required"
    if p.sex not in ("M", "F", "U"):
        yield f"{who}.sex", f"the {who}'s sex is required"
    if not p.line1.strip() or not p.city.strip() or len(p.state) != 2:
        yield f"{who}.address", f"the {who}'s street address, city and state are required"
    if not _ZIP.match(p.zip.replace("-", "")):
        yield f"{who}.address.zip", f"the {who}'s ZIP code is required (5 or 9 digits)"


def _patient(f: ClaimFacts) -> Iterable[tuple[str, str]]:
    yield from _person(f.patient, "patient")


def _subscriber(f: ClaimFacts) -> Iterable[tuple[str, str]]:
    if not f.member_id.strip():
        yield "subscriber.member_id", "the member ID is required"
    if f.relationship != "18":
        if f.subscriber is None:
            yield "subscriber", "the policy says the patient is not the subscriber: enter the subscriber"
        else:
            yield from _person(f.subscriber, "subscriber")
    if not f.payer_electronic_id.strip():
        yield "payer.electronic_payer_id", f"{f.payer_name} has no electronic payer ID"


def _billing(f: ClaimFacts) -> Iterable[tuple[str, str]]:
    b = f.billing
    if b is None:
        yield "billing", "the practice's billing identity (NPI, tax ID, address) is not entered: Admin, billing setup"
        return
    if not npi_is_valid(b.npi):
        yield "billing.npi", f"the billing NPI {b.npi} fails its check digit"
    if not _TAX_ID.match(b.tax_id):
        yield "billing.tax_id", "the billing tax ID (EIN) must be 9 digits"
    if not taxonomy_is_valid(b.taxonomy):
        yield "billing.taxonomy", "the billing taxonomy code is not a NUCC code"
    if not re.match(r"^\d{9}$", b.zip):
        yield "billing.zip", "the billing provider's ZIP must be all 9 digits"


def _facility(f: ClaimFacts) -> Iterable[tuple[str, str]]:
    if f.facility is None:
        return
    name, line1, zip_code = f.facility
    if not line1.strip():
        yield "location_id", f"the location {name} has no street address"
    elif not re.match(r"^\d{9}$", zip_code.replace("-", "")):
        yield "location_id", f"the location {name} needs its full 9-digit ZIP (ZIP+4) on a claim"


def _providers(f: ClaimFacts) -> Iterable[tuple[str, str]]:
    if not npi_is_valid(f.rendering_npi):
        yield "rendering_provider_id", f"the rendering provider's NPI {f.rendering_npi} fails its check digit"
    if not taxonomy_is_valid(f.rendering_taxonomy):
        yield "rendering_provider_id", "the rendering provider has no valid taxonomy code"
    if f.referring_npi and not npi_is_valid(f.referring_npi):
        yield "referring_provider_npi", f"the referring NPI {f.referring_npi} fails its check digit"
    if f.referring_name.strip() and not f.referring_npi:
        yield "referring_provider_npi", "the referring provider needs an NPI on a claim"


def _diagnoses(f: ClaimFacts) -> Iterable[tuple[str, str]]:
    if not f.diagnoses:
        yield "diagnoses", "a claim needs at least one diagnosis"
    for i, check in enumerate(f.diagnosis_checks):
        if not check.valid:
            yield f"diagnoses[{i}]", check.problem


def _lines(f: ClaimFacts) -> Iterable[tuple[str, str]]:
    if not f.lines:
        yield "lines", "a claim needs at least one service line"
    for i, li in enumerate(f.lines):
        if not li.code_check.valid:
            yield f"lines[{i}].code", li.code_check.problem


def _pointers(f: ClaimFacts) -> Iterable[tuple[str, str]]:
    for i, li in enumerate(f.lines):
        if not 1 <= len(li.dx_pointers) <= 4:
            yield f"lines[{i}].dx_pointers", "point the line at one to four diagnoses"
        beyond = [p for p in li.dx_pointers if not 1 <= p <= len(f.diagnoses)]
        if beyond:
            yield f"lines[{i}].dx_pointers", f"pointer {beyond[0]} is beyond the {len(f.diagnoses)} diagnoses"


def _modifiers(f: ClaimFacts) -> Iterable[tuple[str, str]]:
    for i, li in enumerate(f.lines):
        if len(li.modifiers) > 4:
            yield f"lines[{i}].modifiers", "at most four modifiers on a line"
        for check in li.modifier_checks:
            if not check.valid:
                yield f"lines[{i}].modifiers", check.problem


def _units_and_charges(f: ClaimFacts) -> Iterable[tuple[str, str]]:
    for i, li in enumerate(f.lines):
        if li.units <= 0:
            yield f"lines[{i}].units", "units must be more than 0"
        if li.charge_cents <= 0:
            yield f"lines[{i}].fee_cents", f"{li.code} has no charge: enter the fee (or set it in the fee schedule)"


def _future(f: ClaimFacts) -> Iterable[tuple[str, str]]:
    if f.date_of_service > f.today:
        yield "date_of_service", "the date of service is in the future"


def _deadline(f: ClaimFacts) -> date:
    return f.date_of_service + timedelta(days=f.timely_filing_days)


def _timely(f: ClaimFacts) -> Iterable[tuple[str, str]]:
    if f.today > _deadline(f):
        yield "date_of_service", (f"{f.payer_name} takes claims within {f.timely_filing_days} days of service: "
                                  f"the deadline was {_deadline(f):%m/%d/%Y}")


def _timely_soon(f: ClaimFacts) -> Iterable[tuple[str, str]]:
    left = (_deadline(f) - f.today).days
    if 0 <= left <= TIMELY_WARNING_DAYS:
        yield "date_of_service", f"{left} days left to file with {f.payer_name} (by {_deadline(f):%m/%d/%Y})"


def _duplicate(f: ClaimFacts) -> Iterable[tuple[str, str]]:
    if f.duplicate_claim_ids and f.frequency == "1":
        yield "lines", (f"claim {f.duplicate_claim_ids[0]} already bills {f.payer_name} for this patient on this "
                        "date with the same code")


def _pos(f: ClaimFacts) -> Iterable[tuple[str, str]]:
    # Telehealth (02, 10) is billed from the office's location; any other difference is a typo.
    if f.place_of_service not in ("02", "10", f.location_place_of_service):
        yield "place_of_service", (f"place of service {f.place_of_service} differs from the location's "
                                   f"{f.location_place_of_service}")


def _prior_auth(f: ClaimFacts) -> Iterable[tuple[str, str]]:
    needing = sorted({li.code for li in f.lines} & f.auth_required_codes)
    if needing and not f.prior_authorization.strip():
        yield "prior_authorization", f"{f.payer_name} requires a prior authorization for {', '.join(needing)}"


def _sex_specific(f: ClaimFacts) -> Iterable[tuple[str, str]]:
    sex = f.patient.sex
    for i, dx in enumerate(f.diagnoses):
        if sex == "M" and _FEMALE_DX.match(dx):
            yield f"diagnoses[{i}]", f"{display('icd10cm', dx)} is a diagnosis for female patients; the patient is male"
        if sex == "F" and _MALE_DX.match(dx):
            yield f"diagnoses[{i}]", f"{display('icd10cm', dx)} is a diagnosis for male patients; the patient is female"


def _age_specific(f: ClaimFacts) -> Iterable[tuple[str, str]]:
    born = f.patient.birth_date
    if born is None:
        return
    dos = f.date_of_service
    age = dos.year - born.year - ((dos.month, dos.day) < (born.month, born.day))
    for i, li in enumerate(f.lines):
        if re.match(r"^993[89][1-7]$", li.code):
            low, high = _PREVENTIVE_AGES[li.code[-1]]
            if not low <= age <= high:
                ages = "under 1" if high == 0 else f"{low}+" if high >= 200 else f"{low}-{high}"
                yield f"lines[{i}].code", f"{li.code} is a preventive visit for ages {ages}; the patient was {age}"


def _code_pairs(f: ClaimFacts) -> Iterable[tuple[str, str]]:
    where = {li.code: (i, li) for i, li in enumerate(f.lines)}
    for first, second, modifier_ok in f.code_pairs:
        if first in where and second in where:
            i, li = where[second]
            if modifier_ok and DISTINCT_MODIFIERS & set(li.modifiers):
                continue
            fix = " unless a distinct-service modifier (59, XE, XS, XP, XU) applies" if modifier_ok else ""
            yield f"lines[{i}].modifiers" if modifier_ok else f"lines[{i}].code", (
                f"{second} is not billed with {first} on the same day{fix}")


def _replacement(f: ClaimFacts) -> Iterable[tuple[str, str]]:
    if f.frequency in ("7", "8") and not f.replaced_payer_claim_number.strip():
        yield "payer_claim_number", ("a replacement or void must quote the payer's claim number of the original "
                                     "(from its 277CA or 835)")


RULES: tuple[Rule, ...] = (
    Rule("PATIENT_DEMOGRAPHICS", ERROR, "Patient name, date of birth, sex and address", _patient),
    Rule("SUBSCRIBER_DATA", ERROR, "Member ID, the subscriber when not the patient, the payer ID", _subscriber),
    Rule("BILLING_PROVIDER", ERROR, "Billing NPI (check digit), tax ID, taxonomy, 9-digit ZIP", _billing),
    Rule("SERVICE_FACILITY", ERROR, "A location other than the billing address has a street and ZIP+4",
         _facility),
    Rule("PROVIDER_NPI", ERROR, "Rendering and referring NPIs (check digit) and taxonomy", _providers),
    Rule("DIAGNOSIS_CODES", ERROR, "ICD-10-CM codes billable and valid on the date of service", _diagnoses),
    Rule("PROCEDURE_CODES", ERROR, "CPT/HCPCS codes valid on the date of service", _lines),
    Rule("DX_POINTERS", ERROR, "Each line points at one to four listed diagnoses", _pointers),
    Rule("MODIFIERS", ERROR, "Modifiers known and valid on the date of service, at most four", _modifiers),
    Rule("UNITS_AND_CHARGES", ERROR, "Units and charges above zero", _units_and_charges),
    Rule("FUTURE_DATE", ERROR, "Date of service not in the future", _future),
    Rule("TIMELY_FILING", ERROR, "Within the payer's timely filing limit", _timely),
    Rule("TIMELY_FILING_SOON", WARNING, f"Fewer than {TIMELY_WARNING_DAYS} days left to file", _timely_soon),
    Rule("DUPLICATE_CLAIM", ERROR, "No other claim bills the same code to the payer that day", _duplicate),
    Rule("POS_LOCATION", WARNING, "Place of service matches the location (telehealth aside)", _pos),
    Rule("PRIOR_AUTH", ERROR, "Prior authorization present where the payer requires one", _prior_auth),
    Rule("SEX_SPECIFIC", ERROR, "Sex-specific diagnoses match the patient", _sex_specific),
    Rule("AGE_SPECIFIC", ERROR, "Age-specific preventive visit codes match the patient's age", _age_specific),
    Rule("CODE_PAIRS", ERROR, "Code pairs the practice's edit table forbids on one day", _code_pairs),
    Rule("REPLACEMENT_REFERENCE", ERROR, "Replacements and voids quote the payer's claim number", _replacement),
)
RULES_BY_CODE = {r.code: r for r in RULES}


def scrub(facts: ClaimFacts, disabled: frozenset[str] = frozenset()) -> list[Finding]:
    return [Finding(rule.code, rule.severity, where, message)
            for rule in RULES if rule.code not in disabled
            for where, message in rule.check(facts)]


def is_clean(findings: Iterable[Finding]) -> bool:
    return not any(f.severity == ERROR for f in findings)

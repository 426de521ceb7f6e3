"""Checks at entry for an encounter (issue 5, item 6): each problem is a field error a biller can act on.

Pure logic: the caller passes the versions of every code the encounter names (``CodeBook``) and what it found of
the patient, providers and location. The claim scrubber comes later; these are the mistakes caught while typing.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from server.codes import rules as code_rules
from server.codes.lookup import display
from server.errors import FieldErrors
from server.scheduling.rules import npi_is_valid

MAX_DIAGNOSES = 12
MAX_LINES = 50
MAX_MODIFIERS = 4
MAX_POINTERS = 4
MAX_UNITS = 9999
NDC_UNITS = {"UN": "unit", "ML": "milliliter", "GR": "gram", "F2": "international unit", "ME": "milligram"}
_CPT = re.compile(r"^[0-9]{4}[0-9FTU]$")
_HCPCS = re.compile(r"^[A-V][0-9]{4}$")

# (system, code) -> the code's versions in valid_from order
CodeBook = Callable[[str, str], list[Any]]


@dataclass
class LineInput:
    code: str
    modifiers: list[str]
    units: int
    dx_pointers: list[int]
    fee_cents: int
    ndc: str = ""
    ndc_quantity_milli: int = 0
    ndc_unit: str = ""
    note: str = ""
    # Set by check(): the line's code system and the NDC as 11 digits.
    code_system: str = ""


@dataclass
class EncounterInput:
    patient_id: int
    rendering_provider_id: int
    supervising_provider_id: int
    referring_provider_name: str
    referring_provider_npi: str
    location_id: int
    place_of_service: str
    date_of_service: date | None
    prior_authorization: str
    diagnoses: list[str]
    lines: list[LineInput] = field(default_factory=list)


def code_system_of(code: str) -> str:
    """'cpt' or 'hcpcs' by the code's shape; '' when it is neither."""
    return "cpt" if _CPT.match(code) else "hcpcs" if _HCPCS.match(code) else ""


def normalise(enc: EncounterInput) -> None:
    enc.diagnoses = [d.strip().replace(".", "").upper() for d in enc.diagnoses]
    enc.place_of_service = enc.place_of_service.strip()
    enc.referring_provider_npi = enc.referring_provider_npi.strip()
    for line in enc.lines:
        line.code = line.code.strip().upper()
        line.modifiers = [m.strip().upper() for m in line.modifiers if m.strip()]
        line.ndc_unit = line.ndc_unit.strip().upper()
        line.code_system = code_system_of(line.code)


def codes_named(enc: EncounterInput) -> list[tuple[str, str]]:
    """Every (system, code) the checks need, for one lookup."""
    named = {("icd10cm", d) for d in enc.diagnoses if d}
    for line in enc.lines:
        if line.code_system:
            named.add((line.code_system, line.code))
        named.update(("modifier", m) for m in line.modifiers)
    if enc.place_of_service:
        named.add(("pos", enc.place_of_service))
    return sorted(named)


def _code_problem(book: CodeBook, system: str, code: str, dos: date) -> tuple[str, Any]:
    verdict = code_rules.check(system, display(system, code), book(system, code), dos)
    return ("" if verdict.valid else verdict.problem), verdict.row


def check(enc: EncounterInput, book: CodeBook, today: date, errors: FieldErrors) -> None:
    """Adds a violation for every problem; ``enc`` must be normalised. Header existence is the caller's."""
    dos = enc.date_of_service
    if dos is None:
        errors.add("date_of_service", "is required")
    elif dos > today:
        errors.add("date_of_service", "is in the future: an encounter records a visit that happened")
    if enc.rendering_provider_id <= 0:
        errors.add("rendering_provider_id", "is required")
    if enc.location_id <= 0:
        errors.add("location_id", "is required")
    if enc.referring_provider_npi and not npi_is_valid(enc.referring_provider_npi):
        errors.add("referring_provider_npi", "is not a valid NPI (10 digits with a check digit)")
    if enc.referring_provider_npi and not enc.referring_provider_name.strip():
        errors.add("referring_provider_name", "is required with a referring NPI")
    if len(enc.prior_authorization) > 50:
        errors.add("prior_authorization", "is longer than 50 characters")
    if dos is None or dos > today:
        return  # the codes are judged for the date of service
    if enc.place_of_service:
        problem, _ = _code_problem(book, "pos", enc.place_of_service, dos)
        if problem:
            errors.add("place_of_service", problem)
    _check_diagnoses(enc, book, dos, errors)
    _check_lines(enc, book, dos, errors)


def _check_diagnoses(enc: EncounterInput, book: CodeBook, dos: date, errors: FieldErrors) -> None:
    if len(enc.diagnoses) > MAX_DIAGNOSES:
        errors.add("diagnoses", f"at most {MAX_DIAGNOSES} diagnoses fit on a claim")
    first_at: dict[str, int] = {}
    for i, code in enumerate(enc.diagnoses):
        name = f"diagnoses[{i}].code"
        if not code:
            errors.add(name, "is required")
        elif code in first_at:
            errors.add(name, f"{display('icd10cm', code)} is already diagnosis {first_at[code] + 1}")
        else:
            first_at[code] = i
            problem, _ = _code_problem(book, "icd10cm", code, dos)
            if problem:
                errors.add(name, problem)


def _check_lines(enc: EncounterInput, book: CodeBook, dos: date, errors: FieldErrors) -> None:
    if len(enc.lines) > MAX_LINES:
        errors.add("lines", f"at most {MAX_LINES} lines on one encounter")
    seen: dict[tuple[str, tuple[str, ...]], int] = {}
    for i, line in enumerate(enc.lines):
        at = f"lines[{i}]"
        row = None
        if not line.code:
            errors.add(f"{at}.code", "is required")
        elif not line.code_system:
            errors.add(f"{at}.code", f"{line.code} is not a CPT or HCPCS code")
        else:
            problem, row = _code_problem(book, line.code_system, line.code, dos)
            if problem:
                errors.add(f"{at}.code", problem)
        _check_modifiers(line, book, dos, errors, at)
        if not 0 < line.units <= MAX_UNITS:
            errors.add(f"{at}.units", f"must be between 1 and {MAX_UNITS}")
        _check_pointers(line, len(enc.diagnoses), errors, at)
        if line.fee_cents < 0:
            errors.add(f"{at}.fee_cents", "cannot be negative")
        _check_ndc(line, row is not None and bool(row.requires_ndc), errors, at)
        key = (line.code, tuple(sorted(line.modifiers)))
        if line.code and key in seen:
            errors.add(at, f"is the same service as line {seen[key] + 1}: add the units there instead")
        else:
            seen.setdefault(key, i)


def _check_modifiers(line: LineInput, book: CodeBook, dos: date, errors: FieldErrors, at: str) -> None:
    if len(line.modifiers) > MAX_MODIFIERS:
        errors.add(f"{at}.modifiers", f"at most {MAX_MODIFIERS} modifiers on a line")
    if len(set(line.modifiers)) != len(line.modifiers):
        errors.add(f"{at}.modifiers", "a modifier is listed twice")
    for m in line.modifiers:
        problem, _ = _code_problem(book, "modifier", m, dos)
        if problem:
            errors.add(f"{at}.modifiers", problem)


def _check_pointers(line: LineInput, diagnoses: int, errors: FieldErrors, at: str) -> None:
    name = f"{at}.dx_pointers"
    if not line.dx_pointers:
        errors.add(name, "point the line at the diagnosis (1 to 4 of them) that justifies it")
    elif len(line.dx_pointers) > MAX_POINTERS:
        errors.add(name, f"at most {MAX_POINTERS} diagnosis pointers on a line")
    elif len(set(line.dx_pointers)) != len(line.dx_pointers):
        errors.add(name, "a diagnosis is pointed at twice")
    else:
        beyond = [p for p in line.dx_pointers if not 1 <= p <= diagnoses]
        if beyond:
            errors.add(name, f"pointer {beyond[0]} is beyond the {diagnoses} diagnoses listed")


def _check_ndc(line: LineInput, required: bool, errors: FieldErrors, at: str) -> None:
    if not line.ndc.strip():
        if required:
            errors.add(f"{at}.ndc", f"{line.code} is a drug code: give the NDC of what was given")
        return
    eleven = code_rules.ndc_11(line.ndc)
    if eleven is None:
        errors.add(f"{at}.ndc", "is not an NDC (11 digits, or 10 with dashes as printed on the label)")
    else:
        line.ndc = eleven
    if line.ndc_quantity_milli <= 0:
        errors.add(f"{at}.ndc_quantity_milli", "give the quantity given")
    if line.ndc_unit not in NDC_UNITS:
        errors.add(f"{at}.ndc_unit", "one of " + ", ".join(f"{k} ({v})" for k, v in NDC_UNITS.items()))

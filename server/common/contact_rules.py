"""Rules for the contact data several domains share: names, US addresses, phones, emails, dates.

Each check reports into a FieldErrors under the caller's field path, so one request lists
every bad field at once, and returns the normalised value that gets stored.
"""

from __future__ import annotations

import re
from datetime import date
from typing import Any

from google.type.date_pb2 import Date

from server.errors import FieldErrors
from shared import dates
from shared.pms.common.v1 import contact_pb2

_STATE_CODES = """
AL AK AZ AR CA CO CT DE DC FL GA HI ID IL IN IA KS KY LA ME MD MA MI MN MS MO MT NE NV NH NJ NM NY NC ND OH OK OR
PA RI SC SD TN TX UT VT VA WA WV WI WY PR VI GU AS MP AA AE AP
"""
US_STATES = frozenset(_STATE_CODES.split())

# The first ZIP digit is a national area; a state outside it is a typo in one of the two.
ZIP_AREA_STATES = {
    "0": "CT MA ME NH NJ NY PR RI VT VI AE",
    "1": "DE NY PA",
    "2": "DC MD NC SC VA WV",
    "3": "AL FL GA MS TN AA",
    "4": "IN KY MI OH",
    "5": "IA MN MT ND SD WI",
    "6": "IL KS MO NE",
    "7": "AR LA OK TX",
    "8": "AZ CO ID NM NV TX UT WY",  # TX: El Paso (885)
    "9": "AK CA HI OR WA GU AS MP AP",
}
# X12 individual relationship codes (SBR02, PAT01; 005010).
RELATIONSHIPS = {
    "01": "Spouse", "18": "Self", "19": "Child", "20": "Employee", "21": "Unknown", "39": "Organ donor",
    "40": "Cadaver donor", "53": "Life partner", "G8": "Other relationship",
}
_ZIP = re.compile(r"^(\d{5})(?:-?(\d{4}))?$")
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[A-Za-z]{2,}$")
_NAME_BAD = re.compile(r"[\d\x00-\x1f\x7f<>{}\[\]@#$%^*=+|\\/;:\"?!]")
EARLIEST_BIRTH = date(1900, 1, 1)

SEX_CODES = {
    contact_pb2.ADMINISTRATIVE_SEX_FEMALE: "F",
    contact_pb2.ADMINISTRATIVE_SEX_MALE: "M",
    contact_pb2.ADMINISTRATIVE_SEX_UNKNOWN: "U",
}
SEX_ENUMS = {v: k for k, v in SEX_CODES.items()}
PHONE_COLUMNS = {
    contact_pb2.PHONE_TYPE_MOBILE: "mobile",
    contact_pb2.PHONE_TYPE_HOME: "home",
    contact_pb2.PHONE_TYPE_WORK: "work",
}


def text(errors: FieldErrors, field: str, value: str, *, required: bool = False, max_len: int = 100) -> str:
    value = " ".join(value.split())
    if required and not value:
        errors.add(field, "is required")
    elif len(value) > max_len:
        errors.add(field, f"must be at most {max_len} characters")
    return value


def person_name_part(errors: FieldErrors, field: str, value: str, *, required: bool, max_len: int = 60) -> str:
    value = text(errors, field, value, required=required, max_len=max_len)
    if value and _NAME_BAD.search(value):
        errors.add(field, "may contain letters, spaces, apostrophes, hyphens and periods only")
    return value


def person_name(errors: FieldErrors, field: str, name: contact_pb2.PersonName) -> dict[str, str]:
    return {
        "first": person_name_part(errors, f"{field}.first", name.first, required=True),
        "middle": person_name_part(errors, f"{field}.middle", name.middle, required=False),
        "last": person_name_part(errors, f"{field}.last", name.last, required=True),
        "suffix": person_name_part(errors, f"{field}.suffix", name.suffix, required=False, max_len=10),
    }


def zip_code(errors: FieldErrors, field: str, value: str, state: str = "") -> str:
    value = value.strip()
    if not value:
        return ""
    m = _ZIP.match(value)
    if m is None:
        errors.add(field, "must be a 5-digit ZIP or ZIP+4 (12345 or 12345-6789)")
        return value
    if state in US_STATES and state not in ZIP_AREA_STATES[m.group(1)[0]].split():
        errors.add(field, f"{m.group(1)} is not a ZIP code in {state}")
    return m.group(1) + (f"-{m.group(2)}" if m.group(2) else "")


def address(errors: FieldErrors, field: str, addr: contact_pb2.PostalAddress, *, required: bool) -> dict[str, str]:
    """A complete address or none; ``required`` demands one."""
    out = {
        "line1": text(errors, f"{field}.line1", addr.line1),
        "line2": text(errors, f"{field}.line2", addr.line2),
        "city": text(errors, f"{field}.city", addr.city, max_len=60),
        "state": addr.state.strip().upper(),
        "zip": "",
    }
    given = any((addr.line1.strip(), addr.line2.strip(), addr.city.strip(), addr.state.strip(), addr.zip.strip()))
    if not given and not required:
        return out
    for part in ("line1", "city"):
        if not out[part]:
            errors.add(f"{field}.{part}", "is required")
    if not out["state"]:
        errors.add(f"{field}.state", "is required")
    elif out["state"] not in US_STATES:
        errors.add(f"{field}.state", "must be a two-letter US state code (e.g. OH)")
    if not addr.zip.strip():
        errors.add(f"{field}.zip", "is required")
    out["zip"] = zip_code(errors, f"{field}.zip", addr.zip, out["state"])
    return out


def address_message(values: dict[str, Any] | None) -> contact_pb2.PostalAddress:
    v = values or {}
    return contact_pb2.PostalAddress(
        line1=v.get("line1", ""),
        line2=v.get("line2", ""),
        city=v.get("city", ""),
        state=v.get("state", ""),
        zip=v.get("zip", ""),
    )


def phone_number(errors: FieldErrors, field: str, value: str, *, required: bool = False) -> str:
    """Any US notation in, E.164 out (+16145550134)."""
    if not value.strip():
        if required:
            errors.add(field, "is required")
        return ""
    digits = normalise_phone(value)
    if digits is None:
        errors.add(field, "must be a US phone number with area code, e.g. (614) 555-0134")
        return value.strip()
    return digits


def normalise_phone(value: str) -> str | None:
    if re.search(r"[^\d\s().+\-]", value):
        return None
    digits = re.sub(r"\D", "", value)
    if len(digits) == 11 and digits[0] == "1":
        digits = digits[1:]
    # NANP: area code and exchange never start with 0 or 1.
    if len(digits) != 10 or digits[0] in "01" or digits[3] in "01":
        return None
    return "+1" + digits


def email(errors: FieldErrors, field: str, value: str) -> str:
    value = value.strip()
    if value and (len(value) > 254 or _EMAIL.match(value) is None):
        errors.add(field, "must be an email address like name@example.com")
    return value


def calendar_date(errors: FieldErrors, field: str, value: Date, *, required: bool) -> date | None:
    if not dates.is_set(value):
        if required:
            errors.add(field, "is required")
        return None
    try:
        return dates.from_pb(value)
    except ValueError:
        errors.add(field, f"{value.month:02}/{value.day:02}/{value.year:04} is not a real date")
        return None


def birth_date(errors: FieldErrors, field: str, value: Date, today: date, *, required: bool = True) -> date | None:
    born = calendar_date(errors, field, value, required=required)
    if born is not None and born > today:
        errors.add(field, "is in the future")
        return None
    if born is not None and born < EARLIEST_BIRTH:
        errors.add(field, "is before 1900")
        return None
    return born


def sex(errors: FieldErrors, field: str, value: int, *, required: bool = True) -> str:
    code = SEX_CODES.get(value)  # type: ignore[call-overload]
    if code is None and required:
        errors.add(field, "is required (female, male or unknown)")
    return code or ""

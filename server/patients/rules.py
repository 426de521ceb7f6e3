"""What makes a patient record valid, and how the message maps to stored values.

``patient_values`` checks every field of a Patient message at once (so the clerk sees all
the mistakes together) and returns the column values to store.
"""

from __future__ import annotations

import re
from datetime import date
from typing import Any

from server.common import contact_rules as rules
from server.errors import FieldErrors
from shared.pms.common.v1 import contact_pb2
from shared.pms.patients.v1 import patients_pb2 as pb

STATUS_NAMES = {pb.PATIENT_STATUS_ACTIVE: "active", pb.PATIENT_STATUS_INACTIVE: "inactive",
                pb.PATIENT_STATUS_DECEASED: "deceased", pb.PATIENT_STATUS_MERGED: "merged"}
STATUS_ENUMS = {v: k for k, v in STATUS_NAMES.items()}


def _enum_names(enum: Any, prefix: str) -> dict[int, str]:
    return {v.number: v.name.removeprefix(prefix).lower() for v in enum.DESCRIPTOR.values if v.number != 0}


CONTACT_NAMES = _enum_names(pb.ContactMethod, "CONTACT_METHOD_")
MARITAL_NAMES = _enum_names(pb.MaritalStatus, "MARITAL_STATUS_")
EMPLOYMENT_NAMES = _enum_names(pb.EmploymentStatus, "EMPLOYMENT_STATUS_")
_SSN = re.compile(r"^(\d{3})-?(\d{2})-?(\d{4})$")


def patient_values(p: pb.Patient, today: date, *, field: str = "patient") -> dict[str, Any]:
    """Raises InvalidArgument naming every bad field; otherwise the values of the patient's columns."""
    errors = FieldErrors()
    name = rules.person_name(errors, f"{field}.name", p.name)
    born = rules.birth_date(errors, f"{field}.date_of_birth", p.date_of_birth, today)
    values: dict[str, Any] = {
        "first_name": name["first"], "middle_name": name["middle"], "last_name": name["last"],
        "suffix": name["suffix"],
        "preferred_name": rules.person_name_part(errors, f"{field}.preferred_name", p.preferred_name,
                                                 required=False),
        "date_of_birth": born,
        "sex": rules.sex(errors, f"{field}.sex", p.sex),
        "gender_identity": rules.text(errors, f"{field}.gender_identity", p.gender_identity, max_len=60),
        "pronouns": rules.text(errors, f"{field}.pronouns", p.pronouns, max_len=30),
        "email": rules.email(errors, f"{field}.email", p.email),
        "reminder_consent": p.reminder_consent,
        "preferred_language": rules.text(errors, f"{field}.preferred_language", p.preferred_language, max_len=40),
        "employer_name": rules.text(errors, f"{field}.employer_name", p.employer_name),
        "alerts": rules.text(errors, f"{field}.alerts", p.alerts, max_len=500),
        "notes": p.notes.strip(),
    }
    if len(values["notes"]) > 4000:
        errors.add(f"{field}.notes", "must be at most 4000 characters")
    addr = rules.address(errors, f"{field}.address", p.address, required=False)
    values.update(address_line1=addr["line1"], address_line2=addr["line2"], city=addr["city"], state=addr["state"],
                  zip=addr["zip"])

    phones = {"mobile": "", "home": "", "work": ""}
    for i, phone in enumerate(p.phones):
        kind = rules.PHONE_COLUMNS.get(phone.type)  # type: ignore[call-overload]
        if kind is None:
            errors.add(f"{field}.phones[{i}].type", "must be mobile, home or work")
            continue
        if phones[kind]:
            errors.add(f"{field}.phones[{i}].type", f"there is already a {kind} phone")
            continue
        phones[kind] = rules.phone_number(errors, f"{field}.phones[{i}].number", phone.number, required=True)
    values.update(phone_mobile=phones["mobile"], phone_home=phones["home"], phone_work=phones["work"])

    values["preferred_contact_method"] = _choice(errors, f"{field}.preferred_contact_method",
                                                 p.preferred_contact_method, CONTACT_NAMES)
    if values["preferred_contact_method"] == "phone" and not any(phones.values()):
        errors.add(f"{field}.phones", "a phone is needed when the preferred contact is phone")
    if values["preferred_contact_method"] == "sms" and not phones["mobile"]:
        errors.add(f"{field}.phones", "text messages need a mobile phone")
    if values["preferred_contact_method"] == "email" and not values["email"]:
        errors.add(f"{field}.email", "is required when the preferred contact is email")
    if values["preferred_contact_method"] == "mail" and not addr["line1"]:
        errors.add(f"{field}.address.line1", "is required when the preferred contact is mail")
    values["marital_status"] = _choice(errors, f"{field}.marital_status", p.marital_status, MARITAL_NAMES)
    values["employment_status"] = _choice(errors, f"{field}.employment_status", p.employment_status,
                                          EMPLOYMENT_NAMES)

    values["emergency_contact"] = _emergency_contact(errors, f"{field}.emergency_contact", p)
    values["guarantor"] = _guarantor(errors, f"{field}.guarantor", p.guarantor)

    status = STATUS_NAMES.get(p.status, "active") if p.status else "active"  # type: ignore[call-overload]
    if status == "merged":
        errors.add(f"{field}.status", "only a merge can retire a record")
    values["status"] = status
    died = rules.calendar_date(errors, f"{field}.date_of_death", p.date_of_death, required=False)
    if status == "deceased" and died is None and not errors.has(f"{field}.date_of_death"):
        errors.add(f"{field}.date_of_death", "is required when the patient is deceased")
    if status != "deceased" and died is not None:
        errors.add(f"{field}.date_of_death", "is only for a deceased patient")
    if died is not None and (died > today or (born is not None and died < born)):
        errors.add(f"{field}.date_of_death", "must be between the date of birth and today")
    values["date_of_death"] = died if status == "deceased" else None
    errors.raise_if_any()
    return values


def ssn_digits(errors: FieldErrors, field: str, value: str) -> str:
    """Nine digits; the SSA never issues area 000, 666 or 9xx, group 00 or serial 0000."""
    m = _SSN.match(value.strip())
    if m is None:
        errors.add(field, "must be 9 digits (123-45-6789)")
        return ""
    area, group, serial = m.groups()
    if area in ("000", "666") or area[0] == "9" or group == "00" or serial == "0000":
        errors.add(field, "is not a valid SSN")
        return ""
    return area + group + serial


def mask_ssn(last4: str) -> str:
    return f"***-**-{last4}" if last4 else ""


def _choice(errors: FieldErrors, field: str, value: int, names: dict[int, str]) -> str:
    if value == 0:
        return ""
    name = names.get(value)
    if name is None:
        errors.add(field, "is not one of the choices")
        return ""
    return name


def _emergency_contact(errors: FieldErrors, field: str, p: pb.Patient) -> dict[str, Any]:
    ec = p.emergency_contact
    name = rules.text(errors, f"{field}.name", ec.name)
    relationship = rules.text(errors, f"{field}.relationship", ec.relationship, max_len=40)
    phone = rules.phone_number(errors, f"{field}.phone.number", ec.phone.number)
    if not (name or relationship or phone):
        return {}
    if not name:
        errors.add(f"{field}.name", "is required for an emergency contact")
    if not phone:
        errors.add(f"{field}.phone.number", "is required for an emergency contact")
    return {"name": name, "relationship": relationship, "phone": phone}


def _guarantor(errors: FieldErrors, field: str, g: pb.Guarantor) -> dict[str, Any]:
    if g.is_self or not (g.name.first or g.name.last):
        if not g.is_self and (g.phone.number or g.address.line1):
            rules.person_name(errors, f"{field}.name", g.name)  # reports the missing names
        return {"is_self": True}
    return {
        "is_self": False,
        "name": rules.person_name(errors, f"{field}.name", g.name),
        "relationship": _guarantor_relationship(errors, f"{field}.relationship", g.relationship),
        "address": rules.address(errors, f"{field}.address", g.address, required=True),
        "phone": rules.phone_number(errors, f"{field}.phone.number", g.phone.number, required=True),
    }


def _guarantor_relationship(errors: FieldErrors, field: str, code: str) -> str:
    code = code.strip().upper()
    if code and (code not in rules.RELATIONSHIPS or code == "18"):
        errors.add(field, "must be an X12 relationship code other than self (01 spouse, 19 child, G8 other...)")
    return code


def name_message(values: dict[str, str] | None) -> contact_pb2.PersonName:
    v = values or {}
    return contact_pb2.PersonName(first=v.get("first", ""), middle=v.get("middle", ""), last=v.get("last", ""),
                                  suffix=v.get("suffix", ""))

"""A patient record as the registration/edit form's values, and back.

Keys are the request field paths the server names in its violations, so an error lands beside
its field; phones get one key per type ("patient.phones.mobile") because the request's
``phones[i]`` index depends on which of them were filled in.
"""

from __future__ import annotations

import re

from google.protobuf.message import Message

from client_tui import formatting
from client_tui.choices import PHONE_TYPES, SEX_BY_LETTER, SEX_LETTERS
from client_tui.form_values import FormValues, UnreadableField, Value
from client_tui.typed_values import UnreadableValue, date_from_text
from shared.pms.common.v1 import contact_pb2
from shared.pms.patients.v1 import patients_pb2

PHONE_KEYS: dict[int, str] = {phone_type: f"patient.phones.{word}" for phone_type, word in PHONE_TYPES}

# Plain text fields, copied as typed.
TEXT_KEYS = [
    "patient.name.last",
    "patient.name.first",
    "patient.name.middle",
    "patient.name.suffix",
    "patient.preferred_name",
    "patient.gender_identity",
    "patient.pronouns",
    "patient.address.line1",
    "patient.address.line2",
    "patient.address.city",
    "patient.address.state",
    "patient.address.zip",
    "patient.email",
    "patient.preferred_language",
    "patient.employer_name",
    "patient.emergency_contact.name",
    "patient.emergency_contact.relationship",
    "patient.guarantor.name.last",
    "patient.guarantor.name.first",
    "patient.guarantor.relationship",
    "patient.guarantor.address.line1",
    "patient.guarantor.address.line2",
    "patient.guarantor.address.city",
    "patient.guarantor.address.state",
    "patient.guarantor.address.zip",
    "patient.alerts",
    "patient.notes",
]
# Phones outside the repeated list: sent as typed, shown as (614) 555-0134.
SINGLE_PHONE_KEYS = ["patient.emergency_contact.phone.number", "patient.guarantor.phone.number"]
DATE_KEYS = ["patient.date_of_birth", "patient.date_of_death"]
ENUM_KEYS = [
    "patient.preferred_contact_method",
    "patient.marital_status",
    "patient.employment_status",
    "patient.status",
]
FLAG_KEYS = ["patient.reminder_consent", "patient.guarantor.is_self"]
GUARANTOR_DETAIL_KEYS = [key for key in TEXT_KEYS + SINGLE_PHONE_KEYS if key.startswith("patient.guarantor.")]

# The words used when telling the user which fields someone else changed.
LABELS: dict[str, str] = {
    "patient.name.last": "last name",
    "patient.name.first": "first name",
    "patient.name.middle": "middle name",
    "patient.name.suffix": "suffix",
    "patient.preferred_name": "preferred name",
    "patient.date_of_birth": "date of birth",
    "patient.sex": "sex",
    "patient.gender_identity": "gender identity",
    "patient.pronouns": "pronouns",
    "patient.phones.mobile": "mobile phone",
    "patient.phones.home": "home phone",
    "patient.phones.work": "work phone",
    "patient.address.line1": "address line 1",
    "patient.address.line2": "address line 2",
    "patient.address.city": "city",
    "patient.address.state": "state",
    "patient.address.zip": "ZIP",
    "patient.email": "email",
    "patient.preferred_contact_method": "contact preference",
    "patient.reminder_consent": "reminder consent",
    "patient.preferred_language": "language",
    "patient.marital_status": "marital status",
    "patient.employment_status": "employment",
    "patient.employer_name": "employer",
    "patient.emergency_contact.name": "emergency contact",
    "patient.emergency_contact.relationship": "emergency contact's relationship",
    "patient.emergency_contact.phone.number": "emergency contact's phone",
    "patient.guarantor.is_self": "who the guarantor is",
    "patient.guarantor.name.last": "guarantor's last name",
    "patient.guarantor.name.first": "guarantor's first name",
    "patient.guarantor.relationship": "guarantor's relationship",
    "patient.guarantor.address.line1": "guarantor's address",
    "patient.guarantor.address.line2": "guarantor's address line 2",
    "patient.guarantor.address.city": "guarantor's city",
    "patient.guarantor.address.state": "guarantor's state",
    "patient.guarantor.address.zip": "guarantor's ZIP",
    "patient.guarantor.phone.number": "guarantor's phone",
    "patient.alerts": "alerts",
    "patient.notes": "notes",
    "patient.status": "status",
    "patient.date_of_death": "date of death",
}


def _walk(message: Message, key: str) -> tuple[Message, str]:
    """The message holding the field ``key`` names, and the field's own name."""
    *path, name = key.split(".")[1:]
    for part in path:
        message = getattr(message, part)
    return message, name


def _get(message: Message, key: str) -> Value:
    holder, name = _walk(message, key)
    value: Value = getattr(holder, name)
    return value


def _set(message: Message, key: str, value: Value) -> None:
    holder, name = _walk(message, key)
    setattr(holder, name, value)


def read_patient(patient: patients_pb2.Patient | None) -> FormValues:
    """The form's values for ``patient``; for None (registering), what a new form starts with."""
    record = patient or patients_pb2.Patient(guarantor=patients_pb2.Guarantor(is_self=True))
    values: FormValues = {key: _get(record, key) for key in TEXT_KEYS + ENUM_KEYS + FLAG_KEYS}
    for key in SINGLE_PHONE_KEYS:
        values[key] = formatting.phone(str(_get(record, key)))
    for key in DATE_KEYS:
        holder, name = _walk(record, key)
        values[key] = formatting.calendar_date(getattr(holder, name))
    values["patient.sex"] = SEX_LETTERS.get(record.sex, "")
    for phone_type, key in PHONE_KEYS.items():
        number = next((p.number for p in record.phones if p.type == phone_type), "")
        values[key] = formatting.phone(number)
    if patient is None:
        del values["patient.status"], values["patient.date_of_death"]
    return values


def build_patient(
    values: FormValues, started_from: patients_pb2.Patient | None
) -> tuple[patients_pb2.Patient, list[str]]:
    """The request's Patient from the form, and the phone keys in the order they were sent.

    Raises ``UnreadableField`` for text that cannot be a value (a date in words); everything
    else goes to the server as typed.
    """
    patient = patients_pb2.Patient()
    if started_from is not None:
        patient.CopyFrom(started_from)  # id, version and the fields this form does not show
    for key in TEXT_KEYS + ENUM_KEYS + FLAG_KEYS:
        if key in values:
            _set(patient, key, values[key])
    for key in SINGLE_PHONE_KEYS:
        if key in values:
            _set(patient, key, _as_stored(str(values[key]), str(_get(patient, key))))
    for key in DATE_KEYS:
        if key not in values:
            continue
        holder, name = _walk(patient, key)
        try:
            typed = date_from_text(str(values[key]))
        except UnreadableValue as error:
            raise UnreadableField(key, str(error)) from None
        if typed is None:
            holder.ClearField(name)
        else:
            getattr(holder, name).CopyFrom(typed)
    patient.sex = SEX_BY_LETTER.get(str(values.get("patient.sex", "")).upper(), 0)  # type: ignore[assignment]

    # The three phones the form shows, then any others on file (kept, not dropped unseen).
    kept = list(patient.phones)
    shown_types = set(PHONE_KEYS)
    first_of_type = {t: next((p for p in kept if p.type == t), None) for t in shown_types}
    others = [p for p in kept if p.type not in shown_types or first_of_type.get(p.type) is not p]
    del patient.phones[:]
    sent_keys: list[str] = []
    for phone_type, key in PHONE_KEYS.items():
        number = str(values.get(key, ""))
        if number:
            stored = first_of_type[phone_type]
            number = _as_stored(number, stored.number if stored is not None else "")
            patient.phones.add(type=phone_type, number=number)  # type: ignore[arg-type]
            sent_keys.append(key)
    patient.phones.extend(others)

    if values.get("patient.guarantor.is_self"):
        # The patient pays: nothing else about a guarantor applies.
        patient.guarantor.CopyFrom(patients_pb2.Guarantor(is_self=True))
    return patient, sent_keys


def _as_stored(typed: str, stored: str) -> str:
    """An untouched phone goes back as the server stored it, not as the form showed it."""
    return stored if stored and typed == formatting.phone(stored) else typed


PHONE_PATH = re.compile(r"^patient\.phones\[(\d+)\]")


def form_key(violation_field: str, sent_phone_keys: list[str]) -> str:
    """The form's key for a violation path: "patient.phones[1].number" -> the phone sent second."""
    match = PHONE_PATH.match(violation_field)
    if match and int(match[1]) < len(sent_phone_keys):
        return sent_phone_keys[int(match[1])]
    if violation_field == "patient.phones":
        return PHONE_KEYS[contact_pb2.PHONE_TYPE_MOBILE]  # about the phones as a whole: shown at the first
    return violation_field

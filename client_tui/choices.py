"""The code lists the forms offer and the words tables show for enum values (labels only, no rules)."""

from __future__ import annotations

from shared.pms.common.v1 import contact_pb2
from shared.pms.documents.v1 import documents_pb2
from shared.pms.patients.v1 import patients_pb2

# Choices are (label, value) pairs, as Select takes them; value 0 is "not given".
Choices = list[tuple[str, int]]

SEX_LETTERS: dict[int, str] = {
    contact_pb2.ADMINISTRATIVE_SEX_FEMALE: "F",
    contact_pb2.ADMINISTRATIVE_SEX_MALE: "M",
    contact_pb2.ADMINISTRATIVE_SEX_UNKNOWN: "U",
}
SEX_BY_LETTER = {letter: value for value, letter in SEX_LETTERS.items()}
SEX_NAMES: dict[int, str] = {
    contact_pb2.ADMINISTRATIVE_SEX_FEMALE: "female",
    contact_pb2.ADMINISTRATIVE_SEX_MALE: "male",
    contact_pb2.ADMINISTRATIVE_SEX_UNKNOWN: "unknown",
}

PATIENT_STATUS_NAMES: dict[int, str] = {
    patients_pb2.PATIENT_STATUS_ACTIVE: "active",
    patients_pb2.PATIENT_STATUS_INACTIVE: "inactive",
    patients_pb2.PATIENT_STATUS_DECEASED: "deceased",
    patients_pb2.PATIENT_STATUS_MERGED: "merged",
}
# What a clerk may set; "merged" only ever comes from a merge.
EDITABLE_STATUSES: Choices = [
    ("Active", patients_pb2.PATIENT_STATUS_ACTIVE),
    ("Inactive", patients_pb2.PATIENT_STATUS_INACTIVE),
    ("Deceased", patients_pb2.PATIENT_STATUS_DECEASED),
]

CONTACT_METHODS: Choices = [
    ("—", patients_pb2.CONTACT_METHOD_UNSPECIFIED),
    ("Phone call", patients_pb2.CONTACT_METHOD_PHONE),
    ("Text message", patients_pb2.CONTACT_METHOD_SMS),
    ("Email", patients_pb2.CONTACT_METHOD_EMAIL),
    ("Mail", patients_pb2.CONTACT_METHOD_MAIL),
]
MARITAL_STATUSES: Choices = [
    ("—", patients_pb2.MARITAL_STATUS_UNSPECIFIED),
    ("Single", patients_pb2.MARITAL_STATUS_SINGLE),
    ("Married", patients_pb2.MARITAL_STATUS_MARRIED),
    ("Divorced", patients_pb2.MARITAL_STATUS_DIVORCED),
    ("Widowed", patients_pb2.MARITAL_STATUS_WIDOWED),
    ("Separated", patients_pb2.MARITAL_STATUS_SEPARATED),
    ("Domestic partner", patients_pb2.MARITAL_STATUS_PARTNER),
    ("Unknown", patients_pb2.MARITAL_STATUS_UNKNOWN),
]
EMPLOYMENT_STATUSES: Choices = [
    ("—", patients_pb2.EMPLOYMENT_STATUS_UNSPECIFIED),
    ("Full time", patients_pb2.EMPLOYMENT_STATUS_FULL_TIME),
    ("Part time", patients_pb2.EMPLOYMENT_STATUS_PART_TIME),
    ("Self-employed", patients_pb2.EMPLOYMENT_STATUS_SELF_EMPLOYED),
    ("Unemployed", patients_pb2.EMPLOYMENT_STATUS_UNEMPLOYED),
    ("Retired", patients_pb2.EMPLOYMENT_STATUS_RETIRED),
    ("Student, full time", patients_pb2.EMPLOYMENT_STATUS_STUDENT_FULL_TIME),
    ("Student, part time", patients_pb2.EMPLOYMENT_STATUS_STUDENT_PART_TIME),
    ("Unknown", patients_pb2.EMPLOYMENT_STATUS_UNKNOWN),
]

# X12 individual relationship codes (SBR02/PAT01), self first: the usual case.
RELATIONSHIPS: list[tuple[str, str]] = [
    ("18", "Self"),
    ("01", "Spouse"),
    ("19", "Child"),
    ("20", "Employee"),
    ("21", "Unknown"),
    ("39", "Organ donor"),
    ("40", "Cadaver donor"),
    ("53", "Life partner"),
    ("G8", "Other relationship"),
]
RELATIONSHIP_SELF = "18"
RELATIONSHIP_NAMES = dict(RELATIONSHIPS)

# X12 SBR05 Medicare secondary payer types; blank when the policy is not Medicare secondary.
MEDICARE_SECONDARY_TYPES: list[tuple[str, str]] = [
    ("12", "Working aged, employer plan"),
    ("13", "End-stage renal disease"),
    ("14", "No-fault insurance"),
    ("15", "Workers' compensation"),
    ("16", "Public Health Service / federal"),
    ("41", "Black lung"),
    ("42", "Veterans Affairs"),
    ("43", "Disabled, large group plan"),
    ("47", "Other liability insurance"),
]

PHONE_TYPES: list[tuple[int, str]] = [
    (contact_pb2.PHONE_TYPE_MOBILE, "mobile"),
    (contact_pb2.PHONE_TYPE_HOME, "home"),
    (contact_pb2.PHONE_TYPE_WORK, "work"),
]

DOCUMENT_TYPES: Choices = [
    ("Insurance card, front", documents_pb2.DOCUMENT_TYPE_INSURANCE_CARD_FRONT),
    ("Insurance card, back", documents_pb2.DOCUMENT_TYPE_INSURANCE_CARD_BACK),
    ("Photo ID", documents_pb2.DOCUMENT_TYPE_PHOTO_ID),
    ("Signed form", documents_pb2.DOCUMENT_TYPE_SIGNED_FORM),
    ("Referral", documents_pb2.DOCUMENT_TYPE_REFERRAL),
    ("Correspondence", documents_pb2.DOCUMENT_TYPE_CORRESPONDENCE),
    ("Other", documents_pb2.DOCUMENT_TYPE_OTHER),
]
DOCUMENT_TYPE_NAMES = {value: label for label, value in DOCUMENT_TYPES}


def label_of(choices: Choices, value: int) -> str:
    """The label of ``value``; blank for 0 ("not given") and for values this client does not know."""
    return next((label for label, known in choices if known == value and value), "")


PRIORITY_NAMES = {1: "primary", 2: "secondary", 3: "tertiary"}


def priority_name(priority: int) -> str:
    return PRIORITY_NAMES.get(priority, f"#{priority}")

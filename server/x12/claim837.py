"""What an 837P (005010X222A1) batch says, as plain values: the claims domain fills these from the database,
`server/x12/writer837p.py` turns them into segments. Money is integer cents; quantities in thousandths."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime


@dataclass(frozen=True)
class Address:
    line1: str
    city: str
    state: str
    # 5 or 9 digits (ZIP+4 without the dash).
    zip: str
    line2: str = ""


@dataclass(frozen=True)
class Person:
    last: str
    first: str
    middle: str = ""
    suffix: str = ""
    birth_date: date | None = None
    # X12 administrative sex: M, F or U.
    sex: str = "U"
    address: Address | None = None


@dataclass(frozen=True)
class Submitter:
    """Loop 1000A: who sends the file (the practice, or its billing service), with a contact."""

    name: str
    # The submitter id the clearinghouse assigned (ETIN).
    identifier: str
    contact_name: str
    phone: str  # 10 digits


@dataclass(frozen=True)
class Receiver:
    """Loop 1000B: the clearinghouse or payer receiving the file."""

    name: str
    identifier: str


@dataclass(frozen=True)
class BillingProvider:
    """Loop 2010AA: the group (or solo provider) paid for the claims."""

    organization_name: str
    npi: str
    # Employer identification number, 9 digits (REF*EI).
    tax_id: str
    taxonomy: str
    address: Address  # a street address, not a PO box
    contact_name: str = ""
    phone: str = ""


@dataclass(frozen=True)
class ProviderName:
    """A person provider in loops 2310A (referring, DN), 2310B (rendering, 82), 2310D (supervising, DQ)."""

    last: str
    first: str
    npi: str
    # Rendering providers carry their taxonomy (PRV*PE); others leave it empty.
    taxonomy: str = ""


@dataclass(frozen=True)
class ServiceFacility:
    """Loop 2310C: where the service was given, when it is not the billing provider's address."""

    name: str
    address: Address
    npi: str = ""


@dataclass(frozen=True)
class PayerName:
    """Loop 2010BB (and 2330B for other payers)."""

    name: str
    payer_id: str
    address: Address | None = None


@dataclass(frozen=True)
class Subscriber:
    """Loop 2000B/2010BA: the policy holder of the payer the claim goes to."""

    person: Person
    member_id: str
    # SBR01: P primary, S secondary, T tertiary.
    responsibility: str
    # SBR09 claim filing indicator (MB, MC, CI, BL, ...).
    claim_filing_indicator: str
    group_number: str = ""
    # SBR04, used when there is no group number.
    plan_name: str = ""
    # SBR05, Medicare secondary payer type (12, 13, 14, 15, 16, 41, 42, 43, 47) when Medicare is secondary.
    insurance_type: str = ""


@dataclass(frozen=True)
class Adjustment:
    """CAS: group code (CO, PR, OA, PI), reason code (CARC), amount in cents, quantity (units, optional)."""

    group: str
    reason: str
    amount_cents: int
    quantity: int = 0


@dataclass(frozen=True)
class LineAdjudication:
    """Loop 2430: what another payer did with one line (from its 835)."""

    payer_id: str
    procedure_code: str
    modifiers: tuple[str, ...]
    paid_cents: int
    paid_units: int
    adjudicated_on: date
    adjustments: tuple[Adjustment, ...] = ()
    # Which of the claim's service lines (1-based) this adjudicates; 0 = the first line not yet matched with the
    # same procedure code and modifiers.
    line_number: int = 0


@dataclass(frozen=True)
class OtherPayer:
    """Loops 2320/2330A/2330B: another payer on the claim (for a secondary claim, the primary and what it paid)."""

    subscriber: Subscriber
    # 2320 SBR02: the patient's relationship to this other subscriber (18 self, 01 spouse, 19 child, ...).
    relationship: str
    payer: PayerName
    # AMT*D: what this payer paid on the claim (present once it adjudicated).
    paid_cents: int | None = None
    adjudicated_on: date | None = None
    claim_adjustments: tuple[Adjustment, ...] = ()
    lines: tuple[LineAdjudication, ...] = ()


@dataclass(frozen=True)
class ServiceLine:
    """Loop 2400."""

    procedure_code: str
    charge_cents: int
    # Units in thousandths (1 unit = 1000), as SV104 allows decimals; written without trailing zeros.
    units_milli: int
    # Positions (1-based) in the claim's diagnosis list: one to four.
    dx_pointers: tuple[int, ...]
    service_date: date
    modifiers: tuple[str, ...] = ()
    # HC for CPT/HCPCS.
    code_qualifier: str = "HC"
    # SV105, only when it differs from the claim's place of service.
    place_of_service: str = ""
    # Loop 2410 drug identification: 11-digit NDC, quantity in thousandths, unit (UN, ML, GR, F2, ME).
    ndc: str = ""
    ndc_quantity_milli: int = 0
    ndc_unit: str = ""
    # REF*6R line item control number (our line id, echoed in the 835).
    control_number: str = ""
    note: str = ""


@dataclass(frozen=True)
class Claim:
    """Loop 2300 with its subscriber and patient loops."""

    # CLM01 patient control number: ours, echoed in 277CA and 835 (at most 20 characters).
    control_number: str
    total_charge_cents: int
    place_of_service: str
    # CLM05-3: 1 original, 7 replacement, 8 void.
    frequency: str
    subscriber: Subscriber
    payer: PayerName
    # ICD-10-CM codes without the dot, in claim order (1-12); the first is the principal (ABK), then ABF.
    diagnoses: tuple[str, ...]
    lines: tuple[ServiceLine, ...]
    rendering: ProviderName | None = None
    # Loop 2000C/2010CA: the patient when not the subscriber, with the relationship to the subscriber (PAT01).
    patient: Person | None = None
    patient_relationship: str = ""
    referring: ProviderName | None = None
    supervising: ProviderName | None = None
    facility: ServiceFacility | None = None
    # CLM06 provider signature on file, CLM07 assignment (A assigned, C not assigned), CLM08 benefits assigned.
    provider_signature: bool = True
    accept_assignment: bool = True
    benefits_assigned: bool = True
    # CLM09 release of information: Y, or I (informed consent only).
    release_of_information: str = "Y"
    # REF*F8 payer claim control number of the claim a 7 or 8 replaces.
    original_claim_number: str = ""
    # REF*G1.
    prior_authorization: str = ""
    # NTE*ADD.
    note: str = ""
    other_payers: tuple[OtherPayer, ...] = ()


@dataclass(frozen=True)
class Batch:
    """One interchange (ISA/IEA) with one functional group (GS/GE) and one transaction (ST/SE) per billing
    provider. Control numbers are assigned and persisted by the caller, never reused."""

    interchange_control_number: int
    group_control_number: int
    transaction_control_number: int
    created_at: datetime
    # ISA15: P production, T test.
    usage: str
    sender_id: str
    receiver_id: str
    submitter: Submitter
    receiver: Receiver
    billing_provider: BillingProvider
    claims: tuple[Claim, ...] = field(default_factory=tuple)
    # BHT03 originator's reference for the batch (the transaction control number when empty).
    reference: str = ""
    # ISA05/ISA07 interchange id qualifiers (ZZ mutually defined, 30 federal tax id, ...).
    sender_qualifier: str = "ZZ"
    receiver_qualifier: str = "ZZ"

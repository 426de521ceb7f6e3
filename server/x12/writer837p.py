"""The 837P writer (005010X222A1): a `Batch` of claims in, the interchange text out. Pure Python, no database.

One interchange (ISA/IEA) holds one functional group (GS/GE) and one transaction (ST/SE) for the batch's billing
provider. Each claim gets its own subscriber level (2000B) and, when the patient is not the subscriber, its own
patient level (2000C); the guide allows grouping several claims under one subscriber, but one level per claim keeps
each claim's loops self-contained and costs only a few segments.

Situational segments follow the implementation guide's rules ("required when ..., if not required do not send"):
SBR02 only when the subscriber is the patient; SBR04 only without a group number; SBR05 only when the destination
(or other) payer is Medicare and Medicare is not primary; the subscriber's address and demographics only when the
subscriber is the patient; REF*F8 for replacement (7) and void (8) claims; SV105 only when it differs from the
claim's place of service; the other payer's adjudication date (2330B DTP*573) only when no line adjudication (2430)
is sent for that payer; PER in 2010AA only when the contact differs from the submitter's.

Input is checked before anything is written: every problem raises `ValueError` whose message starts with the
field's path (`claims[3].lines[0].dx_pointers: ...`), so callers can map it to a field violation. Besides the
formats (NPI check digit, ZIP, codes) the checks include the claim rules payers reject on: 1-50 lines, 1-12
diagnoses, at most 4 modifiers, 1-4 distinct pointers into the diagnosis list, no negative charge, a claim total
equal to the sum of its lines, and balanced coordination-of-benefits amounts (for each other payer: payer paid +
claim adjustments + line adjustments = claim charge, and per adjudicated line paid + adjustments = line charge).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from datetime import date

from server.scheduling.rules import npi_is_valid, taxonomy_is_valid
from server.x12.claim837 import (
    Address,
    Adjustment,
    Batch,
    Claim,
    LineAdjudication,
    OtherPayer,
    PayerName,
    Person,
    ProviderName,
    ServiceLine,
    Subscriber,
)
from server.x12.segments import (
    COMPONENT_SEPARATOR,
    REPETITION_SEPARATOR,
    clean,
    composite,
    digits,
    fixed,
    isa_segment,
    join_segments,
    money,
    quantity,
    segment,
    x12_date,
    x12_short_date,
    x12_time,
)

IMPLEMENTATION_GUIDE = "005010X222A1"
MAX_CLAIM_LINES = 50
MAX_DIAGNOSES = 12
MAX_MODIFIERS = 4
MAX_POINTERS = 4
MAX_OTHER_PAYERS = 10
# CLM01: the guide allows 38 characters but payers need only return 20 in the 277CA and 835.
MAX_CONTROL_NUMBER = 20

RESPONSIBILITY_CODES = frozenset("ABCDEFGHPSTU")
CLAIM_FILING_CODES = frozenset({"11", "12", "13", "14", "15", "16", "17", "AM", "BL", "CH", "CI", "DS", "FI", "HM",
                                "LM", "MA", "MB", "MC", "OF", "TV", "VA", "WC", "ZZ"})
# Medicare secondary payer types (SBR05), for Medicare when it is not the primary payer.
MEDICARE_SECONDARY_TYPES = frozenset({"12", "13", "14", "15", "16", "41", "42", "43", "47"})
PATIENT_RELATIONSHIPS = frozenset({"01", "19", "20", "21", "39", "40", "53", "G8"})
OTHER_SUBSCRIBER_RELATIONSHIPS = PATIENT_RELATIONSHIPS | {"18"}
FREQUENCIES = frozenset({"1", "7", "8"})
ADJUSTMENT_GROUPS = frozenset({"CO", "CR", "OA", "PI", "PR"})
NDC_UNITS = frozenset({"F2", "GR", "ME", "ML", "UN"})
PROCEDURE_QUALIFIERS = frozenset({"ER", "HC", "IV", "WK"})
SEXES = frozenset({"M", "F", "U"})
# The six (reason, amount, quantity) triplets one CAS segment holds.
MAX_ADJUSTMENTS_PER_GROUP = 6

_DIAGNOSIS = re.compile(r"[A-Z][0-9][0-9A-Z]{1,5}")
_PROCEDURE = re.compile(r"[A-Z0-9]{5}")
_MODIFIER = re.compile(r"[A-Z0-9]{2}")
_POS = re.compile(r"[0-9]{2}")
_STATE = re.compile(r"[A-Z]{2}")
_REASON = re.compile(r"[A-Z0-9]{1,5}")


def write_837p(batch: Batch) -> str:
    """The batch as 005010X222A1 text (segments end with `~` and a newline); `ValueError` names a bad field."""
    return _Writer(batch).write()


# ---------------------------------------------------------------------------------------------------------------
# value helpers


def _required(value: str, field: str, max_length: int, min_length: int = 1) -> str:
    text = clean(value, max_length)
    if len(text) < min_length:
        raise ValueError(f"{field}: required ({min_length}-{max_length} characters after cleaning), got {value!r}")
    return text


def _identifier(value: str, field: str, max_length: int, min_length: int = 1) -> str:
    """An identifier that must arrive unchanged (member id, payer id, control numbers): cleaning may change its
    case, nothing else, since a silently altered id is a denied or unmatched claim."""
    text = clean(value, max_length)
    if len(text) < min_length or text != value.strip().upper():
        raise ValueError(f"{field}: {value!r} must be {min_length}-{max_length} X12 characters (letters, digits, "
                         "spaces, - . / and the like; no * : ^ ~)")
    return text


def _code(value: str, field: str, allowed: Iterable[str]) -> str:
    code = value.strip().upper()
    if code not in allowed:
        raise ValueError(f"{field}: {value!r} is not one of {', '.join(sorted(allowed))}")
    return code


def _npi(value: str, field: str) -> str:
    if not npi_is_valid(value):
        raise ValueError(f"{field}: {value!r} is not a valid NPI (10 digits with the check digit)")
    return value


def _phone(value: str, field: str) -> str:
    number = digits(value)
    if len(number) != 10:
        raise ValueError(f"{field}: {value!r} is not a 10-digit phone number")
    return number


def _zip(value: str, field: str, nine: bool = False) -> str:
    code = digits(value)
    if len(code) != 9 and (nine or len(code) != 5):
        raise ValueError(f"{field}: {value!r} must be {'9' if nine else '5 or 9'} digits (ZIP+4 without the dash)")
    return code


def _required_date(value: date | None, field: str) -> str:
    if value is None:
        raise ValueError(f"{field}: required")
    return x12_date(value)


# ---------------------------------------------------------------------------------------------------------------


class _Writer:
    def __init__(self, batch: Batch) -> None:
        self.batch = batch
        self.segments: list[str] = []
        self.hl = 0

    def add(self, segment_id: str, *elements: str) -> None:
        self.segments.append(segment(segment_id, *elements))

    # -- envelope ------------------------------------------------------------------------------------------------

    def write(self) -> str:
        b = self.batch
        if not b.claims:
            raise ValueError("claims: a batch needs at least one claim")
        for name in ("interchange_control_number", "group_control_number", "transaction_control_number"):
            number = getattr(b, name)
            if not 1 <= number <= 999_999_999:
                raise ValueError(f"{name}: {number} must be 1-999999999")
        usage = _code(b.usage, "usage", {"P", "T"})
        sender_qualifier = _code(b.sender_qualifier, "sender_qualifier",
                                 {"01", "14", "20", "27", "28", "29", "30", "33", "ZZ"})
        receiver_qualifier = _code(b.receiver_qualifier, "receiver_qualifier",
                                   {"01", "14", "20", "27", "28", "29", "30", "33", "ZZ"})
        sender = _required(b.sender_id, "sender_id", 15, 2)
        receiver = _required(b.receiver_id, "receiver_id", 15, 2)
        created = b.created_at
        isa13 = f"{b.interchange_control_number:09d}"
        st02 = f"{b.transaction_control_number:04d}"

        self.segments.append(isa_segment(
            "00", " " * 10, "00", " " * 10, sender_qualifier, fixed(sender, 15, "sender_id"),
            receiver_qualifier, fixed(receiver, 15, "receiver_id"), x12_short_date(created), x12_time(created),
            REPETITION_SEPARATOR, "00501", isa13, "0", usage, COMPONENT_SEPARATOR))
        self.add("GS", "HC", sender, receiver, x12_date(created), x12_time(created), str(b.group_control_number), "X",
                 IMPLEMENTATION_GUIDE)
        st_at = len(self.segments)
        self.add("ST", "837", st02, IMPLEMENTATION_GUIDE)
        reference = clean(b.reference, 50) or str(b.transaction_control_number)
        self.add("BHT", "0019", "00", reference, x12_date(created), x12_time(created), "CH")
        self._submitter_and_receiver()
        self._billing_provider()
        for index, claim in enumerate(b.claims):
            self._claim(claim, f"claims[{index}]")
        self.add("SE", str(len(self.segments) - st_at + 1), st02)
        self.add("GE", "1", str(b.group_control_number))
        self.add("IEA", "1", isa13)
        return join_segments(self.segments)

    def _submitter_and_receiver(self) -> None:
        s = self.batch.submitter
        self.add("NM1", "41", "2", _required(s.name, "submitter.name", 60), "", "", "", "", "46",
                 _identifier(s.identifier, "submitter.identifier", 80, 2))
        self.add("PER", "IC", _required(s.contact_name, "submitter.contact_name", 60), "TE",
                 _phone(s.phone, "submitter.phone"))
        r = self.batch.receiver
        self.add("NM1", "40", "2", _required(r.name, "receiver.name", 60), "", "", "", "", "46",
                 _identifier(r.identifier, "receiver.identifier", 80, 2))

    def _billing_provider(self) -> None:
        p = self.batch.billing_provider
        self.hl = 1
        self.add("HL", "1", "", "20", "1")
        if p.taxonomy:
            self.add("PRV", "BI", "PXC", self._taxonomy(p.taxonomy, "billing_provider.taxonomy"))
        self.add("NM1", "85", "2", _required(p.organization_name, "billing_provider.organization_name", 60),
                 "", "", "", "", "XX", _npi(p.npi, "billing_provider.npi"))
        self._address(p.address, "billing_provider.address", nine_digit_zip=True)
        tax_id = digits(p.tax_id)
        if len(tax_id) != 9:
            raise ValueError(f"billing_provider.tax_id: {p.tax_id!r} is not a 9-digit EIN")
        self.add("REF", "EI", tax_id)
        s = self.batch.submitter
        if p.contact_name and p.phone:
            phone = _phone(p.phone, "billing_provider.phone")
            name = _required(p.contact_name, "billing_provider.contact_name", 60)
            if (name, phone) != (clean(s.contact_name, 60), digits(s.phone)):
                self.add("PER", "IC", name, "TE", phone)

    # -- shared loops --------------------------------------------------------------------------------------------

    @staticmethod
    def _taxonomy(code: str, field: str) -> str:
        if not taxonomy_is_valid(code):
            raise ValueError(f"{field}: {code!r} is not a provider taxonomy code")
        return code

    def _address(self, address: Address | None, field: str, nine_digit_zip: bool = False) -> None:
        if address is None:
            raise ValueError(f"{field}: required")
        self.add("N3", _required(address.line1, f"{field}.line1", 55), clean(address.line2, 55))
        state = address.state.strip().upper()
        if not _STATE.fullmatch(state):
            raise ValueError(f"{field}.state: {address.state!r} is not a 2-letter state code")
        self.add("N4", _required(address.city, f"{field}.city", 30, 2), state,
                 _zip(address.zip, f"{field}.zip", nine_digit_zip))

    def _person_name(self, entity: str, person: Person, field: str, id_qualifier: str = "",
                     identifier: str = "") -> None:
        self.add("NM1", entity, "1", _required(person.last, f"{field}.last", 60), clean(person.first, 35),
                 clean(person.middle, 25), "", clean(person.suffix, 10), id_qualifier, identifier)

    def _demographics(self, person: Person, field: str) -> None:
        self.add("DMG", "D8", _required_date(person.birth_date, f"{field}.birth_date"),
                 _code(person.sex, f"{field}.sex", SEXES))

    def _provider_name(self, entity: str, provider: ProviderName, field: str) -> None:
        self.add("NM1", entity, "1", _required(provider.last, f"{field}.last", 60), clean(provider.first, 35),
                 "", "", "", "XX", _npi(provider.npi, f"{field}.npi"))

    def _payer_name(self, payer: PayerName, field: str) -> None:
        self.add("NM1", "PR", "2", _required(payer.name, f"{field}.name", 60), "", "", "", "", "PI",
                 _identifier(payer.payer_id, f"{field}.payer_id", 80, 2))
        if payer.address is not None:
            self._address(payer.address, f"{field}.address")

    @staticmethod
    def _sbr_plan(subscriber: Subscriber, field: str) -> tuple[str, str, str, str, str]:
        """SBR01, SBR03, SBR04, SBR05, SBR09 for a subscriber (2000B) or other subscriber (2320)."""
        responsibility = _code(subscriber.responsibility, f"{field}.responsibility", RESPONSIBILITY_CODES)
        filing = _code(subscriber.claim_filing_indicator, f"{field}.claim_filing_indicator", CLAIM_FILING_CODES)
        group = clean(subscriber.group_number, 50)
        plan = "" if group else clean(subscriber.plan_name, 60)
        insurance_type = ""
        if filing == "MB" and responsibility != "P":
            insurance_type = _code(subscriber.insurance_type, f"{field}.insurance_type", MEDICARE_SECONDARY_TYPES)
        return responsibility, group, plan, insurance_type, filing

    @staticmethod
    def _adjustments(adjustments: tuple[Adjustment, ...], field: str) -> list[list[str]]:
        """CAS segments' elements: one per group code, in the order the groups first appear."""
        groups: dict[str, list[str]] = {}
        for i, adj in enumerate(adjustments):
            at = f"{field}[{i}]"
            group = _code(adj.group, f"{at}.group", ADJUSTMENT_GROUPS)
            reason = adj.reason.strip().upper()
            if not _REASON.fullmatch(reason):
                raise ValueError(f"{at}.reason: {adj.reason!r} is not a claim adjustment reason code")
            if adj.quantity < 0:
                raise ValueError(f"{at}.quantity: {adj.quantity} is negative")
            triplets = groups.setdefault(group, [])
            if len(triplets) == 3 * MAX_ADJUSTMENTS_PER_GROUP:
                raise ValueError(f"{at}: more than {MAX_ADJUSTMENTS_PER_GROUP} adjustments in group {group}")
            triplets += [reason, money(adj.amount_cents), str(adj.quantity) if adj.quantity else ""]
        return [[group, *triplets] for group, triplets in groups.items()]

    # -- claim ---------------------------------------------------------------------------------------------------

    def _claim(self, claim: Claim, field: str) -> None:
        sub = claim.subscriber
        patient = claim.patient
        control_number = _identifier(claim.control_number, f"{field}.control_number", MAX_CONTROL_NUMBER)
        adjudications = self._check_claim(claim, field)

        # 2000B subscriber level
        self.hl += 1
        subscriber_hl = self.hl
        self.add("HL", str(subscriber_hl), "1", "22", "1" if patient is not None else "0")
        responsibility, group, plan, insurance_type, filing = self._sbr_plan(sub, f"{field}.subscriber")
        self.add("SBR", responsibility, "18" if patient is None else "", group, plan, insurance_type, "", "", "",
                 filing)
        # 2010BA subscriber
        self._person_name("IL", sub.person, f"{field}.subscriber.person", "MI",
                          _identifier(sub.member_id, f"{field}.subscriber.member_id", 80, 2))
        if patient is None:
            self._address(sub.person.address, f"{field}.subscriber.person.address")
            self._demographics(sub.person, f"{field}.subscriber.person")
        # 2010BB payer
        self._payer_name(claim.payer, f"{field}.payer")

        # 2000C patient level
        if patient is not None:
            self.hl += 1
            self.add("HL", str(self.hl), str(subscriber_hl), "23", "0")
            self.add("PAT", _code(claim.patient_relationship, f"{field}.patient_relationship", PATIENT_RELATIONSHIPS))
            self._person_name("QC", patient, f"{field}.patient")
            self._address(patient.address, f"{field}.patient.address")
            self._demographics(patient, f"{field}.patient")
        elif claim.patient_relationship:
            raise ValueError(f"{field}.patient_relationship: set, but there is no patient (the subscriber is)")

        # 2300 claim
        pos = claim.place_of_service.strip()
        if not _POS.fullmatch(pos):
            raise ValueError(f"{field}.place_of_service: {claim.place_of_service!r} is not a 2-digit code")
        frequency = _code(claim.frequency, f"{field}.frequency", FREQUENCIES)
        self.add("CLM", control_number, money(claim.total_charge_cents), "", "", composite(pos, "B", frequency),
                 "Y" if claim.provider_signature else "N", "A" if claim.accept_assignment else "C",
                 "Y" if claim.benefits_assigned else "N",
                 _code(claim.release_of_information, f"{field}.release_of_information", {"Y", "I"}))
        if claim.prior_authorization:
            self.add("REF", "G1", _identifier(claim.prior_authorization, f"{field}.prior_authorization", 50))
        if frequency in {"7", "8"}:
            self.add("REF", "F8", _identifier(claim.original_claim_number, f"{field}.original_claim_number", 50))
        elif claim.original_claim_number:
            raise ValueError(f"{field}.original_claim_number: only replacement (7) and void (8) claims carry one")
        if claim.note:
            self.add("NTE", "ADD", _required(claim.note, f"{field}.note", 80))
        self.add("HI", *(composite("ABK" if i == 0 else "ABF", code) for i, code in enumerate(self._diagnoses(
            claim, field))))

        # 2310A-D providers and facility
        if claim.referring is not None:
            self._provider_name("DN", claim.referring, f"{field}.referring")
        if claim.rendering is not None:
            self._provider_name("82", claim.rendering, f"{field}.rendering")
            if claim.rendering.taxonomy:
                self.add("PRV", "PE", "PXC", self._taxonomy(claim.rendering.taxonomy, f"{field}.rendering.taxonomy"))
        if claim.facility is not None:
            f = claim.facility
            npi = _npi(f.npi, f"{field}.facility.npi") if f.npi else ""
            self.add("NM1", "77", "2", _required(f.name, f"{field}.facility.name", 60), "", "", "", "",
                     "XX" if npi else "", npi)
            self._address(f.address, f"{field}.facility.address", nine_digit_zip=True)
        if claim.supervising is not None:
            self._provider_name("DQ", claim.supervising, f"{field}.supervising")

        # 2320/2330 other payers
        for i, other in enumerate(claim.other_payers):
            self._other_payer(claim, other, bool(adjudications[i]), f"{field}.other_payers[{i}]")

        # 2400 lines
        for n, line in enumerate(claim.lines):
            at = f"{field}.lines[{n}]"
            self.add("LX", str(n + 1))
            qualifier = _code(line.code_qualifier, f"{at}.code_qualifier", PROCEDURE_QUALIFIERS)
            line_pos = line.place_of_service.strip()
            if line_pos and not _POS.fullmatch(line_pos):
                raise ValueError(f"{at}.place_of_service: {line.place_of_service!r} is not a 2-digit code")
            self.add("SV1", composite(qualifier, *self._procedure(line.procedure_code, line.modifiers, at)),
                     money(line.charge_cents), "UN", quantity(line.units_milli),
                     line_pos if line_pos != pos else "", "", composite(*(str(p) for p in line.dx_pointers)))
            self.add("DTP", "472", "D8", x12_date(line.service_date))
            if line.control_number:
                self.add("REF", "6R", _identifier(line.control_number, f"{at}.control_number", 50))
            if line.note:
                self.add("NTE", "ADD", _required(line.note, f"{at}.note", 80))
            if line.ndc:
                self._drug(line, at)
            for i, other in enumerate(claim.other_payers):
                for adjudication in adjudications[i].get(n, []):
                    self._line_adjudication(other, adjudication, line, at)

    def _diagnoses(self, claim: Claim, field: str) -> list[str]:
        codes = []
        for i, raw in enumerate(claim.diagnoses):
            code = raw.strip().upper().replace(".", "")
            if not _DIAGNOSIS.fullmatch(code):
                raise ValueError(f"{field}.diagnoses[{i}]: {raw!r} is not an ICD-10-CM code")
            codes.append(code)
        return codes

    @staticmethod
    def _procedure(code: str, modifiers: tuple[str, ...], field: str) -> list[str]:
        procedure = code.strip().upper()
        if not _PROCEDURE.fullmatch(procedure):
            raise ValueError(f"{field}.procedure_code: {code!r} is not a 5-character CPT/HCPCS code")
        if len(modifiers) > MAX_MODIFIERS:
            raise ValueError(f"{field}.modifiers: {len(modifiers)} modifiers, at most {MAX_MODIFIERS}")
        cleaned = []
        for i, modifier in enumerate(modifiers):
            m = modifier.strip().upper()
            if not _MODIFIER.fullmatch(m):
                raise ValueError(f"{field}.modifiers[{i}]: {modifier!r} is not a 2-character modifier")
            cleaned.append(m)
        return [procedure, *cleaned]

    def _drug(self, line: ServiceLine, field: str) -> None:
        if not re.fullmatch(r"[0-9]{11}", line.ndc):
            raise ValueError(f"{field}.ndc: {line.ndc!r} is not an 11-digit NDC (5-4-2 without dashes)")
        if line.ndc_quantity_milli <= 0:
            raise ValueError(f"{field}.ndc_quantity_milli: must be positive with an NDC")
        unit = _code(line.ndc_unit, f"{field}.ndc_unit", NDC_UNITS)
        self.add("LIN", "", "N4", line.ndc)
        self.add("CTP", "", "", "", quantity(line.ndc_quantity_milli), unit)

    # -- coordination of benefits --------------------------------------------------------------------------------

    def _other_payer(self, claim: Claim, other: OtherPayer, has_lines: bool, field: str) -> None:
        responsibility, group, plan, insurance_type, filing = self._sbr_plan(other.subscriber, f"{field}.subscriber")
        relationship = _code(other.relationship, f"{field}.relationship", OTHER_SUBSCRIBER_RELATIONSHIPS)
        self.add("SBR", responsibility, relationship, group, plan, insurance_type, "", "", "", filing)
        for cas in self._adjustments(other.claim_adjustments, f"{field}.claim_adjustments"):
            self.add("CAS", *cas)
        if other.paid_cents is not None:
            self.add("AMT", "D", money(other.paid_cents))
        self.add("OI", "", "", "Y" if claim.benefits_assigned else "N", "", "",
                 _code(claim.release_of_information, "release_of_information", {"Y", "I"}))
        # 2330A other subscriber
        person = other.subscriber.person
        self._person_name("IL", person, f"{field}.subscriber.person", "MI",
                          _identifier(other.subscriber.member_id, f"{field}.subscriber.member_id", 80, 2))
        if person.address is not None:
            self._address(person.address, f"{field}.subscriber.person.address")
        # 2330B other payer
        self._payer_name(other.payer, f"{field}.payer")
        # Guide: the claim-level adjudication date only when the payer adjudicated and 2430 is not sent.
        if other.paid_cents is not None and not has_lines:
            self.add("DTP", "573", "D8", _required_date(other.adjudicated_on, f"{field}.adjudicated_on"))

    def _line_adjudication(self, other: OtherPayer, adj: LineAdjudication, line: ServiceLine, field: str) -> None:
        at = f"{field} adjudicated by {other.payer.payer_id}"
        procedure = self._procedure(adj.procedure_code, adj.modifiers, at)
        qualifier = _code(line.code_qualifier, f"{field}.code_qualifier", PROCEDURE_QUALIFIERS)
        if adj.paid_units < 0:
            raise ValueError(f"{at}.paid_units: {adj.paid_units} is negative")
        self.add("SVD", _identifier(other.payer.payer_id, "payer_id", 80, 2), money(adj.paid_cents),
                 composite(qualifier, *procedure), "", str(adj.paid_units))
        for cas in self._adjustments(adj.adjustments, f"{at}.adjustments"):
            self.add("CAS", *cas)
        self.add("DTP", "573", "D8", x12_date(adj.adjudicated_on))

    # -- checks --------------------------------------------------------------------------------------------------

    def _check_claim(self, claim: Claim, field: str) -> list[dict[int, list[LineAdjudication]]]:
        """The claim-level rules; returns, per other payer, its line adjudications keyed by line index."""
        if not claim.lines:
            raise ValueError(f"{field}.lines: a claim needs at least one service line")
        if len(claim.lines) > MAX_CLAIM_LINES:
            raise ValueError(f"{field}.lines: {len(claim.lines)} lines, at most {MAX_CLAIM_LINES} per claim")
        if not claim.diagnoses:
            raise ValueError(f"{field}.diagnoses: a claim needs at least one diagnosis")
        if len(claim.diagnoses) > MAX_DIAGNOSES:
            raise ValueError(f"{field}.diagnoses: {len(claim.diagnoses)} diagnoses, at most {MAX_DIAGNOSES}")
        for n, line in enumerate(claim.lines):
            at = f"{field}.lines[{n}]"
            if line.charge_cents < 0:
                raise ValueError(f"{at}.charge_cents: {line.charge_cents} is negative")
            if line.units_milli <= 0:
                raise ValueError(f"{at}.units_milli: {line.units_milli} must be positive")
            pointers = line.dx_pointers
            if not 1 <= len(pointers) <= MAX_POINTERS:
                raise ValueError(f"{at}.dx_pointers: {len(pointers)} pointers, need 1-{MAX_POINTERS}")
            if len(set(pointers)) != len(pointers) or any(not 1 <= p <= len(claim.diagnoses) for p in pointers):
                raise ValueError(f"{at}.dx_pointers: {pointers} must be distinct positions 1-{len(claim.diagnoses)}"
                                 " in the claim's diagnoses")
        total = sum(line.charge_cents for line in claim.lines)
        if claim.total_charge_cents != total:
            raise ValueError(f"{field}.total_charge_cents: {claim.total_charge_cents} is not the sum of the line "
                             f"charges ({total})")
        if len(claim.other_payers) > MAX_OTHER_PAYERS:
            raise ValueError(f"{field}.other_payers: at most {MAX_OTHER_PAYERS}")
        return [self._match_lines(claim, other, f"{field}.other_payers[{i}]")
                for i, other in enumerate(claim.other_payers)]

    @staticmethod
    def _match_lines(claim: Claim, other: OtherPayer, field: str) -> dict[int, list[LineAdjudication]]:
        matched: dict[int, list[LineAdjudication]] = {}
        for i, adj in enumerate(other.lines):
            at = f"{field}.lines[{i}]"
            if adj.payer_id != other.payer.payer_id:
                raise ValueError(f"{at}.payer_id: {adj.payer_id!r} is not the other payer's id "
                                 f"{other.payer.payer_id!r}")
            if adj.line_number:
                if not 1 <= adj.line_number <= len(claim.lines):
                    raise ValueError(f"{at}.line_number: {adj.line_number} is not a line of the claim")
                index = adj.line_number - 1
            else:
                key = (adj.procedure_code.strip().upper(), tuple(m.strip().upper() for m in adj.modifiers))
                candidates = [n for n, line in enumerate(claim.lines)
                              if (line.procedure_code.strip().upper(),
                                  tuple(m.strip().upper() for m in line.modifiers)) == key and n not in matched]
                if not candidates:
                    raise ValueError(f"{at}: no unmatched service line with procedure {adj.procedure_code} "
                                     f"{'/'.join(adj.modifiers)}; set line_number")
                index = candidates[0]
            matched.setdefault(index, []).append(adj)
        if (other.lines or other.claim_adjustments) and other.paid_cents is None:
            raise ValueError(f"{field}.paid_cents: required when the payer's adjudication is given")
        if other.paid_cents is not None:
            line_adjustments = 0
            for index, adjs in matched.items():
                paid = sum(a.paid_cents for a in adjs)
                adjusted = sum(c.amount_cents for a in adjs for c in a.adjustments)
                charge = claim.lines[index].charge_cents
                if paid + adjusted != charge:
                    raise ValueError(f"{field}.lines: line {index + 1} does not balance: paid {paid} + adjustments "
                                     f"{adjusted} != charge {charge}")
                line_adjustments += adjusted
            claim_adjustments = sum(c.amount_cents for c in other.claim_adjustments)
            if other.paid_cents + claim_adjustments + line_adjustments != claim.total_charge_cents:
                raise ValueError(f"{field}.paid_cents: paid {other.paid_cents} + claim adjustments "
                                 f"{claim_adjustments} + line adjustments {line_adjustments} != claim charge "
                                 f"{claim.total_charge_cents}")
        return matched

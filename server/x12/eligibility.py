"""Eligibility and benefits: the 270 inquiry we send and the 271 answer we read (005010X279A1). Pure Python.

`write_270` turns an `EligibilityBatch` (frozen values, like the 837P writer's) into one interchange with one 270:
the payer (2000A/2100A, NM1*PR with its PI payer id), the practice as information receiver (2000B/2100B,
NM1*1P*2 with its NPI), and per inquiry a subscriber level (2000C/2100C: NM1*IL with the MI member id, DMG) and,
when the patient is not the subscriber, a dependent level (2000D/2100D: NM1*03, DMG). The patient's level carries
the trace (TRN*1: our inquiry id, then our 10-character originating company id), the plan date (DTP*291, the date
of service) and one EQ per service type asked about (EQ*30, health benefit plan coverage, unless told otherwise).
The guide's 2100D INS (multiple births only) is not written. Bad input raises `ValueError` naming the field
(`inquiries[2].dependent.birth_date: required`).

`read_271` reads every answer in a 271 file, strictly and in the guide's order (`X12ReadError` names the segment
and its line, see `server.x12.reader`). Each `EligibilityAnswer` is one patient: a 2000C subscriber without
dependents, or a 2000D dependent (with its subscriber's name and member id). A 2000C that has dependents gets its
own answer as well when it carries a trace, benefits or rejections of its own. A source or receiver level without
any subscriber below it (the payer refused the whole request, AAA at 2000A/2100A/2100B) gives one answer without
subscriber or trace: it applies to every inquiry of the 270. Rejections (AAA) are collected along the path: an
answer lists those of its source, receiver, subscriber and dependent levels, each with its `level`.

Units: money is integer cents (EB07 `10.00` -> 1000); a percentage is integer basis points of the decimal the
guide sends in EB08 (`.2` = 20 % -> 2000; 10000 = 100 %). Coverage (`EligibilityAnswer.coverage`): "active" when
any EB01 is 1-5 (active coverage, full risk capitation, services capitated, capitated to the primary care
physician, pending investigation), otherwise "inactive" when any EB01 is 6-8 (inactive, pending eligibility update,
pending investigation), otherwise "rejected" when there is a rejection (AAA) on the answer's path, else "unknown".
An EB without service types (EB03) is about the plan as a whole and is reported as service type 30.

The payer's side, for the payer simulator. `read_270` reads every inquiry of a 270 as strictly (one
`EligibilityInquiry` per patient: payer, information receiver, subscriber with member id and DMG, dependent when
present, TRN*1 trace and TRN03, DTP*291, EQ service types); the patient's level must carry a trace and an EQ.
`write_271` answers an `EligibilityResponseBatch` of `EligibilityReply`s: it echoes the source and receiver levels
(consecutive replies to the same payer and receiver share them), the subscriber and dependent levels, and every
TRN*1 of the inquiry as TRN*2 (TRN02, TRN03 as received). A reply carries either refusals (AAA at the patient's
level; a code the dependent level does not take, e.g. 72 or 75, goes to the subscriber's, whose level then ends
the answer and carries the trace) or a `PlanCoverage`: REF*6P, DTP*346/347, EB*1 or EB*6 with the plan name and
coverage level for service type 30 and each other type asked, then the individual in-network cost shares: EB*B
copay per service type (EB06 27 per visit), EB*A coinsurance (EB08 decimal fraction), EB*C deductible and EB*G
out of pocket for the calendar year (EB06 23) and remaining (29). What it writes reads back with `read_271` to
the same figures.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

from server.x12.ack277ca import Party
from server.x12.claim837 import PayerName, Person
from server.x12.hierarchy import HierarchyReader, party_of, take_in_order
from server.x12.reader import (
    Envelope,
    Segment,
    SegmentCursor,
    TransactionSet,
    parse_cents,
    parse_date_period,
    transactions_of,
)
from server.x12.segments import clean, money, x12_date, x12_time
from server.x12.writer_base import Envelope as OutgoingEnvelope
from server.x12.writer_base import SegmentList, code, identifier, npi, required, required_date

IMPLEMENTATION_GUIDE = "005010X279A1"
# Answers to inquiries written for the original (non-errata) guide say 005010X279.
IMPLEMENTATION_GUIDES_271 = frozenset({"005010X279A1", "005010X279"})
MAX_INQUIRY_ID = 50  # TRN02
ORIGINATING_COMPANY_ID_LENGTH = 10  # TRN03: "1" + EIN, or "9" + an assigned number
MAX_SERVICE_TYPES = 99

ACTIVE_CODES = frozenset({"1", "2", "3", "4", "5"})
INACTIVE_CODES = frozenset({"6", "7", "8"})
COPAY, COINSURANCE, DEDUCTIBLE, OUT_OF_POCKET = "B", "A", "C", "G"
COST_SHARE_KINDS = {COPAY: "copay", COINSURANCE: "coinsurance", DEDUCTIBLE: "deductible",
                    OUT_OF_POCKET: "out_of_pocket"}
# EB06 time period qualifiers that mean "what is left" rather than the period's total.
REMAINING_PERIODS = frozenset({"29", "33"})

# EB01, eligibility or benefit information (X279A1).
BENEFIT_TEXTS = {
    "1": "Active coverage", "2": "Active - full risk capitation", "3": "Active - services capitated",
    "4": "Active - services capitated to primary care physician", "5": "Active - pending investigation",
    "6": "Inactive", "7": "Inactive - pending eligibility update", "8": "Inactive - pending investigation",
    "A": "Co-insurance", "B": "Co-payment", "C": "Deductible", "CB": "Coverage basis", "D": "Benefit description",
    "E": "Exclusions", "F": "Limitations", "G": "Out of pocket (stop loss)", "H": "Unlimited", "I": "Non-covered",
    "J": "Cost containment", "K": "Reserve", "L": "Primary care provider", "M": "Pre-existing condition",
    "MC": "Managed care coordinator", "N": "Services restricted to following provider",
    "O": "Not deemed a medical necessity", "P": "Benefit disclaimer", "Q": "Second surgical opinion required",
    "R": "Other or additional payer", "S": "Prior year(s) history", "T": "Card(s) reported lost/stolen",
    "U": "Contact following entity for eligibility or benefit information", "V": "Cannot process",
    "W": "Other source of data", "X": "Health care facility", "Y": "Spend down",
}
# EB03 / EQ01, service type codes: the ones a practice asks about most.
SERVICE_TYPE_TEXTS = {
    "1": "Medical care", "2": "Surgical", "3": "Consultation", "4": "Diagnostic X-ray", "5": "Diagnostic lab",
    "6": "Radiation therapy", "7": "Anesthesia", "12": "Durable medical equipment purchase",
    "18": "Durable medical equipment rental", "30": "Health benefit plan coverage", "33": "Chiropractic",
    "35": "Dental care", "42": "Home health care", "45": "Hospice", "47": "Hospital", "48": "Hospital - inpatient",
    "50": "Hospital - outpatient", "51": "Hospital - emergency accident", "52": "Hospital - emergency medical",
    "53": "Hospital - ambulatory surgical", "60": "General benefits", "62": "MRI/CAT scan", "67": "Smoking cessation",
    "73": "Diagnostic medical", "76": "Dialysis", "78": "Chemotherapy", "80": "Immunizations", "81": "Routine physical",
    "82": "Family planning", "86": "Emergency services", "88": "Pharmacy", "93": "Podiatry",
    "98": "Professional (physician) visit - office", "99": "Professional (physician) visit - inpatient",
    "A0": "Professional (physician) visit - outpatient", "A3": "Professional (physician) visit - home",
    "A4": "Psychiatric", "A6": "Psychotherapy", "A7": "Psychiatric - inpatient", "A8": "Psychiatric - outpatient",
    "AD": "Occupational therapy", "AE": "Physical medicine", "AF": "Speech therapy", "AG": "Skilled nursing care",
    "AI": "Substance abuse", "AL": "Vision (optometry)", "BG": "Cardiac rehabilitation", "BH": "Pediatric",
    "BY": "Physician visit - office: sick", "BZ": "Physician visit - office: well", "CQ": "Case management",
    "DM": "Durable medical equipment", "MH": "Mental health", "PT": "Physical therapy", "UC": "Urgent care",
}
# AAA03, reject reason codes (X279A1).
REJECT_REASON_TEXTS = {
    "04": "Authorized quantity exceeded", "15": "Required application data missing", "33": "Input errors",
    "35": "Out of network", "41": "Authorization/access restrictions", "42": "Unable to respond at current time",
    "43": "Invalid/missing provider identification", "44": "Invalid/missing provider name",
    "45": "Invalid/missing provider specialty", "46": "Invalid/missing provider phone number",
    "47": "Invalid/missing provider state", "48": "Invalid/missing referring provider identification number",
    "49": "Provider is not primary care physician", "50": "Provider ineligible for inquiries",
    "51": "Provider not on file", "52": "Service dates not within provider plan enrollment",
    "53": "Inquired benefit inconsistent with provider type", "54": "Inappropriate product/service id qualifier",
    "55": "Inappropriate product/service id", "56": "Inappropriate date", "57": "Invalid/missing date(s) of service",
    "58": "Invalid/missing date of birth", "60": "Date of birth follows date(s) of service",
    "61": "Date of death precedes date(s) of service", "62": "Date of service not within allowable inquiry period",
    "63": "Date of service in future", "64": "Invalid/missing patient id", "65": "Invalid/missing patient name",
    "66": "Invalid/missing patient gender code", "67": "Patient not found", "68": "Duplicate patient id number",
    "69": "Inconsistent with patient's age", "70": "Inconsistent with patient's gender",
    "71": "Patient birth date does not match that for the patient on the database",
    "72": "Invalid/missing subscriber/insured id", "73": "Invalid/missing subscriber/insured name",
    "74": "Invalid/missing subscriber/insured gender code", "75": "Subscriber/insured not found",
    "76": "Duplicate subscriber/insured id number", "77": "Subscriber found, patient not found",
    "78": "Subscriber/insured not in group/plan identified", "79": "Invalid participant identification",
    "80": "No response received - transaction terminated", "97": "Invalid or missing provider address",
    "98": "Experimental service or procedure", "AA": "Authorization number not found",
    "AE": "Requires primary care physician authorization", "AF": "Invalid/missing diagnosis code(s)",
    "AG": "Invalid/missing procedure code(s)", "AO": "Additional patient condition information required",
    "CI": "Certification information does not match patient", "E8": "Requires medical review",
    "IA": "Invalid authorization number format", "MA": "Missing authorization",
    "T4": "Payer name or identifier missing",
}
# AAA04, follow-up action codes.
FOLLOW_UP_TEXTS = {
    "C": "Please correct and resubmit", "N": "Resubmission not allowed", "P": "Please resubmit original transaction",
    "R": "Resubmission allowed", "S": "Do not resubmit; inquiry initiated to a third party",
    "W": "Please wait 30 days and resubmit", "X": "Please wait 10 days and resubmit",
    "Y": "Do not resubmit; we will hold your request and respond again shortly",
}
_SERVICE_TYPE = re.compile(r"[A-Z0-9]{1,2}")
_PERCENT = re.compile(r"([0-9]*)(?:\.([0-9]*))?\Z")


# ---------------------------------------------------------------------------------------------------------------
# 270 input


@dataclass(frozen=True)
class InformationReceiver:
    """2100B: the practice asking (an organization with its group NPI)."""

    organization_name: str
    npi: str


@dataclass(frozen=True)
class Inquiry:
    """One patient's question: is `subscriber` (or their `dependent`) covered on `service_date`, and for what?"""

    # Our id for the inquiry (TRN02), echoed in the 271's TRN*2 so the answer finds its inquiry.
    inquiry_id: str
    subscriber: Person
    member_id: str
    service_date: date
    # The patient when it is not the subscriber (a spouse or child on the subscriber's plan): name and birth date.
    dependent: Person | None = None
    # EQ01 codes, one EQ each; 30 (health benefit plan coverage) asks for the plan's general benefits.
    service_types: tuple[str, ...] = ("30",)
    # REF*6P, when the card shows one.
    group_number: str = ""


@dataclass(frozen=True)
class EligibilityBatch:
    envelope: OutgoingEnvelope
    payer: PayerName
    receiver: InformationReceiver
    # TRN03: 10 characters, "1" followed by our EIN (or "9" and a number the clearinghouse assigned).
    originating_company_id: str
    inquiries: tuple[Inquiry, ...]
    # BHT03; the transaction control number when empty.
    reference: str = ""


def write_270(request: EligibilityBatch) -> str:
    """The inquiries as 005010X279A1 text (segments end with `~` and a newline); `ValueError` names a bad field."""
    return _Writer270(request).write()


class _Writer270:
    def __init__(self, batch: EligibilityBatch) -> None:
        self.batch = batch
        self.out = SegmentList()
        self.hl = 0

    def _hl(self, parent: int | None, level: str, has_children: bool) -> int:
        self.hl += 1
        self.out.add("HL", str(self.hl), str(parent) if parent else "", level, "1" if has_children else "0")
        return self.hl

    def write(self) -> str:
        b = self.batch
        if not b.inquiries:
            raise ValueError("inquiries: a batch needs at least one inquiry")
        company = identifier(b.originating_company_id, "originating_company_id", ORIGINATING_COMPANY_ID_LENGTH,
                             ORIGINATING_COMPANY_ID_LENGTH)
        self.out.open(b.envelope, "HS", "270", IMPLEMENTATION_GUIDE)
        created = b.envelope.created_at
        reference = (identifier(b.reference, "reference", 50) if b.reference
                     else str(b.envelope.transaction_control_number))
        self.out.add("BHT", "0022", "13", reference, x12_date(created), x12_time(created))
        source = self._hl(None, "20", True)
        self.out.add("NM1", "PR", "2", required(b.payer.name, "payer.name", 60), "", "", "", "", "PI",
                     identifier(b.payer.payer_id, "payer.payer_id", 80, 2))
        receiver = self._hl(source, "21", True)
        self.out.add("NM1", "1P", "2", required(b.receiver.organization_name, "receiver.organization_name", 60),
                     "", "", "", "", "XX", npi(b.receiver.npi, "receiver.npi"))
        seen: set[str] = set()
        for index, inquiry in enumerate(b.inquiries):
            field = f"inquiries[{index}]"
            trace = identifier(inquiry.inquiry_id, f"{field}.inquiry_id", MAX_INQUIRY_ID)
            if trace in seen:
                raise ValueError(f"{field}.inquiry_id: {inquiry.inquiry_id!r} is used by an earlier inquiry")
            seen.add(trace)
            self._inquiry(inquiry, field, receiver, trace, company)
        return self.out.close()

    def _inquiry(self, inquiry: Inquiry, field: str, parent: int, trace: str, company: str) -> None:
        dependent = inquiry.dependent
        subscriber_hl = self._hl(parent, "22", dependent is not None)
        if dependent is None:
            self.out.add("TRN", "1", trace, company)
        s = inquiry.subscriber
        self.out.add("NM1", "IL", "1", required(s.last, f"{field}.subscriber.last", 60),
                     required(s.first, f"{field}.subscriber.first", 35), clean(s.middle, 25), "",
                     clean(s.suffix, 10), "MI", identifier(inquiry.member_id, f"{field}.member_id", 80, 2))
        if inquiry.group_number:
            self.out.add("REF", "6P", identifier(inquiry.group_number, f"{field}.group_number", 50))
        if dependent is None:
            self._demographics(s, f"{field}.subscriber", needed=False)
            self._plan_date_and_questions(inquiry, field)
            return
        if s.birth_date is not None:
            self._demographics(s, f"{field}.subscriber", needed=False)
        self._hl(subscriber_hl, "23", False)
        self.out.add("TRN", "1", trace, company)
        self.out.add("NM1", "03", "1", required(dependent.last, f"{field}.dependent.last", 60),
                     required(dependent.first, f"{field}.dependent.first", 35), clean(dependent.middle, 25), "",
                     clean(dependent.suffix, 10))
        self._demographics(dependent, f"{field}.dependent", needed=True)
        self._plan_date_and_questions(inquiry, field)

    def _demographics(self, person: Person, field: str, *, needed: bool) -> None:
        if person.birth_date is None and not needed:
            return
        birth = required_date(person.birth_date, f"{field}.birth_date")
        sex = code(person.sex or "U", f"{field}.sex", {"M", "F", "U"})
        # DMG03 takes F or M only; an unknown sex is left out.
        self.out.add("DMG", "D8", birth, "" if sex == "U" else sex)

    def _plan_date_and_questions(self, inquiry: Inquiry, field: str) -> None:
        self.out.add("DTP", "291", "D8", required_date(inquiry.service_date, f"{field}.service_date"))
        types = inquiry.service_types
        if not types or len(types) > MAX_SERVICE_TYPES:
            raise ValueError(f"{field}.service_types: 1-{MAX_SERVICE_TYPES} service type codes, got {len(types)}")
        if len(set(types)) != len(types):
            raise ValueError(f"{field}.service_types: {types!r} repeats a code")
        for position, service_type in enumerate(types):
            text = service_type.strip().upper()
            if not _SERVICE_TYPE.fullmatch(text):
                raise ValueError(f"{field}.service_types[{position}]: {service_type!r} is not a service type code")
            self.out.add("EQ", text)


# ---------------------------------------------------------------------------------------------------------------
# 271 values


@dataclass(frozen=True)
class Rejection:
    """An AAA segment: the payer could not (fully) answer, and why."""

    level: str  # "source", "receiver", "subscriber", "dependent" or "benefit"
    valid_request: bool  # AAA01: Y the request was valid but cannot be answered, N it was not valid
    reason_code: str  # AAA03
    follow_up: str  # AAA04

    @property
    def message(self) -> str:
        reason = REJECT_REASON_TEXTS.get(self.reason_code, f"reason code {self.reason_code}")
        text = f"{self.reason_code}: {reason}"
        if self.follow_up:
            text += f" ({FOLLOW_UP_TEXTS.get(self.follow_up, f'follow-up code {self.follow_up}')})"
        return text


@dataclass(frozen=True)
class DatedPeriod:
    """A DTP: qualifier (e.g. 346 plan begin) and the day or period it gives (`start == end` for one day)."""

    qualifier: str
    start: date
    end: date


@dataclass(frozen=True)
class Benefit:
    """One EB segment (2110C/2110D) with what the payer attached to it."""

    code: str  # EB01, see BENEFIT_TEXTS
    coverage_level: str  # EB02: IND individual, FAM family, EMP employee only, ...
    service_types: tuple[str, ...]  # EB03 (repeated); () = the plan as a whole
    insurance_type: str  # EB04: HM HMO, PR PPO, MA/MB Medicare A/B, ...
    plan_description: str  # EB05
    time_period: str  # EB06: 23 calendar year, 29 remaining, 27 visit, 32 lifetime, ...
    amount_cents: int | None  # EB07
    percent_bp: int | None  # EB08 in basis points: `.2` -> 2000 (20 %)
    quantity_qualifier: str  # EB09
    quantity: str  # EB10, as sent
    authorization_required: str  # EB11: Y, N or U
    network: str  # EB12: Y in network, N out of network, W both, U unknown, "" not said
    procedure: tuple[str, ...]  # EB13 components, e.g. ("HC", "99213")
    dates: tuple[DatedPeriod, ...]  # DTP
    references: tuple[tuple[str, str], ...]  # REF qualifier, value
    messages: tuple[str, ...]  # MSG
    rejections: tuple[Rejection, ...]  # AAA of this benefit
    related_entities: tuple[Party, ...]  # 2120 NM1 (primary care provider, other payer, ...)

    @property
    def text(self) -> str:
        return BENEFIT_TEXTS.get(self.code, f"benefit code {self.code}")

    @property
    def in_network(self) -> bool | None:
        """EB12: True in network, False out of network, None when not said or both (W) or unknown (U)."""
        return {"Y": True, "N": False}.get(self.network)

    @property
    def active(self) -> bool:
        return self.code in ACTIVE_CODES

    @property
    def inactive(self) -> bool:
        return self.code in INACTIVE_CODES


@dataclass(frozen=True)
class CostShare:
    """A money figure for the front desk: one per cost-sharing EB (copay B, coinsurance A, deductible C, out of
    pocket G) and service type."""

    kind: str  # "copay", "coinsurance", "deductible" or "out_of_pocket"
    service_type: str  # EB03 code, "30" for the plan as a whole
    coverage_level: str  # EB02
    time_period: str  # EB06
    amount_cents: int | None
    percent_bp: int | None
    in_network: bool | None
    insurance_type: str
    plan_description: str

    @property
    def remaining(self) -> bool:
        """EB06 29 (remaining) or 33 (lifetime remaining)."""
        return self.time_period in REMAINING_PERIODS


@dataclass(frozen=True)
class EligibilityAnswer:
    """One patient's answer: the subscriber's own, or a dependent's."""

    envelope: Envelope
    reference: str  # BHT03
    trace_number: str  # TRN*2 TRN02: our inquiry id; "" when the payer sent no trace (or rejected the request)
    trace_originator: str  # TRN*2 TRN03: our originating company id
    payer_trace_numbers: tuple[str, ...]  # TRN*1 TRN02s the payer (or clearinghouse) added
    payer: Party
    receiver: Party | None
    subscriber: Party | None
    dependent: Party | None
    birth_date: date | None  # the patient's DMG
    sex: str
    references: tuple[tuple[str, str], ...]  # the patient's REF (group number 6P, ...)
    dates: tuple[DatedPeriod, ...]  # the patient's (2100) DTP: plan begin 346, plan end 347, plan 291, ...
    rejections: tuple[Rejection, ...]  # AAA from the source down to the patient's level
    benefits: tuple[Benefit, ...]

    @property
    def patient(self) -> Party | None:
        return self.dependent or self.subscriber

    @property
    def member_id(self) -> str:
        return self.subscriber.id if self.subscriber else ""

    @property
    def coverage(self) -> str:
        """One of "active", "inactive", "rejected" or "unknown" (see the module docstring)."""
        if any(b.active for b in self.benefits):
            return "active"
        if any(b.inactive for b in self.benefits):
            return "inactive"
        return "rejected" if self.rejections else "unknown"

    @property
    def active(self) -> bool:
        return self.coverage == "active"

    def _coverage_benefit(self) -> Benefit | None:
        active = [b for b in self.benefits if b.active or b.inactive]
        for benefit in active:
            if benefit.plan_description and (not benefit.service_types or "30" in benefit.service_types):
                return benefit
        return next((b for b in active if b.plan_description), active[0] if active else None)

    @property
    def plan_name(self) -> str:
        """EB05 of the coverage (EB01 1-8) benefit, the plan-wide one (service type 30) first."""
        benefit = self._coverage_benefit()
        return benefit.plan_description if benefit else ""

    @property
    def coverage_level(self) -> str:
        benefit = self._coverage_benefit()
        return benefit.coverage_level if benefit else ""

    @property
    def insurance_type(self) -> str:
        benefit = self._coverage_benefit()
        return benefit.insurance_type if benefit else ""

    def date_of(self, *qualifiers: str) -> DatedPeriod | None:
        """The first DTP with one of these qualifiers, the patient's own (2100) before the benefits' (2110)."""
        for period in (*self.dates, *(p for b in self.benefits for p in b.dates)):
            if period.qualifier in qualifiers:
                return period
        return None

    @property
    def plan_begin(self) -> date | None:
        """DTP*346 (plan begin), else the start of DTP*291 (plan) or DTP*356 (eligibility begin)."""
        period = self.date_of("346") or self.date_of("291") or self.date_of("356")
        return period.start if period else None

    @property
    def plan_end(self) -> date | None:
        """DTP*347 (plan end), else DTP*357 (eligibility end), else the end of a DTP*291 period."""
        period = self.date_of("347") or self.date_of("357")
        if period:
            return period.start
        plan = self.date_of("291")
        return plan.end if plan and plan.end != plan.start else None

    @property
    def cost_shares(self) -> tuple[CostShare, ...]:
        shares = []
        for b in self.benefits:
            kind = COST_SHARE_KINDS.get(b.code)
            if kind is None:
                continue
            for service_type in b.service_types or ("30",):
                shares.append(CostShare(kind, service_type, b.coverage_level, b.time_period, b.amount_cents,
                                        b.percent_bp, b.in_network, b.insurance_type, b.plan_description))
        return tuple(shares)

    def _figure(self, kind: str, service_type: str, in_network: bool | None, coverage_level: str | None,
                remaining: bool | None, percent: bool = False) -> int | None:
        candidates = [s for s in self.cost_shares
                      if s.kind == kind and s.service_type == service_type
                      and (coverage_level is None or s.coverage_level in (coverage_level, ""))
                      and (remaining is None or s.remaining == remaining)
                      and (s.percent_bp if percent else s.amount_cents) is not None]
        # An exact network match first, then a figure that does not say (applies either way).
        for wanted in (in_network, None):
            for share in candidates:
                if share.in_network == wanted:
                    return share.percent_bp if percent else share.amount_cents
        return None

    def copay_cents(self, service_type: str = "30", *, in_network: bool | None = True) -> int | None:
        return self._figure("copay", service_type, in_network, None, None)

    def coinsurance_bp(self, service_type: str = "30", *, in_network: bool | None = True) -> int | None:
        """Coinsurance in basis points (2000 = the patient pays 20 %)."""
        return self._figure("coinsurance", service_type, in_network, None, None, percent=True)

    def deductible_cents(self, service_type: str = "30", *, in_network: bool | None = True,
                         coverage_level: str | None = "IND", remaining: bool = False) -> int | None:
        """The deductible for the period (EB06 23 calendar year, 22 service year, ...) or, with `remaining`, what
        is left of it (EB06 29)."""
        return self._figure("deductible", service_type, in_network, coverage_level, remaining)

    def out_of_pocket_cents(self, service_type: str = "30", *, in_network: bool | None = True,
                            coverage_level: str | None = "IND", remaining: bool = True) -> int | None:
        """The out-of-pocket maximum left (EB06 29) or, with `remaining=False`, the period's maximum."""
        return self._figure("out_of_pocket", service_type, in_network, coverage_level, remaining)

    @property
    def summary(self) -> str:
        """One line for the front desk."""
        coverage = self.coverage
        if coverage == "rejected":
            return "Not answered: " + "; ".join(r.message for r in self.rejections)
        parts = [{"active": "Active coverage", "inactive": "Inactive", "unknown": "Coverage unknown"}[coverage]]
        if self.plan_name:
            parts[0] += f": {self.plan_name}"
        # The office visit copay (98) is the one asked at the desk; else the plan's (30) or medical care's (1).
        copay = next((c for t in ("98", "30", "1") if (c := self.copay_cents(t)) is not None), None)
        figures = [("copay", copay), ("deductible left", self.deductible_cents(remaining=True)),
                   ("out-of-pocket left", self.out_of_pocket_cents())]
        parts += [f"{label} ${cents / 100:,.2f}" for label, cents in figures if cents is not None]
        coinsurance = self.coinsurance_bp()
        if coinsurance is not None:
            parts.append(f"coinsurance {coinsurance / 100:g}%")
        if self.rejections:
            parts.append("; ".join(r.message for r in self.rejections))
        return "; ".join(parts)


def read_271(data: bytes | str) -> tuple[EligibilityAnswer, ...]:
    """Every answer in a 271 file; `X12ReadError` names the first malformed segment."""
    answers: list[EligibilityAnswer] = []
    for envelope, transaction in transactions_of(data, functional_id="HB", set_id="271",
                                                 guides=IMPLEMENTATION_GUIDES_271, name="271"):
        answers.extend(_Reader271(envelope, transaction).read())
    return tuple(answers)


# ---------------------------------------------------------------------------------------------------------------
# 271 reading


def _rejection(aaa: Segment, level: str) -> Rejection:
    valid = aaa.required(1, "valid request indicator")
    if valid not in ("Y", "N"):
        raise aaa.error(f"AAA01 (valid request indicator) must be Y or N, got {valid!r}")
    return Rejection(level, valid == "Y", aaa.required(3, "reject reason code"), aaa.element(4))


def _dates(segments: Iterable[Segment]) -> tuple[DatedPeriod, ...]:
    periods = []
    for dtp in segments:
        start, end = parse_date_period(dtp, 2)
        periods.append(DatedPeriod(dtp.required(1, "date/time qualifier"), start, end))
    return tuple(periods)


def _references(segments: Iterable[Segment]) -> tuple[tuple[str, str], ...]:
    return tuple((ref.required(1, "reference qualifier"), ref.required(2, "reference")) for ref in segments)


def parse_percent_bp(segment: Segment, position: int) -> int | None:
    """EB08-style percentage as a decimal fraction (`.2`, `0.25`, `1`) in basis points; more than 4 places or more
    than 1 (100 %) is refused."""
    value = segment.element(position)
    if not value:
        return None
    match = _PERCENT.match(value)
    if match is None or not (match.group(1) or match.group(2)):
        raise segment.error(f"{segment.id}{position:02d} must be a percentage as a decimal fraction (.2 = 20 %), "
                            f"got {value!r}")
    whole, fraction = match.group(1) or "0", match.group(2) or ""
    if len(fraction) > 4 and fraction[4:].strip("0"):
        raise segment.error(f"{segment.id}{position:02d} {value!r} has fractions of a basis point")
    bp = int(whole) * 10000 + int((fraction + "0000")[:4])
    if bp > 10000:
        raise segment.error(f"{segment.id}{position:02d} {value!r} is more than 1 (100 %); the guide sends a "
                            "percentage as a decimal fraction (.2 = 20 %)")
    return bp


@dataclass(frozen=True)
class _Level:
    """What a subscriber or dependent level said about its person."""

    party: Party
    traces: tuple[tuple[str, str, str], ...]  # TRN01, TRN02, TRN03
    birth_date: date | None
    sex: str
    references: tuple[tuple[str, str], ...]
    dates: tuple[DatedPeriod, ...]
    rejections: tuple[Rejection, ...]
    benefits: tuple[Benefit, ...]

    @property
    def has_own_answer(self) -> bool:
        return bool(self.traces or self.benefits or self.rejections)


class _Reader271:
    _PERSON_ORDER = ("REF", "N3", "N4", "AAA", "PRV", "DMG", "INS", "HI", "DTP", "MPI")
    _BENEFIT_ORDER = ("HSD", "REF", "DTP", "AAA", "MSG", "III")

    def __init__(self, envelope: Envelope, transaction: TransactionSet) -> None:
        self.envelope = envelope
        self.cursor = SegmentCursor(transaction, "271")
        self.levels = HierarchyReader(self.cursor, "20 > 21 > 22 > 23")
        self.reference = ""
        self.answers: list[EligibilityAnswer] = []

    def read(self) -> list[EligibilityAnswer]:
        bht = self.cursor.expect("BHT", "the beginning of hierarchical transaction")
        if bht.element(1) != "0022":
            raise bht.error(f"BHT01 must be 0022 (information source, receiver, subscriber, dependent), "
                            f"got {bht.element(1)!r}")
        self.reference = bht.element(3)
        if not self.levels.at_level("20"):
            raise self.cursor.unexpected("the information source level (HL*...*20)")
        while self.levels.at_level("20"):
            self._source()
        self.levels.finish()
        return self.answers

    def _rejections(self, level: str) -> list[Rejection]:
        return [_rejection(aaa, level) for aaa in self.cursor.take_all("AAA")]

    def _source(self) -> None:
        hl_id = self.levels.hl("20", None)
        rejections = self._rejections("source")
        payer = self.levels.party("the information source name (2100A NM1)", ("PR", "2B", "36", "GP", "P5"))
        self.cursor.take_all("PER")
        rejections += self._rejections("source")
        if not self.levels.at_level("21"):
            self._answer(payer, None, tuple(rejections), None, None)
        while self.levels.at_level("21"):
            self._receiver(hl_id, payer, tuple(rejections))

    def _receiver(self, parent: str, payer: Party, inherited: tuple[Rejection, ...]) -> None:
        hl_id = self.levels.hl("21", parent)
        receiver = self.levels.party("the information receiver name (2100B NM1)")
        segments = take_in_order(self.cursor, ("REF", "N3", "N4", "AAA", "PRV"))
        rejections = inherited + tuple(_rejection(s, "receiver") for s in segments if s.id == "AAA")
        if not self.levels.at_level("22"):
            self._answer(payer, receiver, rejections, None, None)
        while self.levels.at_level("22"):
            self._subscriber(hl_id, payer, receiver, rejections)

    def _subscriber(self, parent: str, payer: Party, receiver: Party, inherited: tuple[Rejection, ...]) -> None:
        hl_id = self.levels.hl("22", parent)
        subscriber = self._person("subscriber", ("IL",))
        rejections = inherited + subscriber.rejections
        has_dependents = self.levels.at_level("23")
        if not has_dependents or subscriber.has_own_answer:
            self._answer(payer, receiver, rejections, subscriber, None)
        while self.levels.at_level("23"):
            self.levels.hl("23", hl_id)
            dependent = self._person("dependent", ("03",))
            self._answer(payer, receiver, rejections + dependent.rejections, subscriber, dependent)

    def _person(self, level: str, entity_codes: tuple[str, ...]) -> _Level:
        traces = []
        for trn in self.cursor.take_all("TRN"):
            kind = trn.required(1, "trace type code")
            if kind not in ("1", "2"):
                raise trn.error(f"TRN01 must be 1 (current) or 2 (referenced), got {kind!r}")
            traces.append((kind, trn.required(2, "trace number"), trn.element(3)))
        party = self.levels.party(f"the {level} name", entity_codes)
        segments = take_in_order(self.cursor, self._PERSON_ORDER)
        birth_date, sex = None, ""
        for dmg in (s for s in segments if s.id == "DMG"):
            if dmg.element(1) != "D8":
                raise dmg.error(f"DMG01 must be D8, got {dmg.element(1)!r}")
            birth_date = parse_date_period(dmg, 1)[0]
            sex = dmg.element(3)
        benefits = []
        while self.cursor.at("EB"):
            benefits.append(self._benefit())
        return _Level(party, tuple(traces), birth_date, sex, _references(s for s in segments if s.id == "REF"),
                      _dates(s for s in segments if s.id == "DTP"),
                      tuple(_rejection(s, level) for s in segments if s.id == "AAA"), tuple(benefits))

    def _benefit(self) -> Benefit:
        eb = self.cursor.expect("EB", "the eligibility or benefit information")
        eb.required(1, "eligibility or benefit information code")
        raw_types = eb.element(3)
        repetition = eb.separators.repetition
        service_types = tuple(raw_types.split(repetition)) if raw_types and repetition else (
            (raw_types,) if raw_types else ())
        if any(not _SERVICE_TYPE.fullmatch(t) for t in service_types):
            raise eb.error(f"EB03 must be service type codes, got {raw_types!r}")
        amount = parse_cents(eb, 7) if eb.element(7) else None
        percent = parse_percent_bp(eb, 8)
        segments = take_in_order(self.cursor, self._BENEFIT_ORDER)
        related: list[Party] = []
        if (ls := self.cursor.take("LS")) is not None:
            loop_id = ls.required(1, "loop identifier code")
            while self.cursor.at("NM1"):
                related.append(party_of(self.cursor.expect("NM1", "the benefit related entity name")))
                take_in_order(self.cursor, ("N3", "N4", "PER", "PRV"))
            le = self.cursor.expect("LE", f"the loop trailer closing LS*{loop_id}")
            if le.element(1) != loop_id:
                raise le.error(f"LE01 {le.element(1)!r} does not match LS01 {loop_id!r} (segment {ls.ordinal})")
        return Benefit(
            eb.element(1), eb.element(2), service_types, eb.element(4), eb.element(5), eb.element(6), amount, percent,
            eb.element(9), eb.element(10), eb.element(11), eb.element(12), eb.components(13),
            _dates(s for s in segments if s.id == "DTP"), _references(s for s in segments if s.id == "REF"),
            tuple(s.element(1) for s in segments if s.id == "MSG"),
            tuple(_rejection(s, "benefit") for s in segments if s.id == "AAA"), tuple(related))

    def _answer(self, payer: Party, receiver: Party | None, rejections: tuple[Rejection, ...],
                subscriber: _Level | None, dependent: _Level | None) -> None:
        patient = dependent or subscriber
        referenced = [t for t in patient.traces if t[0] == "2"] if patient else []
        own = tuple(t[1] for t in patient.traces if t[0] == "1") if patient else ()
        self.answers.append(EligibilityAnswer(
            self.envelope, self.reference, referenced[0][1] if referenced else "",
            referenced[0][2] if referenced else "", own, payer, receiver,
            subscriber.party if subscriber else None, dependent.party if dependent else None,
            patient.birth_date if patient else None, patient.sex if patient else "",
            patient.references if patient else (), patient.dates if patient else (),
            rejections, patient.benefits if patient else ()))



# ---------------------------------------------------------------------------------------------------------------
# 270 reading (the payer's side)


@dataclass(frozen=True)
class EligibilityInquiry:
    """One patient's question as a payer reads it from a 270: a 2000C subscriber without dependents, or a 2000D
    dependent (with its subscriber's name and member id)."""

    envelope: Envelope
    reference: str  # BHT03
    payer: Party  # 2100A (NM1*PR, PI payer id)
    receiver: Party  # 2100B, the practice asking (NM1*1P, XX NPI)
    inquiry_id: str  # TRN*1 TRN02 of the patient's level, echoed in the 271's TRN*2
    originating_company_id: str  # its TRN03
    subscriber: Person  # 2100C name and DMG (sex "U" when not sent)
    member_id: str  # 2100C NM109
    dependent: Person | None  # 2100D name and DMG, when the patient is not the subscriber
    service_dates: tuple[date, date] | None  # DTP*291 of the patient's 2100 (or of its first EQ), D8: start == end
    service_types: tuple[str, ...]  # EQ01 of every EQ, in order, each code once
    procedures: tuple[tuple[str, ...], ...]  # EQ02 composites, e.g. ("HC", "99213")
    group_number: str  # REF*6P
    # More TRN*1 of the patient's level (a clearinghouse adds its own): TRN02, TRN03. Echoed too.
    other_traces: tuple[tuple[str, str], ...] = ()
    member_id_qualifier: str = "MI"  # NM108: MI member id, II standard unique health identifier

    @property
    def payer_id(self) -> str:
        return self.payer.id

    @property
    def receiver_npi(self) -> str:
        """NM109 of the information receiver when NM108 is XX (an NPI), else ""."""
        return self.receiver.id if self.receiver.id_qualifier == "XX" else ""

    @property
    def service_date(self) -> date | None:
        return self.service_dates[0] if self.service_dates else None

    @property
    def patient(self) -> Person:
        return self.dependent or self.subscriber


def read_270(data: bytes | str) -> tuple[EligibilityInquiry, ...]:
    """Every inquiry in a 270 file, in file order; `X12ReadError` names the first malformed segment."""
    inquiries: list[EligibilityInquiry] = []
    for envelope, transaction in transactions_of(data, functional_id="HS", set_id="270",
                                                 guides=IMPLEMENTATION_GUIDES_271, name="270"):
        inquiries.extend(_Reader270(envelope, transaction).read())
    return tuple(inquiries)


_SOURCE_ENTITIES = ("PR", "2B", "36", "GP", "P5")
_RECEIVER_ENTITIES_270 = ("1P", "2B", "36", "80", "FA", "GP", "P5", "PR")
_MAX_TRACES_270 = 2  # the receiver's and a clearinghouse's


@dataclass(frozen=True)
class _Asked:
    """What a 270 subscriber or dependent level says."""

    person: Person
    id_qualifier: str
    member_id: str
    first_segment: Segment  # its HL, for messages
    traces: tuple[tuple[str, str], ...]  # TRN02, TRN03
    references: tuple[tuple[str, str], ...]
    dates: tuple[date, date] | None
    service_types: tuple[str, ...]
    procedures: tuple[tuple[str, ...], ...]
    asks: bool  # at least one EQ

    @property
    def group_number(self) -> str:
        return next((value for qualifier, value in self.references if qualifier == "6P"), "")


class _Reader270:
    _PERSON_ORDER = ("REF", "N3", "N4", "PRV", "DMG", "INS", "HI", "DTP")
    _QUESTION_ORDER = ("AMT", "III", "REF", "DTP")

    def __init__(self, envelope: Envelope, transaction: TransactionSet) -> None:
        self.envelope = envelope
        self.cursor = SegmentCursor(transaction, "270")
        self.levels = HierarchyReader(self.cursor, "20 > 21 > 22 > 23")
        self.reference = ""
        self.inquiries: list[EligibilityInquiry] = []

    def read(self) -> list[EligibilityInquiry]:
        bht = self.cursor.expect("BHT", "the beginning of hierarchical transaction")
        if bht.element(1) != "0022":
            raise bht.error(f"BHT01 must be 0022 (information source, receiver, subscriber, dependent), "
                            f"got {bht.element(1)!r}")
        if bht.element(2) != "13":
            raise bht.error(f"BHT02 must be 13 (request), got {bht.element(2)!r}")
        self.reference = bht.required(3, "submitter transactional identifier")
        if not self.levels.at_level("20"):
            raise self.cursor.unexpected("the information source level (HL*...*20)")
        while self.levels.at_level("20"):
            hl_id = self.levels.hl("20", None)
            payer = self.levels.party("the information source name (2100A NM1)", _SOURCE_ENTITIES)
            if not self.levels.at_level("21"):
                raise self.cursor.unexpected("the information receiver level (HL*...*21)")
            while self.levels.at_level("21"):
                self._receiver(hl_id, payer)
        self.levels.finish()
        return self.inquiries

    def _receiver(self, parent: str, payer: Party) -> None:
        hl_id = self.levels.hl("21", parent)
        receiver = self.levels.party("the information receiver name (2100B NM1)", _RECEIVER_ENTITIES_270)
        take_in_order(self.cursor, ("REF", "N3", "N4", "PRV"))
        if not self.levels.at_level("22"):
            raise self.cursor.unexpected("the subscriber level (HL*...*22)")
        while self.levels.at_level("22"):
            self._subscriber(hl_id, payer, receiver)

    def _subscriber(self, parent: str, payer: Party, receiver: Party) -> None:
        hl = self.cursor.peek()
        hl_id = self.levels.hl("22", parent)
        assert hl is not None
        subscriber = self._person(hl, "subscriber", "IL")
        has_dependents = self.levels.at_level("23")
        # A subscriber over dependents asks nothing of its own, unless it carries a trace or an EQ.
        if not has_dependents or subscriber.traces or subscriber.asks:
            self._inquiry(payer, receiver, subscriber, None)
        while self.levels.at_level("23"):
            hl = self.cursor.peek()
            self.levels.hl("23", hl_id)
            assert hl is not None
            self._inquiry(payer, receiver, subscriber, self._person(hl, "dependent", "03"))

    def _person(self, hl: Segment, level: str, entity_code: str) -> _Asked:
        traces: list[tuple[str, str]] = []
        for trn in self.cursor.take_all("TRN"):
            if trn.element(1) != "1":
                raise trn.error(f"TRN01 must be 1 (current transaction trace number), got {trn.element(1)!r}")
            if len(traces) == _MAX_TRACES_270:
                raise trn.error(f"a {level} level carries at most {_MAX_TRACES_270} TRN")
            traces.append((trn.required(2, "trace number"), trn.element(3)))
        nm1 = self.cursor.expect("NM1", f"the {level} name")
        if nm1.element(1) != entity_code:
            raise nm1.error(f"NM101 is {nm1.element(1)!r}, expected {entity_code} for the {level} name")
        if nm1.element(2) != "1":
            raise nm1.error(f"NM102 must be 1 (person) for the {level}, got {nm1.element(2)!r}")
        qualifier, member_id = nm1.element(8), nm1.element(9)
        if qualifier or member_id:
            if qualifier not in ("MI", "II"):
                raise nm1.error(f"NM108 must be MI (member id) or II, got {qualifier!r}")
            nm1.required(9, "member identification number")
        segments = take_in_order(self.cursor, self._PERSON_ORDER)
        birth_date, sex = None, "U"
        for dmg in (s for s in segments if s.id == "DMG"):
            if dmg.element(1) != "D8":
                raise dmg.error(f"DMG01 must be D8, got {dmg.element(1)!r}")
            birth_date = parse_date_period(dmg, 1)[0]
            if dmg.element(3) not in ("", "F", "M", "U"):
                raise dmg.error(f"DMG03 must be F, M or U, got {dmg.element(3)!r}")
            sex = dmg.element(3) or "U"
        dates = self._plan_dates([s for s in segments if s.id == "DTP"], None)
        service_types: list[str] = []
        procedures: list[tuple[str, ...]] = []
        asks = False
        while self.cursor.at("EQ"):
            asks = True
            eq = self.cursor.expect("EQ", "the eligibility or benefit inquiry")
            raw, repetition = eq.element(1), eq.separators.repetition
            types = (raw.split(repetition) if repetition else [raw]) if raw else []
            if any(not _SERVICE_TYPE.fullmatch(t) for t in types):
                raise eq.error(f"EQ01 must be service type codes, got {raw!r}")
            procedure = eq.components(2)
            if not types and not procedure:
                raise eq.error("EQ01 (service type code) or EQ02 (procedure) is required, both are empty")
            if procedure and (len(procedure) < 2 or not procedure[0] or not procedure[1]):
                raise eq.error(f"EQ02 must be a qualifier and a procedure code, got {eq.element(2)!r}")
            service_types += [t for t in types if t not in service_types]
            if procedure:
                procedures.append(procedure)
            question = take_in_order(self.cursor, self._QUESTION_ORDER)
            dates = self._plan_dates([s for s in question if s.id == "DTP"], dates)
        person = Person(nm1.element(3), nm1.element(4), nm1.element(5), nm1.element(7), birth_date, sex)
        return _Asked(person, qualifier, member_id, hl, tuple(traces),
                      _references(s for s in segments if s.id == "REF"), dates, tuple(service_types),
                      tuple(procedures), asks)

    @staticmethod
    def _plan_dates(segments: list[Segment], earlier: tuple[date, date] | None) -> tuple[date, date] | None:
        """DTP*291 (D8 or RD8): one per 2100 level; an EQ's applies when the 2100 level sent none."""
        found = earlier
        for position, dtp in enumerate(segments):
            if dtp.element(1) != "291":
                raise dtp.error(f"DTP01 must be 291 (plan), got {dtp.element(1)!r}")
            if position:
                raise dtp.error("DTP*291 is sent once per level")
            period = parse_date_period(dtp, 2)
            found = found or period
        return found

    def _inquiry(self, payer: Party, receiver: Party, subscriber: _Asked, dependent: _Asked | None) -> None:
        patient = dependent or subscriber
        what = "dependent" if dependent else "subscriber"
        if not patient.traces:
            raise patient.first_segment.error(f"270: the {what} level asks without a trace number (TRN*1 after "
                                              "its HL): the answer could not find its inquiry")
        if not patient.asks:
            raise patient.first_segment.error(f"270: the {what} level asks no question (no EQ after its name)")
        (trace, company), *others = patient.traces
        self.inquiries.append(EligibilityInquiry(
            self.envelope, self.reference, payer, receiver, trace, company, subscriber.person, subscriber.member_id,
            dependent.person if dependent else None, patient.dates, patient.service_types, patient.procedures,
            subscriber.group_number or (dependent.group_number if dependent else ""), tuple(others),
            subscriber.id_qualifier or "MI"))


# ---------------------------------------------------------------------------------------------------------------
# 271 writing (the payer's side)

# AAA03 codes the guide allows at the subscriber (2100C) and dependent (2100D) levels.
SUBSCRIBER_REJECT_REASONS = frozenset({"15", "35", "42", "43", "45", "47", "48", "49", "51", "52", "56", "57", "58",
                                       "60", "61", "62", "63", "69", "70", "71", "72", "73", "74", "75", "76", "78"})
DEPENDENT_REJECT_REASONS = frozenset({"15", "35", "42", "43", "45", "47", "48", "49", "51", "52", "56", "57", "58",
                                      "60", "61", "62", "63", "64", "65", "66", "67", "68", "71", "77"})
INVALID_MEMBER_ID, SUBSCRIBER_NOT_FOUND = "72", "75"
PATIENT_NOT_FOUND, SUBSCRIBER_FOUND_PATIENT_NOT_FOUND = "67", "77"
COVERAGE_LEVELS = frozenset({"CHD", "DEP", "ECH", "EMP", "ESP", "FAM", "IND", "SPC", "SPO", "TWO"})
_INSURANCE_TYPE = re.compile(r"[A-Z0-9]{1,3}")
MAX_PLAN_NAME = 50  # EB05
VISIT, CALENDAR_YEAR, REMAINING = "27", "23", "29"  # EB06


@dataclass(frozen=True)
class Copay:
    """EB*B: the patient's copay for a service type (per visit, EB06 27)."""

    service_type: str  # EB03, e.g. 98 professional (physician) visit - office
    cents: int
    # EB12: True Y in network, False N out of network, None not said (applies either way).
    in_network: bool | None = True


@dataclass(frozen=True)
class PlanCoverage:
    """What the payer knows of the patient's plan: written as EB*1 (active) or EB*6 (inactive) for service type 30
    and each type asked, the plan dates (DTP*346/347 at the patient's level) and the in-network cost shares."""

    active: bool
    plan_name: str  # EB05
    plan_begin: date | None = None  # DTP*346
    plan_end: date | None = None  # DTP*347, when the plan ended (or will)
    coverage_level: str = "IND"  # EB02 of the coverage EB: IND individual, FAM family, EMP employee only, ...
    insurance_type: str = ""  # EB04 on every EB: PR PPO, HM HMO, MB Medicare part B, ...
    group_number: str = ""  # REF*6P at the patient's level
    copays: tuple[Copay, ...] = ()
    coinsurance_bp: int | None = None  # EB*A, basis points the patient pays (2000 = 20 %)
    deductible_cents: int | None = None  # EB*C, calendar year (EB06 23)
    deductible_remaining_cents: int | None = None  # EB*C, remaining (EB06 29)
    out_of_pocket_cents: int | None = None  # EB*G, calendar year maximum (EB06 23)
    out_of_pocket_remaining_cents: int | None = None  # EB*G, remaining (EB06 29)


@dataclass(frozen=True)
class Refusal:
    """AAA at the patient's level: why the payer cannot answer (e.g. 72 invalid member id, 75 subscriber not
    found)."""

    reason_code: str  # AAA03
    follow_up: str = "C"  # AAA04: C please correct and resubmit, N resubmission not allowed, R allowed, ...
    valid_request: bool = True  # AAA01 Y, or N when the request itself was invalid
    # "subscriber" or "dependent"; "" picks the patient's level, or the subscriber's for a dependent's inquiry
    # when the code is one the dependent level does not take (72-76, 78: the subscriber is the problem).
    level: str = ""


@dataclass(frozen=True)
class EligibilityReply:
    """The answer to one inquiry: its coverage, or why there is none."""

    inquiry: EligibilityInquiry
    coverage: PlanCoverage | None = None
    refusals: tuple[Refusal, ...] = ()


@dataclass(frozen=True)
class EligibilityResponseBatch:
    envelope: OutgoingEnvelope  # the payer writes, the practice (or its clearinghouse) receives
    replies: tuple[EligibilityReply, ...]
    # BHT03; when empty the inquiries' BHT03 if they all share one, else the transaction control number.
    reference: str = ""


def write_271(response: EligibilityResponseBatch) -> str:
    """The answers as one 005010X279A1 271 (segments end with `~` and a newline); `ValueError` names a bad
    field (`replies[1].coverage.copays[0].cents: ...`)."""
    return _Writer271(response).write()


def percent_of_bp(bp: int) -> str:
    """Basis points as the EB08 decimal fraction: 2000 -> `.2`, 1525 -> `.1525`, 10000 -> `1`, 0 -> `0`."""
    whole, fraction = divmod(bp, 10000)
    if fraction == 0:
        return str(whole)
    return f"{whole or ''}.{fraction:04d}".rstrip("0")


def _cents(value: int | None, field: str) -> str:
    if value is None:
        return ""
    if value < 0:
        raise ValueError(f"{field}: {value} must not be negative")
    return money(value)


def _nm1_party(party: Party, field: str) -> tuple[str, ...]:
    """NM101-NM109 echoing a party as it was read (NM102 1 when it has a first name, else 2)."""
    first = clean(party.first_name, 35)
    return (required(party.entity_code, f"{field}.entity_code", 3), "1" if first else "2",
            required(party.name, f"{field}.name", 60), first, clean(party.middle_name, 25), "", "",
            identifier(party.id_qualifier, f"{field}.id_qualifier", 2) if party.id_qualifier else "",
            identifier(party.id, f"{field}.id", 80) if party.id else "")


class _Writer271:
    def __init__(self, batch: EligibilityResponseBatch) -> None:
        self.batch = batch
        self.out = SegmentList()
        self.hl = 0

    def _hl(self, parent: int | None, level: str, has_children: bool) -> int:
        self.hl += 1
        self.out.add("HL", str(self.hl), str(parent) if parent else "", level, "1" if has_children else "0")
        return self.hl

    def write(self) -> str:
        b = self.batch
        if not b.replies:
            raise ValueError("replies: a batch needs at least one reply")
        references = {r.inquiry.reference for r in b.replies}
        shared = references.pop() if len(references) == 1 else ""
        if b.reference:
            reference = identifier(b.reference, "reference", 50)
        elif shared and clean(shared, 50) == shared.strip().upper():
            reference = clean(shared, 50)
        else:
            reference = str(b.envelope.transaction_control_number)
        self.out.open(b.envelope, "HB", "271", IMPLEMENTATION_GUIDE)
        created = b.envelope.created_at
        self.out.add("BHT", "0022", "11", reference, x12_date(created), x12_time(created))
        # Consecutive replies to the same payer and receiver share their source and receiver levels.
        source: int | None = None
        receiver: int | None = None
        previous: tuple[Party, Party] | None = None
        for index, reply in enumerate(b.replies):
            field = f"replies[{index}]"
            inquiry = reply.inquiry
            if previous is None or previous[0] != inquiry.payer:
                source = self._hl(None, "20", True)
                self.out.add("NM1", *_nm1_party(inquiry.payer, f"{field}.inquiry.payer"))
                previous = None
            if previous is None or previous[1] != inquiry.receiver:
                receiver = self._hl(source, "21", True)
                self.out.add("NM1", *_nm1_party(inquiry.receiver, f"{field}.inquiry.receiver"))
            previous = (inquiry.payer, inquiry.receiver)
            assert receiver is not None
            self._reply(reply, field, receiver)
        return self.out.close()

    def _refusals(self, reply: EligibilityReply, field: str) -> tuple[list[Refusal], list[Refusal]]:
        """The reply's refusals split into the subscriber level's and the dependent level's."""
        dependent = reply.inquiry.dependent is not None
        at_subscriber: list[Refusal] = []
        at_dependent: list[Refusal] = []
        for position, refusal in enumerate(reply.refusals):
            where = f"{field}.refusals[{position}]"
            reason = refusal.reason_code.strip()
            level = refusal.level or ("dependent" if dependent and reason in DEPENDENT_REJECT_REASONS
                                      else "subscriber")
            if level not in ("subscriber", "dependent") or (level == "dependent" and not dependent):
                raise ValueError(f"{where}.level: {refusal.level!r} is not a level of this inquiry")
            allowed = SUBSCRIBER_REJECT_REASONS if level == "subscriber" else DEPENDENT_REJECT_REASONS
            code(reason, f"{where}.reason_code", allowed)
            code(refusal.follow_up, f"{where}.follow_up", set(FOLLOW_UP_TEXTS))
            (at_subscriber if level == "subscriber" else at_dependent).append(refusal)
        if reply.coverage is None and not reply.refusals:
            raise ValueError(f"{field}: a reply needs coverage or refusals")
        if reply.coverage is not None and reply.refusals:
            raise ValueError(f"{field}: a reply has coverage or refusals, not both")
        return at_subscriber, at_dependent

    def _reply(self, reply: EligibilityReply, field: str, parent: int) -> None:
        inquiry = reply.inquiry
        at_subscriber, at_dependent = self._refusals(reply, field)
        # A subscriber the payer cannot place answers at its own level: no dependent level, the trace moves up.
        dependent = inquiry.dependent if not at_subscriber else None
        subscriber_hl = self._hl(parent, "22", dependent is not None)
        if dependent is None:
            self._traces(inquiry, field)
        s = inquiry.subscriber
        member = (("MI" if inquiry.member_id_qualifier == "MI" else "II",
                   identifier(inquiry.member_id, f"{field}.inquiry.member_id", 80))
                  if inquiry.member_id else ("", ""))
        self.out.add("NM1", "IL", "1", clean(s.last, 60), clean(s.first, 35), clean(s.middle, 25), "",
                     clean(s.suffix, 10), *member)
        if dependent is None:
            self._patient(reply, s, at_subscriber, f"{field}.inquiry.subscriber", field)
            return
        if s.birth_date is not None:
            self._demographics(s)
        self._hl(subscriber_hl, "23", False)
        self._traces(inquiry, field)
        self.out.add("NM1", "03", "1", clean(dependent.last, 60), clean(dependent.first, 35),
                     clean(dependent.middle, 25), "", clean(dependent.suffix, 10))
        self._patient(reply, dependent, at_dependent, f"{field}.inquiry.dependent", field)

    def _traces(self, inquiry: EligibilityInquiry, field: str) -> None:
        """TRN*2 for every TRN*1 of the inquiry, as received."""
        for position, (trace, company) in enumerate(((inquiry.inquiry_id, inquiry.originating_company_id),
                                                     *inquiry.other_traces)):
            where = f"{field}.inquiry" + (".inquiry_id" if not position else f".other_traces[{position - 1}]")
            self.out.add("TRN", "2", identifier(trace, where, MAX_INQUIRY_ID),
                         identifier(company, f"{where} (TRN03)", ORIGINATING_COMPANY_ID_LENGTH) if company else "")

    def _demographics(self, person: Person) -> None:
        if person.birth_date is not None:
            sex = person.sex.strip().upper()
            self.out.add("DMG", "D8", x12_date(person.birth_date), sex if sex in ("F", "M") else "")

    def _patient(self, reply: EligibilityReply, person: Person, refusals: list[Refusal], person_field: str,
                 field: str) -> None:
        """2100C/2100D after the NM1 (REF, AAA, DMG, DTP in the guide's order), then the benefits (2110)."""
        coverage = reply.coverage
        if coverage is not None and coverage.group_number:
            self.out.add("REF", "6P", identifier(coverage.group_number, f"{field}.coverage.group_number", 50))
        for refusal in refusals:
            self.out.add("AAA", "Y" if refusal.valid_request else "N", "", refusal.reason_code.strip(),
                         refusal.follow_up.strip().upper())
        self._demographics(person)
        if coverage is not None:
            self._coverage(coverage, reply.inquiry, f"{field}.coverage")

    def _coverage(self, c: PlanCoverage, inquiry: EligibilityInquiry, field: str) -> None:
        if c.plan_begin is not None:
            self.out.add("DTP", "346", "D8", x12_date(c.plan_begin))
        if c.plan_end is not None:
            if c.plan_begin is not None and c.plan_end < c.plan_begin:
                raise ValueError(f"{field}.plan_end: {c.plan_end} is before plan_begin {c.plan_begin}")
            self.out.add("DTP", "347", "D8", x12_date(c.plan_end))
        plan = required(c.plan_name, f"{field}.plan_name", MAX_PLAN_NAME)
        level = code(c.coverage_level, f"{field}.coverage_level", COVERAGE_LEVELS)
        insurance = c.insurance_type.strip().upper()
        if insurance and not _INSURANCE_TYPE.fullmatch(insurance):
            raise ValueError(f"{field}.insurance_type: {c.insurance_type!r} is not an insurance type code")
        # One coverage EB for the plan (30), then one for each other service type asked about.
        for service_type in ("30", *(t for t in inquiry.service_types if t != "30")):
            self.out.add("EB", "1" if c.active else "6", level, service_type, insurance, plan)
        seen: set[tuple[str, bool | None]] = set()
        for position, copay in enumerate(c.copays):
            where = f"{field}.copays[{position}]"
            service_type = copay.service_type.strip().upper()
            if not _SERVICE_TYPE.fullmatch(service_type):
                raise ValueError(f"{where}.service_type: {copay.service_type!r} is not a service type code")
            if (service_type, copay.in_network) in seen:
                raise ValueError(f"{where}: a second copay for service type {service_type} "
                                 f"(in_network={copay.in_network})")
            seen.add((service_type, copay.in_network))
            self._cost_share(COPAY, service_type, insurance, VISIT, _cents(copay.cents, f"{where}.cents"), "",
                             copay.in_network)
        if c.coinsurance_bp is not None:
            if not 0 <= c.coinsurance_bp <= 10000:
                raise ValueError(f"{field}.coinsurance_bp: {c.coinsurance_bp} must be 0-10000 (100 %)")
            self._cost_share(COINSURANCE, "30", insurance, "", "", percent_of_bp(c.coinsurance_bp), True)
        if (c.deductible_cents is not None and c.deductible_remaining_cents is not None
                and c.deductible_remaining_cents > c.deductible_cents):
            raise ValueError(f"{field}.deductible_remaining_cents: {c.deductible_remaining_cents} is more than "
                             f"the deductible {c.deductible_cents}")
        if (c.out_of_pocket_cents is not None and c.out_of_pocket_remaining_cents is not None
                and c.out_of_pocket_remaining_cents > c.out_of_pocket_cents):
            raise ValueError(f"{field}.out_of_pocket_remaining_cents: {c.out_of_pocket_remaining_cents} is more "
                             f"than the out-of-pocket maximum {c.out_of_pocket_cents}")
        for kind, period, cents, name in (
                (DEDUCTIBLE, CALENDAR_YEAR, c.deductible_cents, "deductible_cents"),
                (DEDUCTIBLE, REMAINING, c.deductible_remaining_cents, "deductible_remaining_cents"),
                (OUT_OF_POCKET, CALENDAR_YEAR, c.out_of_pocket_cents, "out_of_pocket_cents"),
                (OUT_OF_POCKET, REMAINING, c.out_of_pocket_remaining_cents, "out_of_pocket_remaining_cents")):
            if cents is not None:
                self._cost_share(kind, "30", insurance, period, _cents(cents, f"{field}.{name}"), "", True)

    def _cost_share(self, kind: str, service_type: str, insurance: str, period: str, amount: str, percent: str,
                    in_network: bool | None) -> None:
        """EB01-EB12 of a cost-sharing benefit: the individual's (IND) figure."""
        network = "" if in_network is None else ("Y" if in_network else "N")
        self.out.add("EB", kind, "IND", service_type, insurance, "", period, amount, percent, "", "", "", network)

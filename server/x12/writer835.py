"""The 835 writer (005010X221A1, health care claim payment/advice): the remittance the payer simulator sends.
Pure Python: a `Remittance` in, the interchange text out. Money is integer cents, units thousandths.

Layout: BPR (handling, amount, credit, payment method, the bank accounts for ACH, the payment date), TRN*1 (the
check or EFT trace number and "1" + the payer's EIN), REF*EV (receiver), DTM*405 (production date); payer 1000A
(N1*PR, N3, N4, REF*2U payer id, PER*BL technical contact, which the guide requires); payee 1000B (N1*PE with the
NPI, N3/N4, REF*TJ tax id); one LX header holding the claims (2100: CLP, CAS, NM1*QC patient, NM1*IL subscriber when
it is someone else, NM1*82 rendering provider, MOA claim remarks, DTM*232/233 statement dates, DTM*050 received
date) and their service lines (2110: SVC, DTM*472 or DTM*150/151, CAS, REF*6R line item control number, AMT*B6
allowed amount, LQ*HE remarks); PLB provider adjustments at the end.

Balancing, the rules a receiving practice management system posts by (all checked, `ValueError` when off):

* per line: SVC02 charge - SVC03 paid = the line's CAS amounts;
* per claim: CLP03 charge - CLP04 paid = claim CAS + line CAS, and (when lines are sent) CLP03 = sum of SVC02;
* CLP05 patient responsibility = the PR-group adjustments of the claim and its lines (computed when not given);
* BPR02 = sum of CLP04 - sum of PLB amounts (a PLB amount is what the payer takes back: positive for a recovery
  such as WO or FB, negative for money added such as L6 interest). BPR02 is never negative: a net debit is
  carried forward with a PLB instead.

Reversals: a claim with status 22 (reversal of previous payment) carries the original claim's amounts negated
(charge, paid, adjustments and lines), with the original payer claim control number; the correction follows as
its own claim (status 1, 2, 3 or 4). Denied claims (status 4) pay nothing. CLP06 (claim filing indicator) takes the
835's code list, which has no CI/BL: a commercial plan reports 12-17, HM, or ZZ.

Codes checked against the guide's lists (as in pyx12's map): payment method ACH/BOP/CHK/FWT/NON, BPR01 handling,
CLP02 status, CLP06 filing indicator, CAS group CO/OA/PI/PR, PLB reason. CARC/RARC values are checked for form
only (see `server.x12.adjustment_codes` for the common ones).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

from server.x12.claim837 import Address
from server.x12.segments import clean, composite, digits, money, quantity, x12_date
from server.x12.writer_base import (
    Envelope,
    SegmentList,
    address_elements,
    code,
    ein,
    identifier,
    npi,
    pattern,
    phone,
    positive_count,
    required,
)

IMPLEMENTATION_GUIDE = "005010X221A1"
PAYMENT_METHODS = frozenset({"ACH", "BOP", "CHK", "FWT", "NON"})
HANDLING_CODES = frozenset({"C", "D", "H", "I", "P", "U", "X"})
CLAIM_STATUSES = frozenset({"1", "2", "3", "4", "19", "20", "21", "22", "23", "25"})
REVERSAL = "22"
DENIED = "4"
CLAIM_FILING_CODES = frozenset({"12", "13", "14", "15", "16", "17", "AM", "CH", "DS", "HM", "LM", "MA", "MB", "MC",
                                "OF", "TV", "VA", "WC", "ZZ"})
ADJUSTMENT_GROUPS = frozenset({"CO", "OA", "PI", "PR"})
FREQUENCIES = frozenset({"1", "7", "8"})
PROCEDURE_QUALIFIERS = frozenset({"AD", "ER", "HC", "HP", "IV", "N4", "N6", "NU", "UI", "WK"})
ACCOUNT_TYPES = frozenset({"DA", "SG"})  # checking, savings (BPR14; the payer's BPR08 is always DA)
PLB_REASONS = frozenset({"50", "51", "72", "90", "AH", "AM", "AP", "B2", "B3", "BD", "BN", "C5", "CR", "CS", "CT", "CV",
                         "CW", "DM", "E3", "FB", "FC", "GO", "HM", "IP", "IR", "IS", "J1", "L3", "L6", "LE", "LS",
                         "OA", "OB", "PI", "PL", "RA", "RE", "SL", "TL", "WO"})
MAX_ADJUSTMENTS_PER_CAS = 6
MAX_CAS_SEGMENTS = 99
MAX_LINES = 999
MAX_MODIFIERS = 4
MAX_CLAIM_REMARKS = 5  # MOA03-MOA07
MAX_LINE_REMARKS = 99
MAX_PLB_ADJUSTMENTS = 6

_REASON = re.compile(r"[A-Z0-9]{1,5}")
_REMARK = re.compile(r"[A-Z]{1,3}[0-9]{1,4}")
_PROCEDURE = re.compile(r"[A-Z0-9]{1,48}")
_MODIFIER = re.compile(r"[A-Z0-9]{2}")
_POS = re.compile(r"[0-9]{2}")
_ROUTING = re.compile(r"[0-9]{9}")
_ACCOUNT = re.compile(r"[0-9A-Z]{1,35}")


@dataclass(frozen=True)
class Adjustment:
    """One CAS triplet: group (CO, OA, PI, PR), CARC reason, amount (negative in a reversal), units adjusted."""

    group: str
    reason: str
    amount_cents: int
    quantity: int = 0


@dataclass(frozen=True)
class BankAccount:
    routing: str  # 9-digit ABA routing number
    account: str
    account_type: str = "DA"


@dataclass(frozen=True)
class Payer:
    """1000A."""

    name: str
    address: Address
    tax_id: str  # EIN: TRN03 and, for ACH, BPR10 are "1" + these 9 digits
    contact_phone: str  # PER*BL, the payer's technical contact (required by the guide)
    contact_name: str = ""
    contact_email: str = ""
    payer_id: str = ""  # REF*2U


@dataclass(frozen=True)
class Payee:
    """1000B: the provider paid (the billing provider of the claims)."""

    name: str
    npi: str
    tax_id: str = ""  # REF*TJ
    address: Address | None = None


@dataclass(frozen=True)
class Person:
    last: str
    first: str = ""
    middle: str = ""
    suffix: str = ""
    member_id: str = ""


@dataclass(frozen=True)
class RenderingProvider:
    """NM1*82: a person (`first` set) or an organization (`first` empty)."""

    last: str
    npi: str
    first: str = ""


@dataclass(frozen=True)
class ServicePayment:
    """2110: one service line as the payer adjudicated it."""

    procedure_code: str
    charge_cents: int  # SVC02 (negative in a reversal)
    paid_cents: int  # SVC03
    service_date: date
    service_end: date | None = None  # a range: DTM*150/151 instead of DTM*472
    modifiers: tuple[str, ...] = ()
    code_qualifier: str = "HC"
    units_milli: int = 1000  # SVC05, paid units (sent when not 1)
    adjustments: tuple[Adjustment, ...] = ()
    control_number: str = ""  # REF*6R: the line item control number the provider sent
    allowed_cents: int | None = None  # AMT*B6
    remarks: tuple[str, ...] = ()  # LQ*HE: RARC codes


@dataclass(frozen=True)
class ClaimPayment:
    """2100: one adjudicated claim."""

    control_number: str  # CLP01: the patient control number from CLM01
    status: str  # CLP02: 1 primary, 2 secondary, 3 tertiary, 4 denied, 22 reversal, ...
    charge_cents: int  # CLP03
    paid_cents: int  # CLP04
    claim_filing_indicator: str  # CLP06
    payer_claim_number: str  # CLP07
    patient: Person
    facility_code: str = "11"  # CLP08: place of service for a professional claim
    frequency: str = "1"  # CLP09
    # CLP05; None: the PR adjustments' total. When given it must equal that total.
    patient_responsibility_cents: int | None = None
    adjustments: tuple[Adjustment, ...] = ()  # claim-level CAS
    subscriber: Person | None = None  # NM1*IL, when the subscriber is not the patient
    rendering: RenderingProvider | None = None  # NM1*82
    remarks: tuple[str, ...] = ()  # MOA03-MOA07: claim-level RARC codes
    statement_from: date | None = None  # DTM*232
    statement_to: date | None = None  # DTM*233
    received_on: date | None = None  # DTM*050
    lines: tuple[ServicePayment, ...] = ()


@dataclass(frozen=True)
class ProviderAdjustment:
    """One PLB adjustment: reason (PLB03-1), reference (PLB03-2, e.g. the claim's control number), amount taken
    back from the payment (positive) or added to it (negative)."""

    reason: str
    amount_cents: int
    reference: str = ""


@dataclass(frozen=True)
class Remittance:
    envelope: Envelope
    payer: Payer
    payee: Payee
    payment_method: str  # BPR04: ACH, CHK, NON (no payment), BOP, FWT
    payment_cents: int  # BPR02
    payment_date: date  # BPR16: check issue or EFT effective date
    trace_number: str  # TRN02: check or EFT trace number
    production_date: date  # DTM*405
    claims: tuple[ClaimPayment, ...]
    provider_adjustments: tuple[ProviderAdjustment, ...] = ()
    fiscal_period_end: date | None = None  # PLB02; None: December 31 of the payment date's year
    payer_account: BankAccount | None = None  # ACH only
    payee_account: BankAccount | None = None  # ACH only
    handling: str = ""  # BPR01; "": I (remittance information only), or H (notification only) for NON
    receiver_id: str = ""  # REF*EV


def write_835(remittance: Remittance) -> str:
    """The remittance as 005010X221A1 text (segments end with `~` and a newline); `ValueError` names a bad field,
    including an input that does not balance."""
    return _Writer(remittance).write()


def _cas_segments(adjustments: tuple[Adjustment, ...], field: str) -> list[list[str]]:
    """CAS elements: per group code (in the order the groups first appear), up to six triplets per segment."""
    groups: dict[str, list[list[str]]] = {}
    for i, adj in enumerate(adjustments):
        at = f"{field}[{i}]"
        group = code(adj.group, f"{at}.group", ADJUSTMENT_GROUPS)
        reason = pattern(adj.reason, f"{at}.reason", _REASON, "a claim adjustment reason code")
        if adj.quantity < 0:
            raise ValueError(f"{at}.quantity: {adj.quantity} is negative")
        groups.setdefault(group, []).append([reason, money(adj.amount_cents), str(adj.quantity) if adj.quantity
                                             else ""])
    segments = []
    for group, triplets in groups.items():
        for start in range(0, len(triplets), MAX_ADJUSTMENTS_PER_CAS):
            chunk = triplets[start:start + MAX_ADJUSTMENTS_PER_CAS]
            # A quantity left out in the middle of the segment keeps its (empty) place; trailing ones are dropped.
            segments.append([group, *(element for triplet in chunk for element in triplet)])
    if len(segments) > MAX_CAS_SEGMENTS:
        raise ValueError(f"{field}: {len(segments)} CAS segments, at most {MAX_CAS_SEGMENTS}")
    return segments


def _remarks(remarks: tuple[str, ...], field: str, limit: int) -> list[str]:
    if len(remarks) > limit:
        raise ValueError(f"{field}: {len(remarks)} remark codes, at most {limit}")
    return [pattern(r, f"{field}[{i}]", _REMARK, "a remittance advice remark code (e.g. N130, MA04)")
            for i, r in enumerate(remarks)]


def _bank(account: BankAccount | None, field: str) -> tuple[str, str, str]:
    if account is None:
        raise ValueError(f"{field}: required for ACH payments")
    routing = pattern(account.routing, f"{field}.routing", _ROUTING, "a 9-digit routing number")
    number = pattern(account.account, f"{field}.account", _ACCOUNT, "a bank account number")
    return routing, code(account.account_type, f"{field}.account_type", ACCOUNT_TYPES), number


class _Writer:
    def __init__(self, remittance: Remittance) -> None:
        self.r = remittance
        self.out = SegmentList()

    def add(self, segment_id: str, *elements: str) -> None:
        self.out.add(segment_id, *elements)

    def write(self) -> str:
        r = self.r
        if not r.claims and not r.provider_adjustments:
            raise ValueError("claims: a remittance needs at least one claim or provider adjustment")
        for i, claim in enumerate(r.claims):
            self._check_claim(claim, f"claims[{i}]")
        paid = sum(c.paid_cents for c in r.claims)
        taken = sum(a.amount_cents for a in r.provider_adjustments)
        if r.payment_cents != paid - taken:
            raise ValueError(f"payment_cents: {r.payment_cents} is not the claims' paid amounts ({paid}) less the "
                             f"provider adjustments ({taken}): {paid - taken}")
        if r.payment_cents < 0:
            raise ValueError(f"payment_cents: {r.payment_cents} is negative; carry the debit forward with a provider "
                             "adjustment instead")
        method = code(r.payment_method, "payment_method", PAYMENT_METHODS)
        if (method == "NON") != (r.payment_cents == 0):
            raise ValueError(f"payment_method: {method} with a payment of {money(r.payment_cents)}; NON (no payment) "
                             "goes with 0 and only with 0")
        handling = (code(r.handling, "handling", HANDLING_CODES) if r.handling.strip()
                    else "H" if method == "NON" else "I")
        payer_ein = ein(r.payer.tax_id, "payer.tax_id")
        company = "1" + payer_ein

        # The guide marks ST03 "not used" for the 835 (GS08 names the guide).
        self.out.open(r.envelope, "HP", "835", IMPLEMENTATION_GUIDE, st03=False)
        bank: list[str] = [""] * 11  # BPR05-BPR15
        if method == "ACH":
            payer_routing, _, payer_account = _bank(r.payer_account, "payer_account")
            payee_routing, payee_type, payee_account = _bank(r.payee_account, "payee_account")
            bank = ["CCP", "01", payer_routing, "DA", payer_account, company, "", "01", payee_routing, payee_type,
                    payee_account]
        elif r.payer_account is not None or r.payee_account is not None:
            raise ValueError(f"payer_account: bank accounts go with ACH payments only, not {method}")
        self.add("BPR", handling, money(r.payment_cents), "C", method, *bank, x12_date(r.payment_date))
        self.add("TRN", "1", identifier(r.trace_number, "trace_number", 50), company)
        if r.receiver_id:
            self.add("REF", "EV", identifier(r.receiver_id, "receiver_id", 50))
        self.add("DTM", "405", x12_date(r.production_date))
        self._payer()
        self._payee()
        if r.claims:
            self.add("LX", "1")
            for i, claim in enumerate(r.claims):
                self._claim(claim, f"claims[{i}]")
        self._provider_adjustments()
        return self.out.close()

    # -- parties -------------------------------------------------------------------------------------------------

    def _payer(self) -> None:
        p = self.r.payer
        self.add("N1", "PR", required(p.name, "payer.name", 60))
        street, city = address_elements(p.address, "payer.address")
        self.add("N3", *street)
        self.add("N4", *city)
        if p.payer_id:
            self.add("REF", "2U", identifier(p.payer_id, "payer.payer_id", 50))
        email = clean(p.contact_email, 256)
        if p.contact_email and "@" not in email:
            raise ValueError(f"payer.contact_email: {p.contact_email!r} is not an email address")
        self.add("PER", "BL", clean(p.contact_name, 60), "TE", phone(p.contact_phone, "payer.contact_phone"),
                 "EM" if email else "", email)

    def _payee(self) -> None:
        p = self.r.payee
        self.add("N1", "PE", required(p.name, "payee.name", 60), "XX", npi(p.npi, "payee.npi"))
        if p.address is not None:
            street, city = address_elements(p.address, "payee.address")
            self.add("N3", *street)
            self.add("N4", *city)
        if p.tax_id:
            self.add("REF", "TJ", ein(p.tax_id, "payee.tax_id"))

    # -- claims --------------------------------------------------------------------------------------------------

    def _check_claim(self, claim: ClaimPayment, field: str) -> None:
        if not claim.control_number.strip():
            raise ValueError(f"{field}.control_number: required (the patient control number sent in CLM01)")
        status = code(claim.status, f"{field}.status", CLAIM_STATUSES)
        if status == REVERSAL:
            if claim.charge_cents >= 0 or claim.paid_cents > 0:
                raise ValueError(f"{field}.charge_cents: a reversal (status 22) carries the original amounts negated "
                                 f"(charge {claim.charge_cents}, paid {claim.paid_cents})")
        else:
            if claim.charge_cents < 0:
                raise ValueError(f"{field}.charge_cents: {claim.charge_cents} is negative (only a reversal, status "
                                 "22, has negative amounts)")
            if claim.paid_cents < 0:
                raise ValueError(f"{field}.paid_cents: {claim.paid_cents} is negative (only a reversal, status 22, "
                                 "has negative amounts)")
            if status == DENIED and claim.paid_cents != 0:
                raise ValueError(f"{field}.paid_cents: a denied claim (status 4) pays nothing, got "
                                 f"{claim.paid_cents}")
        if len(claim.lines) > MAX_LINES:
            raise ValueError(f"{field}.lines: {len(claim.lines)} lines, at most {MAX_LINES}")
        line_adjusted = 0
        for n, line in enumerate(claim.lines):
            at = f"{field}.lines[{n}]"
            adjusted = sum(a.amount_cents for a in line.adjustments)
            if line.charge_cents - line.paid_cents != adjusted:
                raise ValueError(f"{at}.adjustments: charge {line.charge_cents} - paid {line.paid_cents} = "
                                 f"{line.charge_cents - line.paid_cents}, but the adjustments add up to {adjusted}")
            if status == REVERSAL and (line.charge_cents > 0 or line.paid_cents > 0):
                raise ValueError(f"{at}.charge_cents: a reversal's lines carry the original amounts negated")
            if status != REVERSAL and (line.charge_cents < 0 or line.paid_cents < 0):
                raise ValueError(f"{at}.paid_cents: negative amounts belong to a reversal (status 22) only")
            line_adjusted += adjusted
        if claim.lines:
            line_charges = sum(line.charge_cents for line in claim.lines)
            if line_charges != claim.charge_cents:
                raise ValueError(f"{field}.charge_cents: {claim.charge_cents} is not the sum of the line charges "
                                 f"({line_charges})")
        claim_adjusted = sum(a.amount_cents for a in claim.adjustments)
        if claim.charge_cents - claim.paid_cents != claim_adjusted + line_adjusted:
            raise ValueError(f"{field}.adjustments: charge {claim.charge_cents} - paid {claim.paid_cents} = "
                             f"{claim.charge_cents - claim.paid_cents}, but the claim adjustments ({claim_adjusted}) "
                             f"and line adjustments ({line_adjusted}) add up to {claim_adjusted + line_adjusted}")
        responsibility = self._patient_responsibility(claim)
        if claim.patient_responsibility_cents is not None and claim.patient_responsibility_cents != responsibility:
            raise ValueError(f"{field}.patient_responsibility_cents: {claim.patient_responsibility_cents} is not the "
                             f"total of the PR adjustments ({responsibility})")

    @staticmethod
    def _patient_responsibility(claim: ClaimPayment) -> int:
        adjustments = [*claim.adjustments, *(a for line in claim.lines for a in line.adjustments)]
        return sum(a.amount_cents for a in adjustments if a.group.strip().upper() == "PR")

    def _claim(self, claim: ClaimPayment, field: str) -> None:
        facility = pattern(claim.facility_code, f"{field}.facility_code", _POS, "a 2-digit place of service code")
        responsibility = self._patient_responsibility(claim)
        self.add("CLP", identifier(claim.control_number, f"{field}.control_number", 38),
                 code(claim.status, f"{field}.status", CLAIM_STATUSES), money(claim.charge_cents),
                 money(claim.paid_cents), money(responsibility) if responsibility else "",
                 code(claim.claim_filing_indicator, f"{field}.claim_filing_indicator", CLAIM_FILING_CODES),
                 identifier(claim.payer_claim_number, f"{field}.payer_claim_number", 50),
                 facility, code(claim.frequency, f"{field}.frequency", FREQUENCIES))
        for cas in _cas_segments(claim.adjustments, f"{field}.adjustments"):
            self.add("CAS", *cas)
        self._person("QC", claim.patient, f"{field}.patient", member_id_required=False)
        if claim.subscriber is not None:
            self._person("IL", claim.subscriber, f"{field}.subscriber", member_id_required=True)
        if claim.rendering is not None:
            rp = claim.rendering
            first = clean(rp.first, 35)
            self.add("NM1", "82", "1" if first else "2", required(rp.last, f"{field}.rendering.last", 60), first,
                     "", "", "", "XX", npi(rp.npi, f"{field}.rendering.npi"))
        remarks = _remarks(claim.remarks, f"{field}.remarks", MAX_CLAIM_REMARKS)
        if remarks:
            self.add("MOA", "", "", *remarks)
        if claim.statement_from is not None:
            self.add("DTM", "232", x12_date(claim.statement_from))
        if claim.statement_to is not None:
            if claim.statement_from is not None and claim.statement_to < claim.statement_from:
                raise ValueError(f"{field}.statement_to: {claim.statement_to} is before statement_from")
            self.add("DTM", "233", x12_date(claim.statement_to))
        if claim.received_on is not None:
            self.add("DTM", "050", x12_date(claim.received_on))
        for n, line in enumerate(claim.lines):
            self._line(line, f"{field}.lines[{n}]")

    def _person(self, entity: str, person: Person, field: str, member_id_required: bool) -> None:
        member_id = identifier(person.member_id, f"{field}.member_id", 80) if person.member_id.strip() else ""
        if member_id_required and not member_id:
            raise ValueError(f"{field}.member_id: required")
        self.add("NM1", entity, "1", required(person.last, f"{field}.last", 60), clean(person.first, 35),
                 clean(person.middle, 25), "", clean(person.suffix, 10), "MI" if member_id else "", member_id)

    def _line(self, line: ServicePayment, field: str) -> None:
        qualifier = code(line.code_qualifier, f"{field}.code_qualifier", PROCEDURE_QUALIFIERS)
        procedure = pattern(line.procedure_code, f"{field}.procedure_code", _PROCEDURE, "a procedure code")
        if len(line.modifiers) > MAX_MODIFIERS:
            raise ValueError(f"{field}.modifiers: {len(line.modifiers)} modifiers, at most {MAX_MODIFIERS}")
        modifiers = [pattern(m, f"{field}.modifiers[{i}]", _MODIFIER, "a 2-character modifier")
                     for i, m in enumerate(line.modifiers)]
        units = positive_count(line.units_milli, f"{field}.units_milli")
        self.add("SVC", composite(qualifier, procedure, *modifiers), money(line.charge_cents), money(line.paid_cents),
                 "", quantity(units) if units != 1000 else "")
        if line.service_end is None or line.service_end == line.service_date:
            self.add("DTM", "472", x12_date(line.service_date))
        else:
            if line.service_end < line.service_date:
                raise ValueError(f"{field}.service_end: {line.service_end} is before service_date")
            self.add("DTM", "150", x12_date(line.service_date))
            self.add("DTM", "151", x12_date(line.service_end))
        for cas in _cas_segments(line.adjustments, f"{field}.adjustments"):
            self.add("CAS", *cas)
        if line.control_number:
            self.add("REF", "6R", identifier(line.control_number, f"{field}.control_number", 50))
        if line.allowed_cents is not None:
            self.add("AMT", "B6", money(line.allowed_cents))
        for remark in _remarks(line.remarks, f"{field}.remarks", MAX_LINE_REMARKS):
            self.add("LQ", "HE", remark)

    # -- provider adjustments ------------------------------------------------------------------------------------

    def _provider_adjustments(self) -> None:
        r = self.r
        if not r.provider_adjustments:
            return
        fiscal = r.fiscal_period_end or date(r.payment_date.year, 12, 31)
        elements: list[str] = []
        for i, adj in enumerate(r.provider_adjustments):
            at = f"provider_adjustments[{i}]"
            reason = code(adj.reason, f"{at}.reason", PLB_REASONS)
            reference = identifier(adj.reference, f"{at}.reference", 50) if adj.reference.strip() else ""
            if adj.amount_cents == 0:
                raise ValueError(f"{at}.amount_cents: a provider adjustment of 0")
            elements += [composite(reason, reference), money(adj.amount_cents)]
        payee_npi = digits(r.payee.npi)
        step = 2 * MAX_PLB_ADJUSTMENTS
        for start in range(0, len(elements), step):
            self.add("PLB", payee_npi, x12_date(fiscal), *elements[start:start + step])

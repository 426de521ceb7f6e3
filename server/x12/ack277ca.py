"""The 277CA reader (005010X214, claim acknowledgment): which of our claims did the payer (or clearinghouse) take?

A 277CA is a hierarchy of HL levels: information source (2000A, the payer or clearinghouse; its TRN and receipt
and process dates), information receiver (2000B, us as submitter; statuses and the accepted/rejected totals),
billing provider (2000C; statuses and totals) and patient (2000D, the patient's name), under which each claim has
a 2200D loop: TRN*2 with the patient control number we sent in CLM01, one or more STC statuses, the payer's claim
control number (REF*1K), a clearinghouse trace number (REF*D9), the service dates, and optionally service lines
(2220D: SVC with the line's procedure and charge, its STC, and REF*FJ, the line item control number we sent in
REF*6R).

Each STC holds up to three status composites (STC01, STC10, STC11): category code (code source 507, e.g. A2
"accepted into adjudication"), status code (508, e.g. 21 "missing or invalid information") and an entity code
(98, whose data the status is about, e.g. 85 billing provider), plus the status date (STC02), an action code
(STC03: WQ accept, U reject), the total charge (STC04) and free text (STC12).

Acceptance rule (`ClaimStatus.accepted`, `.rejected`, also per service line): a claim is *rejected* when any of
its claim-level status categories is A3 (returned as unprocessable), A4 (not found), A6 (rejected for missing
information), A7 (rejected for invalid information) or A8 (rejected for relational field in error); it is
*accepted* when it is not rejected and at least one category is A1 (received), A2 (accepted into adjudication) or
A5 (split upon acceptance). Anything else (A0 forwarded, pending or unknown categories) is neither: the claim
waits for a later acknowledgment or a human. Line-level statuses do not change the claim's verdict; each line
has its own by the same rule.

The structure is read strictly, in the guide's order, with HL parents checked; anything else raises
`X12ReadError` naming the segment (see `server.x12.reader`). Where the samples from real payers leave out a
segment the guide marks required but that carries no data we need (the billing provider's STC, the claim's
DTP*472) its absence is allowed. `message` texts come from the small tables below (the common codes of the
external code lists); an unknown code is shown as "code <number>".
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from server.x12.reader import (
    Envelope,
    Segment,
    SegmentCursor,
    TransactionSet,
    optional_cents,
    parse_date,
    parse_date_period,
    parse_number,
    transactions_of,
)

IMPLEMENTATION_GUIDES = frozenset({"005010X214"})
ACCEPTING_CATEGORIES = frozenset({"A1", "A2", "A5"})
REJECTING_CATEGORIES = frozenset({"A3", "A4", "A6", "A7", "A8"})

# Claim status category codes (code source 507), the acknowledgment ones and the common others.
CATEGORY_TEXTS = {
    "A0": "Acknowledgement/Forwarded: the claim has been forwarded to another entity",
    "A1": "Acknowledgement/Receipt: the claim has been received (not yet accepted for adjudication)",
    "A2": "Acknowledgement/Acceptance into adjudication system",
    "A3": "Acknowledgement/Returned as unprocessable claim: rejected, not entered into the adjudication system",
    "A4": "Acknowledgement/Not found: the claim cannot be found in the adjudication system",
    "A5": "Acknowledgement/Split claim: split upon acceptance into the adjudication system",
    "A6": "Acknowledgement/Rejected for missing information",
    "A7": "Acknowledgement/Rejected for invalid information",
    "A8": "Acknowledgement/Rejected for relational field in error",
    "D0": "Data search unsuccessful",
    "E0": "Response not possible: error on submitted request data",
    "E1": "Response not possible: system status",
    "E2": "Information holder is not responding; resubmit at a later time",
    "E3": "Correction required: relational fields in error",
    "E4": "Trading partner agreement specific requirement not met: data correction required",
    "F0": "Finalized",
    "F1": "Finalized/Payment",
    "F2": "Finalized/Denial",
    "F3": "Finalized/Revised",
    "F4": "Finalized/Adjudication complete, no payment forthcoming",
    "P0": "Pending: adjudication/details are not available",
    "P1": "Pending/In process",
    "P2": "Pending/Payer review",
    "P3": "Pending/Provider requested information",
    "P4": "Pending/Patient requested information",
    "P5": "Pending/Payer administrative/system hold",
}
# Claim status codes (code source 508): the ones in the public samples and the common rejection reasons.
STATUS_TEXTS = {
    "0": "Cannot provide further status electronically",
    "1": "For more detailed information, see remittance advice",
    "2": "More detailed information in letter",
    "3": "Claim has been adjudicated and is awaiting payment cycle",
    "15": "One or more originally submitted procedure codes have been modified",
    "16": "Claim/encounter has been forwarded to entity",
    "17": "Claim/encounter has been forwarded by third party entity to entity",
    "19": "Entity acknowledges receipt of claim/encounter",
    "20": "Accepted for processing",
    "21": "Missing or invalid information",
    "23": "Returned to entity",
    "24": "Entity not approved as an electronic submitter",
    "25": "Entity not approved",
    "26": "Entity not found",
    "27": "Policy canceled",
    "29": "Subscriber and policy number/contract number mismatched",
    "30": "Subscriber and subscriber id mismatched",
    "31": "Subscriber and policyholder name mismatched",
    "32": "Subscriber and policy number/contract number not found",
    "33": "Subscriber and subscriber id not found",
    "34": "Subscriber and policyholder name not found",
    "35": "Claim/encounter not found",
    "41": "Special handling required at payer site",
    "54": "Duplicate of a previously processed claim/line",
    "65": "Claim/line has been paid",
    "78": "Duplicate of an existing claim/line, awaiting processing",
    "84": "Service not authorized",
    "85": "Entity not primary",
    "86": "Diagnosis and patient gender mismatch",
    "88": "Entity not eligible for benefits for submitted dates of service",
    "90": "Entity not eligible for medical benefits for submitted dates of service",
    "91": "Entity not eligible/not approved for dates of service",
    "97": "Patient eligibility not found with entity",
    "109": "Entity not eligible",
    "116": "Claim submitted to incorrect payer",
    "117": "Claim requires signature-on-file indicator",
    "123": "Additional information requested from entity",
    "125": "Entity's name",
    "126": "Entity's address",
    "128": "Entity's tax id",
    "145": "Entity's specialty/taxonomy code",
    "153": "Entity's id number",
    "156": "Patient relationship to subscriber",
    "157": "Entity's gender",
    "158": "Entity's date of birth",
    "163": "Entity's policy/group number",
    "164": "Entity's contract/member number",
    "178": "Submitted charges",
    "187": "Date(s) of service",
    "247": "Line information",
    "249": "Place of service",
    "254": "Principal diagnosis code",
    "255": "Diagnosis code",
    "400": "Claim is out of balance",
    "454": "Procedure code for services rendered",
    "464": "Payer assigned claim control number",
    "481": "Claim/submission format is invalid",
    "562": "Entity's National Provider Identifier (NPI)",
}
# Entity identifier codes (element 98) that appear in STC01-3.
ENTITY_TEXTS = {
    "03": "dependent",
    "1P": "provider",
    "36": "employer",
    "40": "receiver",
    "41": "submitter",
    "71": "attending physician",
    "77": "service location",
    "82": "rendering provider",
    "85": "billing provider",
    "87": "pay-to provider",
    "AY": "clearinghouse",
    "DK": "ordering physician",
    "DN": "referring provider",
    "DQ": "supervising physician",
    "FA": "facility",
    "GB": "other insured",
    "HK": "subscriber",
    "IL": "insured or subscriber",
    "PR": "payer",
    "PRP": "primary payer",
    "QC": "patient",
    "SEP": "secondary payer",
    "TTP": "tertiary payer",
}


def _text(table: dict[str, str], code: str) -> str:
    return table.get(code, f"code {code}")


@dataclass(frozen=True)
class Status:
    """One status composite (C043): category, status code, entity."""

    category: str
    code: str
    entity: str
    code_list: str  # C043-04, a code list qualifier (e.g. NCPDP reject codes), rare

    @property
    def message(self) -> str:
        text = f"{self.category}: {_text(CATEGORY_TEXTS, self.category)}; {self.code}: {_text(STATUS_TEXTS, self.code)}"
        if self.entity:
            text += f" ({ENTITY_TEXTS.get(self.entity, f'entity code {self.entity}')})"
        return text


@dataclass(frozen=True)
class StatusInfo:
    """One STC segment."""

    statuses: tuple[Status, ...]  # STC01, STC10, STC11
    date: date | None  # STC02
    action_code: str  # STC03: WQ accept, U reject
    amount_cents: int | None  # STC04, the total charge of what is acknowledged
    free_text: str  # STC12

    @property
    def message(self) -> str:
        text = "; ".join(status.message for status in self.statuses)
        return f"{text} ({self.free_text})" if self.free_text else text


def _verdict(statuses: tuple[StatusInfo, ...]) -> tuple[bool, bool]:
    categories = {status.category for info in statuses for status in info.statuses}
    rejected = bool(categories & REJECTING_CATEGORIES)
    return (not rejected and bool(categories & ACCEPTING_CATEGORIES)), rejected


@dataclass(frozen=True)
class Party:
    """An NM1 segment: entity code, name and identifier (NM108 qualifier, NM109 id, e.g. XX and an NPI)."""

    entity_code: str
    name: str  # NM103, last or organization name
    first_name: str
    middle_name: str
    id_qualifier: str
    id: str


@dataclass(frozen=True)
class ServiceLine:
    """2220D: a service line's status."""

    procedure: tuple[str, ...]  # SVC01 components, e.g. ("HC", "99213", "25")
    charge_cents: int | None  # SVC02
    paid_cents: int | None  # SVC03
    revenue_code: str  # SVC04
    units: str  # SVC07
    statuses: tuple[StatusInfo, ...]
    line_item_control_number: str  # REF*FJ, our REF*6R
    service_dates: tuple[date, date] | None

    @property
    def accepted(self) -> bool:
        return _verdict(self.statuses)[0]

    @property
    def rejected(self) -> bool:
        return _verdict(self.statuses)[1]

    @property
    def message(self) -> str:
        return " | ".join(info.message for info in self.statuses)


@dataclass(frozen=True)
class ClaimStatus:
    """2200D: one claim's acknowledgment."""

    envelope: Envelope
    billing_provider: Party
    patient: Party
    patient_control_number: str  # TRN02, our CLM01
    payer_claim_control_number: str  # REF*1K, "" when absent
    clearinghouse_trace_number: str  # REF*D9, "" when absent
    bill_type: str  # REF*BLT (institutional claims)
    statuses: tuple[StatusInfo, ...]
    service_dates: tuple[date, date] | None
    lines: tuple[ServiceLine, ...]

    @property
    def total_charge_cents(self) -> int | None:
        """STC04 of the first claim-level STC that gives one."""
        return next((info.amount_cents for info in self.statuses if info.amount_cents is not None), None)

    @property
    def accepted(self) -> bool:
        """See the module's acceptance rule: an A1/A2/A5 category and no rejecting one."""
        return _verdict(self.statuses)[0]

    @property
    def rejected(self) -> bool:
        """Any claim-level category A3, A4, A6, A7 or A8."""
        return _verdict(self.statuses)[1]

    @property
    def message(self) -> str:
        """The claim's statuses for people, then any line statuses by line item control number."""
        parts = [info.message for info in self.statuses]
        for line in self.lines:
            label = line.line_item_control_number or "-".join(p for p in line.procedure[1:2])
            parts.append(f"line {label}: {line.message}")
        return " | ".join(parts)


@dataclass(frozen=True)
class Totals:
    """QTY/AMT of the receiver and billing provider levels: claims accepted and rejected."""

    accepted_quantity: int | None
    rejected_quantity: int | None
    accepted_amount_cents: int | None
    rejected_amount_cents: int | None


@dataclass(frozen=True)
class ProviderLevel:
    """2000C: the billing provider."""

    party: Party
    trace_number: str  # TRN02
    statuses: tuple[StatusInfo, ...]
    secondary_ids: tuple[tuple[str, str], ...]  # REF qualifier, value
    totals: Totals
    claims: tuple[ClaimStatus, ...]


@dataclass(frozen=True)
class ReceiverLevel:
    """2000B: the information receiver (the submitter of the claims)."""

    party: Party
    trace_number: str  # TRN02
    statuses: tuple[StatusInfo, ...]
    totals: Totals
    providers: tuple[ProviderLevel, ...]


@dataclass(frozen=True)
class SourceLevel:
    """2000A: the information source (payer or clearinghouse)."""

    party: Party
    trace_number: str  # TRN02
    received: date | None  # DTP*050
    processed: date | None  # DTP*009
    receivers: tuple[ReceiverLevel, ...]


@dataclass(frozen=True)
class Transaction277CA:
    envelope: Envelope
    reference: str  # BHT03
    created: date  # BHT04
    sources: tuple[SourceLevel, ...]

    @property
    def claims(self) -> tuple[ClaimStatus, ...]:
        return tuple(claim for source in self.sources for receiver in source.receivers
                     for provider in receiver.providers for claim in provider.claims)


@dataclass(frozen=True)
class Ack277CA:
    transactions: tuple[Transaction277CA, ...]

    @property
    def claims(self) -> tuple[ClaimStatus, ...]:
        return tuple(claim for transaction in self.transactions for claim in transaction.claims)


def read_277ca(data: bytes | str) -> Ack277CA:
    """Every claim acknowledgment in a 277CA file; `X12ReadError` names the first malformed segment."""
    transactions = list(transactions_of(data, functional_id="HN", set_id="277", guides=IMPLEMENTATION_GUIDES,
                                        name="277CA"))
    return Ack277CA(tuple(_Transaction(envelope, transaction).read() for envelope, transaction in transactions))


# ---------------------------------------------------------------------------------------------------------------


class _Transaction:
    def __init__(self, envelope: Envelope, transaction: TransactionSet) -> None:
        self.envelope = envelope
        self.cursor = SegmentCursor(transaction, "277CA")
        self.hl_ids: set[str] = set()

    def read(self) -> Transaction277CA:
        bht = self.cursor.expect("BHT", "the beginning of hierarchical transaction")
        reference = bht.required(3, "reference identification")
        created = parse_date(bht, 4)
        sources = []
        while self._at_level("20"):
            sources.append(self._source())
        if not sources:
            raise self.cursor.unexpected("the information source level (HL*...*20)")
        self.cursor.finish("HL or SE")
        return Transaction277CA(self.envelope, reference, created, tuple(sources))

    def _at_level(self, level: str) -> bool:
        segment = self.cursor.peek()
        return segment is not None and segment.id == "HL" and segment.element(3) == level

    def _hl(self, level: str, parent: str | None) -> Segment:
        hl = self.cursor.expect("HL", f"HL level {level}")
        hl_id = hl.required(1, "hierarchical id number")
        if hl_id in self.hl_ids:
            raise hl.error(f"HL01 {hl_id} repeats an earlier HL id")
        self.hl_ids.add(hl_id)
        if (hl.element(2) or None) != parent:
            expected = f"{parent!r}" if parent else "empty"
            raise hl.error(f"HL02 (parent) is {hl.element(2)!r}, expected {expected} for level {level}")
        return hl

    def _party(self, *entity_codes: str) -> Party:
        nm1 = self.cursor.expect("NM1", f"the name (NM1*{'/'.join(entity_codes)})")
        if nm1.element(1) not in entity_codes:
            raise nm1.error(f"NM101 is {nm1.element(1)!r}, expected {' or '.join(entity_codes)} here")
        return Party(nm1.element(1), nm1.element(3), nm1.element(4), nm1.element(5), nm1.element(8), nm1.element(9))

    def _trn(self, kind: str, what: str) -> str:
        trn = self.cursor.expect("TRN", what, kind)
        return trn.required(2, "trace number")

    def _statuses(self, *, required: bool) -> tuple[StatusInfo, ...]:
        if required and not self.cursor.at("STC"):
            raise self.cursor.unexpected("a status (STC)")
        return tuple(status_info(stc) for stc in self.cursor.take_all("STC"))

    def _totals(self, accepted_qty: str, rejected_qty: str) -> Totals:
        quantities: dict[str, int] = {}
        amounts: dict[str, int | None] = {}
        for qty in self.cursor.take_all("QTY"):
            if qty.element(1) not in (accepted_qty, rejected_qty) or qty.element(1) in quantities:
                raise qty.error(f"QTY01 {qty.element(1)!r} is not expected here "
                                f"(one each of {accepted_qty}, {rejected_qty})")
            quantities[qty.element(1)] = parse_number(qty, 2)
        for amt in self.cursor.take_all("AMT"):
            if amt.element(1) not in ("YU", "YY") or amt.element(1) in amounts:
                raise amt.error(f"AMT01 {amt.element(1)!r} is not expected here (one each of YU, YY)")
            amounts[amt.element(1)] = optional_cents(amt, 2)
        return Totals(quantities.get(accepted_qty), quantities.get(rejected_qty), amounts.get("YU"),
                      amounts.get("YY"))

    def _dates(self, *qualifiers: str) -> dict[str, tuple[date, date]]:
        found: dict[str, tuple[date, date]] = {}
        for dtp in self.cursor.take_all("DTP"):
            qualifier = dtp.element(1)
            if qualifier not in qualifiers or qualifier in found:
                raise dtp.error(f"DTP01 {qualifier!r} is not expected here (one each of {', '.join(qualifiers)})")
            found[qualifier] = parse_date_period(dtp, 2)
        return found

    def _source(self) -> SourceLevel:
        hl = self._hl("20", None)
        party = self._party("PR", "AY")
        trace = self._trn("1", "the transmission receipt control identifier")
        dates = self._dates("050", "009")
        receivers = []
        while self._at_level("21"):
            receivers.append(self._receiver(hl.element(1)))
        return SourceLevel(party, trace, dates["050"][0] if "050" in dates else None,
                           dates["009"][0] if "009" in dates else None, tuple(receivers))

    def _receiver(self, parent: str) -> ReceiverLevel:
        hl = self._hl("21", parent)
        party = self._party("41")
        trace = self._trn("2", "the information receiver trace identifier")
        statuses = self._statuses(required=False)
        totals = self._totals("90", "AA")
        providers = []
        while self._at_level("19"):
            providers.append(self._provider(hl.element(1)))
        return ReceiverLevel(party, trace, statuses, totals, tuple(providers))

    def _provider(self, parent: str) -> ProviderLevel:
        hl = self._hl("19", parent)
        party = self._party("85")
        trace = self._trn("1", "the provider of service information trace identifier")
        statuses = self._statuses(required=False)
        refs = tuple((ref.required(1, "qualifier"), ref.required(2, "reference"))
                     for ref in self.cursor.take_all("REF"))
        totals = self._totals("QA", "QC")
        claims: list[ClaimStatus] = []
        while self._at_level("PT"):
            claims.extend(self._patient(hl.element(1), party))
        return ProviderLevel(party, trace, statuses, refs, totals, tuple(claims))

    def _patient(self, parent: str, provider: Party) -> list[ClaimStatus]:
        self._hl("PT", parent)
        patient = self._party("QC")
        claims = []
        while self.cursor.at("TRN"):
            claims.append(self._claim(provider, patient))
        return claims

    def _claim(self, provider: Party, patient: Party) -> ClaimStatus:
        control_number = self._trn("2", "the claim status tracking number")
        statuses = self._statuses(required=True)
        refs: dict[str, str] = {}
        for ref in self.cursor.take_all("REF"):
            qualifier = ref.required(1, "qualifier")
            if qualifier in refs:
                raise ref.error(f"REF*{qualifier} appears twice in this claim")
            refs[qualifier] = ref.required(2, "reference")
        dates = self._dates("472")
        lines = []
        while self.cursor.at("SVC"):
            lines.append(self._line())
        return ClaimStatus(self.envelope, provider, patient, control_number, refs.get("1K", ""), refs.get("D9", ""),
                           refs.get("BLT", ""), statuses, dates.get("472"), tuple(lines))

    def _line(self) -> ServiceLine:
        svc = self.cursor.expect("SVC", "the service line information")
        procedure = svc.components(1)
        if len(procedure) < 2 or not procedure[0] or not procedure[1]:
            raise svc.error(f"SVC01 must be a qualifier and a procedure code, got {svc.element(1)!r}")
        statuses = self._statuses(required=True)
        refs: dict[str, str] = {}
        for ref in self.cursor.take_all("REF"):
            qualifier = ref.required(1, "qualifier")
            if qualifier not in ("FJ", "XZ") or qualifier in refs:
                raise ref.error(f"REF01 {qualifier!r} is not expected in a service line (one each of FJ, XZ)")
            refs[qualifier] = ref.required(2, "reference")
        dates = self._dates("472")
        return ServiceLine(procedure, optional_cents(svc, 2), optional_cents(svc, 3), svc.element(4), svc.element(7),
                           statuses, refs.get("FJ", ""), dates.get("472"))


def status_info(stc: Segment) -> StatusInfo:
    statuses = []
    for position in (1, 10, 11):
        parts = stc.components(position)
        if not parts:
            if position == 1:
                raise stc.error("STC01 (health care claim status) is required but empty")
            continue
        category, code, entity, code_list = (*parts, "", "", "", "")[:4]
        if not category or not code:
            raise stc.error(f"STC{position:02d} must have a category and a status code, got {stc.element(position)!r}")
        statuses.append(Status(category, code, entity, code_list))
    when = parse_date(stc, 2) if stc.element(2) else None
    return StatusInfo(tuple(statuses), when, stc.element(3), optional_cents(stc, 4), stc.element(12))

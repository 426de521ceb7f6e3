"""Claim status: the 276 inquiry we send about claims that got no answer, and the 277 we read (005010X212).

`write_276` turns a `ClaimStatusBatch` into one interchange with one 276: the payer (2000A/2100A, NM1*PR with its
PI payer id), the practice's submitter as information receiver (2000B/2100B, NM1*41 with its 46 ETIN), the
service provider (2000C/2100C, NM1*1P with its XX NPI), and per claim a subscriber level (2000D: DMG when the
subscriber is the patient, NM1*IL with the MI member id) and, when the patient is not the subscriber, a dependent
level (2000E: DMG, NM1*QC). The claim's loop (2200D or 2200E) sends our trace (TRN*1), the payer's claim control
number when we know it (REF*1K), our patient control number, the CLM01 of the 837P (REF*EJ), the total charge
(AMT*T3) and the service dates (DTP*472, D8 or RD8). Service lines (2210) are not sent: the claim-level question
is the one a biller asks. Bad input raises `ValueError` naming the field (`claims[1].total_charge_cents: ...`).

`read_277` reads every answer in a 277 file strictly, in the guide's order (`X12ReadError` names the segment and
line). Each `ClaimStatusAnswer` is one claim (2200D/2200E, `level` "claim"), or one receiver or provider level
that carries statuses of its own (2000B/2000C with TRN and STC, e.g. E0 when the payer could not read our 276;
`level` "receiver" or "provider"). Statuses reuse the 277CA reader's `Status`/`StatusInfo` and code texts
(`server.x12.ack277ca`); the X212 STC adds the claim payment amount (STC05), adjudication or payment date
(STC06), payment method (STC07), check or EFT date (STC08) and number (STC09).

Coarse state (`ClaimState`, `ClaimStatusAnswer.state`), from the health care claim status category codes
(code source 507) of every status composite of the answer's own STCs, the first rule that matches winning:

* finalized_paid: F1 (finalized/payment); F0 (finalized) or F3 (finalized/revised) with a claim payment (STC05)
  above 0.
* finalized_denied: F2 (finalized/denial), F4 (adjudication complete, no payment forthcoming); F0/F3 without one.
* rejected: A3, A6, A7, A8 (returned or rejected by the payer's front end); E0, E3, E4 (our inquiry is in error:
  correct it and ask again).
* not_found: A4 (not found), D0 (data search unsuccessful).
* pending: P0-P5 (pending), R0-R5 (requests for more information), A0, A1, A2, A5 (forwarded, received, accepted,
  split), E1, E2 (the payer's system cannot answer now: ask again later).
* unknown: no category we know.

X212 requires STC05 on a claim's status; a payer that leaves it out has told us of no payment, so F0/F3 without
STC05 counts as finalized_denied.

The payer's side, for the payer simulator. `read_276` reads every claim a 276 asks about, as strictly (one
`ClaimStatusInquiry` per 2200D/2200E: payer, receiver, provider, subscriber with member id and DMG, dependent,
TRN*1 trace, REF*1K/BLT/EJ/..., AMT*T3, DTP*472, service lines). `write_277` answers a
`ClaimStatusResponseBatch` of `ClaimStatusReply`s (constructors for the usual answers: `paid` F1:65 with the
payment elements, `denied` F2, `pending` P1:20, `not_found` A4:35): TRN*2 echoing the trace, one STC with
STC04/STC05 as X212 requires, REF*1K, REF*BLT, REF*EJ and DTP*472 as asked; `read_277` reads it back to the
same state.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from enum import StrEnum

from server.x12.ack277ca import CATEGORY_TEXTS, Party, Status, StatusInfo, status_info
from server.x12.claim837 import PayerName, Person
from server.x12.hierarchy import HierarchyReader
from server.x12.reader import (
    Envelope,
    Segment,
    SegmentCursor,
    TransactionSet,
    optional_cents,
    parse_cents,
    parse_date,
    parse_date_period,
    transactions_of,
)
from server.x12.segments import clean, composite, money, x12_date, x12_time
from server.x12.writer_base import Envelope as OutgoingEnvelope
from server.x12.writer_base import SegmentList, code, identifier, npi, pattern, required, required_date

IMPLEMENTATION_GUIDE = "005010X212"
IMPLEMENTATION_GUIDES = frozenset({IMPLEMENTATION_GUIDE})
MAX_TRACE = 50  # TRN02
# CLM01 as the 837P writer sends it (server.x12.writer837p.MAX_CONTROL_NUMBER).
MAX_PATIENT_CONTROL_NUMBER = 20


class ClaimState(StrEnum):
    PENDING = "pending"
    FINALIZED_PAID = "finalized_paid"
    FINALIZED_DENIED = "finalized_denied"
    NOT_FOUND = "not_found"
    REJECTED = "rejected"
    UNKNOWN = "unknown"


FINALIZED_CATEGORIES = frozenset({"F0", "F1", "F2", "F3", "F4"})
REJECTED_CATEGORIES = frozenset({"A3", "A6", "A7", "A8", "E0", "E3", "E4"})
NOT_FOUND_CATEGORIES = frozenset({"A4", "D0"})
PENDING_CATEGORIES = frozenset({"P0", "P1", "P2", "P3", "P4", "P5", "R0", "R1", "R2", "R3", "R4", "R5",
                                "A0", "A1", "A2", "A5", "E1", "E2"})
# R categories are not in the 277CA's table (a 277CA never sends them).
_REQUEST_TEXTS = {
    "R0": "Requests for additional information/General requests",
    "R1": "Requests for additional information/Entity requests",
    "R3": "Requests for additional information/Claim/line",
    "R4": "Requests for additional information/Documentation",
    "R5": "Request for more specific detail",
}
CLAIM_STATUS_CATEGORY_TEXTS = {**CATEGORY_TEXTS, **_REQUEST_TEXTS}
PAYMENT_METHODS = {"ACH": "automated clearing house", "BOP": "financial institution option", "CHK": "check",
                   "FWT": "federal reserve funds/wire transfer", "NON": "non-payment data"}


# ---------------------------------------------------------------------------------------------------------------
# 276 input


@dataclass(frozen=True)
class InformationReceiver:
    """2100B: who asks (the practice's submitter) with the id the clearinghouse or payer knows it by (ETIN)."""

    name: str
    identifier: str


@dataclass(frozen=True)
class ServiceProvider:
    """2100C: the billing provider of the claims (organization and NPI)."""

    organization_name: str
    npi: str


@dataclass(frozen=True)
class ClaimInquiry:
    """One claim we sent long ago without an answer."""

    # Our trace for the question (TRN02), echoed in the 277's TRN*2.
    trace_number: str
    subscriber: Person
    member_id: str
    # CLM01 of the 837P (REF*EJ).
    patient_control_number: str
    total_charge_cents: int
    service_from: date
    service_to: date | None = None
    # The patient when not the subscriber: name, birth date and sex.
    dependent: Person | None = None
    # REF*1K, the payer's claim control number from a 277CA, when we have one.
    payer_claim_number: str = ""


@dataclass(frozen=True)
class ClaimStatusBatch:
    envelope: OutgoingEnvelope
    payer: PayerName
    receiver: InformationReceiver
    provider: ServiceProvider
    claims: tuple[ClaimInquiry, ...]
    # BHT03; the transaction control number when empty.
    reference: str = ""


def write_276(request: ClaimStatusBatch) -> str:
    """The inquiries as 005010X212 text (segments end with `~` and a newline); `ValueError` names a bad field."""
    return _Writer276(request).write()


class _Writer276:
    def __init__(self, batch: ClaimStatusBatch) -> None:
        self.batch = batch
        self.out = SegmentList()
        self.hl = 0

    def _hl(self, parent: int | None, level: str, children: bool | None) -> int:
        """HL04 is 1 or 0 on levels 20-22; the dependent level (23) sends none."""
        self.hl += 1
        child_code = "" if children is None else ("1" if children else "0")
        self.out.add("HL", str(self.hl), str(parent) if parent else "", level, child_code)
        return self.hl

    def write(self) -> str:
        b = self.batch
        if not b.claims:
            raise ValueError("claims: a batch needs at least one claim")
        self.out.open(b.envelope, "HR", "276", IMPLEMENTATION_GUIDE)
        created = b.envelope.created_at
        reference = (identifier(b.reference, "reference", 50) if b.reference
                     else str(b.envelope.transaction_control_number))
        self.out.add("BHT", "0010", "13", reference, x12_date(created), x12_time(created))
        source = self._hl(None, "20", True)
        self.out.add("NM1", "PR", "2", required(b.payer.name, "payer.name", 60), "", "", "", "", "PI",
                     identifier(b.payer.payer_id, "payer.payer_id", 80, 2))
        receiver = self._hl(source, "21", True)
        self.out.add("NM1", "41", "2", required(b.receiver.name, "receiver.name", 60), "", "", "", "", "46",
                     identifier(b.receiver.identifier, "receiver.identifier", 80, 2))
        provider = self._hl(receiver, "19", True)
        self.out.add("NM1", "1P", "2", required(b.provider.organization_name, "provider.organization_name", 60),
                     "", "", "", "", "XX", npi(b.provider.npi, "provider.npi"))
        seen: set[str] = set()
        for index, claim in enumerate(b.claims):
            field = f"claims[{index}]"
            trace = identifier(claim.trace_number, f"{field}.trace_number", MAX_TRACE)
            if trace in seen:
                raise ValueError(f"{field}.trace_number: {claim.trace_number!r} is used by an earlier claim")
            seen.add(trace)
            self._claim(claim, field, provider, trace)
        return self.out.close()

    def _demographics(self, person: Person, field: str) -> None:
        birth = required_date(person.birth_date, f"{field}.birth_date")
        sex = code(person.sex or "U", f"{field}.sex", {"M", "F", "U"})
        self.out.add("DMG", "D8", birth, sex)

    def _claim(self, claim: ClaimInquiry, field: str, parent: int, trace: str) -> None:
        dependent = claim.dependent
        subscriber_hl = self._hl(parent, "22", dependent is not None)
        s = claim.subscriber
        if dependent is None:
            self._demographics(s, f"{field}.subscriber")
        self.out.add("NM1", "IL", "1", required(s.last, f"{field}.subscriber.last", 60),
                     required(s.first, f"{field}.subscriber.first", 35), clean(s.middle, 25), "",
                     clean(s.suffix, 10), "MI", identifier(claim.member_id, f"{field}.member_id", 80, 2))
        if dependent is not None:
            self._hl(subscriber_hl, "23", None)
            self._demographics(dependent, f"{field}.dependent")
            self.out.add("NM1", "QC", "1", required(dependent.last, f"{field}.dependent.last", 60),
                         required(dependent.first, f"{field}.dependent.first", 35), clean(dependent.middle, 25), "",
                         clean(dependent.suffix, 10))
        self.out.add("TRN", "1", trace)
        if claim.payer_claim_number:
            self.out.add("REF", "1K", identifier(claim.payer_claim_number, f"{field}.payer_claim_number", 50))
        self.out.add("REF", "EJ", identifier(claim.patient_control_number, f"{field}.patient_control_number",
                                             MAX_PATIENT_CONTROL_NUMBER))
        if claim.total_charge_cents < 0:
            raise ValueError(f"{field}.total_charge_cents: {claim.total_charge_cents} must not be negative")
        self.out.add("AMT", "T3", money(claim.total_charge_cents))
        start = required_date(claim.service_from, f"{field}.service_from")
        if claim.service_to is None or claim.service_to == claim.service_from:
            self.out.add("DTP", "472", "D8", start)
        else:
            if claim.service_to < claim.service_from:
                raise ValueError(f"{field}.service_to: {claim.service_to} is before service_from "
                                 f"{claim.service_from}")
            self.out.add("DTP", "472", "RD8", f"{start}-{x12_date(claim.service_to)}")


# ---------------------------------------------------------------------------------------------------------------
# 277 values


@dataclass(frozen=True)
class ClaimStatusInfo:
    """One X212 STC: the 277CA's `StatusInfo` (statuses, date, charge, text) plus the payment elements."""

    info: StatusInfo
    paid_cents: int | None  # STC05, claim (or line) payment amount
    adjudication_date: date | None  # STC06, adjudication or payment date
    payment_method: str  # STC07: ACH, BOP, CHK, FWT, NON
    payment_date: date | None  # STC08, check issue or EFT effective date
    check_number: str  # STC09, check or EFT trace number

    @property
    def statuses(self) -> tuple[Status, ...]:
        return self.info.statuses

    @property
    def status_date(self) -> date | None:
        """STC02, the status information effective date."""
        return self.info.date

    @property
    def charge_cents(self) -> int | None:
        return self.info.amount_cents

    @property
    def message(self) -> str:
        parts = []
        for status in self.statuses:
            text = status.message
            if status.category in _REQUEST_TEXTS:
                text = text.replace(f"code {status.category}", _REQUEST_TEXTS[status.category], 1)
            parts.append(text)
        text = "; ".join(parts)
        return f"{text} ({self.info.free_text})" if self.info.free_text else text


def _state(statuses: tuple[ClaimStatusInfo, ...]) -> ClaimState:
    categories = {s.category for info in statuses for s in info.statuses}
    paid = next((info.paid_cents for info in statuses if info.paid_cents is not None), None)
    if "F1" in categories or (categories & {"F0", "F3"} and paid is not None and paid > 0):
        return ClaimState.FINALIZED_PAID
    if categories & FINALIZED_CATEGORIES:
        return ClaimState.FINALIZED_DENIED
    if categories & REJECTED_CATEGORIES:
        return ClaimState.REJECTED
    if categories & NOT_FOUND_CATEGORIES:
        return ClaimState.NOT_FOUND
    if categories & PENDING_CATEGORIES:
        return ClaimState.PENDING
    return ClaimState.UNKNOWN


@dataclass(frozen=True)
class ServiceLineStatus:
    """2220D/2220E: one service line's status."""

    procedure: tuple[str, ...]  # SVC01 components, e.g. ("HC", "99203")
    charge_cents: int | None  # SVC02
    paid_cents: int | None  # SVC03
    revenue_code: str  # SVC04
    units: str  # SVC07
    statuses: tuple[ClaimStatusInfo, ...]
    line_item_control_number: str  # REF*FJ
    service_dates: tuple[date, date] | None

    @property
    def state(self) -> ClaimState:
        return _state(self.statuses)


@dataclass(frozen=True)
class ClaimStatusAnswer:
    """One claim's status (or a receiver/provider level's, see `level`)."""

    envelope: Envelope
    reference: str  # BHT03
    level: str  # "claim", "provider" or "receiver"
    trace_number: str  # TRN02: our 276 trace (TRN*2), or the level's own
    payer: Party
    receiver: Party
    provider: Party | None
    subscriber: Party | None
    dependent: Party | None
    statuses: tuple[ClaimStatusInfo, ...]
    payer_claim_number: str  # REF*1K
    patient_control_number: str  # REF*EJ, our CLM01
    bill_type: str  # REF*BLT
    clearinghouse_trace_number: str  # REF*D9
    prescription_number: str  # REF*XZ
    service_dates: tuple[date, date] | None  # DTP*472
    lines: tuple[ServiceLineStatus, ...]

    @property
    def patient(self) -> Party | None:
        return self.dependent or self.subscriber

    @property
    def member_id(self) -> str:
        return self.subscriber.id if self.subscriber else ""

    @property
    def categories(self) -> tuple[str, ...]:
        return tuple(s.category for info in self.statuses for s in info.statuses)

    @property
    def state(self) -> ClaimState:
        return _state(self.statuses)

    @property
    def total_charge_cents(self) -> int | None:
        """STC04 of the first STC that gives one."""
        return next((i.charge_cents for i in self.statuses if i.charge_cents is not None), None)

    @property
    def paid_cents(self) -> int | None:
        """STC05 of the first STC that gives one."""
        return next((i.paid_cents for i in self.statuses if i.paid_cents is not None), None)

    @property
    def adjudication_date(self) -> date | None:
        """STC06 of the first STC that gives one."""
        return next((i.adjudication_date for i in self.statuses if i.adjudication_date is not None), None)

    @property
    def status_date(self) -> date | None:
        return next((i.status_date for i in self.statuses if i.status_date is not None), None)

    @property
    def check_number(self) -> str:
        return next((i.check_number for i in self.statuses if i.check_number), "")

    @property
    def message(self) -> str:
        return " | ".join(info.message for info in self.statuses)

    @property
    def summary(self) -> str:
        """One line for the biller: the state, the money and dates, the payer's claim number, the status texts."""
        state = self.state
        head = {
            ClaimState.FINALIZED_PAID: "Paid", ClaimState.FINALIZED_DENIED: "Finalized without payment",
            ClaimState.REJECTED: "Rejected", ClaimState.NOT_FOUND: "Not found", ClaimState.PENDING: "Pending",
            ClaimState.UNKNOWN: "Status unknown",
        }[state]
        details = []
        if self.paid_cents is not None and state is ClaimState.FINALIZED_PAID:
            details.append(f"${self.paid_cents / 100:,.2f}")
            if self.total_charge_cents is not None:
                details[-1] += f" of ${self.total_charge_cents / 100:,.2f}"
        when = self.adjudication_date or self.status_date
        if when is not None:
            details.append(f"on {when.isoformat()}")
        if self.check_number:
            details.append(f"check/EFT {self.check_number}")
        if self.payer_claim_number:
            details.append(f"payer claim {self.payer_claim_number}")
        text = " ".join([head, *details])
        return f"{text}: {self.message}" if self.statuses else text


def read_277(data: bytes | str) -> tuple[ClaimStatusAnswer, ...]:
    """Every claim status in a 277 (X212) file; `X12ReadError` names the first malformed segment."""
    answers: list[ClaimStatusAnswer] = []
    for envelope, transaction in transactions_of(data, functional_id="HN", set_id="277",
                                                 guides=IMPLEMENTATION_GUIDES, name="277 claim status response"):
        answers.extend(_Reader277(envelope, transaction).read())
    return tuple(answers)


# ---------------------------------------------------------------------------------------------------------------
# 277 reading


def _claim_status_info(stc: Segment) -> ClaimStatusInfo:
    info = status_info(stc)
    return ClaimStatusInfo(info, optional_cents(stc, 5), parse_date(stc, 6) if stc.element(6) else None,
                           stc.element(7), parse_date(stc, 8) if stc.element(8) else None, stc.element(9))


@dataclass(frozen=True)
class _Context:
    payer: Party
    receiver: Party
    provider: Party | None = None
    subscriber: Party | None = None
    dependent: Party | None = None


class _Reader277:
    def __init__(self, envelope: Envelope, transaction: TransactionSet) -> None:
        self.envelope = envelope
        self.cursor = SegmentCursor(transaction, "277")
        self.levels = HierarchyReader(self.cursor, "20 > 21 > 19 > 22 > 23")
        self.reference = ""
        self.answers: list[ClaimStatusAnswer] = []

    def read(self) -> list[ClaimStatusAnswer]:
        bht = self.cursor.expect("BHT", "the beginning of hierarchical transaction")
        if bht.element(1) != "0010":
            raise bht.error(f"BHT01 must be 0010 (information source, receiver, provider, subscriber, dependent), "
                            f"got {bht.element(1)!r}")
        self.reference = bht.element(3)
        if not self.levels.at_level("20"):
            raise self.cursor.unexpected("the information source level (HL*...*20)")
        while self.levels.at_level("20"):
            hl_id = self.levels.hl("20", None)
            payer = self.levels.party("the payer name (2100A NM1)", ("PR", "AY"))
            self.cursor.take_all("PER")
            while self.levels.at_level("21"):
                self._receiver(hl_id, payer)
        self.levels.finish()
        return self.answers

    def _level_status(self, level: str, context: _Context) -> None:
        """TRN and STC a receiver or provider level may carry (an answer about the level, not a claim)."""
        trn = self.cursor.take("TRN")
        statuses = tuple(_claim_status_info(stc) for stc in self.cursor.take_all("STC"))
        if trn is None and not statuses:
            return
        if trn is None:
            raise self.cursor.unexpected("TRN before the STC of this level")
        if not statuses:
            raise self.cursor.unexpected(f"STC after the {level} level's TRN")
        self.answers.append(ClaimStatusAnswer(
            self.envelope, self.reference, level, trn.required(2, "trace number"), context.payer, context.receiver,
            context.provider, None, None, statuses, "", "", "", "", "", None, ()))

    def _receiver(self, parent: str, payer: Party) -> None:
        hl_id = self.levels.hl("21", parent)
        context = _Context(payer, self.levels.party("the information receiver name (2100B NM1)", ("41",)))
        self._level_status("receiver", context)
        while self.levels.at_level("19"):
            self._provider(hl_id, context)

    def _provider(self, parent: str, context: _Context) -> None:
        hl_id = self.levels.hl("19", parent)
        context = _Context(context.payer, context.receiver,
                           self.levels.party("the service provider name (2100C NM1)", ("1P",)))
        self._level_status("provider", context)
        while self.levels.at_level("22"):
            self._subscriber(hl_id, context)

    def _subscriber(self, parent: str, context: _Context) -> None:
        hl_id = self.levels.hl("22", parent)
        subscriber = self.levels.party("the subscriber name (2100D NM1)", ("IL",))
        context = _Context(context.payer, context.receiver, context.provider, subscriber)
        while self.cursor.at("TRN"):
            self._claim(context)
        while self.levels.at_level("23"):
            self.levels.hl("23", hl_id)
            dependent = self.levels.party("the dependent name (2100E NM1)", ("QC",))
            dependent_context = _Context(context.payer, context.receiver, context.provider, subscriber, dependent)
            if not self.cursor.at("TRN"):
                raise self.cursor.unexpected("the claim status tracking number (TRN) of the dependent's claim")
            while self.cursor.at("TRN"):
                self._claim(dependent_context)

    def _statuses(self) -> tuple[ClaimStatusInfo, ...]:
        if not self.cursor.at("STC"):
            raise self.cursor.unexpected("a claim status (STC)")
        return tuple(_claim_status_info(stc) for stc in self.cursor.take_all("STC"))

    def _refs(self, allowed: frozenset[str], where: str) -> dict[str, str]:
        refs: dict[str, str] = {}
        for ref in self.cursor.take_all("REF"):
            qualifier = ref.required(1, "reference qualifier")
            if qualifier not in allowed or qualifier in refs:
                raise ref.error(f"REF01 {qualifier!r} is not expected in {where} "
                                f"(at most one each of {', '.join(sorted(allowed))})")
            refs[qualifier] = ref.required(2, "reference")
        return refs

    def _service_dates(self) -> tuple[date, date] | None:
        dtp = self.cursor.take("DTP")
        if dtp is None:
            return None
        if dtp.element(1) != "472":
            raise dtp.error(f"DTP01 must be 472 (service date), got {dtp.element(1)!r}")
        return parse_date_period(dtp, 2)

    def _claim(self, context: _Context) -> None:
        trn = self.cursor.expect("TRN", "the claim status tracking number", "2")
        trace = trn.required(2, "trace number")
        statuses = self._statuses()
        refs = self._refs(frozenset({"1K", "BLT", "EJ", "XZ", "VV", "D9", "LU", "6P"}), "a claim")
        dates = self._service_dates()
        lines = []
        while self.cursor.at("SVC"):
            lines.append(self._line())
        self.answers.append(ClaimStatusAnswer(
            self.envelope, self.reference, "claim", trace, context.payer, context.receiver, context.provider,
            context.subscriber, context.dependent, statuses, refs.get("1K", ""), refs.get("EJ", ""),
            refs.get("BLT", ""), refs.get("D9", ""), refs.get("XZ", ""), dates, tuple(lines)))

    def _line(self) -> ServiceLineStatus:
        svc = self.cursor.expect("SVC", "the service line information")
        procedure = svc.components(1)
        if len(procedure) < 2 or not procedure[0] or not procedure[1]:
            raise svc.error(f"SVC01 must be a qualifier and a procedure code, got {svc.element(1)!r}")
        statuses = self._statuses()
        refs = self._refs(frozenset({"FJ"}), "a service line")
        dates = self._service_dates()
        return ServiceLineStatus(procedure, optional_cents(svc, 2), optional_cents(svc, 3), svc.element(4),
                                 svc.element(7), statuses, refs.get("FJ", ""), dates)


def category_text(category: str) -> str:
    """The meaning of a claim status category code (code source 507)."""
    return CLAIM_STATUS_CATEGORY_TEXTS.get(category, f"code {category}")



# ---------------------------------------------------------------------------------------------------------------
# 276 reading (the payer's side)


@dataclass(frozen=True)
class InquiredLine:
    """2210D/2210E: a service line the 276 asks about."""

    procedure: tuple[str, ...]  # SVC01 components, e.g. ("HC", "99203")
    charge_cents: int | None  # SVC02
    revenue_code: str  # SVC04
    units: str  # SVC07, as sent
    line_item_control_number: str  # REF*FJ
    service_dates: tuple[date, date] | None  # DTP*472


@dataclass(frozen=True)
class ClaimStatusInquiry:
    """One claim a 276 asks about (2200D, or 2200E for a dependent), as the payer reads it."""

    envelope: Envelope
    reference: str  # BHT03
    payer: Party  # 2100A (NM1*PR, PI payer id)
    receiver: Party  # 2100B (NM1*41, 46 ETIN)
    provider: Party  # 2100C (NM1*1P, XX NPI)
    subscriber: Person  # 2100D name; DMG of 2000D when the subscriber is the patient (sex "U" when not sent)
    member_id: str  # 2100D NM109
    dependent: Person | None  # 2000E DMG and 2100E name
    trace_number: str  # TRN*1 TRN02, echoed in the 277's TRN*2
    references: tuple[tuple[str, str], ...]  # REF qualifier, value: 1K, BLT, EA, EJ, XZ, D9
    total_charge_cents: int | None  # AMT*T3
    service_dates: tuple[date, date] | None  # DTP*472 of the claim (D8: start == end)
    lines: tuple[InquiredLine, ...] = ()

    def reference_of(self, qualifier: str) -> str:
        return next((value for q, value in self.references if q == qualifier), "")

    @property
    def payer_id(self) -> str:
        return self.payer.id

    @property
    def provider_npi(self) -> str:
        return self.provider.id if self.provider.id_qualifier == "XX" else ""

    @property
    def payer_claim_number(self) -> str:
        """REF*1K, the payer's claim control number."""
        return self.reference_of("1K")

    @property
    def patient_control_number(self) -> str:
        """REF*EJ, our CLM01."""
        return self.reference_of("EJ")

    @property
    def bill_type(self) -> str:
        return self.reference_of("BLT")

    @property
    def service_from(self) -> date | None:
        return self.service_dates[0] if self.service_dates else None

    @property
    def service_to(self) -> date | None:
        return self.service_dates[1] if self.service_dates else None

    @property
    def patient(self) -> Person:
        return self.dependent or self.subscriber


def read_276(data: bytes | str) -> tuple[ClaimStatusInquiry, ...]:
    """Every claim a 276 file asks about, in file order; `X12ReadError` names the first malformed segment."""
    inquiries: list[ClaimStatusInquiry] = []
    for envelope, transaction in transactions_of(data, functional_id="HR", set_id="276",
                                                 guides=IMPLEMENTATION_GUIDES, name="276 claim status request"):
        inquiries.extend(_Reader276(envelope, transaction).read())
    return tuple(inquiries)


_CLAIM_REFERENCES_276 = frozenset({"1K", "BLT", "EA", "EJ", "XZ", "D9"})


@dataclass(frozen=True)
class _Asker:
    payer: Party
    receiver: Party
    provider: Party
    subscriber: Person
    member_id: str
    dependent: Person | None = None


class _Reader276:
    def __init__(self, envelope: Envelope, transaction: TransactionSet) -> None:
        self.envelope = envelope
        self.cursor = SegmentCursor(transaction, "276")
        self.levels = HierarchyReader(self.cursor, "20 > 21 > 19 > 22 > 23")
        self.reference = ""
        self.inquiries: list[ClaimStatusInquiry] = []

    def read(self) -> list[ClaimStatusInquiry]:
        bht = self.cursor.expect("BHT", "the beginning of hierarchical transaction")
        if bht.element(1) != "0010":
            raise bht.error(f"BHT01 must be 0010 (information source, receiver, provider, subscriber, dependent), "
                            f"got {bht.element(1)!r}")
        if bht.element(2) != "13":
            raise bht.error(f"BHT02 must be 13 (request), got {bht.element(2)!r}")
        self.reference = bht.required(3, "originator application transaction identifier")
        if not self.levels.at_level("20"):
            raise self.cursor.unexpected("the information source level (HL*...*20)")
        while self.levels.at_level("20"):
            hl_id = self.levels.hl("20", None)
            payer = self.levels.party("the payer name (2100A NM1)", ("PR",))
            self._expect_level("21", "the information receiver level (HL*...*21)")
            while self.levels.at_level("21"):
                self._receiver(hl_id, payer)
        self.levels.finish()
        return self.inquiries

    def _expect_level(self, level: str, what: str) -> None:
        """A level needs at least one level below it."""
        if not self.levels.at_level(level):
            raise self.cursor.unexpected(what)

    def _receiver(self, parent: str, payer: Party) -> None:
        hl_id = self.levels.hl("21", parent)
        receiver = self.levels.party("the information receiver name (2100B NM1)", ("41",))
        self._expect_level("19", "the service provider level (HL*...*19)")
        while self.levels.at_level("19"):
            self._provider(hl_id, payer, receiver)

    def _provider(self, parent: str, payer: Party, receiver: Party) -> None:
        hl_id = self.levels.hl("19", parent)
        provider = self.levels.party("the service provider name (2100C NM1)", ("1P",))
        self._expect_level("22", "the subscriber level (HL*...*22)")
        while self.levels.at_level("22"):
            self._subscriber(hl_id, payer, receiver, provider)

    def _demographics(self) -> tuple[date | None, str]:
        dmg = self.cursor.take("DMG")
        if dmg is None:
            return None, "U"
        if dmg.element(1) != "D8":
            raise dmg.error(f"DMG01 must be D8, got {dmg.element(1)!r}")
        if dmg.element(3) not in ("", "F", "M", "U"):
            raise dmg.error(f"DMG03 must be F, M or U, got {dmg.element(3)!r}")
        return parse_date_period(dmg, 1)[0], dmg.element(3) or "U"

    def _person(self, what: str, entity_code: str, birth_date: date | None, sex: str) -> tuple[Person, Segment]:
        nm1 = self.cursor.expect("NM1", what)
        if nm1.element(1) != entity_code:
            raise nm1.error(f"NM101 is {nm1.element(1)!r}, expected {entity_code} for {what}")
        person = Person(nm1.required(3, "last name"), nm1.element(4), nm1.element(5), nm1.element(7), birth_date,
                        sex)
        return person, nm1

    def _subscriber(self, parent: str, payer: Party, receiver: Party, provider: Party) -> None:
        hl_id = self.levels.hl("22", parent)
        birth_date, sex = self._demographics()
        subscriber, nm1 = self._person("the subscriber name (2100D NM1)", "IL", birth_date, sex)
        if nm1.element(8) not in ("MI", "II"):
            raise nm1.error(f"NM108 must be MI (member id) or II, got {nm1.element(8)!r}")
        asker = _Asker(payer, receiver, provider, subscriber, nm1.required(9, "member identification number"))
        if not self.levels.at_level("23") and not self.cursor.at("TRN"):
            raise self.cursor.unexpected("the claim status tracking number (TRN) of the subscriber's claim")
        while self.cursor.at("TRN"):
            self._claim(asker)
        while self.levels.at_level("23"):
            self.levels.hl("23", hl_id)
            birth_date, sex = self._demographics()
            dependent, _ = self._person("the dependent name (2100E NM1)", "QC", birth_date, sex)
            if not self.cursor.at("TRN"):
                raise self.cursor.unexpected("the claim status tracking number (TRN) of the dependent's claim")
            with_dependent = _Asker(payer, receiver, provider, subscriber, asker.member_id, dependent)
            while self.cursor.at("TRN"):
                self._claim(with_dependent)

    def _service_dates(self) -> tuple[date, date] | None:
        dtp = self.cursor.take("DTP")
        if dtp is None:
            return None
        if dtp.element(1) != "472":
            raise dtp.error(f"DTP01 must be 472 (service date), got {dtp.element(1)!r}")
        return parse_date_period(dtp, 2)

    def _claim(self, asker: _Asker) -> None:
        trn = self.cursor.expect("TRN", "the claim status tracking number", "1")
        trace = trn.required(2, "trace number")
        references: list[tuple[str, str]] = []
        for ref in self.cursor.take_all("REF"):
            qualifier = ref.required(1, "reference qualifier")
            if qualifier not in _CLAIM_REFERENCES_276 or any(q == qualifier for q, _ in references):
                raise ref.error(f"REF01 {qualifier!r} is not expected in a claim "
                                f"(at most one each of {', '.join(sorted(_CLAIM_REFERENCES_276))})")
            references.append((qualifier, ref.required(2, "reference")))
        amount = self.cursor.take("AMT")
        if amount is not None and amount.element(1) != "T3":
            raise amount.error(f"AMT01 must be T3 (total submitted charges), got {amount.element(1)!r}")
        charge = parse_cents(amount, 2) if amount is not None else None
        dates = self._service_dates()
        lines = []
        while self.cursor.at("SVC"):
            lines.append(self._line())
        a = asker
        self.inquiries.append(ClaimStatusInquiry(
            self.envelope, self.reference, a.payer, a.receiver, a.provider, a.subscriber, a.member_id, a.dependent,
            trace, tuple(references), charge, dates, tuple(lines)))

    def _line(self) -> InquiredLine:
        svc = self.cursor.expect("SVC", "the service line information")
        procedure = svc.components(1)
        if len(procedure) < 2 or not procedure[0] or not procedure[1]:
            raise svc.error(f"SVC01 must be a qualifier and a procedure code, got {svc.element(1)!r}")
        control = ""
        if (ref := self.cursor.take("REF")) is not None:
            if ref.element(1) != "FJ":
                raise ref.error(f"REF01 must be FJ (line item control number), got {ref.element(1)!r}")
            control = ref.required(2, "line item control number")
        return InquiredLine(procedure, optional_cents(svc, 2), svc.element(4), svc.element(7), control,
                            self._service_dates())


# ---------------------------------------------------------------------------------------------------------------
# 277 writing (the payer's side)

_CATEGORY = re.compile(r"[A-Z][0-9A-Z]")
_STATUS_CODE = re.compile(r"[0-9A-Z]{1,30}")
_ENTITY = re.compile(r"[0-9A-Z]{2,3}")
MAX_STATUSES = 3  # STC01, STC10, STC11


@dataclass(frozen=True)
class ReplyStatus:
    """One status composite to send: category (code source 507), status code (508), entity (98)."""

    category: str
    code: str
    entity: str = ""


@dataclass(frozen=True)
class ClaimStatusReply:
    """The payer's answer about one claim: one STC (1-3 statuses) and the payment elements of X212."""

    inquiry: ClaimStatusInquiry
    statuses: tuple[ReplyStatus, ...]
    status_date: date  # STC02
    paid_cents: int | None = None  # STC05; X212 requires it, so None is sent as 0
    adjudication_date: date | None = None  # STC06
    payment_method: str = ""  # STC07: ACH, BOP, CHK, FWT, NON
    payment_date: date | None = None  # STC08, check issue or EFT effective date
    check_number: str = ""  # STC09, check or EFT trace number
    payer_claim_number: str = ""  # REF*1K; "" echoes the inquiry's (none when it sent none)
    charge_cents: int | None = None  # STC04; None: the inquiry's AMT*T3 (or the sum of its line charges)

    @classmethod
    def paid(cls, inquiry: ClaimStatusInquiry, paid_cents: int, adjudicated_on: date, *, payment_method: str = "ACH",
             payment_date: date | None = None, check_number: str = "", payer_claim_number: str = "",
             status_code: str = "65") -> ClaimStatusReply:
        """F1:65, finalized/payment, claim has been paid."""
        return cls(inquiry, (ReplyStatus("F1", status_code),), adjudicated_on, paid_cents, adjudicated_on,
                   payment_method, payment_date, check_number, payer_claim_number)

    @classmethod
    def denied(cls, inquiry: ClaimStatusInquiry, adjudicated_on: date, status_code: str = "1", entity: str = "",
               payer_claim_number: str = "") -> ClaimStatusReply:
        """F2, finalized/denial (status 1 by default: see the remittance advice)."""
        return cls(inquiry, (ReplyStatus("F2", status_code, entity),), adjudicated_on, 0, adjudicated_on,
                   payer_claim_number=payer_claim_number)

    @classmethod
    def pending(cls, inquiry: ClaimStatusInquiry, as_of: date, category: str = "P1", status_code: str = "20",
                payer_claim_number: str = "") -> ClaimStatusReply:
        """P1:20, pending/in process, accepted for processing."""
        return cls(inquiry, (ReplyStatus(category, status_code),), as_of, payer_claim_number=payer_claim_number)

    @classmethod
    def not_found(cls, inquiry: ClaimStatusInquiry, as_of: date) -> ClaimStatusReply:
        """A4:35, not found, claim/encounter not found."""
        return cls(inquiry, (ReplyStatus("A4", "35"),), as_of)


@dataclass(frozen=True)
class ClaimStatusResponseBatch:
    envelope: OutgoingEnvelope  # the payer writes, the practice (or its clearinghouse) receives
    replies: tuple[ClaimStatusReply, ...]
    # BHT03; when empty the inquiries' BHT03 if they all share one, else the transaction control number.
    reference: str = ""


def write_277(response: ClaimStatusResponseBatch) -> str:
    """The answers as one 005010X212 277 (segments end with `~` and a newline); `ValueError` names a bad field
    (`replies[0].statuses[1].category: ...`).

    Levels echo the inquiries' payer, receiver, provider, subscriber and dependent; replies that share them share
    the levels, so claims come grouped (payer, receiver, provider, subscriber, the subscriber's own claims before
    its dependents'), each group in the order it first appears. Each claim (2200D/2200E): TRN*2 echoing the
    inquiry's trace, one STC, REF*1K, REF*BLT and REF*EJ when known, DTP*472 as asked. Service lines are not
    answered one by one."""
    return _Writer277(response).write()


def _status_composite(status: ReplyStatus, field: str) -> str:
    category = pattern(status.category, f"{field}.category", _CATEGORY, "a claim status category code")
    status_code = pattern(status.code, f"{field}.code", _STATUS_CODE, "a claim status code")
    entity = pattern(status.entity, f"{field}.entity", _ENTITY, "an entity identifier code") if status.entity else ""
    return composite(category, status_code, entity)


def _period(dates: tuple[date, date]) -> tuple[str, str]:
    start, end = dates
    if end == start:
        return "D8", x12_date(start)
    return "RD8", f"{x12_date(start)}-{x12_date(end)}"


_Name = tuple[str, str, str, str]  # NM103, NM104, NM105, NM107
_Claims = dict[_Name | None, list[tuple[int, ClaimStatusReply]]]


def _name(person: Person) -> _Name:
    """A person as the 277 names them (no birth date): replies about the same person share a level."""
    return clean(person.last, 60), clean(person.first, 35), clean(person.middle, 25), clean(person.suffix, 10)


class _Writer277:
    def __init__(self, batch: ClaimStatusResponseBatch) -> None:
        self.batch = batch
        self.out = SegmentList()
        self.hl = 0

    def _hl(self, parent: int | None, level: str, children: bool | None) -> int:
        self.hl += 1
        child_code = "" if children is None else ("1" if children else "0")
        self.out.add("HL", str(self.hl), str(parent) if parent else "", level, child_code)
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
        self.out.open(b.envelope, "HN", "277", IMPLEMENTATION_GUIDE)
        created = b.envelope.created_at
        self.out.add("BHT", "0010", "08", reference, x12_date(created), x12_time(created), "DG")
        tree: dict[Party, dict[Party, dict[Party, dict[tuple[_Name, str], _Claims]]]] = {}
        for index, reply in enumerate(b.replies):
            q = reply.inquiry
            # What is echoed must survive unchanged (ids), or the practice could not match its own values.
            for name, value in (("payer.id", q.payer.id), ("receiver.id", q.receiver.id),
                                ("provider.id", q.provider.id), ("member_id", q.member_id)):
                identifier(value, f"replies[{index}].inquiry.{name}", 80)
            patients = (tree.setdefault(q.payer, {}).setdefault(q.receiver, {}).setdefault(q.provider, {})
                        .setdefault((_name(q.subscriber), clean(q.member_id, 80)), {}))
            patients.setdefault(_name(q.dependent) if q.dependent else None, []).append((index, reply))
        for payer, receivers in tree.items():
            source = self._hl(None, "20", True)
            self._party(payer, "PR")
            for receiver, providers in receivers.items():
                receiver_hl = self._hl(source, "21", True)
                self._party(receiver, "41")
                for provider, subscribers in providers.items():
                    provider_hl = self._hl(receiver_hl, "19", True)
                    self._party(provider, "1P")
                    for (subscriber, member_id), claims in subscribers.items():
                        self._subscriber(provider_hl, subscriber, member_id, claims)
        return self.out.close()

    def _party(self, party: Party, entity_code: str) -> None:
        first = clean(party.first_name, 35)
        self.out.add("NM1", entity_code, "1" if first else "2", clean(party.name, 60), first,
                     clean(party.middle_name, 25), "", "", clean(party.id_qualifier, 2), clean(party.id, 80))

    def _subscriber(self, parent: int, subscriber: _Name, member_id: str, claims: _Claims) -> None:
        dependents = [d for d in claims if d is not None]
        subscriber_hl = self._hl(parent, "22", bool(dependents))
        last, first, middle, suffix = subscriber
        self.out.add("NM1", "IL", "1", last, first, middle, "", suffix, "MI", member_id)
        for index, reply in claims.get(None, []):
            self._claim(reply, f"replies[{index}]")
        for dependent in dependents:
            self._hl(subscriber_hl, "23", None)
            last, first, middle, suffix = dependent
            self.out.add("NM1", "QC", "1", last, first, middle, "", suffix)
            for index, reply in claims[dependent]:
                self._claim(reply, f"replies[{index}]")

    def _claim(self, reply: ClaimStatusReply, field: str) -> None:
        q = reply.inquiry
        if not 1 <= len(reply.statuses) <= MAX_STATUSES:
            raise ValueError(f"{field}.statuses: {len(reply.statuses)} statuses, need 1-{MAX_STATUSES}")
        composites = [_status_composite(s, f"{field}.statuses[{i}]") for i, s in enumerate(reply.statuses)]
        charge = reply.charge_cents if reply.charge_cents is not None else q.total_charge_cents
        if charge is None and q.lines and all(line.charge_cents is not None for line in q.lines):
            charge = sum(line.charge_cents or 0 for line in q.lines)
        if charge is None:
            raise ValueError(f"{field}.charge_cents: required when the inquiry sent no total charge (AMT*T3) nor "
                             "line charges")
        for name, cents in (("charge_cents", charge), ("paid_cents", reply.paid_cents or 0)):
            if cents < 0:
                raise ValueError(f"{field}.{name}: {cents} must not be negative")
        method = code(reply.payment_method, f"{field}.payment_method", PAYMENT_METHODS) if reply.payment_method \
            else ""
        if not method and (reply.payment_date is not None or reply.check_number):
            raise ValueError(f"{field}.payment_method: required with a payment date or check/EFT number")
        if reply.adjudication_date is not None and reply.payment_date is not None \
                and reply.payment_date < reply.adjudication_date:
            raise ValueError(f"{field}.payment_date: {reply.payment_date} is before the adjudication date "
                             f"{reply.adjudication_date}")
        rest = [*composites[1:], "", ""]
        self.out.add("TRN", "2", identifier(q.trace_number, f"{field}.inquiry.trace_number", MAX_TRACE))
        self.out.add("STC", composites[0], x12_date(reply.status_date), "", money(charge),
                     money(reply.paid_cents or 0),
                     x12_date(reply.adjudication_date) if reply.adjudication_date else "", method,
                     x12_date(reply.payment_date) if reply.payment_date else "",
                     identifier(reply.check_number, f"{field}.check_number", 16) if reply.check_number else "",
                     rest[0], rest[1])
        payer_claim_number = reply.payer_claim_number or q.payer_claim_number
        if payer_claim_number:
            self.out.add("REF", "1K", identifier(payer_claim_number, f"{field}.payer_claim_number", 50))
        if q.bill_type:
            self.out.add("REF", "BLT", identifier(q.bill_type, f"{field}.inquiry.bill_type", 50))
        if q.patient_control_number:
            self.out.add("REF", "EJ", identifier(q.patient_control_number, f"{field}.inquiry.patient_control_number",
                                                 50))
        if q.service_dates is not None:
            self.out.add("DTP", "472", *_period(q.service_dates))

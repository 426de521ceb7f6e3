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
"""

from __future__ import annotations

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
    parse_date,
    parse_date_period,
    transactions_of,
)
from server.x12.segments import clean, money, x12_date, x12_time
from server.x12.writer_base import Envelope as OutgoingEnvelope
from server.x12.writer_base import SegmentList, code, identifier, npi, required, required_date

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


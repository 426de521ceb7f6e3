"""The simulator's loop: pick up what the practice delivered, answer as a clearinghouse (999), a payer's front end
(277CA) and, after a delay, the payer's remittance (835); eligibility inquiries (270) are answered at once (271).

It watches the practice's outbox folder (the folder transport's, DATA/clearinghouse/outbox) and answers into its
inbox. A file is taken by moving it into `outbox/received/` (as a clearinghouse removes what it has read); an
interchange it has seen before (sender and ISA13) is dropped as a repeat, as real clearinghouses do. Its own state
(control numbers, pending remittances, members' deductibles met) lives in one JSON file, so it can stop and
resume without answering twice.
"""

from __future__ import annotations

import json
import logging
import os
import zlib
from dataclasses import asdict, dataclass, field
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

from server.payer_sim import read837
from server.payer_sim.adjudicate import (
    ClaimDecision,
    Member,
    SimConfig,
    acknowledge,
    adjudicate,
    reversal_of,
)
from server.x12 import writer277ca as ca
from server.x12 import writer835 as era
from server.x12 import writer999 as fa
from server.x12.claim837 import Address
from server.x12.claim_status import ClaimStatusReply, ClaimStatusResponseBatch, read_276, write_277
from server.x12.eligibility import (
    Copay,
    EligibilityReply,
    EligibilityResponseBatch,
    PlanCoverage,
    Refusal,
    read_270,
    write_271,
)
from server.x12.reader import X12ReadError, read_interchanges
from server.x12.writer_base import Envelope

log = logging.getLogger("pms.payer_sim")
SIM_ID = "PMSSIM"
# The 835's claim filing indicator list has no CI or BL: commercial plans are reported as PPO (12).
FILING_CODES = {"MB": "MB", "MC": "MC", "MA": "MA", "HM": "HM", "CH": "CH", "VA": "VA", "WC": "WC", "16": "16",
                "13": "13", "14": "14", "15": "15", "17": "17"}
PAYER_ADDRESS = Address(line1="1 PAYER WAY", city="COLUMBUS", state="OH", zip="43215")


@dataclass
class State:
    next_control: int = 1
    next_payer_claim: int = 1
    seen: list[str] = field(default_factory=list)
    # Remittances to write: {"due": iso time, "file": received file name, "accepted": [control numbers]}
    pending: list[dict[str, Any]] = field(default_factory=list)
    # member id -> deductible still to meet, in cents (absent: the member's configured amount)
    deductibles: dict[str, int] = field(default_factory=dict)
    paid_claims: int = 0
    # claim control number -> [paid cents, adjudication date], for claim status answers
    adjudicated: dict[str, list[Any]] = field(default_factory=dict)

    @classmethod
    def load(cls, path: Path) -> State:
        return cls(**json.loads(path.read_text())) if path.exists() else cls()

    def save(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        partial = path.with_suffix(".partial")
        partial.write_text(json.dumps(asdict(self), indent=1))
        os.replace(partial, path)


@dataclass
class TickResult:
    received: int = 0
    repeats: int = 0
    rejected_files: int = 0
    claims_accepted: int = 0
    claims_rejected: int = 0
    remittances: int = 0
    eligibility_answers: int = 0
    status_answers: int = 0


class PayerSimulator:
    def __init__(self, outbox: Path, inbox: Path, state_file: Path, config: SimConfig | None = None) -> None:
        self.outbox, self.inbox, self.state_file = outbox, inbox, state_file
        self.config = config or SimConfig()
        self.state = State.load(state_file)

    # -- numbering and output ---------------------------------------------------------------------------------
    def _control(self) -> int:
        n = self.state.next_control
        self.state.next_control = n + 1 if n < 999_999_999 else 1
        return n

    def _envelope(self, receiver: str, now: datetime) -> Envelope:
        n = self._control()
        return Envelope(sender_id=SIM_ID, receiver_id=receiver, created_at=now, interchange_control_number=n,
                        group_control_number=n, transaction_control_number=n, usage="P")

    def _answer(self, name: str, text: str) -> None:
        self.inbox.mkdir(parents=True, exist_ok=True)
        partial = self.inbox / f".{name}.partial"
        partial.write_text(text, encoding="ascii")
        os.replace(partial, self.inbox / name)

    # -- the loop -----------------------------------------------------------------------------------------------
    def tick(self, now: datetime | None = None) -> TickResult:
        now = now or datetime.now(UTC)
        result = TickResult()
        received = self.outbox / "received"
        if self.outbox.is_dir():
            for path in sorted(p for p in self.outbox.iterdir() if p.is_file() and not p.name.startswith(".")):
                received.mkdir(exist_ok=True)
                target = received / path.name
                os.replace(path, target)
                self._receive(target, now, result)
                self.state.save(self.state_file)
        self._remit_due(now, result)
        self.state.save(self.state_file)
        return result

    def _receive(self, path: Path, now: datetime, result: TickResult) -> None:
        content = path.read_bytes()
        try:
            interchanges = read_interchanges(content)
        except X12ReadError as exc:
            # Not even an envelope to answer to: a real clearinghouse sends a TA1; we log it.
            log.warning("%s is not X12: %s", path.name, exc)
            result.rejected_files += 1
            return
        first = interchanges[0]
        key = f"{first.sender}:{first.control_number}"
        if key in self.state.seen:
            log.info("%s repeats interchange %s: dropped", path.name, key)
            result.repeats += 1
            return
        self.state.seen.append(key)
        result.received += 1
        group = first.groups[0]
        if group.functional_id == "HS":
            self._answer_270(content, first.sender, first.control_number, now, result)
            return
        if group.functional_id == "HR":
            self._answer_276(content, first.sender, first.control_number, now, result)
            return
        st02 = group.transactions[0].control_number
        try:
            batches = read837.read_837p(content)
        except X12ReadError as exc:
            self._answer(f"999-{first.control_number}.x12", fa.write_999(fa.Ack999(
                envelope=self._envelope(first.sender, now), group_control_number=int(group.control_number),
                sets=(fa.SetAcknowledgment(control_number=st02, code="R", error_codes=("5",),
                                           errors=(fa.SegmentError(segment_id=exc.segment_id or "ST",
                                                                   segment_position=max(1, exc.ordinal - 2),
                                                                   code="8" if exc.segment_id else "3",
                                                                   elements=(fa.ElementError(1, "7"),)
                                                                   if exc.segment_id else ()),)),),
            )))
            result.rejected_files += 1
            return
        self._answer(f"999-{first.control_number}.x12", fa.write_999(fa.Ack999(
            envelope=self._envelope(first.sender, now), group_control_number=int(group.control_number),
            sets=tuple(fa.SetAcknowledgment(control_number=b.envelope.transaction_control_number, code="A")
                       for b in batches))))
        today = now.date()
        for batch in batches:
            statuses, accepted = [], []
            for claim in batch.claims:
                number = f"SIM{self.state.next_payer_claim:010d}"
                self.state.next_payer_claim += 1
                ack = acknowledge(claim, self.config, today, number)
                if ack.accepted:
                    result.claims_accepted += 1
                    accepted.append([claim.control_number, number])
                else:
                    result.claims_rejected += 1
                category, code, *entity = ack.status.split(":")
                first_day = min((li.service_date for li in claim.lines if li.service_date), default=today)
                statuses.append(ca.ClaimStatus(
                    patient=ca.Patient(last=claim.patient_last or claim.subscriber_last,
                                       first=claim.patient_first or claim.subscriber_first,
                                       member_id=claim.member_id),
                    control_number=claim.control_number, total_charge_cents=claim.total_charge_cents,
                    statuses=(ca.Status(category, code, entity[0] if entity else ""),), service_from=first_day,
                    payer_claim_number=number if ack.accepted else "", free_text=ack.reason.upper()[:264]))
            self._answer(f"277CA-{first.control_number}-{batch.envelope.transaction_control_number}.x12",
                         ca.write_277ca(ca.ClaimAcknowledgment(
                             envelope=self._envelope(first.sender, now), reference=f"SIM{first.control_number}",
                             source=ca.InformationSource(name="PMS PAYER SIMULATOR", identifier=SIM_ID),
                             source_trace=first.control_number, receiver_name="SUBMITTER",
                             receiver_etin=first.sender, receiver_trace=first.control_number, received_on=today,
                             processed_on=today, providers=(ca.ProviderStatus(
                                 name=batch.billing_name or "BILLING PROVIDER", npi=batch.billing_npi,
                                 claims=tuple(statuses)),))))
            if accepted:
                due = now + timedelta(seconds=self.config.remit_delay_seconds)
                self.state.pending.append({"due": due.isoformat(), "file": path.name, "accepted": accepted,
                                           "submitter": first.sender, "npi": batch.billing_npi,
                                           "billing_name": batch.billing_name})

    def _answer_270(self, content: bytes, sender: str, control: str, now: datetime, result: TickResult) -> None:
        """Eligibility from the member list: coverage with the plan's figures, or AAA 75 (not found) when unknown
        members are refused."""
        try:
            inquiries = read_270(content)
        except X12ReadError as exc:
            log.warning("270 %s refused: %s", control, exc)
            result.rejected_files += 1
            return
        replies = []
        for inquiry in inquiries:
            known = inquiry.member_id in self.config.members
            if not known and self.config.reject_unknown_members:
                replies.append(EligibilityReply(inquiry, refusals=(Refusal("75", "C"),)))
                continue
            member = self._member(inquiry.member_id)
            base = self.config.members.get(inquiry.member_id, self.config.default_member)
            replies.append(EligibilityReply(inquiry, coverage=PlanCoverage(
                active=member.active, plan_name=member.plan, plan_begin=date(now.year, 1, 1),
                plan_end=None if member.active else now.date() - timedelta(days=1),
                copays=(Copay("98", member.copay_cents),) if member.copay_cents else (),
                coinsurance_bp=member.coinsurance_percent * 100,
                deductible_cents=base.deductible_remaining_cents,
                deductible_remaining_cents=member.deductible_remaining_cents)))
            result.eligibility_answers += 1
        self._answer(f"271-{control}.x12", write_271(EligibilityResponseBatch(
            envelope=self._envelope(sender, now), replies=tuple(replies))))

    def _answer_276(self, content: bytes, sender: str, control: str, now: datetime, result: TickResult) -> None:
        """Claim status from what the simulator did: paid or denied (with the amount and date), pending while its
        remittance waits, not found for a claim it never accepted."""
        try:
            inquiries = read_276(content)
        except X12ReadError as exc:
            log.warning("276 %s refused: %s", control, exc)
            result.rejected_files += 1
            return
        pending = {number for item in self.state.pending for number, _ in item["accepted"]}
        replies = []
        for inquiry in inquiries:
            pcn = dict(inquiry.references).get("EJ", "")
            done = self.state.adjudicated.get(pcn)
            if done is not None:
                paid, day = done[0], date.fromisoformat(done[1])
                replies.append(ClaimStatusReply.paid(inquiry, paid, day, payment_method="CHK") if paid > 0
                               else ClaimStatusReply.denied(inquiry, day))
            elif pcn in pending:
                replies.append(ClaimStatusReply.pending(inquiry, now.date()))
            else:
                replies.append(ClaimStatusReply.not_found(inquiry, now.date()))
            result.status_answers += 1
        self._answer(f"277-{control}.x12", write_277(ClaimStatusResponseBatch(
            envelope=self._envelope(sender, now), replies=tuple(replies))))

    def _member(self, member_id: str) -> Member:
        base = self.config.members.get(member_id, self.config.default_member)
        remaining = self.state.deductibles.get(member_id, base.deductible_remaining_cents)
        return Member(base.active, base.plan, remaining, base.coinsurance_percent, base.copay_cents)

    def _remit_due(self, now: datetime, result: TickResult) -> None:
        due = [p for p in self.state.pending if datetime.fromisoformat(p["due"]) <= now]
        for item in due:
            self.state.pending.remove(item)
            received = read837.read_837p((self.outbox / "received" / item["file"]).read_bytes())
            numbers = dict(item["accepted"])
            decisions: list[ClaimDecision] = []
            for batch in received:
                for claim in batch.claims:
                    if claim.control_number not in numbers:
                        continue
                    member = self._member(claim.member_id)
                    decision = adjudicate(claim, self.config, numbers[claim.control_number], member)
                    self.state.deductibles[claim.member_id] = member.deductible_remaining_cents
                    decisions.append(decision)
                    self.state.adjudicated[claim.control_number] = [decision.paid_cents, now.date().isoformat()]
                    if decision.paid_cents > 0:
                        self.state.paid_claims += 1
                        every = self.config.reversal_every
                        if every and self.state.paid_claims % every == 0:
                            # Taken back and paid again, as payers correct their own adjudications.
                            decisions += [reversal_of(decision), decision]
            by_payer: dict[tuple[str, str], list[ClaimDecision]] = {}
            for d in decisions:
                by_payer.setdefault((d.claim.payer_id, d.claim.payer_name), []).append(d)
            for (payer_id, payer_name), claims in sorted(by_payer.items()):
                envelope = self._envelope(item["submitter"], now)
                total = sum(d.paid_cents for d in claims)
                text = era.write_835(era.Remittance(
                    envelope=envelope,
                    payer=era.Payer(name=payer_name or "SIMULATED PAYER", address=PAYER_ADDRESS,
                                    tax_id=f"{zlib.crc32(payer_id.encode()) % 10**9:09d}", contact_phone="8005550100",
                                    payer_id=payer_id),
                    payee=era.Payee(name=item.get("billing_name") or "BILLING PROVIDER", npi=item["npi"]),
                    payment_method="CHK" if total > 0 else "NON", payment_cents=total, payment_date=now.date(),
                    trace_number=f"{envelope.interchange_control_number}", production_date=now.date(),
                    claims=tuple(_claim_payment(d) for d in claims)))
                self._answer(f"835-{envelope.interchange_control_number}.x12", text)
                result.remittances += 1


def _claim_payment(d: ClaimDecision) -> era.ClaimPayment:
    c = d.claim
    patient = era.Person(last=c.patient_last or c.subscriber_last, first=c.patient_first or c.subscriber_first,
                         member_id=c.member_id)
    first_day = min((li.service_date for li in d.lines if li.service_date), default=None)
    return era.ClaimPayment(
        control_number=d.control_number, status=d.status_code, charge_cents=d.charge_cents, paid_cents=d.paid_cents,
        claim_filing_indicator=FILING_CODES.get(c.claim_filing_indicator, "12"),
        payer_claim_number=d.payer_claim_number, patient=patient, facility_code=c.place_of_service or "11",
        frequency=c.frequency, patient_responsibility_cents=d.patient_responsibility_cents,
        statement_from=first_day, statement_to=first_day,
        lines=tuple(era.ServicePayment(
            procedure_code=li.code, charge_cents=li.charge_cents, paid_cents=li.paid_cents,
            service_date=li.service_date or date.today(), modifiers=li.modifiers, units_milli=li.units * 1000,
            adjustments=tuple(era.Adjustment(a.group, a.reason, a.amount_cents) for a in li.adjustments),
            control_number=li.control_number, allowed_cents=li.allowed_cents, remarks=li.remarks)
            for li in d.lines))

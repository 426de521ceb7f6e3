"""The clearinghouse's answers, applied to batches and claims (issue 6, item 6): a 999 accepts or rejects a whole
batch (its transaction set); a 277CA accepts or rejects each claim, with the payer's claim number or the reason
text the biller sees in the worklist.

A file is read whole before anything changes (`server/x12/reader.py`), and applied in one transaction; reading the
same file again changes nothing (a claim already accepted stays so). Which practice a file is for comes from its
receiver id (ISA08), the submitter id the practice sends under.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from server.audit.chain import AuditRecord, Outcome, append
from server.claims.claim_status import apply_277 as apply_277_status
from server.claims.models import BillingSetup, Claim, ClaimBatch
from server.claims.rules import can_move
from server.claims.service import record_as
from server.insurance.eligibility import apply_271
from server.x12.ack277ca import read_277ca
from server.x12.ack999 import read_999
from server.x12.reader import X12ReadError, read_interchanges

ACTOR = "clearinghouse"


class UnknownFile(ValueError):
    """A well-formed file this server cannot place: another submitter's, or a batch it never wrote."""


@dataclass
class Applied:
    kind: str
    practice_id: int = 0
    batches: list[tuple[int, str]] = field(default_factory=list)
    accepted: list[int] = field(default_factory=list)
    rejected: list[int] = field(default_factory=list)
    unchanged: int = 0

    def summary(self) -> str:
        return (f"{self.kind}: batches={self.batches} accepted={len(self.accepted)} rejected={len(self.rejected)} "
                f"unchanged={self.unchanged}")


def kind_of(content: bytes) -> str:
    """999, 277CA or 835, from the functional group ids; X12ReadError if the file is not sound."""
    interchanges = read_interchanges(content)
    ids = {g.functional_id for i in interchanges for g in i.groups}
    if ids == {"HN"}:
        # Both answers are 277s: the claim acknowledgment (X214) and the claim status response (X212).
        guides = {t.implementation_guide or g.version for i in interchanges for g in i.groups for t in g.transactions}
        if guides and all(guide.startswith("005010X212") for guide in guides):
            return "277"
    kinds = {"FA": "999", "HN": "277CA", "HP": "835", "HB": "271"}
    if len(ids) == 1 and next(iter(ids)) in kinds:
        return kinds[next(iter(ids))]
    raise UnknownFile(f"functional groups {sorted(ids)}: not a 999 (FA), 277CA (HN), 835 (HP) or 271 (HB) alone")


async def practice_addressed(db: AsyncSession, receiver: str) -> int:
    """The practice whose submitter id a file is addressed to (ISA08)."""
    found = (await db.execute(select(BillingSetup.practice_id).where(BillingSetup.submitter_id == receiver.upper()))
             ).scalars().all()
    if len(found) != 1:
        raise UnknownFile(f"addressed to {receiver!r}, which is not this server's submitter id")
    return found[0]


def _move(db: AsyncSession, claim: Claim, to: str, reason: str, out: Applied) -> None:
    if claim.status == to or not can_move(claim.status, to):
        out.unchanged += 1
        return
    record_as(db, claim, to, reason, None, ACTOR)
    claim.status_reason = reason[:2000]
    (out.accepted if to == "accepted" else out.rejected).append(claim.id)


async def apply_999(db: AsyncSession, content: bytes) -> Applied:
    ack, out = read_999(content), Applied("999")
    for group in ack.groups:
        out.practice_id = await practice_addressed(db, group.envelope.receiver)
        if not group.group_control_number.isdigit():
            raise UnknownFile(f"AK102 {group.group_control_number!r} is not one of our group control numbers")
        batch = (await db.execute(select(ClaimBatch).where(
            ClaimBatch.practice_id == out.practice_id,
            ClaimBatch.interchange_control_number == int(group.group_control_number)).with_for_update())
        ).scalar_one_or_none()
        if batch is None:
            raise UnknownFile(f"AK102 {group.group_control_number}: no batch with that control number")
        # One transaction set per batch: its verdict is the batch's.
        rejected_sets = [s for s in group.sets if not s.accepted]
        verdict = "rejected" if rejected_sets or not (group.accepted or group.partially_accepted) else "accepted"
        if batch.status in ("written", "delivered"):
            batch.status = verdict
        out.batches.append((batch.id, verdict))
        if verdict == "rejected":
            why = "; ".join(s.message for s in rejected_sets) or group.message
            claims = (await db.execute(select(Claim).where(
                Claim.practice_id == batch.practice_id, Claim.batch_id == batch.id).order_by(Claim.id)
                .with_for_update())).scalars().all()
            for claim in claims:
                _move(db, claim, "rejected", f"999 from the clearinghouse: {why}", out)
    return out


async def apply_277ca(db: AsyncSession, content: bytes) -> Applied:
    ack, out = read_277ca(content), Applied("277CA")
    for transaction in ack.transactions:
        out.practice_id = await practice_addressed(db, transaction.envelope.receiver)
        for source in transaction.sources:
            for receiver in source.receivers:
                for provider in receiver.providers:
                    for status in provider.claims:
                        number = status.patient_control_number
                        claim = None
                        if number.startswith("C") and number[1:].isdigit():
                            claim = (await db.execute(select(Claim).where(
                                Claim.practice_id == out.practice_id, Claim.id == int(number[1:]))
                                .with_for_update())).scalar_one_or_none()
                        if claim is None:
                            raise UnknownFile(f"TRN02 {number!r}: no claim of ours has that control number")
                        if status.accepted:
                            if status.payer_claim_control_number:
                                claim.payer_claim_number = status.payer_claim_control_number[:50]
                            _move(db, claim, "accepted", f"277CA: {status.message}", out)
                        elif status.rejected:
                            _move(db, claim, "rejected", f"277CA: {status.message}", out)
                        else:
                            out.unchanged += 1
                        claim.updated_at = datetime.now(UTC)
    return out


async def apply_file(db: AsyncSession, name: str, content: bytes) -> Applied:
    """Reads and applies one file in the caller's transaction; X12ReadError or UnknownFile leave it unapplied."""
    kind = kind_of(content)
    if kind == "835":
        raise UnknownFile("an 835 remittance: posted by the payments side, not here")
    if kind == "277":
        answered, unchanged = await apply_277_status(db, content)
        practice = await practice_addressed(db, read_interchanges(content)[0].receiver)
        await append(db, practice, AuditRecord(
            action="claims/status-answer", data_category="claims", outcome=Outcome.SUCCESS, username=ACTOR,
            workstation_name="server", detail=f"file={name} answered={answered} unchanged={unchanged}"))
        return Applied("277", practice_id=practice, accepted=[0] * answered, unchanged=unchanged)
    if kind == "271":
        answered, unchanged = await apply_271(db, content)
        applied = Applied("271", accepted=[0] * answered, unchanged=unchanged)
        practice = await practice_addressed(db, read_interchanges(content)[0].receiver)
        await append(db, practice, AuditRecord(
            action="insurance/eligibility-answer", data_category="insurance", outcome=Outcome.SUCCESS,
            username=ACTOR, workstation_name="server", detail=f"file={name} answered={answered} unchanged={unchanged}"))
        return applied
    applied = await (apply_999(db, content) if kind == "999" else apply_277ca(db, content))
    await append(db, applied.practice_id, AuditRecord(
        action="claims/acknowledgment", data_category="claims", outcome=Outcome.SUCCESS, username=ACTOR,
        workstation_name="server", detail=f"file={name} {applied.summary()}"))
    return applied


__all__ = ["Applied", "UnknownFile", "X12ReadError", "apply_file", "kind_of"]

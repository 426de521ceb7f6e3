"""Asking payers about claims sent long ago without an answer (276) and keeping what they say (277): the answer
goes on the claim's history and its status reason; a claim the payer never received goes back to the worklist as
rejected, to be fixed and sent again. Payment and denial details come with the 835 (payment posting)."""

from __future__ import annotations

from datetime import UTC, date, datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from server.claims import gather
from server.claims import setup as billing_setup
from server.claims.models import Claim, ClaimStatusRequest
from server.claims.rules import can_move
from server.claims.service import record_as
from server.errors import FieldErrors, RuleViolation
from server.rpc.context import CallContext
from server.x12 import claim837 as x
from server.x12.claim_status import (
    ClaimInquiry,
    ClaimState,
    ClaimStatusBatch,
    InformationReceiver,
    ServiceProvider,
    read_277,
    write_276,
)
from server.x12.writer_base import Envelope

ASKABLE = ("sent", "accepted")
MAX_CLAIMS = 500
ACTOR = "clearinghouse"


def _person(last: str, first: str, born: date | None, sex: str) -> x.Person:
    return x.Person(last=last, first=first, birth_date=born, sex=sex or "U")


async def request(ctx: CallContext, claim_ids: list[int]) -> list[ClaimStatusRequest]:
    errors = FieldErrors()
    errors.check_ids("claim_ids", claim_ids, MAX_CLAIMS, "claim", "request")
    errors.raise_if_any()
    heads = {h.id: h for h in await gather.headers(ctx.db, ctx.practice_id, claim_ids)}
    for i, cid in enumerate(claim_ids):
        h = heads.get(cid)
        if h is None:
            errors.add(f"claim_ids[{i}]", f"no such claim: {cid}")
        elif h.status not in ASKABLE:
            errors.add(f"claim_ids[{i}]", f"claim {cid} is {h.status}: only sent or accepted claims are asked about")
    errors.raise_if_any()
    setup = await billing_setup.load(ctx.db, ctx.practice_id, for_update=True)
    if setup is None:
        raise RuleViolation("Enter the practice's billing identity first (Admin, billing setup).",
                            "BILLING_SETUP_MISSING")
    by_payer: dict[str, list[int]] = {}
    for cid in claim_ids:
        by_payer.setdefault(heads[cid].electronic_payer_id, []).append(cid)
    out = []
    for payer_id, ids in sorted(by_payer.items()):
        interchange = setup.next_interchange_number
        setup.next_interchange_number = interchange + 1 if interchange < 999_999_999 else 1
        inquiries = []
        for cid in ids:
            h = heads[cid]
            patient = _person(h.last_name, h.first_name, h.date_of_birth, h.sex)
            is_self = h.relationship == "18"
            sub = h.subscriber or {}
            name = sub.get("name") or {}
            born = sub.get("date_of_birth") or ""
            subscriber = patient if is_self else _person(name.get("last", ""), name.get("first", ""),
                                                         date.fromisoformat(born) if born else None,
                                                         sub.get("sex", "U"))
            inquiries.append(ClaimInquiry(
                trace_number=f"S{cid}", subscriber=subscriber, member_id=h.member_id,
                patient_control_number=f"C{cid}", total_charge_cents=h.total_charge_cents,
                service_from=h.date_of_service, dependent=None if is_self else patient,
                payer_claim_number=(await _payer_number(ctx.db, ctx.practice_id, cid))))
        content = write_276(ClaimStatusBatch(
            envelope=Envelope(sender_id=setup.submitter_id, receiver_id=setup.receiver_id,
                              created_at=datetime.now(UTC), interchange_control_number=interchange,
                              group_control_number=interchange, transaction_control_number=interchange,
                              usage=setup.usage),
            payer=x.PayerName(name=heads[ids[0]].payer_name, payer_id=payer_id),
            receiver=InformationReceiver(name=setup.organization_name, identifier=setup.submitter_id),
            provider=ServiceProvider(organization_name=setup.organization_name, npi=setup.npi),
            claims=tuple(inquiries)))
        row = ClaimStatusRequest(practice_id=ctx.practice_id, interchange_control_number=interchange,
                                 file_name=f"276-{interchange:09d}.x12", content=content, claim_ids=ids,
                                 created_by=ctx.require_session().user_id)
        ctx.db.add(row)
        out.append(row)
    await ctx.db.flush()
    return out


async def _payer_number(db: AsyncSession, practice_id: int, claim_id: int) -> str:
    found = (await db.execute(select(Claim.payer_claim_number).where(
        Claim.practice_id == practice_id, Claim.id == claim_id))).scalar_one()
    return found or ""


async def apply_277(db: AsyncSession, content: bytes) -> tuple[int, int]:
    """(answers applied, answers not ours). X12ReadError leaves everything as it was."""
    applied = unchanged = 0
    for answer in read_277(content):
        trace = answer.trace_number
        if answer.level != "claim" or not (trace.startswith("S") and trace[1:].isdigit()):
            unchanged += 1
            continue
        claim = (await db.execute(select(Claim).where(Claim.id == int(trace[1:])).with_for_update())
                 ).scalar_one_or_none()
        if claim is None:
            unchanged += 1
            continue
        text = f"277 claim status: {answer.summary}"[:2000]
        to = "rejected" if answer.state in (ClaimState.NOT_FOUND, ClaimState.REJECTED) else claim.status
        if not can_move(claim.status, to):
            to = claim.status
        record_as(db, claim, to, text, None, ACTOR)
        claim.status_reason = text
        if answer.payer_claim_number and not claim.payer_claim_number:
            claim.payer_claim_number = answer.payer_claim_number[:50]
        applied += 1
    return applied, unchanged

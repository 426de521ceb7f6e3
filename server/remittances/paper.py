"""Paper EOBs (issue 7, item 6): a check and its explanation of benefits keyed in by the biller become an ERA
(server/x12/writer835 values) and go through the same matching and posting, so the rules cannot drift apart."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from server.db import raw
from server.errors import FieldErrors, InvalidArgument
from server.remittances import rules, service
from server.remittances.models import Remittance
from server.rpc.context import CallContext
from server.x12 import writer835 as era
from server.x12.claim837 import Address
from server.x12.writer_base import Envelope
from shared import dates
from shared.pms.remittances.v1 import remittances_pb2 as pb

MAX_CLAIMS = 500
GROUPS = {"CO", "OA", "PI", "PR"}
# Paper checks carry no TRN03: the payer is ours, so its identity is ours too.
PAPER_PREFIX = "PAPER:"

_CLAIMS_SQL = """
SELECT c.id, c.payer_id, c.responsibility, c.date_of_service, p.last_name, p.first_name
  FROM claim c JOIN patient p ON p.practice_id = c.practice_id AND p.id = c.patient_id
 WHERE c.practice_id = :p AND c.id = ANY(:ids)"""

_LINES_SQL = """
SELECT claim_id, line_number, code, modifiers, charge_cents FROM claim_line
 WHERE practice_id = :p AND claim_id = ANY(:ids)"""


def _adjustments(errors: FieldErrors, field: str, items: Any) -> tuple[era.Adjustment, ...]:
    out = []
    for k, a in enumerate(items):
        where = f"{field}.adjustments[{k}]"
        if a.group.upper() not in GROUPS:
            errors.add(f"{where}.group", "must be CO, OA, PI or PR")
        if not a.reason.strip() or len(a.reason) > 5:
            errors.add(f"{where}.reason", "is the payer's reason code (CARC), 1 to 5 characters")
        if a.amount_cents == 0:
            errors.add(f"{where}.amount_cents", "must not be $0.00")
        out.append(era.Adjustment(a.group.upper(), a.reason.strip().upper(), a.amount_cents))
    return tuple(out)


async def remittance_of(ctx: CallContext, req: pb.PostPaperRemittanceRequest) -> era.Remittance:
    """The EOB as an ERA, every field checked against the claims it pays."""
    errors = FieldErrors()
    if not req.idempotency_key:
        errors.add("idempotency_key", "is required: a check must never post twice")
    if not req.check_number.strip() or len(req.check_number) > 30:
        errors.add("check_number", "is required (at most 30 characters)")
    paid_on = dates.from_pb(req.check_date) if dates.is_set(req.check_date) else None
    if paid_on is None:
        errors.add("check_date", "is required")
    errors.check_ids("claims", [c.claim_id for c in req.claims], MAX_CLAIMS, "claim", "check")
    payer = await raw.fetch_one(ctx.db, "SELECT name, electronic_payer_id FROM payer WHERE practice_id = :p "
                                        "AND id = :id", {"p": ctx.practice_id, "id": req.payer_id})
    if payer is None:
        errors.add("payer_id", "is not a payer of this practice")
    errors.raise_if_any()
    ids = [c.claim_id for c in req.claims]
    claims = {r.id: r for r in await raw.fetch_all(ctx.db, _CLAIMS_SQL, {"p": ctx.practice_id, "ids": ids})}
    lines: dict[tuple[int, int], Any] = {(r.claim_id, r.line_number): r for r in await raw.fetch_all(
        ctx.db, _LINES_SQL, {"p": ctx.practice_id, "ids": ids})}
    paid_claims = []
    for i, c in enumerate(req.claims):
        field = f"claims[{i}]"
        claim = claims.get(c.claim_id)
        if claim is None:
            errors.add(f"{field}.claim_id", "no such claim")
            continue
        if claim.payer_id != req.payer_id:
            errors.add(f"{field}.claim_id", "was billed to another payer")
        status = c.status_code or ("1" if claim.responsibility == "P" else "2")
        if status not in rules.KNOWN_STATUS - {rules.REVERSAL}:
            errors.add(f"{field}.status_code", "must be 1, 2, 3 or 4 (processed as primary, secondary, tertiary; "
                                               "denied)")
        if not c.services:
            errors.add(f"{field}.services", "enter what the EOB says of each line it lists")
        services = []
        for j, s in enumerate(c.services):
            where = f"{field}.services[{j}]"
            billed = lines.get((c.claim_id, s.line_number))
            if billed is None:
                errors.add(f"{where}.line_number", f"claim {c.claim_id} has no line {s.line_number}")
                continue
            if s.paid_cents < 0:
                errors.add(f"{where}.paid_cents", "must not be negative")
            adjustments = _adjustments(errors, where, s.adjustments)
            if s.paid_cents + sum(a.amount_cents for a in adjustments) != billed.charge_cents:
                errors.add(where, f"paid and adjustments must add up to the line's charge of "
                                  f"{billed.charge_cents / 100:,.2f}")
            services.append(era.ServicePayment(
                billed.code, billed.charge_cents, s.paid_cents, claim.date_of_service,
                modifiers=tuple(billed.modifiers), adjustments=adjustments,
                control_number=f"{c.claim_id}-{s.line_number}"))
        paid_claims.append(era.ClaimPayment(
            f"C{c.claim_id}", status, sum(s.charge_cents for s in services), sum(s.paid_cents for s in services),
            "CI", c.payer_claim_number.strip()[:50], era.Person(claim.last_name, claim.first_name),
            lines=tuple(services)))
    total = sum(cp.paid_cents for cp in paid_claims)
    if not errors.violations and total != req.payment_cents:
        errors.add("payment_cents", f"the check is {req.payment_cents / 100:,.2f} but the claims' payments add up "
                                    f"to {total / 100:,.2f}")
    errors.raise_if_any()
    assert payer is not None and paid_on is not None
    nowhere = Address("", "", "", "")
    return era.Remittance(
        envelope=Envelope("PAPER", "PAPER", datetime.now(UTC)),
        payer=era.Payer(payer.name, nowhere, f"{PAPER_PREFIX}{req.payer_id}", "", payer_id=payer.electronic_payer_id),
        payee=era.Payee("", ""), payment_method="CHK" if total else "NON", payment_cents=total, payment_date=paid_on,
        trace_number=req.check_number.strip(), production_date=paid_on, claims=tuple(paid_claims))


async def post_paper(ctx: CallContext, req: pb.PostPaperRemittanceRequest) -> tuple[Remittance, int]:
    r = await remittance_of(ctx, req)
    row, known = await service.import_one(ctx.db, ctx.practice_id, ctx.require_session().user_id,
                                           f"paper EOB, check {r.trace_number}", r)
    if row.status == "review" or known:
        raise InvalidArgument.one("check_number", "this payer's check with this number was already posted")
    planned = await service.claim_outcomes(ctx, row.id)
    errors = FieldErrors()
    for i, (outcome, exception) in enumerate(planned):
        if outcome == "exception":
            errors.add(f"claims[{i}]", exception)
    errors.raise_if_any()
    return await service.post(ctx, row.id)

"""Ready to bill: the encounter's lines become charges on the ledger; reopening reverses them (issue 5, item 5).

Posting money is never an edit: a charge is an appended ledger entry with an idempotency key (encounter, posting,
line), so a retried or concurrent call cannot post twice, and reopening appends reversals of exactly what was
posted. The next MarkReadyToBill is a new posting of the lines as they are then.
"""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import func, select

from server.claims.service import reopen_encounter_claims
from server.encounters import service
from server.encounters.models import Encounter, EncounterLine
from server.errors import FieldErrors, RuleViolation, StaleVersion
from server.ledger.models import LedgerEntry
from server.rpc.context import CallContext
from shared.pms.encounters.v1 import encounters_pb2 as pb

KIND_ENUMS = {"charge": pb.LEDGER_ENTRY_KIND_CHARGE, "charge_reversal": pb.LEDGER_ENTRY_KIND_CHARGE_REVERSAL}


async def _locked(ctx: CallContext, encounter_id: int, version: int) -> Encounter:
    row = await service.load(ctx.db, ctx.practice_id, encounter_id, for_update=True)
    if row.version != version:
        raise StaleVersion("encounter")
    return row


async def _postings(ctx: CallContext, encounter_id: int) -> int:
    """How many times the encounter was posted (each posting charges line 1; the row lock keeps this exact)."""
    count = (await ctx.db.execute(select(func.count()).where(
        LedgerEntry.practice_id == ctx.practice_id, LedgerEntry.encounter_id == encounter_id,
        LedgerEntry.kind == "charge", LedgerEntry.line_number == 1))).scalar_one()
    return int(count)


async def mark_ready(ctx: CallContext, encounter_id: int, version: int) -> tuple[Encounter, int]:
    row = await _locked(ctx, encounter_id, version)
    if row.status != "open":
        raise RuleViolation("This encounter is already ready to bill." if row.status == "ready"
                            else "This encounter is billed.", "ENCOUNTER_NOT_OPEN")
    # The codes are judged again: a release loaded since the last save may have retired one.
    current = await service.message(ctx.db, ctx.practice_id, row)
    enc, _ = await service.checked_input(ctx, current)
    errors = FieldErrors()
    if not row.diagnoses:
        errors.add("diagnoses", "a claim needs at least one diagnosis")
    if not current.lines:
        errors.add("lines", "there is nothing to bill: add a service line")
    errors.raise_if_any()
    lines = (await ctx.db.execute(select(EncounterLine).where(
        EncounterLine.practice_id == ctx.practice_id, EncounterLine.encounter_id == row.id)
        .order_by(EncounterLine.line_number))).scalars().all()
    # Coverage may have changed since the last save: the expectation stored is the one at billing.
    priced = await service.price_lines(ctx.db, ctx.practice_id, enc)
    for li, allowed in zip(lines, priced.allowed, strict=True):
        li.expected_allowed_cents = allowed
        li.contract_id = priced.contract_id if allowed is not None else None
    posting = await _postings(ctx, row.id) + 1
    who = ctx.require_session()
    ctx.db.add_all(LedgerEntry(
        practice_id=ctx.practice_id, patient_id=row.patient_id, encounter_id=row.id, line_number=li.line_number,
        code=li.code, kind="charge", amount_cents=li.fee_cents,
        idempotency_key=f"encounter:{row.id}:posting:{posting}:line:{li.line_number}",
        posted_by=who.user_id, posted_by_name=who.username) for li in lines)
    row.status = "ready"
    row.version += 1
    row.updated_at = datetime.now(UTC)
    await ctx.db.flush()
    return row, sum(li.fee_cents for li in lines)


async def reopen(ctx: CallContext, encounter_id: int, version: int, reason: str
                 ) -> tuple[Encounter, int, list[tuple[int, str]]]:
    errors = FieldErrors()
    if not reason.strip():
        errors.add("reason", "say why the encounter is reopened (it stays on the ledger)")
    elif len(reason) > 200:
        errors.add("reason", "is longer than 200 characters")
    errors.raise_if_any()
    row = await _locked(ctx, encounter_id, version)
    if row.status == "open":
        raise RuleViolation("This encounter is already open.", "ENCOUNTER_ALREADY_OPEN")
    # A billed encounter's claims go first: voided if never sent, corrected (a replacement follows) if sent.
    claims = await reopen_encounter_claims(ctx, row.id, reason.strip()) if row.status == "billed" else []
    posting = await _postings(ctx, row.id)
    charges = (await ctx.db.execute(select(LedgerEntry).where(
        LedgerEntry.practice_id == ctx.practice_id, LedgerEntry.encounter_id == row.id,
        LedgerEntry.kind == "charge",
        LedgerEntry.idempotency_key.like(f"encounter:{row.id}:posting:{posting}:line:%"))
        .order_by(LedgerEntry.line_number))).scalars().all()
    who = ctx.require_session()
    ctx.db.add_all(LedgerEntry(
        practice_id=ctx.practice_id, patient_id=row.patient_id, encounter_id=row.id, line_number=c.line_number,
        code=c.code, kind="charge_reversal", amount_cents=-c.amount_cents,
        idempotency_key=f"encounter:{row.id}:posting:{posting}:reversal:{c.line_number}",
        posted_by=who.user_id, posted_by_name=who.username, note=reason.strip()) for c in charges)
    row.status = "open"
    row.version += 1
    row.updated_at = datetime.now(UTC)
    await ctx.db.flush()
    return row, sum(c.amount_cents for c in charges), claims


async def charges(ctx: CallContext, encounter_id: int) -> tuple[int, list[pb.LedgerEntry]]:
    row = await service.load(ctx.db, ctx.practice_id, encounter_id)
    entries = (await ctx.db.execute(select(LedgerEntry).where(
        LedgerEntry.practice_id == ctx.practice_id, LedgerEntry.encounter_id == encounter_id)
        .order_by(LedgerEntry.id))).scalars().all()
    out = []
    for e in entries:
        msg = pb.LedgerEntry(entry_id=e.id, kind=KIND_ENUMS[e.kind], line_number=e.line_number or 0, code=e.code,
                             amount_cents=e.amount_cents, posted_by=e.posted_by_name, note=e.note)
        msg.posted_at.FromDatetime(e.posted_at)
        out.append(msg)
    return row.patient_id, out

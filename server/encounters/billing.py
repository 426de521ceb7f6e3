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
from server.ledger import posting
from server.ledger.models import AR_ACCOUNTS, LedgerEntry
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
    number = await _postings(ctx, row.id) + 1
    # Owed by the coverage on the date of service until it has paid its part; by the patient when uninsured.
    owed_by = ("insurance_ar", priced.payer_id) if priced.payer_id is not None else ("patient_ar", None)
    await posting.post(ctx, [posting.Entry(
        kind="charge", idempotency_key=f"encounter:{row.id}:posting:{number}:line:{li.line_number}",
        patient_id=row.patient_id, encounter_id=row.id, line_number=li.line_number, code=li.code,
        lines=(posting.Line(owed_by[0], li.fee_cents, owed_by[1], row.patient_id, row.id, li.line_number),
               posting.Line("charges", -li.fee_cents, None, row.patient_id, row.id, li.line_number)))
        for li in lines])
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
    number = await _postings(ctx, row.id)
    charges = (await ctx.db.execute(select(LedgerEntry).where(
        LedgerEntry.practice_id == ctx.practice_id, LedgerEntry.encounter_id == row.id,
        LedgerEntry.kind == "charge",
        LedgerEntry.idempotency_key.like(f"encounter:{row.id}:posting:{number}:line:%"))
        .order_by(LedgerEntry.line_number))).scalars().all()
    lines = await posting.lines_of(ctx.db, ctx.practice_id, [c.id for c in charges])
    await posting.post(ctx, [posting.Entry(
        kind="charge_reversal", idempotency_key=f"encounter:{row.id}:posting:{number}:reversal:{c.line_number}",
        patient_id=row.patient_id, encounter_id=row.id, line_number=c.line_number, code=c.code,
        reverses_entry_id=c.id, note=reason.strip(), lines=posting.reversal_lines(lines[c.id])) for c in charges])
    row.status = "open"
    row.version += 1
    row.updated_at = datetime.now(UTC)
    await ctx.db.flush()
    return row, sum(_owed(lines[c.id]) for c in charges), claims


def _owed(lines: list[posting.Line]) -> int:
    """What an entry changes in what is owed to the practice (its A/R lines)."""
    return sum(li.amount_cents for li in lines if li.account in AR_ACCOUNTS)


async def charges(ctx: CallContext, encounter_id: int) -> tuple[int, list[pb.LedgerEntry]]:
    row = await service.load(ctx.db, ctx.practice_id, encounter_id)
    entries = (await ctx.db.execute(select(LedgerEntry).where(
        LedgerEntry.practice_id == ctx.practice_id, LedgerEntry.encounter_id == encounter_id,
        LedgerEntry.kind.in_(KIND_ENUMS)).order_by(LedgerEntry.id))).scalars().all()
    lines = await posting.lines_of(ctx.db, ctx.practice_id, [e.id for e in entries])
    out = []
    for e in entries:
        msg = pb.LedgerEntry(entry_id=e.id, kind=KIND_ENUMS[e.kind], line_number=e.line_number or 0, code=e.code,
                             amount_cents=_owed(lines[e.id]), posted_by=e.posted_by_name, note=e.note)
        msg.posted_at.FromDatetime(e.posted_at)
        out.append(msg)
    return row.patient_id, out

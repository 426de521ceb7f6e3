"""Patient payments: taking money, applying it to what the patient owes, credits, refunds and reversals.

Every change of a patient's money holds one lock per patient (so two windows cannot apply one payment's worth
twice to the same line) and is one balanced ledger entry.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import func, select

from server.db import raw
from server.errors import FieldErrors, InvalidArgument, NotFound, RuleViolation
from server.ledger import posting
from server.ledger.models import WRITE_OFF_ACCOUNTS
from server.patients import service as patients
from server.payments import rules
from server.payments.models import PatientPayment
from server.practice.service import practice_today
from server.rpc.context import CallContext
from shared import dates
from shared.pms.payments.v1 import payments_pb2 as pb

METHODS = {pb.PAYMENT_METHOD_CASH: "cash", pb.PAYMENT_METHOD_CHECK: "check", pb.PAYMENT_METHOD_CARD: "card"}
METHOD_ENUMS = {v: k for k, v in METHODS.items()}

# What the patient owes per encounter line (their A/R), oldest date of service first.
_OWED_SQL = """
SELECT l.encounter_id, l.line_number, sum(l.amount_cents) AS cents
  FROM ledger_line l
  JOIN encounter n ON n.practice_id = l.practice_id AND n.id = l.encounter_id
 WHERE l.practice_id = :p AND l.patient_id = :patient AND l.account = 'patient_ar' AND l.encounter_id IS NOT NULL
 GROUP BY l.encounter_id, l.line_number, n.date_of_service
HAVING sum(l.amount_cents) > 0
 ORDER BY n.date_of_service, l.encounter_id, l.line_number"""

_BALANCE_SQL = """
SELECT coalesce(sum(amount_cents) FILTER (WHERE account = 'patient_ar'), 0) AS patient_due,
       coalesce(sum(amount_cents) FILTER (WHERE account = 'insurance_ar'), 0) AS insurance_due,
       coalesce(-sum(amount_cents) FILTER (WHERE account = 'unapplied_credit'), 0) AS credit
  FROM ledger_line
 WHERE practice_id = :p AND patient_id = :patient AND account IN ('patient_ar', 'insurance_ar', 'unapplied_credit')"""

_LINE_FACTS_SQL = """
SELECT l.encounter_id, l.line_number, l.code, n.date_of_service
  FROM encounter_line l JOIN encounter n ON n.practice_id = l.practice_id AND n.id = l.encounter_id
 WHERE l.practice_id = :p AND (l.encounter_id, l.line_number) IN (SELECT unnest(CAST(:encs AS bigint[])),
                                                                         unnest(CAST(:lines AS int[])))"""


async def lock_patient(ctx: CallContext, patient_id: int) -> None:
    """The patient exists, and no other call changes their money until this one commits."""
    await patients.read(ctx.db, ctx.practice_id, patient_id)
    await ctx.db.execute(select(func.pg_advisory_xact_lock(
        func.hashtextextended(f"patient-money:{ctx.practice_id}:{patient_id}", 0))))


async def owed_lines(ctx: CallContext, patient_id: int) -> list[rules.Owed]:
    rows = await raw.fetch_all(ctx.db, _OWED_SQL, {"p": ctx.practice_id, "patient": patient_id})
    return [rules.Owed(r.encounter_id, r.line_number, int(r.cents)) for r in rows]


async def balance(ctx: CallContext, patient_id: int) -> pb.PatientBalance:
    row = await raw.fetch_one(ctx.db, _BALANCE_SQL, {"p": ctx.practice_id, "patient": patient_id})
    assert row is not None
    return pb.PatientBalance(patient_due_cents=int(row.patient_due), insurance_due_cents=int(row.insurance_due),
                             unapplied_credit_cents=int(row.credit))


def _applied_lines(patient_id: int, shares: list[rules.Share]) -> tuple[posting.Line, ...]:
    return tuple(posting.Line("patient_ar", -s.cents, None, patient_id, s.encounter_id, s.line_number)
                 for s in shares)


async def post_payment(ctx: CallContext, req: pb.PostPatientPaymentRequest) -> PatientPayment:
    p = req.payment
    errors = FieldErrors()
    if not req.idempotency_key:
        errors.add("idempotency_key", "is required: a payment must never post twice")
    method = METHODS.get(p.method)
    rules.check_payment(errors, method, p.amount_cents, p.check_number, p.card_reference, p.note)
    today = await practice_today(ctx.db, ctx.practice_id)
    received = dates.from_pb(p.received_on) if dates.is_set(p.received_on) else today
    if received is not None and received > today:
        errors.add("payment.received_on", "is in the future")
    if p.patient_id <= 0:
        errors.add("payment.patient_id", "is required")
    errors.raise_if_any()
    await lock_patient(ctx, p.patient_id)
    if p.appointment_id:
        found = await raw.fetch_one(ctx.db, "SELECT patient_id FROM appointment WHERE practice_id = :p AND id = :a",
                                    {"p": ctx.practice_id, "a": p.appointment_id})
        if found is None or found.patient_id != p.patient_id:
            errors.add("payment.appointment_id", "is not an appointment of this patient")
    owed = await owed_lines(ctx, p.patient_id)
    shares: list[rules.Share]
    if req.keep_as_credit:
        shares, left = [], p.amount_cents
    elif req.applications:
        shares, left = rules.chosen(errors, owed, [rules.Share(a.encounter_id, a.line_number, a.amount_cents)
                                                   for a in req.applications], p.amount_cents)
    else:
        shares, left = rules.oldest_first(owed, p.amount_cents)
    errors.raise_if_any()
    assert method is not None and received is not None
    who = ctx.require_session()
    row = PatientPayment(practice_id=ctx.practice_id, patient_id=p.patient_id, method=method,
                         amount_cents=p.amount_cents, check_number=p.check_number.strip() if method == "check" else "",
                         card_reference=p.card_reference.strip() if method == "card" else "",
                         received_on=received, appointment_id=p.appointment_id or None, note=p.note.strip(),
                         created_by=who.user_id)
    ctx.db.add(row)
    await ctx.db.flush()
    lines = [posting.Line("undeposited_funds", p.amount_cents, None, p.patient_id),
             *_applied_lines(p.patient_id, shares)]
    if left:
        lines.append(posting.Line("unapplied_credit", -left, None, p.patient_id))
    [row.entry_id] = await posting.post(ctx, [posting.Entry(
        kind="patient_payment", idempotency_key=f"patient_payment:{row.id}", patient_id=p.patient_id,
        note=f"{method} {p.check_number or p.card_reference}".strip(), lines=tuple(lines))])
    await ctx.db.flush()
    return row


async def load_payment(ctx: CallContext, payment_id: int, *, for_update: bool = False) -> PatientPayment:
    query = select(PatientPayment).where(PatientPayment.practice_id == ctx.practice_id,
                                         PatientPayment.id == payment_id)
    row = (await ctx.db.execute(query.with_for_update() if for_update else query)).scalar_one_or_none()
    if row is None:
        raise NotFound("No such payment.", "PAYMENT_NOT_FOUND")
    return row


async def reverse_payment(ctx: CallContext, req: pb.ReversePatientPaymentRequest) -> PatientPayment:
    errors = FieldErrors()
    if not req.idempotency_key:
        errors.add("idempotency_key", "is required: a reversal must never post twice")
    if not req.reason.strip():
        errors.add("reason", "say why the payment is taken back (a bounced check, the wrong patient)")
    elif len(req.reason) > 200:
        errors.add("reason", "is longer than 200 characters")
    errors.raise_if_any()
    row = await load_payment(ctx, req.payment_id, for_update=True)
    if row.reversal_entry_id is not None:
        raise RuleViolation("This payment was already reversed.", "PAYMENT_ALREADY_REVERSED")
    await lock_patient(ctx, row.patient_id)
    assert row.entry_id is not None
    original = (await posting.lines_of(ctx.db, ctx.practice_id, [row.entry_id]))[row.entry_id]
    held = -sum(li.amount_cents for li in original if li.account == "unapplied_credit")
    if held > (await balance(ctx, row.patient_id)).unapplied_credit_cents:
        raise RuleViolation("Part of this payment's credit was applied or refunded since; take those back first.",
                            "PAYMENT_CREDIT_USED")
    [row.reversal_entry_id] = await posting.post(ctx, [posting.Entry(
        kind="payment_reversal", idempotency_key=f"patient_payment:{row.id}:reversal", patient_id=row.patient_id,
        reverses_entry_id=row.entry_id, note=req.reason.strip(), lines=posting.reversal_lines(original))])
    row.reversal_reason = req.reason.strip()
    await ctx.db.flush()
    return row


async def apply_credit(ctx: CallContext, req: pb.ApplyPatientCreditRequest) -> list[rules.Share]:
    if not req.idempotency_key:
        raise InvalidArgument.one("idempotency_key", "is required: applying credit must never post twice")
    await lock_patient(ctx, req.patient_id)
    credit = (await balance(ctx, req.patient_id)).unapplied_credit_cents
    if credit <= 0:
        raise RuleViolation("The patient has no unapplied credit.", "NO_CREDIT")
    shares, _ = rules.oldest_first(await owed_lines(ctx, req.patient_id), credit)
    if not shares:
        raise RuleViolation("The patient owes nothing to apply the credit to.", "NOTHING_OWED")
    used = sum(s.cents for s in shares)
    await posting.post(ctx, [posting.Entry(
        kind="credit_application", idempotency_key=f"credit_application:{req.idempotency_key}",
        patient_id=req.patient_id, lines=(posting.Line("unapplied_credit", used, None, req.patient_id),
                                          *_applied_lines(req.patient_id, shares)))])
    return shares


async def refund_credit(ctx: CallContext, req: pb.RefundPatientCreditRequest) -> None:
    errors = FieldErrors()
    if not req.idempotency_key:
        errors.add("idempotency_key", "is required: a refund must never post twice")
    if req.amount_cents <= 0:
        errors.add("amount_cents", "must be more than $0.00")
    if not req.reason.strip():
        errors.add("reason", "say why the money goes back")
    elif len(req.reason) > 200:
        errors.add("reason", "is longer than 200 characters")
    errors.raise_if_any()
    await lock_patient(ctx, req.patient_id)
    credit = (await balance(ctx, req.patient_id)).unapplied_credit_cents
    if req.amount_cents > credit:
        errors.add("amount_cents", f"is more than the patient's unapplied credit of {credit / 100:,.2f}")
        errors.raise_if_any()
    await posting.post(ctx, [posting.Entry(
        kind="refund", idempotency_key=f"refund:{req.idempotency_key}", patient_id=req.patient_id,
        note=req.reason.strip(), lines=(posting.Line("unapplied_credit", req.amount_cents, None, req.patient_id),
                                        posting.Line("refunds_payable", -req.amount_cents, None, req.patient_id)))])


async def applications(ctx: CallContext, shares: list[tuple[int, int, int]]) -> list[pb.Application]:
    """Messages for (encounter, line, cents), with each line's code and date of service."""
    if not shares:
        return []
    facts = {(r.encounter_id, r.line_number): r for r in await raw.fetch_all(ctx.db, _LINE_FACTS_SQL, {
        "p": ctx.practice_id, "encs": [s[0] for s in shares], "lines": [s[1] for s in shares]})}
    out = []
    for enc, line, cents in shares:
        fact: Any = facts.get((enc, line))
        out.append(pb.Application(encounter_id=enc, line_number=line, amount_cents=cents,
                                  code=fact.code if fact else "",
                                  date_of_service=dates.to_pb(fact.date_of_service) if fact else None))
    return out


async def payment_message(ctx: CallContext, row: PatientPayment) -> pb.PatientPayment:
    assert row.entry_id is not None
    lines = (await posting.lines_of(ctx.db, ctx.practice_id, [row.entry_id]))[row.entry_id]
    applied = [(li.encounter_id or 0, li.line_number or 0, -li.amount_cents)
               for li in lines if li.account == "patient_ar"]
    msg = pb.PatientPayment(
        payment_id=row.id, patient_id=row.patient_id, method=METHOD_ENUMS[row.method], amount_cents=row.amount_cents,
        check_number=row.check_number, card_reference=row.card_reference, received_on=dates.to_pb(row.received_on),
        appointment_id=row.appointment_id or 0, note=row.note, applications=await applications(ctx, applied),
        unapplied_cents=-sum(li.amount_cents for li in lines if li.account == "unapplied_credit"),
        reversed=row.reversal_entry_id is not None, reversal_reason=row.reversal_reason)
    posted = await raw.fetch_one(ctx.db, "SELECT posted_by_name, posted_at FROM ledger_entry WHERE practice_id = :p "
                                         "AND id = :e", {"p": ctx.practice_id, "e": row.entry_id})
    if posted is not None:
        msg.posted_by = posted.posted_by_name
        msg.posted_at.FromDatetime(posted.posted_at)
    return msg


async def list_payments(ctx: CallContext, patient_id: int, limit: int) -> list[PatientPayment]:
    await patients.read(ctx.db, ctx.practice_id, patient_id)
    if limit < 0 or limit > 1000:
        raise InvalidArgument.one("limit", "must be between 0 and 1000")
    rows = (await ctx.db.execute(select(PatientPayment).where(
        PatientPayment.practice_id == ctx.practice_id, PatientPayment.patient_id == patient_id)
        .order_by(PatientPayment.id.desc()).limit(limit or 100))).scalars().all()
    return list(rows)



WRITE_OFF_KINDS = {pb.WRITE_OFF_KIND_SMALL_BALANCE: "small_balance", pb.WRITE_OFF_KIND_BAD_DEBT: "bad_debt",
                   pb.WRITE_OFF_KIND_COURTESY: "courtesy"}


async def write_off(ctx: CallContext, req: pb.WriteOffPatientBalanceRequest) -> list[rules.Share]:
    errors = FieldErrors()
    if not req.idempotency_key:
        errors.add("idempotency_key", "is required: a write-off must never post twice")
    kind = WRITE_OFF_KINDS.get(req.kind)
    if kind is None:
        errors.add("kind", "say which: small balance, bad debt or courtesy")
    if req.amount_cents < 0:
        errors.add("amount_cents", "must not be negative (0 writes off all the patient owes)")
    if not req.reason.strip():
        errors.add("reason", "say why the balance is written off")
    elif len(req.reason) > 200:
        errors.add("reason", "is longer than 200 characters")
    errors.raise_if_any()
    assert kind is not None
    await lock_patient(ctx, req.patient_id)
    owed = await owed_lines(ctx, req.patient_id)
    due = sum(o.cents for o in owed)
    if due <= 0:
        raise RuleViolation("The patient owes nothing on their visits.", "NOTHING_OWED")
    if req.amount_cents > due:
        raise InvalidArgument.one("amount_cents", f"is more than the {due / 100:,.2f} the patient owes")
    shares, _ = rules.oldest_first(owed, req.amount_cents or due)
    account = WRITE_OFF_ACCOUNTS[kind]
    await posting.post(ctx, [posting.Entry(
        kind="write_off", idempotency_key=f"write_off:{req.idempotency_key}", patient_id=req.patient_id,
        note=f"{kind.replace('_', ' ')}: {req.reason.strip()}",
        lines=(*(posting.Line(account, s.cents, None, req.patient_id, s.encounter_id, s.line_number)
                 for s in shares), *_applied_lines(req.patient_id, shares)))])
    return shares


async def receipt(ctx: CallContext, payment_id: int) -> tuple[int, bytes]:
    """(patient id, the PDF) of a payment's receipt: the practice (its billing identity's name and address when
    set), the patient, the payment and where it went, and the account as it is now."""
    from server.payments.receipt import Receipt, ReceiptLine, receipt_pdf

    row = await load_payment(ctx, payment_id)
    msg = await payment_message(ctx, row)
    who = await raw.fetch_one(ctx.db, """
        SELECT p.first_name, p.last_name, p.mrn, r.name AS practice_name, b.organization_name, b.address_line1,
               b.address_line2, b.city, b.state, b.zip, b.phone
          FROM patient p JOIN practice r ON r.id = p.practice_id
          LEFT JOIN billing_setup b ON b.practice_id = p.practice_id
         WHERE p.practice_id = :p AND p.id = :id""", {"p": ctx.practice_id, "id": row.patient_id})
    assert who is not None
    address = tuple(x for x in (
        who.address_line1, who.address_line2,
        f"{who.city}, {who.state} {who.zip[:5]}" if who.city else "",
        f"({who.phone[:3]}) {who.phone[3:6]}-{who.phone[6:]}" if who.phone else "") if x)
    method = {"cash": "Cash", "check": f"Check {row.check_number}", "card": f"Card ref {row.card_reference}"}
    now = await balance(ctx, row.patient_id)
    pdf = receipt_pdf(Receipt(
        practice_name=who.organization_name or who.practice_name, practice_address=address, receipt_number=row.id,
        patient_name=f"{who.first_name} {who.last_name}", mrn=who.mrn, received_on=row.received_on,
        method=method[row.method], amount_cents=row.amount_cents,
        lines=tuple(ReceiptLine(dates.from_pb(a.date_of_service) if a.HasField("date_of_service") else None, a.code,
                                a.amount_cents) for a in msg.applications),
        unapplied_cents=msg.unapplied_cents, patient_due_cents=now.patient_due_cents,
        credit_cents=now.unapplied_credit_cents, taken_by=msg.posted_by,
        printed_at=datetime.now(UTC), reversed=row.reversal_entry_id is not None))
    return row.patient_id, pdf

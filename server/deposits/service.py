"""Deposits (undeposited funds to the bank, one balanced entry each) and day close (the day sheet, frozen).

Creating a deposit holds one lock per practice, so two billers cannot put one check in two deposits (the primary key
of ``deposit_item`` refuses it anyway). Closing a day holds the day-close lock exclusively, so it never closes under
a posting (``server.ledger.posting`` holds it shared).
"""

from __future__ import annotations

from datetime import date
from typing import Any

from google.protobuf import json_format
from sqlalchemy import func, insert, select

from server.db import raw
from server.deposits import rules
from server.deposits.models import DayClose, Deposit, DepositItem
from server.errors import FieldErrors, InvalidArgument, NotFound, RuleViolation
from server.ledger import posting
from server.payments.service import METHOD_ENUMS
from server.practice.service import practice_today
from server.rpc.context import CallContext
from shared import dates
from shared.pms.deposits.v1 import deposits_pb2 as pb

KIND_ENUMS = {"patient_payment": pb.DEPOSIT_ITEM_KIND_PATIENT_PAYMENT, "remittance": pb.DEPOSIT_ITEM_KIND_REMITTANCE}

_UNDEPOSITED_PAYMENTS_SQL = """
SELECT pp.id, pp.patient_id, pp.method, pp.amount_cents, pp.check_number, pp.card_reference, pp.received_on,
       pp.reversal_entry_id, d.deposit_id
  FROM patient_payment pp
  LEFT JOIN deposit_item d ON d.practice_id = pp.practice_id AND d.kind = 'patient_payment' AND d.item_id = pp.id
 WHERE pp.practice_id = :p AND pp.entry_id IS NOT NULL AND {where}
 ORDER BY pp.method, pp.received_on, pp.id
   {lock}"""

# What an ERA's posting put into undeposited funds: its claim payments' entries and its PLB entries
# (keys remittance:<id>:plb:<n>, n from 1; chr(58) is the colon, which the placeholders would take), by the
# indexes on entry id and idempotency key.
_UNDEPOSITED_REMITTANCES_SQL = """
SELECT r.id, r.payer_name, r.trace_number, r.payment_date, r.payment_cents, r.status, d.deposit_id,
       coalesce((SELECT sum(l.amount_cents) FROM ledger_line l
                  WHERE l.practice_id = r.practice_id AND l.account = 'undeposited_funds'
                    AND l.entry_id IN (
                        SELECT rc.entry_id FROM remittance_claim rc
                         WHERE rc.practice_id = r.practice_id AND rc.remittance_id = r.id AND rc.entry_id IS NOT NULL
                        UNION ALL
                        SELECT e.id FROM ledger_entry e
                         WHERE e.practice_id = r.practice_id
                           AND e.idempotency_key IN (
                               SELECT concat_ws(chr(58), 'remittance', r.id, 'plb', g)
                                 FROM generate_series(1, jsonb_array_length(r.provider_adjustments)) g))), 0)
           AS amount
  FROM remittance r
  LEFT JOIN deposit_item d ON d.practice_id = r.practice_id AND d.kind = 'remittance' AND d.item_id = r.id
 WHERE r.practice_id = :p AND {where}
 ORDER BY r.payment_date, r.id
   {lock}"""

_DEPOSIT_ITEMS_SQL = """
SELECT d.deposit_id, d.kind, d.item_id, d.amount_cents, pp.method, pp.check_number, pp.card_reference, r.payer_name,
       r.trace_number
  FROM deposit_item d
  LEFT JOIN patient_payment pp ON d.kind = 'patient_payment' AND pp.practice_id = d.practice_id AND pp.id = d.item_id
  LEFT JOIN remittance r ON d.kind = 'remittance' AND r.practice_id = d.practice_id AND r.id = d.item_id
 WHERE d.practice_id = :p AND d.deposit_id = ANY(:deposits)
 ORDER BY d.deposit_id, d.kind, pp.method, d.item_id"""

# One day of the ledger, per user who posted. Every figure is positive in its kind's usual direction.
_DAY_SQL = """
SELECT e.posted_by_name AS who,
       coalesce(-sum(l.amount_cents) FILTER (WHERE e.kind = 'charge' AND l.account = 'charges'), 0) AS charges,
       coalesce(sum(l.amount_cents) FILTER (WHERE e.kind = 'charge_reversal' AND l.account = 'charges'), 0)
           AS charge_reversals,
       coalesce(sum(l.amount_cents) FILTER (WHERE e.kind = 'patient_payment' AND l.account = 'undeposited_funds'
                                              AND pp.method = 'cash'), 0) AS cash,
       coalesce(sum(l.amount_cents) FILTER (WHERE e.kind = 'patient_payment' AND l.account = 'undeposited_funds'
                                              AND pp.method = 'check'), 0) AS checks,
       coalesce(sum(l.amount_cents) FILTER (WHERE e.kind = 'patient_payment' AND l.account = 'undeposited_funds'
                                              AND pp.method = 'card'), 0) AS card,
       coalesce(-sum(l.amount_cents) FILTER (WHERE e.kind = 'payment_reversal' AND l.account = 'undeposited_funds'),
                0) AS payment_reversals,
       coalesce(sum(l.amount_cents) FILTER (WHERE e.kind = 'insurance_payment' AND l.account = 'undeposited_funds'),
                0) AS insurance,
       coalesce(sum(l.amount_cents) FILTER (WHERE l.account = 'contractual'), 0) AS contractual,
       coalesce(sum(l.amount_cents) FILTER (WHERE l.account LIKE 'write\\_off\\_%'), 0) AS write_offs,
       coalesce(-sum(l.amount_cents) FILTER (WHERE e.kind = 'refund' AND l.account = 'refunds_payable'), 0)
           AS refunds,
       coalesce(sum(l.amount_cents) FILTER (WHERE e.kind = 'deposit' AND l.account = 'bank'), 0) AS deposits,
       count(DISTINCT e.id) AS entries
  FROM ledger_entry e
  JOIN ledger_line l ON l.practice_id = e.practice_id AND l.entry_id = e.id
  LEFT JOIN patient_payment pp ON pp.practice_id = e.practice_id AND pp.entry_id = e.id
 WHERE e.practice_id = :p AND e.business_date = :d
 GROUP BY e.posted_by_name
 ORDER BY e.posted_by_name"""

_TOTAL_FIELDS = (("charges_cents", "charges"), ("charge_reversals_cents", "charge_reversals"),
                 ("cash_cents", "cash"), ("check_cents", "checks"), ("card_cents", "card"),
                 ("payment_reversals_cents", "payment_reversals"), ("insurance_payments_cents", "insurance"),
                 ("contractual_cents", "contractual"), ("write_offs_cents", "write_offs"),
                 ("refunds_cents", "refunds"), ("deposits_cents", "deposits"), ("entry_count", "entries"))


async def _lock(ctx: CallContext, name: str) -> None:
    await ctx.db.execute(select(func.pg_advisory_xact_lock(func.hashtextextended(f"{name}:{ctx.practice_id}", 0))))


# -- Deposits ------------------------------------------------------------------------------------------------------

async def _payments(ctx: CallContext, ids: list[int] | None, *, for_update: bool = False) -> list[Any]:
    where = "pp.id = ANY(:ids)" if ids is not None else "pp.reversal_entry_id IS NULL AND d.deposit_id IS NULL"
    sql = _UNDEPOSITED_PAYMENTS_SQL.format(where=where, lock="FOR UPDATE OF pp" if for_update else "")
    return await raw.fetch_all(ctx.db, sql, {"p": ctx.practice_id, "ids": ids or []})


async def _remittances(ctx: CallContext, ids: list[int] | None, *, for_update: bool = False) -> list[Any]:
    where = "r.id = ANY(:ids)" if ids is not None else "r.status = 'posted' AND d.deposit_id IS NULL"
    sql = _UNDEPOSITED_REMITTANCES_SQL.format(where=where, lock="FOR UPDATE OF r" if for_update else "")
    return await raw.fetch_all(ctx.db, sql, {"p": ctx.practice_id, "ids": ids or []})


async def list_undeposited(ctx: CallContext) -> pb.ListUndepositedResponse:
    out = pb.ListUndepositedResponse()
    waiting = await _payments(ctx, None)
    names = {r.id: r.name for r in await raw.fetch_all(
        ctx.db, "SELECT id, last_name || ', ' || first_name AS name FROM patient WHERE practice_id = :p "
                "AND id = ANY(:ids)", {"p": ctx.practice_id, "ids": sorted({r.patient_id for r in waiting})})}
    for r in waiting:
        out.payments.append(pb.UndepositedPayment(
            payment_id=r.id, patient_id=r.patient_id, patient_name=names.get(r.patient_id, ""),
            method=METHOD_ENUMS[r.method], amount_cents=r.amount_cents,
            check_number=r.check_number, card_reference=r.card_reference, received_on=dates.to_pb(r.received_on)))
        setattr(out, f"{r.method}_cents", getattr(out, f"{r.method}_cents") + r.amount_cents)
    for r in await _remittances(ctx, None):
        if int(r.amount) == 0:
            continue  # nothing reached undeposited funds (all denied, or all waiting as exceptions)
        out.remittances.append(pb.UndepositedRemittance(
            remittance_id=r.id, payer_name=r.payer_name, trace_number=r.trace_number,
            payment_date=dates.to_pb(r.payment_date), payment_cents=r.payment_cents, amount_cents=int(r.amount)))
        out.remittance_cents += int(r.amount)
    out.total_cents = out.cash_cents + out.check_cents + out.card_cents + out.remittance_cents
    return out


async def create_deposit(ctx: CallContext, req: pb.CreateDepositRequest) -> int:
    """Posts the deposit; returns its id."""
    errors = FieldErrors()
    today = await practice_today(ctx.db, ctx.practice_id)
    try:
        deposit_date = dates.from_pb(req.deposit_date) if dates.is_set(req.deposit_date) else today
    except ValueError:
        errors.add("deposit_date", "is not a date")
        deposit_date = None
    payment_ids, remittance_ids = list(req.payment_ids), list(req.remittance_ids)
    rules.check_deposit(errors, req.idempotency_key, payment_ids, remittance_ids, deposit_date, today,
                        req.bank_reference.strip(), req.note.strip())
    errors.raise_if_any()
    assert deposit_date is not None
    # One deposit at a time per practice: the checks below cannot race (the item key is the database's guarantee).
    await _lock(ctx, "deposits")
    items: list[tuple[str, int, int]] = []
    found = {r.id: r for r in await _payments(ctx, payment_ids, for_update=True)}
    for i, pid in enumerate(payment_ids):
        r = found.get(pid)
        if r is None:
            errors.add(f"payment_ids[{i}]", "no such payment")
        elif r.reversal_entry_id is not None:
            raise RuleViolation(f"Payment {pid} was reversed: there is no money to deposit.", "PAYMENT_REVERSED")
        elif r.deposit_id is not None:
            raise RuleViolation(f"Payment {pid} is already in deposit {r.deposit_id}.", "ALREADY_DEPOSITED")
        else:
            items.append(("patient_payment", pid, r.amount_cents))
    eras = {r.id: r for r in await _remittances(ctx, remittance_ids, for_update=True)}
    for i, rid in enumerate(remittance_ids):
        r = eras.get(rid)
        if r is None:
            errors.add(f"remittance_ids[{i}]", "no such ERA")
        elif r.status != "posted":
            raise RuleViolation(f"ERA {rid} is not posted yet: post it before depositing it.", "ERA_NOT_POSTED")
        elif r.deposit_id is not None:
            raise RuleViolation(f"ERA {rid} is already in deposit {r.deposit_id}.", "ALREADY_DEPOSITED")
        elif int(r.amount) == 0:
            errors.add(f"remittance_ids[{i}]", "this ERA put no money into undeposited funds")
        else:
            items.append(("remittance", rid, int(r.amount)))
    errors.raise_if_any()
    total = sum(cents for _, _, cents in items)
    if total <= 0:
        raise RuleViolation("These items add up to nothing to deposit.", "NOTHING_TO_DEPOSIT")
    who = ctx.require_session()
    row = Deposit(practice_id=ctx.practice_id, deposit_date=deposit_date, bank_reference=req.bank_reference.strip(),
                  note=req.note.strip(), total_cents=total, created_by=who.user_id, created_by_name=who.username)
    ctx.db.add(row)
    await ctx.db.flush()
    await ctx.db.execute(insert(DepositItem), [
        {"practice_id": ctx.practice_id, "deposit_id": row.id, "kind": kind, "item_id": item_id,
         "amount_cents": cents} for kind, item_id, cents in items])
    [row.entry_id] = await posting.post(ctx, [posting.Entry(
        kind="deposit", idempotency_key=f"deposit:{row.id}", business_date=deposit_date,
        note=row.bank_reference, lines=(posting.Line("bank", total), posting.Line("undeposited_funds", -total)))])
    await ctx.db.flush()
    return row.id


def _summary(row: Deposit) -> pb.Deposit:
    msg = pb.Deposit(deposit_id=row.id, deposit_date=dates.to_pb(row.deposit_date),
                     bank_reference=row.bank_reference, total_cents=row.total_cents, note=row.note,
                     created_by=row.created_by_name)
    msg.created_at.FromDatetime(row.created_at)
    return msg


async def _with_items(ctx: CallContext, rows: list[Deposit], *, items: bool) -> list[pb.Deposit]:
    """Messages for the deposits with their totals by method (and their items when ``items``)."""
    out = {r.id: _summary(r) for r in rows}
    if not out:
        return []
    for it in await raw.fetch_all(ctx.db, _DEPOSIT_ITEMS_SQL, {"p": ctx.practice_id, "deposits": list(out)}):
        msg = out[it.deposit_id]
        msg.item_count += 1
        if it.kind == "patient_payment":
            setattr(msg, f"{it.method}_cents", getattr(msg, f"{it.method}_cents") + it.amount_cents)
        else:
            msg.remittance_cents += it.amount_cents
        if items:
            item = pb.DepositItem(kind=KIND_ENUMS[it.kind], item_id=it.item_id, amount_cents=it.amount_cents)
            if it.kind == "patient_payment":
                item.method = METHOD_ENUMS[it.method]
                item.reference = it.check_number or it.card_reference
            else:
                item.payer_name, item.reference = it.payer_name, it.trace_number
            msg.items.append(item)
    return list(out.values())


async def get_deposit(ctx: CallContext, deposit_id: int) -> pb.Deposit:
    row = (await ctx.db.execute(select(Deposit).where(
        Deposit.practice_id == ctx.practice_id, Deposit.id == deposit_id))).scalar_one_or_none()
    if row is None:
        raise NotFound("No such deposit.", "DEPOSIT_NOT_FOUND")
    [msg] = await _with_items(ctx, [row], items=True)
    return msg


async def list_deposits(ctx: CallContext, limit: int) -> list[pb.Deposit]:
    if limit < 0 or limit > 1000:
        raise InvalidArgument.one("limit", "must be between 0 and 1000")
    rows = (await ctx.db.execute(select(Deposit).where(Deposit.practice_id == ctx.practice_id)
                                 .order_by(Deposit.deposit_date.desc(), Deposit.id.desc())
                                 .limit(limit or 100))).scalars().all()
    return await _with_items(ctx, list(rows), items=False)


# -- Day close -----------------------------------------------------------------------------------------------------

def _totals(row: Any) -> pb.DayTotals:
    return pb.DayTotals(**{field: int(getattr(row, column)) for field, column in _TOTAL_FIELDS})


async def compute_sheet(ctx: CallContext, business_date: date) -> pb.DaySheet:
    """The day's figures as the ledger has them now, in total and per user who posted."""
    sheet = pb.DaySheet(business_date=dates.to_pb(business_date))
    for row in await raw.fetch_all(ctx.db, _DAY_SQL, {"p": ctx.practice_id, "d": business_date}):
        per = _totals(row)
        sheet.by_user.append(pb.UserTotals(user=row.who, totals=per))
        for field, _ in _TOTAL_FIELDS:
            setattr(sheet.totals, field, getattr(sheet.totals, field) + getattr(per, field))
    return sheet


def _stored(row: DayClose) -> pb.DaySheet:
    sheet = json_format.ParseDict(row.sheet, pb.DaySheet())
    sheet.closed, sheet.closed_by = True, row.closed_by_name
    sheet.closed_at.FromDatetime(row.closed_at)
    return sheet


async def _closed(ctx: CallContext, business_date: date) -> DayClose | None:
    return (await ctx.db.execute(select(DayClose).where(
        DayClose.practice_id == ctx.practice_id, DayClose.business_date == business_date))).scalar_one_or_none()


def _date(errors: FieldErrors, field: str, value: Any, default: date | None) -> date | None:
    try:
        got = dates.from_pb(value) if dates.is_set(value) else default
    except ValueError:
        errors.add(field, "is not a date")
        return None
    if got is None:
        errors.add(field, "is required")
    return got


async def day_sheet(ctx: CallContext, req: pb.GetDaySheetRequest) -> pb.DaySheet:
    """A closed day's stored sheet (it never changes), or an open day's as it stands."""
    errors = FieldErrors()
    business_date = _date(errors, "business_date", req.business_date, await practice_today(ctx.db, ctx.practice_id))
    errors.raise_if_any()
    assert business_date is not None
    closed = await _closed(ctx, business_date)
    return _stored(closed) if closed is not None else await compute_sheet(ctx, business_date)


async def close_day(ctx: CallContext, req: pb.CloseDayRequest) -> pb.DaySheet:
    errors = FieldErrors()
    if not req.idempotency_key:
        errors.add("idempotency_key", "is required: a day closes once")
    business_date = _date(errors, "business_date", req.business_date, None)
    errors.raise_if_any()
    assert business_date is not None
    # Exclusive: in-flight postings finish first, and new ones wait, then land after the closed day.
    await ctx.db.execute(select(func.pg_advisory_xact_lock(posting.day_close_lock(ctx.practice_id))))
    refusal = rules.close_refusal(business_date, await practice_today(ctx.db, ctx.practice_id),
                                  await _closed(ctx, business_date) is not None)
    if refusal is not None:
        raise RuleViolation(*refusal)
    sheet = await compute_sheet(ctx, business_date)
    who = ctx.require_session()
    row = DayClose(practice_id=ctx.practice_id, business_date=business_date, closed_by=who.user_id,
                   closed_by_name=who.username, sheet=json_format.MessageToDict(sheet))
    ctx.db.add(row)
    await ctx.db.flush()
    await ctx.db.refresh(row)
    return _stored(row)

"""Statement runs, their delivery (print file, vendor CSV, email), collections and payment plans (decision 0028).

A run holds one lock per practice (two runs at once would give a guarantor two statements), reads what every
guarantor owes set-based (server/statements/accounts.py), renders each statement once and stores the PDF with
the figures it shows: reprints are those bytes. Every status change goes through the transition table and leaves a
``statement_event``.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any, cast

from sqlalchemy import Table, func, insert, select, update

from server.db import raw
from server.errors import FieldErrors, InvalidArgument, NotFound, RuleViolation, StaleVersion
from server.practice.service import practice_today
from server.rpc.context import CallContext
from server.statements import accounts, exports, render, rules
from server.statements.accounts import Owed
from server.statements.models import (
    CollectionAccount,
    CollectionExport,
    PaymentPlan,
    Statement,
    StatementEvent,
    StatementRun,
    StatementSettings,
)
from shared import dates
from shared.pms.statements.v1 import statements_pb2 as pb

STATUS_ENUMS = {"generated": pb.STATEMENT_STATUS_GENERATED, "printed": pb.STATEMENT_STATUS_PRINTED,
                "emailed": pb.STATEMENT_STATUS_EMAILED, "exported": pb.STATEMENT_STATUS_EXPORTED,
                "voided": pb.STATEMENT_STATUS_VOIDED}
DELIVERY_ENUMS = {"mail": pb.DELIVERY_MAIL, "email": pb.DELIVERY_EMAIL}
COLLECTION_ENUMS = {"flagged": pb.COLLECTION_STATUS_FLAGGED, "sent": pb.COLLECTION_STATUS_SENT}
COLLECTION_NAMES: dict[int, str] = {int(v): k for k, v in COLLECTION_ENUMS.items()}
PLAN_ENUMS = {"active": pb.PAYMENT_PLAN_STATUS_ACTIVE, "cancelled": pb.PAYMENT_PLAN_STATUS_CANCELLED}
DOWNLOAD_CHUNK = 1 << 20


async def _lock(ctx: CallContext, name: str) -> None:
    await ctx.db.execute(select(func.pg_advisory_xact_lock(func.hashtextextended(f"{name}:{ctx.practice_id}", 0))))


# -- Settings --------------------------------------------------------------------------------------------------

async def settings(ctx: CallContext) -> rules.Settings:
    row = await ctx.db.get(StatementSettings, ctx.practice_id)
    if row is None:
        return rules.Settings()
    return rules.Settings(row.threshold_cents, row.cycle_days, row.due_days, tuple(row.level_messages), row.version)


def settings_message(s: rules.Settings) -> pb.StatementSettings:
    return pb.StatementSettings(threshold_cents=s.threshold_cents, cycle_days=s.cycle_days, due_days=s.due_days,
                                level_messages=list(s.level_messages), version=s.version)


async def update_settings(ctx: CallContext, req: pb.UpdateStatementSettingsRequest) -> rules.Settings:
    s = req.settings
    errors = FieldErrors()
    messages = [m.strip() for m in s.level_messages]
    rules.check_settings(errors, "settings", s.threshold_cents, s.cycle_days, s.due_days, messages)
    errors.raise_if_any()
    row = (await ctx.db.execute(select(StatementSettings).where(
        StatementSettings.practice_id == ctx.practice_id).with_for_update())).scalar_one_or_none()
    if (row.version if row is not None else 0) != s.version:
        raise StaleVersion("statement settings")
    who = ctx.require_session()
    if row is None:
        row = StatementSettings(practice_id=ctx.practice_id, version=1)
        ctx.db.add(row)
    else:
        row.version += 1
    row.threshold_cents, row.cycle_days, row.due_days = s.threshold_cents, s.cycle_days, s.due_days
    row.level_messages, row.updated_by_name, row.updated_at = messages, who.username, datetime.now(UTC)
    await ctx.db.flush()
    return rules.Settings(row.threshold_cents, row.cycle_days, row.due_days, tuple(messages), row.version)


# -- Runs ------------------------------------------------------------------------------------------------------

async def preview(ctx: CallContext) -> pb.PreviewStatementRunResponse:
    today = await practice_today(ctx.db, ctx.practice_id)
    owed = await accounts.open_accounts(ctx, today, await settings(ctx))
    out = pb.PreviewStatementRunResponse(statement_date=dates.to_pb(today))
    for o in owed:
        if o.outcome == "statement":
            out.statement_count += 1
            out.amount_due_cents += o.amount_due_cents
            if o.account.email:
                out.email_count += 1
            else:
                out.mail_count += 1
        elif o.outcome == "collections":
            out.collections_count += 1
            out.collections_cents += o.amount_due_cents
        elif o.outcome == "below_threshold" and o.amount_due_cents > 0:
            out.below_threshold_count += 1
        elif o.outcome == "within_cycle":
            out.within_cycle_count += 1
    return out


async def practice_header(ctx: CallContext) -> dict[str, Any]:
    """The practice as the statement shows it: its billing identity's name and address when set."""
    r = await raw.fetch_one(ctx.db, """
        SELECT p.name, b.organization_name, b.address_line1, b.address_line2, b.city, b.state, b.zip, b.phone
          FROM practice p LEFT JOIN billing_setup b ON b.practice_id = p.id WHERE p.id = :p""",
                            {"p": ctx.practice_id})
    assert r is not None
    zip_code = (r.zip or "")[:5] + (f"-{r.zip[5:]}" if r.zip and len(r.zip) == 9 else "")
    remit = [x for x in (r.address_line1, r.address_line2, f"{r.city}, {r.state} {zip_code}" if r.city else "")
             if x]
    phone = f"({r.phone[:3]}) {r.phone[3:6]}-{r.phone[6:]}" if r.phone else ""
    return {"name": r.organization_name or r.name,
            "address": [*remit, *([f"Questions? Call {phone}"] if phone else [])], "remit_to": remit}


def _content(o: Owed, practice: dict[str, Any], mrns: dict[int, str], names: dict[int, str], facts: dict[int, Any],
             codes: dict[int, str], today: date, due: date, message: str) -> dict[str, Any]:
    aging = dict.fromkeys(rules.BUCKETS, 0)
    visits = []
    for v in sorted(o.visits, key=lambda v: (v.date_of_service, names.get(v.patient_id, ""), v.encounter_id)):
        f = facts.get(v.encounter_id)
        charges = int(f.charges) if f else 0
        ins_paid = int(f.insurance_paid) if f else 0
        pat_paid = int(f.patient_paid) if f else 0
        owed_now = v.patient_cents + v.insurance_cents
        visits.append({"encounter_id": v.encounter_id, "date": v.date_of_service.isoformat(),
                       "patient": names.get(v.patient_id, ""), "services": codes.get(v.encounter_id, ""),
                       "charges_cents": charges, "insurance_paid_cents": ins_paid,
                       "adjusted_cents": charges - ins_paid - pat_paid - owed_now, "patient_paid_cents": pat_paid,
                       "balance_cents": v.patient_cents if not v.insurance_cents else 0,
                       "pending_insurance_cents": v.insurance_cents})
        if not v.insurance_cents:
            aging[rules.bucket(v.date_of_service, today)] += v.patient_cents
    installment = 0
    if o.plan is not None and o.plan.standing.current:
        installment = min(o.plan.installment_cents, o.amount_due_cents)
    return {"practice": {"name": practice["name"], "address": practice["address"]},
            "remit_to": practice["remit_to"], "account_number": mrns[o.account.account_patient_id],
            "statement_date": today.isoformat(), "due_date": due.isoformat(), "to": o.account.mailing.as_dict(),
            "visits": visits, "aging": aging, "balance_cents": o.balance_cents, "credit_cents": o.credit_cents,
            "amount_due_cents": o.amount_due_cents, "pending_insurance_cents": o.pending_cents,
            "paid_since_last_cents": o.paid_since_cents, "plan_installment_cents": installment,
            "level": o.level, "message": message}


def _render_all(contents: list[dict[str, Any]]) -> list[tuple[bytes, int]]:
    return [render.statement_pdf(c) for c in contents]


async def run(ctx: CallContext) -> StatementRun:
    await _lock(ctx, "statement-run")
    today = await practice_today(ctx.db, ctx.practice_id)
    s = await settings(ctx)
    owed = await accounts.open_accounts(ctx, today, s)
    chosen = [o for o in owed if o.outcome == "statement"]
    flagged = [o for o in owed if o.outcome == "collections"]
    who = ctx.require_session()
    row = StatementRun(practice_id=ctx.practice_id, statement_date=today, created_by=who.user_id,
                       created_by_name=who.username,
                       settings={"threshold_cents": s.threshold_cents, "cycle_days": s.cycle_days,
                                 "due_days": s.due_days, "levels": s.levels, "version": s.version})
    ctx.db.add(row)
    await ctx.db.flush()
    patient_ids = sorted({pid for o in chosen + flagged for pid in (*o.account.patient_ids,
                                                                    o.account.account_patient_id)})
    people = {r.id: r for r in await raw.fetch_all(ctx.db, """
        SELECT id, mrn, first_name, last_name FROM patient WHERE practice_id = :p AND id = ANY(:ids)""",
                                                   {"p": ctx.practice_id, "ids": patient_ids})}
    mrns = {pid: r.mrn for pid, r in people.items()}
    names = {pid: f"{r.first_name} {r.last_name}" for pid, r in people.items()}
    facts, codes = await accounts.visit_facts(ctx, [v.encounter_id for o in chosen for v in o.visits])
    practice = await practice_header(ctx)
    due = today + timedelta(days=s.due_days)
    contents = [_content(o, practice, mrns, names, facts, codes, today, due, s.level_messages[o.level - 1])
                for o in chosen]
    # Rendering is CPU work: off the event loop, so other calls keep being answered during a big run.
    rendered = await asyncio.to_thread(_render_all, contents)
    table = cast(Table, Statement.__table__)
    for start in range(0, len(chosen), 500):
        await ctx.db.execute(insert(table), [
            {"practice_id": ctx.practice_id, "run_id": row.id, "guarantor_key": o.account.key,
             "account_patient_id": o.account.account_patient_id, "patient_ids": o.account.patient_ids,
             "statement_date": today, "due_date": due, "dunning_level": o.level,
             "amount_due_cents": o.amount_due_cents, "balance_cents": o.balance_cents,
             "credit_cents": o.credit_cents, "pending_insurance_cents": o.pending_cents,
             "plan_installment_cents": c["plan_installment_cents"], "content": c,
             "delivery": "email" if o.account.email else "mail", "email_to": o.account.email, "pdf": pdf,
             "pages": pages, "status": "generated"}
            for o, c, (pdf, pages) in zip(chosen[start:start + 500], contents[start:start + 500],
                                          rendered[start:start + 500], strict=True)])
    if flagged:
        await ctx.db.execute(insert(cast(Table, CollectionAccount.__table__)), [
            {"practice_id": ctx.practice_id, "guarantor_key": o.account.key,
             "account_patient_id": o.account.account_patient_id, "patient_ids": o.account.patient_ids,
             "guarantor_name": o.account.mailing.name, "contact": o.account.mailing.as_dict(),
             "balance_cents": o.amount_due_cents,
             "oldest_service_date": min((v.date_of_service for v in o.visits if not v.insurance_cents),
                                        default=None),
             "last_payment_date": o.last_payment,
             "last_statement_id": o.previous.statement_id if o.previous else None, "flagged_on": today,
             "status": "flagged"} for o in flagged])
    row.statement_count = len(chosen)
    row.email_count = sum(1 for o in chosen if o.account.email)
    row.mail_count = row.statement_count - row.email_count
    row.amount_due_cents = sum(o.amount_due_cents for o in chosen)
    row.collections_count = len(flagged)
    await ctx.db.flush()
    return row


def run_message(row: StatementRun) -> pb.StatementRun:
    msg = pb.StatementRun(run_id=row.id, statement_date=dates.to_pb(row.statement_date),
                          statement_count=row.statement_count, mail_count=row.mail_count,
                          email_count=row.email_count, amount_due_cents=row.amount_due_cents,
                          collections_count=row.collections_count, created_by=row.created_by_name)
    msg.created_at.FromDatetime(row.created_at)
    return msg


async def get_run(ctx: CallContext, run_id: int) -> StatementRun:
    row = (await ctx.db.execute(select(StatementRun).where(
        StatementRun.practice_id == ctx.practice_id, StatementRun.id == run_id))).scalar_one_or_none()
    if row is None:
        raise NotFound("No such statement run.", "STATEMENT_RUN_NOT_FOUND")
    return row


async def list_runs(ctx: CallContext, limit: int) -> list[StatementRun]:
    if not 0 <= limit <= 500:
        raise InvalidArgument.one("limit", "must be between 0 and 500")
    return list((await ctx.db.execute(select(StatementRun).where(StatementRun.practice_id == ctx.practice_id)
                                      .order_by(StatementRun.id.desc()).limit(limit or 50))).scalars().all())


# -- Statements ------------------------------------------------------------------------------------------------

def _ts(msg: Any, field: str, value: datetime | None) -> None:
    if value is not None:
        getattr(msg, field).FromDatetime(value)


def statement_message(row: Statement) -> pb.Statement:
    c = row.content
    msg = pb.Statement(
        statement_id=row.id, run_id=row.run_id, account_number=c["account_number"],
        guarantor_name=c["to"]["name"], patient_ids=row.patient_ids,
        statement_date=dates.to_pb(row.statement_date), due_date=dates.to_pb(row.due_date),
        dunning_level=row.dunning_level, amount_due_cents=row.amount_due_cents, balance_cents=row.balance_cents,
        credit_cents=row.credit_cents, pending_insurance_cents=row.pending_insurance_cents,
        aging=pb.Aging(current_cents=c["aging"]["current"], days_31_60_cents=c["aging"]["days_31_60"],
                       days_61_90_cents=c["aging"]["days_61_90"], days_91_120_cents=c["aging"]["days_91_120"],
                       over_120_cents=c["aging"]["over_120"]),
        delivery=DELIVERY_ENUMS[row.delivery], email_to=row.email_to, status=STATUS_ENUMS[row.status],
        void_reason=row.void_reason, email_error=row.email_error,
        plan_installment_cents=row.plan_installment_cents, pages=row.pages)
    for f in ("printed_at", "emailed_at", "exported_at", "voided_at"):
        _ts(msg, f, getattr(row, f))
    return msg


# The list shows statements without their PDFs (megabytes for a big run).
_LIST_COLUMNS = [c for c in cast(Table, Statement.__table__).c if c.name != "pdf"]


async def list_statements(ctx: CallContext, run_id: int, patient_id: int) -> list[pb.Statement]:
    if bool(run_id) == bool(patient_id):
        raise InvalidArgument.one("run_id", "name a run or a patient (one of the two)")
    query = select(*_LIST_COLUMNS).where(Statement.practice_id == ctx.practice_id)
    if run_id:
        await get_run(ctx, run_id)
        query = query.where(Statement.run_id == run_id)
    else:
        query = query.where(Statement.patient_ids.contains([patient_id]))
    rows = (await ctx.db.execute(query.order_by(Statement.id))).all()
    return [statement_message(cast(Statement, r)) for r in rows]


async def load_statement(ctx: CallContext, statement_id: int, *, for_update: bool = False) -> Statement:
    query = select(Statement).where(Statement.practice_id == ctx.practice_id, Statement.id == statement_id)
    row = (await ctx.db.execute(query.with_for_update() if for_update else query)).scalar_one_or_none()
    if row is None:
        raise NotFound("No such statement.", "STATEMENT_NOT_FOUND")
    return row


def file_name(row: Statement) -> str:
    return f"statement-{row.content['account_number']}-{row.statement_date:%Y%m%d}-{row.id}.pdf"


async def _move(ctx: CallContext, rows: list[Statement], to: str, detail: str = "") -> None:
    """Each statement to its next status (refused by the table when not allowed), with its event."""
    now = datetime.now(UTC)
    who = ctx.require_session()
    for row in rows:
        rules.check_transition(row.status, to)
    if not rows:
        return
    stamp = {"printed": "printed_at", "emailed": "emailed_at", "exported": "exported_at",
             "voided": "voided_at"}[to]
    await ctx.db.execute(insert(cast(Table, StatementEvent.__table__)), [
        {"practice_id": ctx.practice_id, "statement_id": r.id, "from_status": r.status, "to_status": to,
         "detail": detail, "by_name": who.username} for r in rows])
    await ctx.db.execute(update(Statement).where(Statement.practice_id == ctx.practice_id,
                                                 Statement.id.in_([r.id for r in rows]))
                         .values({"status": to, stamp: now}).execution_options(synchronize_session=False))
    for r in rows:
        r.status = to
        setattr(r, stamp, now)


async def void(ctx: CallContext, statement_id: int, reason: str) -> Statement:
    if not reason.strip():
        raise InvalidArgument.one("reason", "say why the statement is taken back")
    if len(reason) > 200:
        raise InvalidArgument.one("reason", "is longer than 200 characters")
    row = await load_statement(ctx, statement_id, for_update=True)
    await _move(ctx, [row], "voided", reason.strip())
    row.void_reason = reason.strip()
    await ctx.db.flush()
    return row


async def _to_mail(ctx: CallContext, run_id: int) -> list[Statement]:
    """A run's statements that go on paper: mail ones not yet sent, and emails that could not go."""
    await get_run(ctx, run_id)
    return list((await ctx.db.execute(select(Statement).where(
        Statement.practice_id == ctx.practice_id, Statement.run_id == run_id, Statement.status == "generated",
        (Statement.delivery == "mail") | (Statement.email_error != ""))
        .order_by(Statement.id).with_for_update())).scalars().all())


async def export_run(ctx: CallContext, run_id: int, fmt: int) -> tuple[str, bytes, int]:
    """(file name, bytes, statements) of a run's mail; the statements become printed or exported."""
    if fmt not in (pb.EXPORT_FORMAT_PDF, pb.EXPORT_FORMAT_VENDOR_CSV):
        raise InvalidArgument.one("format", "choose the print file (PDF) or the print vendor's CSV")
    rows = await _to_mail(ctx, run_id)
    if not rows:
        raise RuleViolation("Every statement of this run to mail was already printed or exported.",
                            "NOTHING_TO_EXPORT")
    run_row = await get_run(ctx, run_id)
    if fmt == pb.EXPORT_FORMAT_PDF:
        data = await asyncio.to_thread(render.combined_pdf, [r.content for r in rows],
                                       f"Statements {run_row.statement_date}")
        await _move(ctx, rows, "printed", "combined print file")
        return f"statements-run{run_id}-{run_row.statement_date:%Y%m%d}.pdf", data, len(rows)
    data = exports.vendor_csv([(r.id, r.dunning_level, r.content) for r in rows])
    await _move(ctx, rows, "exported", "print vendor CSV")
    return f"statements-run{run_id}-{run_row.statement_date:%Y%m%d}.csv", data, len(rows)


@dataclass(frozen=True)
class EmailOutcome:
    sent: int
    failed: int


async def send_emails(ctx: CallContext, run_id: int, sender: Any) -> EmailOutcome:
    from server.reminders.transports import TransportError
    from server.statements.delivery import send_statement

    if sender is None:
        raise RuleViolation("No SMTP server is set up for this server (server.json \"reminders\" \"smtp\").",
                            "EMAIL_NOT_CONFIGURED")
    await get_run(ctx, run_id)
    rows = list((await ctx.db.execute(select(Statement).where(
        Statement.practice_id == ctx.practice_id, Statement.run_id == run_id, Statement.status == "generated",
        Statement.delivery == "email", Statement.email_error == "")
        .order_by(Statement.id).with_for_update())).scalars().all())
    sent: list[Statement] = []
    failed = 0
    for row in rows:
        try:
            await send_statement(sender, row.email_to, row.content, row.pdf, file_name(row))
        except TransportError as exc:
            row.email_error = str(exc)[:200] or "not sent"
            failed += 1
        else:
            sent.append(row)
    await _move(ctx, sent, "emailed", "email")
    await ctx.db.flush()
    return EmailOutcome(len(sent), failed)


# -- Collections -----------------------------------------------------------------------------------------------

def collection_message(row: CollectionAccount, account_number: str) -> pb.CollectionAccount:
    return pb.CollectionAccount(
        collection_account_id=row.id, account_number=account_number, guarantor_name=row.guarantor_name,
        patient_ids=row.patient_ids, balance_cents=row.balance_cents, flagged_on=dates.to_pb(row.flagged_on),
        last_statement_id=row.last_statement_id or 0, status=COLLECTION_ENUMS[row.status],
        sent_on=dates.to_pb(row.sent_on))


async def _mrns(ctx: CallContext, ids: list[int]) -> dict[int, str]:
    return {r.id: r.mrn for r in await raw.fetch_all(
        ctx.db, "SELECT id, mrn FROM patient WHERE practice_id = :p AND id = ANY(:ids)",
        {"p": ctx.practice_id, "ids": ids})}


async def list_collections(ctx: CallContext, status: int) -> list[pb.CollectionAccount]:
    query = select(CollectionAccount).where(CollectionAccount.practice_id == ctx.practice_id)
    if status:
        if status not in COLLECTION_NAMES:
            raise InvalidArgument.one("status", "is not one of the choices")
        query = query.where(CollectionAccount.status == COLLECTION_NAMES[status])
    rows = (await ctx.db.execute(query.order_by(CollectionAccount.id))).scalars().all()
    mrns = await _mrns(ctx, [r.account_patient_id for r in rows])
    return [collection_message(r, mrns.get(r.account_patient_id, "")) for r in rows]


async def export_collections(ctx: CallContext) -> pb.ExportCollectionsResponse:
    await _lock(ctx, "collections")
    rows = list((await ctx.db.execute(select(CollectionAccount).where(
        CollectionAccount.practice_id == ctx.practice_id, CollectionAccount.status == "flagged")
        .order_by(CollectionAccount.id).with_for_update())).scalars().all())
    if not rows:
        raise RuleViolation("No account is waiting to go to the collection agency.", "NOTHING_TO_EXPORT")
    today = await practice_today(ctx.db, ctx.practice_id)
    mrns = await _mrns(ctx, [r.account_patient_id for r in rows])
    practice = await practice_header(ctx)
    data = exports.agency_csv(practice["name"], today, [(r, mrns.get(r.account_patient_id, "")) for r in rows])
    who = ctx.require_session()
    export = CollectionExport(practice_id=ctx.practice_id, account_count=len(rows),
                              total_cents=sum(r.balance_cents for r in rows), csv=data, created_by_name=who.username)
    ctx.db.add(export)
    await ctx.db.flush()
    for r in rows:
        r.status, r.export_id, r.sent_on = "sent", export.id, today
    await ctx.db.flush()
    return pb.ExportCollectionsResponse(file_name=f"collections-{today:%Y%m%d}-{export.id}.csv", csv=data,
                                        account_count=export.account_count, total_cents=export.total_cents)


# -- Payment plans ---------------------------------------------------------------------------------------------

_PLAN_PAID_SQL = """
SELECT coalesce(sum(amount_cents), 0) AS paid FROM patient_payment
 WHERE practice_id = :p AND patient_id = ANY(:ids) AND reversal_entry_id IS NULL AND entry_id IS NOT NULL
   AND received_on >= :start"""


async def plan_message(ctx: CallContext, row: PaymentPlan, today: date) -> pb.PaymentPlan:
    paid = int((await raw.fetch_one(ctx.db, _PLAN_PAID_SQL, {"p": ctx.practice_id, "ids": row.patient_ids,
                                                             "start": row.start_date})).paid)
    standing = rules.plan_standing(row.start_date, row.due_day, row.installment_cents, row.total_cents, paid,
                                   today)
    who = await raw.fetch_one(ctx.db, "SELECT mrn, first_name, last_name FROM patient WHERE practice_id = :p "
                                      "AND id = :id", {"p": ctx.practice_id, "id": row.patient_id})
    active = row.status == "active"
    return pb.PaymentPlan(
        payment_plan_id=row.id, patient_id=row.patient_id, account_number=who.mrn if who else "",
        guarantor_name=f"{who.first_name} {who.last_name}" if who else "", total_cents=row.total_cents,
        installment_cents=row.installment_cents, due_day=row.due_day, start_date=dates.to_pb(row.start_date),
        status=PLAN_ENUMS[row.status], installments_due=standing.installments_due,
        expected_cents=standing.expected_cents, paid_cents=paid,
        missed_installments=standing.missed_installments if active else 0, current=active and standing.current,
        next_due_date=dates.to_pb(standing.next_due_date) if active else None, note=row.note,
        cancel_reason=row.cancel_reason, version=row.version)


async def create_plan(ctx: CallContext, req: pb.CreatePaymentPlanRequest) -> PaymentPlan:
    errors = FieldErrors()
    today = await practice_today(ctx.db, ctx.practice_id)
    try:
        start = dates.from_pb(req.start_date) if dates.is_set(req.start_date) else today
    except ValueError:
        errors.add("start_date", "is not a date")
        start = None
    if req.patient_id <= 0:
        errors.add("patient_id", "is required")
    rules.check_plan(errors, req.total_cents, req.installment_cents, req.due_day, start, today, req.note)
    errors.raise_if_any()
    assert start is not None
    await _lock(ctx, "payment-plans")
    s = await settings(ctx)
    solo = await accounts.open_accounts(ctx, today, s, [req.patient_id])
    if not solo:
        raise NotFound("No such patient.")
    key = next((o.account.key for o in solo if req.patient_id in o.account.patient_ids), solo[0].account.key)
    mine = next((o for o in await accounts.open_accounts(ctx, today, s) if o.account.key == key), None)
    owed = mine.amount_due_cents if mine is not None else 0
    total = req.total_cents or owed
    if total <= 0:
        raise RuleViolation("This guarantor owes nothing to put on a plan.", "NOTHING_OWED")
    if req.installment_cents > total:
        raise InvalidArgument.one("installment_cents", "is more than the plan's total")
    taken = (await ctx.db.execute(select(PaymentPlan.id).where(
        PaymentPlan.practice_id == ctx.practice_id, PaymentPlan.guarantor_key == key,
        PaymentPlan.status == "active"))).scalar_one_or_none()
    if taken is not None:
        raise RuleViolation("This guarantor already has an active payment plan; cancel it first.",
                            "PLAN_ALREADY_ACTIVE")
    ids = sorted(set(mine.account.patient_ids if mine else []) | {req.patient_id})
    account_patient = mine.account.account_patient_id if mine else req.patient_id
    row = PaymentPlan(practice_id=ctx.practice_id, guarantor_key=key, patient_id=account_patient, patient_ids=ids,
                      total_cents=total, installment_cents=req.installment_cents, due_day=req.due_day,
                      start_date=start, note=req.note.strip(), created_by_name=ctx.require_session().username)
    ctx.db.add(row)
    await ctx.db.flush()
    return row


async def list_plans(ctx: CallContext, patient_id: int, include_cancelled: bool) -> list[pb.PaymentPlan]:
    query = select(PaymentPlan).where(PaymentPlan.practice_id == ctx.practice_id)
    if patient_id:
        query = query.where(PaymentPlan.patient_ids.contains([patient_id]))
    if not include_cancelled:
        query = query.where(PaymentPlan.status == "active")
    today = await practice_today(ctx.db, ctx.practice_id)
    return [await plan_message(ctx, r, today)
            for r in (await ctx.db.execute(query.order_by(PaymentPlan.id))).scalars().all()]


async def cancel_plan(ctx: CallContext, req: pb.CancelPaymentPlanRequest) -> PaymentPlan:
    if not req.reason.strip():
        raise InvalidArgument.one("reason", "say why the plan ends")
    row = (await ctx.db.execute(select(PaymentPlan).where(
        PaymentPlan.practice_id == ctx.practice_id, PaymentPlan.id == req.payment_plan_id)
        .with_for_update())).scalar_one_or_none()
    if row is None:
        raise NotFound("No such payment plan.", "PAYMENT_PLAN_NOT_FOUND")
    if row.version != req.version:
        raise StaleVersion("payment plan")
    if row.status != "active":
        raise RuleViolation("This payment plan was already cancelled.", "PLAN_NOT_ACTIVE")
    row.status, row.cancel_reason, row.cancelled_at = "cancelled", req.reason.strip()[:500], datetime.now(UTC)
    row.version += 1
    await ctx.db.flush()
    return row

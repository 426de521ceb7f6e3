"""Eligibility (issue 6, item 7): asking payers whether a policy covers a date of service (270) and keeping their
answer (271) with the policy, for the front desk at check-in.

Inquiries go out like claims: written as one 270 interchange (the practice's next interchange number), delivered
by the clearinghouse job, answered into the inbox. Each inquiry's trace number is "E<check id>", which the 271
echoes, so an answer finds its check whatever order files arrive in. Reading the same answer twice changes nothing.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from server.claims import setup as billing_setup
from server.db import raw
from server.errors import FieldErrors, RuleViolation
from server.insurance.models import EligibilityCheck, EligibilityRequest
from server.practice.service import practice_today
from server.rpc.context import CallContext
from server.x12 import claim837 as x
from server.x12.eligibility import EligibilityAnswer, EligibilityBatch, InformationReceiver, Inquiry, read_271
from server.x12.eligibility import write_270 as write_270_file
from server.x12.writer_base import Envelope

MAX_INQUIRIES = 500
# Asking about a date further ahead than this is refused by most payers (and useless to the front desk).
MAX_DAYS_AHEAD = 90

_POLICIES_SQL = """
SELECT pol.id, pol.patient_id, pol.member_id, pol.group_number, pol.relationship, pol.subscriber,
       pol.effective_date, pol.termination_date, pol.priority,
       y.name AS payer_name, y.electronic_payer_id,
       p.first_name, p.last_name, p.middle_name, p.suffix, p.date_of_birth, p.sex
  FROM insurance_policy pol
  JOIN payer y ON y.practice_id = pol.practice_id AND y.id = pol.payer_id
  JOIN patient p ON p.practice_id = pol.practice_id AND p.id = pol.patient_id
 WHERE pol.practice_id = :p AND pol.id = ANY(:ids)"""

# The first-priority policy of each patient booked on the day (not cancelled), for the front desk's bulk check.
_TOMORROW_SQL = """
SELECT DISTINCT pol.id FROM appointment a
  JOIN location l ON l.practice_id = a.practice_id AND l.id = a.location_id
  JOIN insurance_policy pol ON pol.practice_id = a.practice_id AND pol.patient_id = a.patient_id
                           AND pol.priority = 1
 WHERE a.practice_id = :p AND (a.starts_at AT TIME ZONE l.time_zone)::date = :day
   AND a.status IN ('scheduled', 'confirmed')
 ORDER BY pol.id"""


def _person(last: str, first: str, middle: str, suffix: str, born: date | None, sex: str) -> x.Person:
    return x.Person(last=last, first=first, middle=middle, suffix=suffix, birth_date=born, sex=sex or "U")


def _subscriber(data: dict[str, Any]) -> x.Person:
    name = data.get("name") or {}
    born = data.get("date_of_birth") or ""
    return _person(name.get("last", ""), name.get("first", ""), name.get("middle", ""), name.get("suffix", ""),
                   date.fromisoformat(born) if born else None, data.get("sex", "U"))


async def request(ctx: CallContext, policy_ids: list[int], date_of_service: date | None) -> list[EligibilityCheck]:
    """Writes one 270 asking about each policy on the date (the practice's today when not given)."""
    errors = FieldErrors()
    today = await practice_today(ctx.db, ctx.practice_id)
    dos = date_of_service or today
    errors.check_ids("policy_ids", policy_ids, MAX_INQUIRIES, "policy", "request")
    if dos > today + timedelta(days=MAX_DAYS_AHEAD):
        errors.add("date_of_service", f"payers answer for at most {MAX_DAYS_AHEAD} days ahead")
    if errors.has("policy_ids"):
        errors.raise_if_any()
    rows = {r.id: r for r in await raw.fetch_all(ctx.db, _POLICIES_SQL, {"p": ctx.practice_id, "ids": policy_ids})}
    for i, pid in enumerate(policy_ids):
        row = rows.get(pid)
        if row is None:
            errors.add(f"policy_ids[{i}]", f"no such policy: {pid}")
        elif not row.electronic_payer_id:
            errors.add(f"policy_ids[{i}]", f"{row.payer_name} has no electronic payer ID")
    errors.raise_if_any()
    setup = await billing_setup.load(ctx.db, ctx.practice_id, for_update=True)
    if setup is None:
        raise RuleViolation("Enter the practice's billing identity first (Admin, billing setup): inquiries carry "
                            "its NPI.", "BILLING_SETUP_MISSING")
    who = ctx.require_session().user_id
    by_payer: dict[str, list[int]] = {}
    for pid in policy_ids:
        by_payer.setdefault(rows[pid].electronic_payer_id, []).append(pid)
    checks: list[EligibilityCheck] = []
    # One 270 interchange per payer, each with the practice's next control number.
    for payer_id, pids in sorted(by_payer.items()):
        interchange = setup.next_interchange_number
        setup.next_interchange_number = interchange + 1 if interchange < 999_999_999 else 1
        req = EligibilityRequest(practice_id=ctx.practice_id, interchange_control_number=interchange,
                                 file_name=f"270-{interchange:09d}.x12", content="", created_by=who)
        ctx.db.add(req)
        await ctx.db.flush()
        mine = [EligibilityCheck(practice_id=ctx.practice_id, request_id=req.id, policy_id=pid,
                                 patient_id=rows[pid].patient_id, date_of_service=dos, requested_by=who)
                for pid in pids]
        ctx.db.add_all(mine)
        await ctx.db.flush()
        inquiries = []
        for check in mine:
            r = rows[check.policy_id]
            patient = _person(r.last_name, r.first_name, r.middle_name, r.suffix, r.date_of_birth, r.sex)
            is_self = r.relationship == "18"
            inquiries.append(Inquiry(
                inquiry_id=f"E{check.id}", subscriber=patient if is_self else _subscriber(r.subscriber or {}),
                member_id=r.member_id, service_date=dos, dependent=None if is_self else patient,
                group_number=r.group_number))
        req.content = write_270_file(EligibilityBatch(
            envelope=Envelope(sender_id=setup.submitter_id, receiver_id=setup.receiver_id,
                              created_at=datetime.now(UTC), interchange_control_number=interchange,
                              group_control_number=interchange, transaction_control_number=interchange,
                              usage=setup.usage),
            payer=x.PayerName(name=rows[pids[0]].payer_name, payer_id=payer_id),
            receiver=InformationReceiver(organization_name=setup.organization_name, npi=setup.npi),
            originating_company_id=f"1{setup.tax_id}", inquiries=tuple(inquiries), reference=f"R{req.id}"))
        checks += mine
    await ctx.db.flush()
    return checks


async def request_tomorrow(ctx: CallContext) -> list[EligibilityCheck]:
    day = await practice_today(ctx.db, ctx.practice_id) + timedelta(days=1)
    ids = [r.id for r in await raw.fetch_all(ctx.db, _TOMORROW_SQL, {"p": ctx.practice_id, "day": day})]
    if not ids:
        return []
    return await request(ctx, ids[:MAX_INQUIRIES], day)


def _apply(check: EligibilityCheck, answer: EligibilityAnswer) -> None:
    check.status, check.answered_at = "answered", datetime.now(UTC)
    check.coverage = answer.coverage if answer.coverage in ("active", "inactive", "rejected") else "unknown"
    check.plan_name = answer.plan_name[:100]
    check.plan_begin, check.plan_end = answer.plan_begin, answer.plan_end
    check.copay_cents = answer.copay_cents("98") if answer.copay_cents("98") is not None else answer.copay_cents()
    check.coinsurance_bp = answer.coinsurance_bp()
    check.deductible_cents = answer.deductible_cents()
    check.deductible_remaining_cents = answer.deductible_cents(remaining=True)
    check.out_of_pocket_remaining_cents = answer.out_of_pocket_cents(remaining=True)
    check.summary = answer.summary[:2000]


async def apply_271(db: AsyncSession, content: bytes) -> tuple[int, int]:
    """(answers applied, answers already applied or not ours). X12ReadError leaves everything as it was."""
    answers = read_271(content)
    applied = unchanged = 0
    for answer in answers:
        trace = answer.trace_number
        if not (trace.startswith("E") and trace[1:].isdigit()):
            unchanged += 1
            continue
        check = (await db.execute(select(EligibilityCheck).where(EligibilityCheck.id == int(trace[1:]))
                                  .with_for_update())).scalar_one_or_none()
        if check is None or check.status == "answered":
            unchanged += 1
            continue
        _apply(check, answer)
        applied += 1
    return applied, unchanged

"""Insurance policies: rules, billing order, ending. Changes to one patient's policies are serialised
by locking the patient row, so two clerks reordering at once cannot interleave."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from server.common import contact_rules
from server.common.convert import ts
from server.db import raw
from server.errors import FieldErrors, NotFound, RuleViolation, StaleVersion
from server.insurance.models import InsurancePolicy
from server.patients import service as patients
from server.patients.rules import name_message
from server.patients.search_query import member_key
from server.payers.models import Payer
from server.practice.service import practice_today
from server.rpc.context import CallContext
from shared import dates
from shared.pms.insurance.v1 import insurance_pb2 as pb

SELF = "18"
RELATIONSHIPS = contact_rules.RELATIONSHIPS
# X12 SBR05 Medicare secondary payer types.
MEDICARE_SECONDARY_TYPES = {
    "12": "Working aged beneficiary or spouse with employer group health plan",
    "13": "End-stage renal disease beneficiary in the 30-month coordination period",
    "14": "No-fault insurance including auto", "15": "Workers' compensation",
    "16": "Public health service or other federal agency", "41": "Black lung", "42": "Veterans' administration",
    "43": "Disabled beneficiary under age 65 with large group health plan", "47": "Other liability insurance",
}
MEDICARE_FILING = ("MA", "MB")
_MEMBER_ID = re.compile(r"^[A-Za-z0-9\-]{1,80}$")


async def _policy_values(ctx: CallContext, p: pb.Policy, today: date) -> tuple[dict[str, Any], Payer | None]:
    errors = FieldErrors()
    payer = None
    if p.payer_id <= 0:
        errors.add("policy.payer_id", "is required")
    else:
        payer = (await ctx.db.execute(select(Payer).where(Payer.practice_id == ctx.practice_id,
                                                          Payer.id == p.payer_id))).scalar_one_or_none()
        if payer is None:
            errors.add("policy.payer_id", "is not a payer in the directory")
        elif not payer.active:
            errors.add("policy.payer_id", "is an inactive payer")
    member = p.member_id.strip()
    if not member:
        errors.add("policy.member_id", "is required")
    elif not _MEMBER_ID.match(member):
        errors.add("policy.member_id", "must be letters, digits and hyphens (at most 80)")
    relationship = p.subscriber_relationship.strip().upper()
    if relationship not in RELATIONSHIPS:
        errors.add("policy.subscriber_relationship",
                   "must be an X12 relationship code (18 self, 01 spouse, 19 child...)")
    subscriber = None
    if relationship and relationship != SELF:
        s = p.subscriber
        born = contact_rules.birth_date(errors, "policy.subscriber.date_of_birth", s.date_of_birth, today)
        subscriber = {
            "name": contact_rules.person_name(errors, "policy.subscriber.name", s.name),
            "date_of_birth": born.isoformat() if born else "",
            "sex": contact_rules.sex(errors, "policy.subscriber.sex", s.sex),
            "address": contact_rules.address(errors, "policy.subscriber.address", s.address, required=True),
        }
    effective = contact_rules.calendar_date(errors, "policy.effective_date", p.effective_date, required=True)
    termination = contact_rules.calendar_date(errors, "policy.termination_date", p.termination_date, required=False)
    if effective and termination and termination < effective:
        errors.add("policy.termination_date", "is before the effective date")
    if p.copay_cents < 0:
        errors.add("policy.copay_cents", "cannot be negative")
    if p.deductible_cents < 0:
        errors.add("policy.deductible_cents", "cannot be negative")
    if not 0 <= p.coinsurance_percent <= 100:
        errors.add("policy.coinsurance_percent", "must be between 0 and 100")
    msp = p.medicare_secondary_type.strip()
    if msp and msp not in MEDICARE_SECONDARY_TYPES:
        errors.add("policy.medicare_secondary_type", "must be an X12 Medicare secondary payer type (12, 13, 14...)")
    elif msp and payer is not None and payer.claim_filing_indicator not in MEDICARE_FILING:
        errors.add("policy.medicare_secondary_type", "applies to Medicare policies only")
    plan_name = contact_rules.text(errors, "policy.plan_name", p.plan_name)
    group = contact_rules.text(errors, "policy.group_number", p.group_number, max_len=50)
    notes = p.benefit_notes.strip()
    if len(notes) > 2000:
        errors.add("policy.benefit_notes", "must be at most 2000 characters")
    errors.raise_if_any()
    return {
        "payer_id": p.payer_id, "plan_name": plan_name,
        "member_id": member, "member_key": member_key(member),
        "group_number": group, "relationship": relationship, "subscriber": subscriber,
        "effective_date": effective, "termination_date": termination, "copay_cents": p.copay_cents,
        "coinsurance_percent": p.coinsurance_percent, "deductible_cents": p.deductible_cents,
        "benefit_notes": notes, "medicare_secondary_type": msp, "accept_assignment": p.accept_assignment,
        "signature_on_file": p.signature_on_file,
    }, payer


def policy_message(row: Any, payer: Any) -> pb.Policy:
    """``row``: a policy (ORM object or Core row); ``payer``: anything with its name and electronic_payer_id."""
    s = row.subscriber
    subscriber = None
    if s:
        subscriber = pb.Subscriber(
            name=name_message(s.get("name")),
            date_of_birth=dates.to_pb(date.fromisoformat(s["date_of_birth"])) if s.get("date_of_birth") else None,
            sex=contact_rules.SEX_ENUMS.get(s.get("sex", ""), 0),  # type: ignore[arg-type]
            address=contact_rules.address_message(s.get("address")))
    return pb.Policy(
        policy_id=row.id, patient_id=row.patient_id, payer_id=row.payer_id, payer_name=payer.name,
        electronic_payer_id=payer.electronic_payer_id, plan_name=row.plan_name, member_id=row.member_id,
        group_number=row.group_number, subscriber_relationship=row.relationship, subscriber=subscriber,
        effective_date=dates.to_pb(row.effective_date), termination_date=dates.to_pb(row.termination_date),
        priority=row.priority or 0, copay_cents=row.copay_cents, coinsurance_percent=row.coinsurance_percent,
        deductible_cents=row.deductible_cents, benefit_notes=row.benefit_notes,
        medicare_secondary_type=row.medicare_secondary_type, accept_assignment=row.accept_assignment,
        signature_on_file=row.signature_on_file, ended=row.ended_at is not None, version=row.version,
        updated_at=ts(row.updated_at))


async def list_policies(db: AsyncSession, practice_id: int, patient_id: int, *, include_ended: bool = True
                        ) -> list[pb.Policy]:
    """Billing order, then ended policies (latest first). On the driver connection: opening a patient runs this."""
    rows = await raw.fetch_all(db, f"""
        SELECT i.*, y.name, y.electronic_payer_id FROM insurance_policy i
          JOIN payer y ON y.practice_id = i.practice_id AND y.id = i.payer_id
         WHERE i.practice_id = :p AND i.patient_id = :patient {"" if include_ended else "AND i.ended_at IS NULL"}
         ORDER BY i.priority ASC NULLS LAST, i.ended_at DESC, i.id""", {"p": practice_id, "patient": patient_id})
    return [policy_message(row, row) for row in rows]


async def _active(db: AsyncSession, practice_id: int, patient_id: int) -> list[InsurancePolicy]:
    return list((await db.execute(select(InsurancePolicy).where(
        InsurancePolicy.practice_id == practice_id, InsurancePolicy.patient_id == patient_id,
        InsurancePolicy.ended_at.is_(None)).order_by(InsurancePolicy.priority))).scalars())


def _renumber(ordered: list[InsurancePolicy]) -> None:
    now = datetime.now(UTC)
    for i, row in enumerate(ordered, start=1):
        if row.priority != i:
            row.priority = i
            row.version += 1
            row.updated_at = now


async def _lock_patient(ctx: CallContext, patient_id: int) -> None:
    patient = await patients.load(ctx.db, ctx.practice_id, patient_id, for_update=True)
    ctx.audit.patient_id = patient.id
    if patient.status == "merged":
        raise RuleViolation("This record was merged into another one; change the surviving record.",
                            "PATIENT_MERGED")


async def _load(ctx: CallContext, policy_id: int) -> InsurancePolicy:
    row = (await ctx.db.execute(select(InsurancePolicy).where(
        InsurancePolicy.practice_id == ctx.practice_id, InsurancePolicy.id == policy_id))).scalar_one_or_none()
    if row is None:
        raise NotFound("No such insurance policy.")
    return row


async def _one(ctx: CallContext, row: InsurancePolicy) -> pb.Policy:
    await ctx.db.flush()
    await ctx.db.refresh(row)
    payer = (await ctx.db.execute(select(Payer).where(Payer.practice_id == ctx.practice_id,
                                                      Payer.id == row.payer_id))).scalar_one()
    return policy_message(row, payer)


async def add_policy(ctx: CallContext, request: pb.AddPolicyRequest) -> pb.Policy:
    await _lock_patient(ctx, request.policy.patient_id)
    values, _ = await _policy_values(ctx, request.policy, await practice_today(ctx.db, ctx.practice_id))
    active = await _active(ctx.db, ctx.practice_id, request.policy.patient_id)
    place = request.priority or len(active) + 1
    if not 1 <= place <= len(active) + 1:
        errors = FieldErrors()
        errors.add("priority", f"must be between 1 and {len(active) + 1}")
        errors.raise_if_any()
    row = InsurancePolicy(practice_id=ctx.practice_id, patient_id=request.policy.patient_id, version=1,
                          priority=place, **values)
    ctx.db.add(row)
    active.insert(place - 1, row)
    _renumber(active)
    ctx.audit.detail = f"policy priority={place}"
    return await _one(ctx, row)


async def update_policy(ctx: CallContext, request: pb.UpdatePolicyRequest) -> pb.Policy:
    row = await _load(ctx, request.policy.policy_id)
    await _lock_patient(ctx, row.patient_id)
    await ctx.db.refresh(row)
    if request.policy.version != row.version:
        raise StaleVersion("insurance policy")
    values, _ = await _policy_values(ctx, request.policy, await practice_today(ctx.db, ctx.practice_id))
    changed = [k for k, v in values.items() if getattr(row, k) != v]
    for key, value in values.items():
        setattr(row, key, value)
    if changed:
        row.version += 1
        row.updated_at = datetime.now(UTC)
    ctx.audit.detail = f"policy_id={row.id} changed: {','.join(changed) or 'nothing'}"
    return await _one(ctx, row)


async def end_policy(ctx: CallContext, request: pb.EndPolicyRequest) -> pb.Policy:
    row = await _load(ctx, request.policy_id)
    await _lock_patient(ctx, row.patient_id)
    await ctx.db.refresh(row)
    if request.version != row.version:
        raise StaleVersion("insurance policy")
    if row.ended_at is not None:
        raise RuleViolation("This policy has ended already.", "POLICY_ENDED")
    errors = FieldErrors()
    ends = contact_rules.calendar_date(errors, "termination_date", request.termination_date, required=True)
    if ends is not None and ends < row.effective_date:
        errors.add("termination_date", "is before the effective date")
    errors.raise_if_any()
    row.termination_date = ends
    row.ended_at = datetime.now(UTC)
    row.priority = None
    row.version += 1
    row.updated_at = row.ended_at
    await ctx.db.flush()
    _renumber(await _active(ctx.db, ctx.practice_id, row.patient_id))
    ctx.audit.detail = f"policy_id={row.id} ended"
    return await _one(ctx, row)


async def reorder(ctx: CallContext, request: pb.ReorderPoliciesRequest) -> list[pb.Policy]:
    await _lock_patient(ctx, request.patient_id)
    active = {p.id: p for p in await _active(ctx.db, ctx.practice_id, request.patient_id)}
    wanted = list(request.policy_ids)
    if sorted(wanted) != sorted(active) or len(set(wanted)) != len(wanted):
        errors = FieldErrors()
        errors.add("policy_ids", "must list each of the patient's active policies exactly once")
        errors.raise_if_any()
    _renumber([active[i] for i in wanted])
    await ctx.db.flush()
    ctx.audit.detail = "policies reordered"
    return await list_policies(ctx.db, ctx.practice_id, request.patient_id)

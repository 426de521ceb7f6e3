"""Claims: billing ready encounters to their primary payer, reading them back, the worklist, status changes."""

from __future__ import annotations

from collections import defaultdict
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import insert, select, text
from sqlalchemy.ext.asyncio import AsyncSession

from server.claims import rules
from server.claims.models import Claim, ClaimEvent, ClaimLine
from server.db import raw
from server.errors import FieldErrors, NotFound
from server.rpc.context import CallContext
from shared import dates
from shared.pms.claims.v1 import claims_pb2 as pb

STATUS_ENUMS = {name: getattr(pb, f"CLAIM_STATUS_{name.upper()}") for name in rules.TRANSITIONS}
STATUS_NAMES = {v: k for k, v in STATUS_ENUMS.items()}
MAX_ENCOUNTERS = 1000
DEFAULT_LIST, MAX_LIST = 100, 500
RESPONSIBILITY = "PST"

# Set-based: a biller bills every ready visit at once, so each step is one statement for all of them.
_LOCK_SQL = """SELECT id, status, patient_id, date_of_service FROM encounter
                WHERE practice_id = :p AND id = ANY(:ids) ORDER BY id FOR UPDATE"""

# The policy that pays first on each date of service (a policy ended since still covered its dates).
_PRIMARY_SQL = """
SELECT e.id AS encounter_id, pol.id AS policy_id, pol.payer_id
  FROM encounter e
  CROSS JOIN LATERAL (
        SELECT id, payer_id FROM insurance_policy p
         WHERE p.practice_id = e.practice_id AND p.patient_id = e.patient_id AND p.effective_date <= e.date_of_service
           AND (p.termination_date IS NULL OR p.termination_date >= e.date_of_service)
         ORDER BY p.priority NULLS LAST, p.effective_date DESC, p.id LIMIT 1) pol
 WHERE e.practice_id = :p AND e.id = ANY(:ids)"""

# A claim the payer has that a new one replaces: per encounter, the newest corrected primary claim no claim
# replaces yet.
_REPLACED_SQL = """
SELECT DISTINCT ON (c.encounter_id) c.encounter_id, c.id, c.payer_id FROM claim c
 WHERE c.practice_id = :p AND c.encounter_id = ANY(:ids) AND c.responsibility = 'P' AND c.status = 'corrected'
   AND NOT EXISTS (SELECT 1 FROM claim n WHERE n.practice_id = c.practice_id AND n.replaces_claim_id = c.id)
 ORDER BY c.encounter_id, c.id DESC"""

_LINES_SQL = """
SELECT encounter_id, line_number, code, modifiers, units, dx_pointers, fee_cents, ndc, ndc_quantity_milli, ndc_unit,
       expected_allowed_cents
  FROM encounter_line WHERE practice_id = :p AND encounter_id = ANY(:ids) ORDER BY encounter_id, line_number"""

_BILLED_SQL = """
UPDATE encounter SET status = 'billed', version = version + 1, updated_at = now()
 WHERE practice_id = :p AND id = ANY(:ids)"""


def record(ctx: CallContext, claim: Claim, to_status: str, reason: str) -> None:
    """Moves the claim along the transition table, recording who, when and why."""
    who = ctx.require_session()
    record_as(ctx.db, claim, to_status, reason, who.user_id, who.username)


def record_as(db: AsyncSession, claim: Claim, to_status: str, reason: str, user_id: int | None,
              name: str) -> None:
    """The same for the server's own jobs (delivery, acknowledgments), which act as no user."""
    if claim.status != to_status and not rules.can_move(claim.status, to_status):
        raise ValueError(f"claim {claim.id}: {claim.status} -> {to_status} is not in the transition table")
    db.add(ClaimEvent(practice_id=claim.practice_id, claim_id=claim.id, from_status=claim.status,
                      to_status=to_status, reason=reason, by_user_id=user_id, by_name=name))
    claim.status = to_status
    claim.version += 1
    claim.updated_at = datetime.now(UTC)


def _refused(encounter_id: int, reason: str, message: str) -> pb.ClaimOutcome:
    return pb.ClaimOutcome(encounter_id=encounter_id, refusal_reason=reason, refusal_message=message)


async def create_claims(ctx: CallContext, encounter_ids: list[int]) -> list[pb.ClaimOutcome]:
    errors = FieldErrors()
    errors.check_ids("encounter_ids", encounter_ids, MAX_ENCOUNTERS, "encounter", "call")
    errors.raise_if_any()
    p, db = ctx.practice_id, ctx.db
    # Locked in id order, so two billers billing overlapping sets cannot deadlock.
    found = {r.id: r for r in await raw.fetch_all(db, _LOCK_SQL, {"p": p, "ids": encounter_ids})}
    outcomes: dict[int, pb.ClaimOutcome] = {}
    ready = []
    for eid in encounter_ids:
        enc = found.get(eid)
        if enc is None:
            outcomes[eid] = _refused(eid, "ENCOUNTER_NOT_FOUND", "No such encounter.")
        elif enc.status != "ready":
            outcomes[eid] = _refused(eid, "ENCOUNTER_NOT_READY", "This encounter is already billed."
                                     if enc.status == "billed" else "This encounter is not ready to bill yet.")
        else:
            ready.append(eid)
    primary = {r.encounter_id: r for r in await raw.fetch_all(db, _PRIMARY_SQL, {"p": p, "ids": ready})}
    for eid in ready:
        if eid not in primary:
            outcomes[eid] = _refused(eid, "NO_COVERAGE", f"No insurance policy covers "
                                     f"{found[eid].date_of_service:%m/%d/%Y}: the patient owes it (statements), or "
                                     "add the policy and bill again.")
    billable = [eid for eid in ready if eid in primary]
    if billable:
        replaced = {r.encounter_id: r for r in await raw.fetch_all(db, _REPLACED_SQL, {"p": p, "ids": billable})}
        lines: dict[int, list[Any]] = defaultdict(list)
        for r in await raw.fetch_all(db, _LINES_SQL, {"p": p, "ids": billable}):
            lines[r.encounter_id].append(r)
        ids = [r.id for r in await raw.fetch_all(db, "SELECT nextval(pg_get_serial_sequence('claim', 'id')) AS id "
                                                     "FROM generate_series(1, :n)", {"n": len(billable)})]
        who = ctx.require_session()
        claims: list[dict[str, Any]] = []
        claim_lines: list[dict[str, Any]] = []
        events: list[dict[str, Any]] = []
        for claim_id, eid in zip(ids, billable, strict=True):
            policy, old, enc = primary[eid], replaced.get(eid), found[eid]
            # A correction to the same payer is a replacement; a different payer now is a new original claim.
            replaces = old.id if old is not None and old.payer_id == policy.payer_id else None
            claims.append({"practice_id": p, "id": claim_id, "encounter_id": eid, "patient_id": enc.patient_id,
                           "policy_id": policy.policy_id, "payer_id": policy.payer_id, "responsibility": "P",
                           "frequency": "7" if replaces else "1", "replaces_claim_id": replaces, "status": "draft",
                           "date_of_service": enc.date_of_service,
                           "total_charge_cents": sum(li.fee_cents for li in lines[eid]), "created_by": who.user_id})
            claim_lines += [{"practice_id": p, "claim_id": claim_id, "line_number": li.line_number, "code": li.code,
                             "modifiers": li.modifiers, "units": li.units, "dx_pointers": li.dx_pointers,
                             "charge_cents": li.fee_cents, "ndc": li.ndc, "ndc_quantity_milli": li.ndc_quantity_milli,
                             "ndc_unit": li.ndc_unit, "expected_allowed_cents": li.expected_allowed_cents}
                            for li in lines[eid]]
            events.append({"practice_id": p, "claim_id": claim_id, "from_status": "", "to_status": "draft",
                           "reason": f"replaces claim {replaces}" if replaces else "billed from the encounter",
                           "by_user_id": who.user_id, "by_name": who.username})
            outcomes[eid] = pb.ClaimOutcome(encounter_id=eid, claim_id=claim_id)
        await db.execute(insert(Claim), claims)
        if claim_lines:
            await db.execute(insert(ClaimLine), claim_lines)
        await db.execute(insert(ClaimEvent), events)
        await db.execute(text(_BILLED_SQL), {"p": p, "ids": billable})
    return [outcomes[eid] for eid in encounter_ids]


async def reopen_encounter_claims(ctx: CallContext, encounter_id: int, reason: str) -> list[tuple[int, str]]:
    """A billed encounter reopened: each live claim is voided (the payer never saw it) or marked corrected (a
    replacement follows when the encounter is billed again). Returns (claim id, new status)."""
    claims = (await ctx.db.execute(select(Claim).where(
        Claim.practice_id == ctx.practice_id, Claim.encounter_id == encounter_id,
        Claim.status.in_(rules.LIVE)).order_by(Claim.id).with_for_update())).scalars().all()
    changed = []
    for claim in claims:
        to = rules.on_reopen(claim.status)
        if to is not None:
            record(ctx, claim, to, f"encounter reopened: {reason}")
            changed.append((claim.id, to))
    return changed


async def load(ctx: CallContext, claim_id: int) -> Claim:
    row = (await ctx.db.execute(select(Claim).where(Claim.practice_id == ctx.practice_id, Claim.id == claim_id))
           ).scalar_one_or_none()
    if row is None:
        raise NotFound("No such claim.", "CLAIM_NOT_FOUND")
    return row


async def message(ctx: CallContext, row: Claim) -> tuple[pb.Claim, list[pb.ClaimEvent]]:
    names = await raw.fetch_one(ctx.db, """
        SELECT (SELECT last_name || ', ' || first_name FROM patient WHERE practice_id = :p AND id = :patient)
                   AS patient_name,
               (SELECT name FROM payer WHERE practice_id = :p AND id = :payer) AS payer_name""",
                                {"p": ctx.practice_id, "patient": row.patient_id, "payer": row.payer_id})
    lines = (await ctx.db.execute(select(ClaimLine).where(
        ClaimLine.practice_id == ctx.practice_id, ClaimLine.claim_id == row.id).order_by(ClaimLine.line_number))
    ).scalars().all()
    events = (await ctx.db.execute(select(ClaimEvent).where(
        ClaimEvent.practice_id == ctx.practice_id, ClaimEvent.claim_id == row.id).order_by(ClaimEvent.id))
    ).scalars().all()
    claim = pb.Claim(
        claim_id=row.id, encounter_id=row.encounter_id, patient_id=row.patient_id, patient_name=names.patient_name,
        policy_id=row.policy_id, payer_id=row.payer_id, payer_name=names.payer_name,
        responsibility=row.responsibility, frequency=row.frequency, replaces_claim_id=row.replaces_claim_id or 0,
        payer_claim_number=row.payer_claim_number, status=STATUS_ENUMS[row.status],
        date_of_service=dates.to_pb(row.date_of_service), total_charge_cents=row.total_charge_cents,
        lines=[pb.ClaimLine(line_number=li.line_number, code=li.code, modifiers=li.modifiers, units=li.units,
                            dx_pointers=li.dx_pointers, charge_cents=li.charge_cents, ndc=li.ndc,
                            has_expected_allowed=li.expected_allowed_cents is not None,
                            expected_allowed_cents=li.expected_allowed_cents or 0) for li in lines],
        version=row.version, status_reason=row.status_reason)
    out = []
    for e in events:
        ev = pb.ClaimEvent(from_status=STATUS_ENUMS.get(e.from_status, pb.CLAIM_STATUS_UNSPECIFIED),
                           to_status=STATUS_ENUMS[e.to_status], reason=e.reason, by=e.by_name)
        ev.at.FromDatetime(e.at)
        out.append(ev)
    return claim, out


_LIST_SQL = """
SELECT c.id, c.patient_id, p.last_name || ', ' || p.first_name AS patient_name, y.name AS payer_name,
       v.last_name || ', ' || v.first_name AS provider_name, c.date_of_service, c.status, c.frequency,
       c.total_charge_cents, (now()::date - c.created_at::date) AS age_days, c.status_reason
  FROM claim c
  JOIN encounter e ON e.practice_id = c.practice_id AND e.id = c.encounter_id
  JOIN patient p ON p.practice_id = c.practice_id AND p.id = c.patient_id
  JOIN payer y ON y.practice_id = c.practice_id AND y.id = c.payer_id
  JOIN provider v ON v.practice_id = c.practice_id AND v.id = e.rendering_provider_id
 WHERE {where}
 ORDER BY c.created_at DESC, c.id DESC
 LIMIT :n"""

_COUNTS_SQL = """
SELECT c.status, count(*) AS n, count(c.first_scrub_clean) AS scrubbed,
       count(*) FILTER (WHERE c.first_scrub_clean) AS clean FROM claim c
  JOIN encounter e ON e.practice_id = c.practice_id AND e.id = c.encounter_id
 WHERE {where}
 GROUP BY c.status"""

# Only the filters given go into the statement (a generic plan over catch-all filters scans the whole table).
_FILTERS = (("status", "c.status = :status"), ("payer", "c.payer_id = :payer"),
            ("provider", "e.rendering_provider_id = :provider"), ("patient", "c.patient_id = :patient"))


def _where(used: dict[str, object]) -> str:
    return " AND ".join(["c.practice_id = :p"] + [sql for k, sql in _FILTERS if k in used])


async def worklist(ctx: CallContext, req: pb.ListClaimsRequest) -> pb.ListClaimsResponse:
    if not 0 <= req.limit <= MAX_LIST:
        errors = FieldErrors()
        errors.add("limit", f"must be between 0 and {MAX_LIST}")
        errors.raise_if_any()
    given = {"payer": req.payer_id, "provider": req.rendering_provider_id, "patient": req.patient_id}
    used: dict[str, object] = {k: v for k, v in given.items() if v}
    status = STATUS_NAMES.get(req.status, "")
    listed = {**used, "status": status} if status else used
    rows = await raw.fetch_all(ctx.db, _LIST_SQL.format(where=_where(listed)),
                               {"p": ctx.practice_id, **listed, "n": req.limit or DEFAULT_LIST})
    counts = await raw.fetch_all(ctx.db, _COUNTS_SQL.format(where=_where(used)), {"p": ctx.practice_id, **used})
    order = list(rules.TRANSITIONS)
    return pb.ListClaimsResponse(
        claims=[pb.ClaimSummary(claim_id=r.id, patient_id=r.patient_id, patient_name=r.patient_name,
                                payer_name=r.payer_name, provider_name=r.provider_name,
                                date_of_service=dates.to_pb(r.date_of_service), status=STATUS_ENUMS[r.status],
                                frequency=r.frequency, total_charge_cents=r.total_charge_cents,
                                age_days=r.age_days, status_reason=r.status_reason) for r in rows],
        counts=[pb.StatusCount(status=STATUS_ENUMS[c.status], count=c.n)
                for c in sorted(counts, key=lambda c: order.index(c.status))],
        first_scrubbed=sum(c.scrubbed for c in counts), first_scrub_clean=sum(c.clean for c in counts))

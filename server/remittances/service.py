"""ERA import, preview and posting (issue 7, item 3).

Import reads the whole file strictly, refuses it whole if any ERA in it does not balance (BPR against CLP and
PLB), and stores each ERA with each claim payment matched and planned; nothing posts. Posting turns every ready
claim payment into one balanced ledger entry and moves the claim's status, in one transaction, under the ERA's row
lock: a second post, a retry or a crash half-way posts nothing twice (the entries' keys are unique too).
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any, cast

from sqlalchemy import Table, func, insert, select, text
from sqlalchemy.ext.asyncio import AsyncSession

from server.claims.models import Claim, ClaimEvent
from server.claims.rules import can_move
from server.db import raw
from server.errors import FieldErrors, InvalidArgument, NotFound, RuleViolation
from server.ledger import posting
from server.ledger.models import WRITE_OFF_ACCOUNTS
from server.remittances import rules
from server.remittances.models import Denial, Remittance, RemittanceClaim, Underpayment
from server.rpc.context import CallContext
from server.x12 import writer835 as era
from server.x12.reader import X12ReadError
from server.x12.reader835 import check_balanced, read_835
from shared.pms.remittances.v1 import remittances_pb2 as rpb

MAX_FILE_BYTES = 50 * 1024 * 1024
# The statuses in which a payer's answer can apply: the payer has the claim.
PAYABLE = frozenset({"sent", "accepted", "paid", "partially_paid", "denied"})

_CLAIMS_SQL = """
SELECT c.id, c.status, c.payer_id, c.patient_id, c.encounter_id, c.payer_claim_number, c.date_of_service,
       c.responsibility, c.primary_claim_id, y.electronic_payer_id
  FROM claim c JOIN payer y ON y.practice_id = c.practice_id AND y.id = c.payer_id
 WHERE c.practice_id = :p
   AND (c.id = ANY(:ids) OR c.primary_claim_id = ANY(:ids)
        OR (c.payer_claim_number <> '' AND c.payer_claim_number = ANY(:numbers)))
   AND c.status NOT IN ('corrected', 'voided')"""

# The policy after each claim's own in the patient's order, in force on the date of service: who the patient's
# share goes to before it goes to the patient.
_NEXT_COVERAGE_SQL = """
SELECT c.id AS claim_id, nxt.id AS policy_id, nxt.payer_id
  FROM claim c
  JOIN insurance_policy cur ON cur.practice_id = c.practice_id AND cur.id = c.policy_id
  CROSS JOIN LATERAL (
        SELECT id, payer_id FROM insurance_policy p
         WHERE p.practice_id = c.practice_id AND p.patient_id = c.patient_id AND p.id <> c.policy_id
           AND p.effective_date <= c.date_of_service
           AND (p.termination_date IS NULL OR p.termination_date >= c.date_of_service)
           AND coalesce(p.priority, 99) > coalesce(cur.priority, 99)
         ORDER BY p.priority NULLS LAST, p.effective_date DESC, p.id LIMIT 1) nxt
 WHERE c.practice_id = :p AND c.id = ANY(:ids) AND c.responsibility IN ('P', 'S')"""

NEXT_RESPONSIBILITY = {"P": "S", "S": "T"}
# CLP02: processed, and the payer forwarded the claim to the next payer itself (a crossover).
FORWARDED = {"19", "20", "21"}

_LINES_SQL = """
SELECT claim_id, line_number, code, modifiers, charge_cents, expected_allowed_cents FROM claim_line
 WHERE practice_id = :p AND claim_id = ANY(:ids) ORDER BY claim_id, line_number"""


def _jsonable(value: Any) -> Any:
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: _jsonable(getattr(value, f.name)) for f in dataclasses.fields(value)}
    if isinstance(value, (tuple, list)):
        return [_jsonable(v) for v in value]
    if isinstance(value, date):
        return value.isoformat()
    return value


def _day(value: str | None) -> date | None:
    return date.fromisoformat(value) if value else None


def claim_payment_from(data: dict[str, Any]) -> era.ClaimPayment:
    """A claim payment back from the JSON it was stored as (``_jsonable``)."""
    def adjustments(items: list[dict[str, Any]]) -> tuple[era.Adjustment, ...]:
        return tuple(era.Adjustment(**a) for a in items)

    def person(value: dict[str, Any] | None) -> era.Person | None:
        return era.Person(**value) if value else None

    lines = tuple(era.ServicePayment(**{
        **li, "service_date": _day(li["service_date"]), "service_end": _day(li.get("service_end")),
        "modifiers": tuple(li.get("modifiers", ())), "adjustments": adjustments(li.get("adjustments", [])),
        "remarks": tuple(li.get("remarks", ()))}) for li in data.get("lines", []))
    rendering = data.get("rendering")
    patient = person(data["patient"])
    assert patient is not None
    return era.ClaimPayment(**{
        **data, "patient": patient, "subscriber": person(data.get("subscriber")),
        "rendering": era.RenderingProvider(**rendering) if rendering else None,
        "adjustments": adjustments(data.get("adjustments", [])), "remarks": tuple(data.get("remarks", ())),
        "statement_from": _day(data.get("statement_from")), "statement_to": _day(data.get("statement_to")),
        "received_on": _day(data.get("received_on")), "lines": lines})


def content_hash(r: era.Remittance) -> str:
    """What the ERA says, without its envelope (a clearinghouse re-sending it gives it new control numbers)."""
    said = _jsonable(dataclasses.replace(r, envelope=None))  # type: ignore[arg-type]
    return hashlib.sha256(json.dumps(said, sort_keys=True).encode()).hexdigest()


def _claim_id(control_number: str) -> int | None:
    """Our patient control numbers are C<claim id> (server/claims/x12_build.py)."""
    if control_number[:1] == "C" and control_number[1:].isdigit():
        return int(control_number[1:])
    return None


def _plan_json(plan: rules.ClaimPlan) -> dict[str, Any]:
    return {"services": [dataclasses.astuple(s) for s in plan.services], "paid": plan.paid_cents,
            "claim_contractual": plan.claim_contractual_cents, "claim_patient": plan.claim_patient_cents,
            "status": plan.claim_status}


def _plan_from(data: dict[str, Any]) -> rules.ClaimPlan:
    services = tuple(rules.ServicePlan(s[0], s[1], s[2], s[3], s[4], s[5], tuple(s[6]), tuple(s[7]), s[8])
                     for s in data["services"])
    return rules.ClaimPlan(services, data["paid"], data["claim_contractual"], data["claim_patient"], data["status"])


async def import_file(ctx: CallContext, file_name: str, content: bytes) -> list[tuple[Remittance, bool]]:
    return await import_remittances(ctx.db, ctx.practice_id, ctx.require_session().user_id, file_name, content)


async def import_remittances(db: AsyncSession, practice_id: int, user_id: int | None, file_name: str,
                             content: bytes) -> list[tuple[Remittance, bool]]:
    """The same for the clearinghouse job, which imports the 835s it receives as no user."""
    if not content:
        raise InvalidArgument.one("content", "the file is empty")
    if len(content) > MAX_FILE_BYTES:
        raise InvalidArgument.one("content", "is larger than 50 MB; ask the clearinghouse for smaller files")
    if not file_name.strip() or len(file_name) > 200:
        raise InvalidArgument.one("file_name", "is required (at most 200 characters)")
    try:
        remittances = read_835(content)
    except X12ReadError as e:
        raise InvalidArgument.one("content", f"this is not a valid 835: {e}") from e
    for r in remittances:
        problem = check_balanced(r)
        if problem:
            raise RuleViolation(f"ERA {r.trace_number} does not balance: {problem}. Nothing was imported.",
                                "ERA_UNBALANCED")
    out = []
    for r in remittances:
        out.append(await import_one(db, practice_id, user_id, file_name.strip(), r))
    return out


async def import_one(db: AsyncSession, practice_id: int, user_id: int | None, file_name: str,
                      r: era.Remittance) -> tuple[Remittance, bool]:
    digest = content_hash(r)
    identifier = r.payer.tax_id or r.payer.payer_id
    # One importer per trace at a time, so two copies of one file arriving together are still one ERA.
    await db.execute(select(func.pg_advisory_xact_lock(func.hashtextextended(
        f"era:{practice_id}:{identifier}:{r.trace_number}", 0))))
    earlier = (await db.execute(select(Remittance).where(
        Remittance.practice_id == practice_id, Remittance.payer_identifier == identifier,
        Remittance.trace_number == r.trace_number, Remittance.status != "review"))).scalar_one_or_none()
    if earlier is not None and earlier.content_hash == digest:
        return earlier, True
    paper = identifier.startswith("PAPER:")
    if earlier is None:
        # A check keyed in from its paper EOB and the same check's ERA are one payment: the second waits.
        earlier = (await db.execute(select(Remittance).where(
            Remittance.practice_id == practice_id, Remittance.trace_number == r.trace_number,
            Remittance.status != "review",
            Remittance.payer_identifier.not_like("PAPER:%") if paper else Remittance.payer_identifier.like(
                "PAPER:%")).limit(1))).scalar_one_or_none()
    row = Remittance(practice_id=practice_id, payer_identifier=identifier, trace_number=r.trace_number,
                     payer_name=r.payer.name[:60], payment_cents=r.payment_cents, payment_method=r.payment_method,
                     payment_date=r.payment_date, content_hash=digest, file_name=file_name,
                     claim_count=len(r.claims), imported_by=user_id,
                     provider_adjustments=[_jsonable(a) for a in r.provider_adjustments])
    if earlier is not None:
        row.status = "review"
        row.review_reason = (f"ERA {r.trace_number} from {earlier.payer_name} was imported on "
                             f"{earlier.imported_at:%m/%d/%Y} with other content; this one is not posted."
                             if earlier.payer_identifier == identifier else
                             f"Check {r.trace_number} was already posted from "
                             f"{'its ERA' if paper else 'its paper EOB'} on {earlier.imported_at:%m/%d/%Y}; "
                             "this one is not posted.")
    db.add(row)
    await db.flush()
    planned = await _plan(db, practice_id, r) if earlier is None else [
        (None, rules.exception("held for review: an ERA with this trace was already imported"))] * len(r.claims)
    if r.claims:
        await db.execute(insert(RemittanceClaim), [
            {"practice_id": practice_id, "remittance_id": row.id, "position": i,
             "control_number": cp.control_number[:38], "status_code": cp.status[:2],
             "payer_claim_number": cp.payer_claim_number[:50], "claim_id": claim_id, "charge_cents": cp.charge_cents,
             "paid_cents": cp.paid_cents, "contractual_cents": plan.contractual_cents,
             "patient_cents": plan.patient_cents, "denied_cents": plan.denied_cents,
             "underpaid_cents": plan.underpaid_cents,
             "outcome": "exception" if plan.exception else "ready", "exception": plan.exception,
             "detail": _jsonable(cp), "plan": _plan_json(plan)}
            for i, (cp, (claim_id, plan)) in enumerate(zip(r.claims, planned, strict=True), 1)])
    return row, False


async def _plan(db: AsyncSession, practice_id: int, r: era.Remittance) -> list[tuple[int | None, rules.ClaimPlan]]:
    """Each claim payment's claim and plan, all claims and lines read in two queries."""
    ids = [i for i in (_claim_id(cp.control_number) for cp in r.claims) if i is not None]
    numbers = [cp.payer_claim_number for cp in r.claims if cp.payer_claim_number]
    claims = {c.id: c for c in await raw.fetch_all(db, _CLAIMS_SQL,
                                                      {"p": practice_id, "ids": ids, "numbers": numbers})}
    by_number: dict[str, list[Any]] = {}
    for c in claims.values():
        if c.payer_claim_number:
            by_number.setdefault(c.payer_claim_number, []).append(c)
    billed: dict[int, list[rules.BilledLine]] = {}
    for li in await raw.fetch_all(db, _LINES_SQL, {"p": practice_id, "ids": list(claims)}):
        billed.setdefault(li.claim_id, []).append(
            rules.BilledLine(li.line_number, li.code, tuple(li.modifiers), li.charge_cents, li.expected_allowed_cents))
    out: list[tuple[int | None, rules.ClaimPlan]] = []
    for cp in r.claims:
        claim = claims.get(_claim_id(cp.control_number) or 0)
        if claim is None:
            # Not our control number (or not a claim of ours): the payer's claim number, when it names one claim.
            same = by_number.get(cp.payer_claim_number, []) if cp.payer_claim_number else []
            claim = same[0] if len(same) == 1 else None
        if claim is None:
            out.append((None, rules.exception(f"no claim matches patient control number {cp.control_number!r}")))
        elif r.payer.payer_id and claim.electronic_payer_id and r.payer.payer_id != claim.electronic_payer_id and (
                crossed := next((c for c in claims.values() if c.primary_claim_id == claim.id
                                 and c.electronic_payer_id == r.payer.payer_id), None)) is not None:
            # The primary's control number on the next payer's ERA: the claim the primary forwarded to it.
            out.append((crossed.id, _checked_plan(crossed, billed, cp)))
        elif r.payer.payer_id and claim.electronic_payer_id and r.payer.payer_id != claim.electronic_payer_id:
            out.append((claim.id, rules.exception(
                f"claim {claim.id} was billed to payer {claim.electronic_payer_id}, not {r.payer.payer_id}")))
        else:
            out.append((claim.id, _checked_plan(claim, billed, cp)))
    return out


def _checked_plan(claim: Any, billed: dict[int, list[rules.BilledLine]], cp: era.ClaimPayment) -> rules.ClaimPlan:
    if claim.status not in PAYABLE:
        return rules.exception(f"claim {claim.id} is {claim.status.replace('_', ' ')}")
    return rules.plan_claim(claim.id, billed.get(claim.id, []), cp, after_primary=claim.responsibility != "P")


async def claim_outcomes(ctx: CallContext, remittance_id: int) -> list[tuple[str, str]]:
    """(outcome, exception) of each claim payment, in file order."""
    rows = await raw.fetch_all(ctx.db, "SELECT outcome, exception FROM remittance_claim WHERE practice_id = :p "
                                       "AND remittance_id = :r ORDER BY position",
                               {"p": ctx.practice_id, "r": remittance_id})
    return [(r.outcome, r.exception) for r in rows]


async def resolve(ctx: CallContext, remittance_id: int, position: int, claim_id: int) -> tuple[Remittance, int]:
    """An exception worked by hand: the biller names the claim a claim payment is for; it is planned against that
    claim by the same rules and posted alone (or made ready, when the ERA is not posted yet), or refused with the
    reason it still cannot post."""
    row = await load(ctx, remittance_id, for_update=True)
    if row.status == "review":
        raise RuleViolation("This ERA is held for review; it never posts.", "ERA_HELD_FOR_REVIEW")
    rc = (await ctx.db.execute(select(RemittanceClaim).where(
        RemittanceClaim.practice_id == ctx.practice_id, RemittanceClaim.remittance_id == row.id,
        RemittanceClaim.position == position).with_for_update())).scalar_one_or_none()
    if rc is None:
        raise NotFound("No such claim payment on this ERA.", "CLAIM_PAYMENT_NOT_FOUND")
    if rc.outcome != "exception":
        raise RuleViolation("This claim payment is not an exception.", "NOT_AN_EXCEPTION")
    claim = next((c for c in await raw.fetch_all(ctx.db, _CLAIMS_SQL, {
        "p": ctx.practice_id, "ids": [claim_id], "numbers": []}) if c.id == claim_id), None)
    if claim is None:
        raise InvalidArgument.one("claim_id", "no such claim (or it was voided or corrected)")
    billed = [rules.BilledLine(li.line_number, li.code, tuple(li.modifiers), li.charge_cents,
                               li.expected_allowed_cents)
              for li in await raw.fetch_all(ctx.db, _LINES_SQL, {"p": ctx.practice_id, "ids": [claim_id]})]
    plan = _checked_plan(claim, {claim_id: billed}, claim_payment_from(rc.detail))
    if plan.exception:
        raise RuleViolation(f"It still cannot post: {plan.exception}.", "STILL_AN_EXCEPTION")
    rc.claim_id, rc.outcome, rc.exception, rc.plan = claim_id, "ready", "", _plan_json(plan)
    rc.contractual_cents, rc.patient_cents = plan.contractual_cents, plan.patient_cents
    rc.denied_cents, rc.underpaid_cents = plan.denied_cents, plan.underpaid_cents
    await ctx.db.flush()
    if row.status == "imported":
        return row, 0  # ready now: it posts with the rest of the ERA
    return await post(ctx, row.id)


async def load(ctx: CallContext, remittance_id: int, *, for_update: bool = False) -> Remittance:
    query = select(Remittance).where(Remittance.practice_id == ctx.practice_id, Remittance.id == remittance_id)
    row = (await ctx.db.execute(query.with_for_update() if for_update else query)).scalar_one_or_none()
    if row is None:
        raise NotFound("No such ERA.", "REMITTANCE_NOT_FOUND")
    return row


def entry_lines(plan: rules.ClaimPlan, payer_id: int, patient_id: int, encounter_id: int,
                next_payer_id: int | None = None) -> tuple[posting.Line, ...]:
    """The ledger lines of one claim payment: the money in, and each service off the payer's A/R to where it
    goes (paid, off the bill, to the patient, or to the next payer when the patient has one). Denied services post
    nothing."""
    share = ("insurance_ar", next_payer_id) if next_payer_id is not None else ("patient_ar", None)
    lines = [posting.Line("undeposited_funds", plan.paid_cents, None, patient_id, encounter_id)]
    for s in plan.services:
        if s.denied:
            continue
        lines.append(posting.Line("insurance_ar", -(s.paid_cents + s.contractual_cents + s.patient_cents),
                                  payer_id, patient_id, encounter_id, s.line_number))
        if s.contractual_cents:
            lines.append(posting.Line("contractual", s.contractual_cents, payer_id, patient_id, encounter_id,
                                      s.line_number))
        if s.patient_cents:
            lines.append(posting.Line(share[0], s.patient_cents, share[1], patient_id, encounter_id,
                                      s.line_number))
    if plan.claim_contractual_cents:
        lines.append(posting.Line("contractual", plan.claim_contractual_cents, payer_id, patient_id, encounter_id))
    if plan.claim_patient_cents:
        lines.append(posting.Line(share[0], plan.claim_patient_cents, share[1], patient_id, encounter_id))
    # A payment of nothing on services all denied moves no money: no entry at all.
    return tuple(li for li in lines if li.amount_cents != 0)


_READY_SQL = """
SELECT position, claim_id, plan, control_number, status_code, payer_claim_number FROM remittance_claim
 WHERE practice_id = :p AND remittance_id = :r AND outcome = 'ready' ORDER BY position"""

# Locked in id order, so two posts touching the same claims cannot deadlock.
_LOCK_CLAIMS_SQL = """
SELECT id, status, payer_id, patient_id, encounter_id, responsibility, date_of_service, total_charge_cents
  FROM claim WHERE practice_id = :p AND id = ANY(:ids) ORDER BY id FOR UPDATE"""

_MOVE_CLAIMS_SQL = """
UPDATE claim c
   SET status = u.status, version = c.version + 1, updated_at = now(),
       payer_claim_number = CASE WHEN c.payer_claim_number = '' THEN u.number ELSE c.payer_claim_number END
  FROM unnest(CAST(:ids AS bigint[]), CAST(:statuses AS text[]), CAST(:numbers AS text[])) AS u(id, status, number)
 WHERE c.practice_id = :p AND c.id = u.id"""

_MARK_CLAIM_PAYMENTS_SQL = """
UPDATE remittance_claim rc
   SET outcome = u.outcome, entry_id = u.entry_id, exception = u.exception
  FROM unnest(CAST(:positions AS int[]), CAST(:outcomes AS text[]), CAST(:entries AS bigint[]),
              CAST(:exceptions AS text[])) AS u(position, outcome, entry_id, exception)
 WHERE rc.practice_id = :p AND rc.remittance_id = :r AND rc.position = u.position"""


async def post(ctx: CallContext, remittance_id: int) -> tuple[Remittance, int]:
    """Posts every ready claim payment of the ERA. Set-based (a fixed number of statements for any number of claim
    payments): thousands post in one call."""
    row = await load(ctx, remittance_id, for_update=True)
    if row.status == "review":
        raise RuleViolation("This ERA repeats a trace number already imported with other content; it is held "
                            "for review and never posts automatically.", "ERA_HELD_FOR_REVIEW")
    params = {"p": ctx.practice_id, "r": row.id}
    ready = await raw.fetch_all(ctx.db, _READY_SQL, params)
    claims = {c.id: c for c in await raw.fetch_all(ctx.db, _LOCK_CLAIMS_SQL, {
        "p": ctx.practice_id, "ids": sorted({rc.claim_id for rc in ready if rc.claim_id is not None})})}
    following = {r.claim_id: r for r in await raw.fetch_all(ctx.db, _NEXT_COVERAGE_SQL, {
        "p": ctx.practice_id, "ids": list(claims)})}
    who = ctx.require_session()
    entries: list[posting.Entry] = []
    with_entry: list[int] = []  # positions, in the order of entries
    marks: dict[int, tuple[str, str]] = {}  # position -> (outcome, exception)
    # A claim's status as the ERA moves it: a reversal and the new adjudication may both be in one ERA.
    status_now = {c.id: c.status for c in claims.values()}
    moves: dict[int, tuple[str, str]] = {}  # claim id -> (final status, payer claim number)
    events: list[dict[str, Any]] = []
    next_claims: list[NextClaim] = []
    denials: list[dict[str, Any]] = []
    underpaid: list[dict[str, Any]] = []
    for rc in ready:
        claim = claims.get(rc.claim_id) if rc.claim_id is not None else None
        plan = _plan_from(rc.plan)
        current = status_now.get(claim.id, "") if claim is not None else ""
        if claim is None or current not in PAYABLE or (
                current != plan.claim_status and not can_move(current, plan.claim_status)):
            # Corrected or voided since the import: a person decides where this money goes.
            now = current.replace("_", " ") if claim else "gone"
            marks[rc.position] = ("exception", f"claim {rc.claim_id} is {now} since the import")
            continue
        nxt = following.get(claim.id)
        lines = entry_lines(plan, claim.payer_id, claim.patient_id, claim.encounter_id,
                            nxt.payer_id if nxt is not None else None)
        if nxt is not None and plan.patient_cents > 0 and plan.claim_status != "accepted":
            next_claims.append(NextClaim(claim, nxt, rc.status_code in FORWARDED,
                                         f"ERA {row.trace_number}: {plan.patient_cents / 100:,.2f} left after "
                                         f"{row.payer_name}"))
        marks[rc.position] = ("posted", "")
        if lines:
            entries.append(posting.Entry(
                kind="insurance_payment", idempotency_key=f"remittance:{row.id}:claim:{rc.position}",
                patient_id=claim.patient_id, encounter_id=claim.encounter_id, claim_id=claim.id,
                note=f"ERA {row.trace_number} {row.payer_name}: CLP {rc.control_number} status {rc.status_code}",
                lines=lines))
            with_entry.append(rc.position)
        earlier_number = moves.get(claim.id, ("", ""))[1]
        moves[claim.id] = (plan.claim_status, earlier_number or (
            rc.payer_claim_number if plan.claim_status != "accepted" else ""))
        events.append({"practice_id": ctx.practice_id, "claim_id": claim.id, "from_status": current,
                       "to_status": plan.claim_status, "by_user_id": who.user_id, "by_name": who.username,
                       "reason": f"ERA {row.trace_number}: paid {plan.paid_cents / 100:,.2f}"})
        status_now[claim.id] = plan.claim_status
        underpaid += [{"practice_id": ctx.practice_id, "claim_id": claim.id, "remittance_id": row.id,
                       "line_number": s.line_number, "allowed_cents": s.paid_cents + s.patient_cents,
                       "short_cents": s.underpaid_cents}
                      for s in plan.services if s.underpaid_cents > 0 and s.line_number is not None]
        denials += [{"practice_id": ctx.practice_id, "claim_id": claim.id, "remittance_id": row.id,
                     "line_number": s.line_number, "charge_cents": s.charge_cents, "reasons": list(s.reasons),
                     "remarks": list(s.remarks), "suggested_action": rules.suggested_action(s.reasons)}
                    for s in plan.services if s.denied and s.charge_cents > 0]
    await _bill_next_payers(ctx, next_claims)
    entry_of = dict(zip(with_entry, await posting.post(ctx, entries), strict=True))
    if marks:
        positions = sorted(marks)
        await ctx.db.execute(text(_MARK_CLAIM_PAYMENTS_SQL), {
            **params, "positions": positions, "outcomes": [marks[x][0] for x in positions],
            "entries": [entry_of.get(x) for x in positions], "exceptions": [marks[x][1] for x in positions]})
    if moves:
        moved = sorted(moves)
        await ctx.db.execute(text(_MOVE_CLAIMS_SQL), {
            "p": ctx.practice_id, "ids": moved, "statuses": [moves[c][0] for c in moved],
            "numbers": [moves[c][1] for c in moved]})
        await ctx.db.execute(insert(cast(Table, ClaimEvent.__table__)), events)
    for table, rows in ((Denial.__table__, denials), (Underpayment.__table__, underpaid)):
        if rows:
            await ctx.db.execute(insert(cast(Table, table)), rows)
    if row.status != "posted":
        await _provider_adjustments(ctx, row)
        row.status = "posted"
        row.posted_at = datetime.now(UTC)
        row.posted_by_name = who.username
    await ctx.db.flush()
    return row, len(events)


@dataclass(frozen=True)
class NextClaim:
    claim: Any  # the primary's row: id, encounter_id, patient_id, responsibility, date_of_service, total
    coverage: Any  # the next policy: policy_id, payer_id
    forwarded: bool
    reason: str


async def _bill_next_payers(ctx: CallContext, wanted: list[NextClaim]) -> None:
    """The secondary (or tertiary) claims for what the payers left: the same lines, the next policy, the primary's
    adjudication in loops 2320/2430 when they are written. A payer that forwarded the claim itself (a crossover) has
    sent it: the claim is made as sent, to receive that payer's answer. Set-based: a few statements for any number."""
    if not wanted:
        return
    existing = {(r.encounter_id, r.responsibility) for r in await raw.fetch_all(ctx.db, """
        SELECT encounter_id, responsibility FROM claim
         WHERE practice_id = :p AND encounter_id = ANY(:encounters) AND status NOT IN ('corrected', 'voided')""",
        {"p": ctx.practice_id, "encounters": [w.claim.encounter_id for w in wanted]})}
    # Billed already (a re-adjudication after a reversal leaves it as it is); one per encounter.
    todo: dict[tuple[int, str], NextClaim] = {}
    for w in wanted:
        key = (w.claim.encounter_id, NEXT_RESPONSIBILITY[w.claim.responsibility])
        if key not in existing:
            todo.setdefault(key, w)
    if not todo:
        return
    ids = [r.id for r in await raw.fetch_all(ctx.db, "SELECT nextval(pg_get_serial_sequence('claim', 'id')) AS id "
                                                     "FROM generate_series(1, :n)", {"n": len(todo)})]
    who = ctx.require_session()
    made = list(zip(ids, todo.items(), strict=True))
    await ctx.db.execute(insert(cast(Table, Claim.__table__)), [
        {"practice_id": ctx.practice_id, "id": new_id, "encounter_id": w.claim.encounter_id,
         "patient_id": w.claim.patient_id, "policy_id": w.coverage.policy_id, "payer_id": w.coverage.payer_id,
         "responsibility": responsibility, "frequency": "1", "status": "sent" if w.forwarded else "draft",
         "date_of_service": w.claim.date_of_service, "total_charge_cents": w.claim.total_charge_cents,
         "primary_claim_id": w.claim.id, "created_by": who.user_id}
        for new_id, ((_, responsibility), w) in made])
    await ctx.db.execute(text("""
        INSERT INTO claim_line (practice_id, claim_id, line_number, code, modifiers, units, dx_pointers, charge_cents,
                                ndc, ndc_quantity_milli, ndc_unit)
        SELECT l.practice_id, m.made, l.line_number, l.code, l.modifiers, l.units, l.dx_pointers, l.charge_cents,
               l.ndc, l.ndc_quantity_milli, l.ndc_unit
          FROM unnest(CAST(:made AS bigint[]), CAST(:primary AS bigint[])) AS m(made, prior)
          JOIN claim_line l ON l.practice_id = :p AND l.claim_id = m.prior"""),
        {"p": ctx.practice_id, "made": [new_id for new_id, _ in made],
         "primary": [w.claim.id for _, (_, w) in made]})
    await ctx.db.execute(insert(cast(Table, ClaimEvent.__table__)), [
        {"practice_id": ctx.practice_id, "claim_id": new_id, "from_status": "",
         "to_status": "sent" if w.forwarded else "draft",
         "reason": ("forwarded by the primary payer (crossover); " if w.forwarded else "") + w.reason,
         "by_user_id": who.user_id, "by_name": who.username}
        for new_id, (_, w) in made])


async def _provider_adjustments(ctx: CallContext, row: Remittance) -> None:
    """PLB: money the payer kept back (a recoupment, a forward balance) or added (interest), once per ERA."""
    entries = []
    for i, a in enumerate(row.provider_adjustments, 1):
        cents = int(a["amount_cents"])
        if cents == 0:
            continue
        entries.append(posting.Entry(
            kind="insurance_payment", idempotency_key=f"remittance:{row.id}:plb:{i}",
            note=f"ERA {row.trace_number} {row.payer_name}: PLB {a['reason']} {a.get('reference', '')}".strip(),
            lines=(posting.Line("provider_adjustment", cents), posting.Line("undeposited_funds", -cents))))
    await posting.post(ctx, entries)


DENIAL_ACTIONS = {rpb.DENIAL_ACTION_WRITE_OFF: "write_off", rpb.DENIAL_ACTION_BILL_PATIENT: "bill_patient",
                  rpb.DENIAL_ACTION_RESUBMITTED: "resubmitted", rpb.DENIAL_ACTION_APPEALED: "appealed"}

# What is still with the claim's payer on the denied line (or, for a claim-level denial, the encounter).
_STILL_WITH_PAYER_SQL = """
SELECT coalesce(sum(amount_cents), 0) AS cents FROM ledger_line
 WHERE practice_id = :p AND account = 'insurance_ar' AND payer_id = :payer AND encounter_id = :encounter
   AND (CAST(:line AS int) IS NULL OR line_number = :line)"""


async def work_denial(ctx: CallContext, req: rpb.WorkDenialRequest) -> int:
    from server.payments.service import WRITE_OFF_KINDS

    errors = FieldErrors()
    if not req.idempotency_key:
        errors.add("idempotency_key", "is required: working a denial may move money")
    action = DENIAL_ACTIONS.get(req.action)
    if action is None:
        errors.add("action", "say what was done: write off, bill the patient, resubmitted or appealed")
    kind = WRITE_OFF_KINDS.get(req.write_off_kind)
    if action == "write_off" and kind is None:
        errors.add("write_off_kind", "say which: small balance, bad debt or courtesy")
    if len(req.note) > 500:
        errors.add("note", "is longer than 500 characters")
    errors.raise_if_any()
    denial = (await ctx.db.execute(select(Denial).where(
        Denial.practice_id == ctx.practice_id, Denial.id == req.denial_id).with_for_update())).scalar_one_or_none()
    if denial is None:
        raise NotFound("No such denial.", "DENIAL_NOT_FOUND")
    if denial.status != "open":
        raise RuleViolation("This denial was worked already.", "DENIAL_WORKED")
    claim = (await ctx.db.execute(select(Claim).where(
        Claim.practice_id == ctx.practice_id, Claim.id == denial.claim_id))).scalar_one()
    moved = 0
    if action in ("write_off", "bill_patient"):
        row = await raw.fetch_one(ctx.db, _STILL_WITH_PAYER_SQL, {
            "p": ctx.practice_id, "payer": claim.payer_id, "encounter": claim.encounter_id,
            "line": denial.line_number})
        moved = int(row.cents) if row is not None else 0
        if moved <= 0:
            raise RuleViolation("Nothing of this service is left with the payer.", "NOTHING_WITH_PAYER")
        target = (WRITE_OFF_ACCOUNTS[kind], None) if action == "write_off" and kind else ("patient_ar", None)
        await posting.post(ctx, [posting.Entry(
            kind="write_off" if action == "write_off" else "transfer",
            idempotency_key=f"denial:{denial.id}:{action}", patient_id=claim.patient_id,
            encounter_id=claim.encounter_id, line_number=denial.line_number, claim_id=claim.id,
            note=f"denial {' '.join(denial.reasons)}: {action.replace('_', ' ')} {req.note.strip()}".strip(),
            lines=(posting.Line("insurance_ar", -moved, claim.payer_id, claim.patient_id, claim.encounter_id,
                                denial.line_number),
                   posting.Line(target[0], moved, target[1], claim.patient_id, claim.encounter_id,
                                denial.line_number)))])
    denial.status = "worked"
    return moved

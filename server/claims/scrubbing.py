"""Running the scrubber on claims: gather their facts (set-based), judge, store the findings, move the clean ones.

A scrub of a draft, scrubbed or rejected claim replaces its findings; a claim with no error becomes scrubbed (and
queued when asked), one with an error goes back to draft. Warnings are shown and never block.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import delete, insert, select, text

from server.claims import gather, rules, scrubber
from server.claims.models import ClaimEvent, ClaimFinding
from server.claims.x12_build import same_place
from server.codes import rules as code_rules
from server.codes.lookup import display
from server.db import raw
from server.encounters.rules import code_system_of
from server.encounters.service import code_book
from server.errors import FieldErrors
from server.practice.service import practice_today
from server.rpc.context import CallContext

SCRUBBABLE = ("draft", "scrubbed", "rejected")
MAX_CLAIMS = 5000

# The later of two claims is the duplicate: the first one billed stands.
_DUPLICATES_SQL = """
SELECT DISTINCT c.id AS claim_id, o.id AS other_id FROM claim c
  JOIN claim_line l ON l.practice_id = c.practice_id AND l.claim_id = c.id
  JOIN claim o ON o.practice_id = c.practice_id AND o.patient_id = c.patient_id AND o.payer_id = c.payer_id
              AND o.date_of_service = c.date_of_service AND o.id < c.id
              AND o.status NOT IN ('corrected', 'voided') AND o.id IS DISTINCT FROM c.replaces_claim_id
  JOIN claim_line ol ON ol.practice_id = o.practice_id AND ol.claim_id = o.id AND ol.code = l.code
 WHERE c.practice_id = :p AND c.id = ANY(:ids)
 ORDER BY 1, 2"""


def _person(row: Any) -> scrubber.Person:
    return scrubber.Person(row.last_name, row.first_name, row.date_of_birth, row.sex, row.address_line1, row.city,
                           row.state, row.zip)


def _subscriber(data: dict[str, Any] | None) -> scrubber.Person | None:
    if not data:
        return None
    name, addr = data.get("name") or {}, data.get("address") or {}
    born = data.get("date_of_birth") or ""
    return scrubber.Person(name.get("last", ""), name.get("first", ""), date.fromisoformat(born) if born else None,
                           data.get("sex", ""), addr.get("line1", ""), addr.get("city", ""), addr.get("state", ""),
                           addr.get("zip", ""))


async def facts_for(ctx: CallContext, claim_ids: list[int]) -> dict[int, scrubber.ClaimFacts]:
    db, p = ctx.db, ctx.practice_id
    heads = await gather.headers(db, p, claim_ids)
    lines = await gather.lines(db, p, claim_ids)
    named: set[tuple[str, str]] = set()
    for h in heads:
        named.update(("icd10cm", d) for d in h.diagnoses)
    for rows in lines.values():
        for li in rows:
            named.add((code_system_of(li.code), li.code))
            named.update(("modifier", m) for m in li.modifiers)
    book = await code_book(db, sorted(named))
    duplicates: dict[int, list[int]] = defaultdict(list)
    for r in await raw.fetch_all(db, _DUPLICATES_SQL, {"p": p, "ids": claim_ids}):
        duplicates[r.claim_id].append(r.other_id)
    auth: dict[int, set[str]] = defaultdict(set)
    for r in await raw.fetch_all(db, "SELECT payer_id, code FROM payer_auth_requirement WHERE practice_id = :p "
                                     "AND payer_id = ANY(:payers)", {"p": p, "payers": [h.payer_id for h in heads]}):
        auth[r.payer_id].add(r.code)
    codes = sorted({c for s, c in named if s != "icd10cm" and s != "modifier"})
    pairs = [(r.column1_code, r.column2_code, r.modifier_allowed) for r in await raw.fetch_all(db, """
        SELECT column1_code, column2_code, modifier_allowed FROM code_pair_edit
         WHERE practice_id = :p AND column1_code = ANY(:codes) AND column2_code = ANY(:codes)""",
                                                                                            {"p": p, "codes": codes})]
    billing_row = await raw.fetch_one(db, "SELECT npi, tax_id, taxonomy, zip, address_line1 FROM billing_setup "
                                          "WHERE practice_id = :p", {"p": p})
    billing = scrubber.Billing(billing_row.npi, billing_row.tax_id, billing_row.taxonomy, billing_row.zip) \
        if billing_row is not None else None
    today = await practice_today(db, p)

    def checked(system: str, code: str, dos: date) -> code_rules.CodeCheck:
        return code_rules.check(system, display(system, code), book(system, code), dos)

    out = {}
    for h in heads:
        dos = h.date_of_service
        claim_lines = tuple(scrubber.Line(
            li.code, tuple(li.modifiers), li.units, li.charge_cents, tuple(li.dx_pointers),
            checked(code_system_of(li.code), li.code, dos),
            tuple(checked("modifier", m, dos) for m in li.modifiers)) for li in lines.get(h.id, []))
        out[h.id] = scrubber.ClaimFacts(
            claim_id=h.id, frequency=h.frequency, date_of_service=dos, today=today,
            place_of_service=h.place_of_service, location_place_of_service=h.location_pos, billing=billing,
            patient=_person(h), relationship=h.relationship, subscriber=_subscriber(h.subscriber),
            member_id=h.member_id, payer_name=h.payer_name, payer_electronic_id=h.electronic_payer_id,
            timely_filing_days=h.timely_filing_days, rendering_npi=h.rendering_npi,
            rendering_taxonomy=h.rendering_taxonomy, referring_name=h.referring_provider_name,
            referring_npi=h.referring_provider_npi, prior_authorization=h.prior_authorization,
            diagnoses=tuple(h.diagnoses), diagnosis_checks=tuple(checked("icd10cm", d, dos) for d in h.diagnoses),
            lines=claim_lines, replaced_payer_claim_number=h.replaced_payer_claim_number or "",
            duplicate_claim_ids=tuple(duplicates.get(h.id, ())), auth_required_codes=frozenset(auth[h.payer_id]),
            code_pairs=tuple(pairs),
            facility=None if billing_row is not None and same_place(h, billing_row.address_line1, billing_row.zip)
            else (h.location_name, h.location_line1, h.location_zip))
    return out


async def disabled_rules(ctx: CallContext) -> frozenset[str]:
    rows = await raw.fetch_all(ctx.db, "SELECT rule FROM scrub_rule_setting WHERE practice_id = :p AND NOT enabled",
                               {"p": ctx.practice_id})
    return frozenset(r.rule for r in rows)


@dataclass(frozen=True)
class Scrubbed:
    id: int
    status: str
    findings: list[scrubber.Finding]


def moves(status: str, clean: bool, queue: bool, errors_found: int, warnings: int) -> list[tuple[str, str]]:
    """The steps (to status, reason) a scrub takes a claim through, each one in the transition table."""
    steps: list[tuple[str, str]] = []
    if status == "rejected":
        steps.append(("draft", "corrected after rejection"))
        status = "draft"
    if clean:
        if status == "draft":
            steps.append(("scrubbed", f"scrubbed: {warnings} warnings"))
        if queue:
            steps.append(("queued", "queued to send"))
    elif status == "scrubbed":
        steps.append(("draft", f"scrubbed again: {errors_found} errors"))
    return steps


_LOCK_SQL = """SELECT id, status, first_scrub_clean FROM claim WHERE practice_id = :p AND id = ANY(:ids)
                ORDER BY id FOR UPDATE"""
# One statement for every claim's new status (thousands per call: row-by-row ORM updates were the bulk of a scrub).
_UPDATE_SQL = """
UPDATE claim c SET status = v.status, version = c.version + v.steps, updated_at = now(),
       first_scrub_clean = coalesce(c.first_scrub_clean, v.clean)
  FROM unnest(CAST(:ids AS bigint[]), CAST(:statuses AS text[]), CAST(:steps AS int[]), CAST(:clean AS bool[]))
       AS v(id, status, steps, clean)
 WHERE c.practice_id = :p AND c.id = v.id"""


async def scrub_claims(ctx: CallContext, claim_ids: list[int], *, queue: bool) -> list[Scrubbed]:
    errors = FieldErrors()
    errors.check_ids("claim_ids", claim_ids, MAX_CLAIMS, "claim", "call")
    errors.raise_if_any()
    # Locked in id order, so two billers scrubbing overlapping sets cannot deadlock.
    claims = {r.id: r for r in await raw.fetch_all(ctx.db, _LOCK_SQL, {"p": ctx.practice_id, "ids": claim_ids})}
    missing = [cid for cid in claim_ids if cid not in claims]
    if missing:
        errors.add("claim_ids", f"no such claim: {missing[0]}")
    for i, cid in enumerate(claim_ids):
        if cid in claims and claims[cid].status not in SCRUBBABLE:
            errors.add(f"claim_ids[{i}]", f"claim {cid} is {claims[cid].status}: only draft, scrubbed or rejected "
                                          "claims are scrubbed")
    errors.raise_if_any()
    facts = await facts_for(ctx, claim_ids)
    off = await disabled_rules(ctx)
    who = ctx.require_session()
    p = ctx.practice_id
    events: list[dict[str, object]] = []
    findings: list[dict[str, object]] = []
    out: list[Scrubbed] = []
    for cid in claim_ids:
        found = scrubber.scrub(facts[cid], off)
        clean = scrubber.is_clean(found)
        findings += [{"practice_id": p, "claim_id": cid, "position": n, "rule": f.rule, "severity": f.severity,
                      "field": f.field, "message": f.message} for n, f in enumerate(found)]
        status = claims[cid].status
        errors_found = sum(f.severity == scrubber.ERROR for f in found)
        for to, reason in moves(status, clean, queue, errors_found, len(found) - errors_found):
            if not rules.can_move(status, to):
                raise ValueError(f"claim {cid}: {status} -> {to} is not in the transition table")
            events.append({"practice_id": p, "claim_id": cid, "from_status": status, "to_status": to,
                           "reason": reason, "by_user_id": who.user_id, "by_name": who.username})
            status = to
        out.append(Scrubbed(cid, status, found))
    await ctx.db.execute(delete(ClaimFinding).where(ClaimFinding.practice_id == p,
                                                    ClaimFinding.claim_id.in_(claim_ids)))
    if findings:
        await ctx.db.execute(insert(ClaimFinding), findings)
    if events:
        await ctx.db.execute(insert(ClaimEvent), events)
    steps = {cid: 0 for cid in claim_ids}
    for e in events:
        steps[e["claim_id"]] += 1  # type: ignore[index]
    await ctx.db.execute(text(_UPDATE_SQL), {
        "p": p, "ids": [s.id for s in out], "statuses": [s.status for s in out],
        "steps": [steps[s.id] for s in out], "clean": [scrubber.is_clean(s.findings) for s in out]})
    return out


async def findings_of(ctx: CallContext, claim_id: int) -> list[scrubber.Finding]:
    rows = (await ctx.db.execute(select(ClaimFinding).where(
        ClaimFinding.practice_id == ctx.practice_id, ClaimFinding.claim_id == claim_id)
        .order_by(ClaimFinding.position))).scalars().all()
    return [scrubber.Finding(r.rule, r.severity, r.field, r.message) for r in rows]

"""Running the scrubber on claims: gather their facts (set-based), judge, store the findings, move the clean ones.

A scrub of a draft, scrubbed or rejected claim replaces its findings; a claim with no error becomes scrubbed (and
queued when asked), one with an error goes back to draft. Warnings are shown and never block.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import date
from typing import Any

from sqlalchemy import delete, select

from server.claims import gather, scrubber
from server.claims.models import Claim, ClaimFinding
from server.claims.service import record
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


async def scrub_claims(ctx: CallContext, claim_ids: list[int], *, queue: bool
                       ) -> list[tuple[Claim, list[scrubber.Finding]]]:
    errors = FieldErrors()
    if not claim_ids:
        errors.add("claim_ids", "name at least one claim")
    elif len(claim_ids) > MAX_CLAIMS:
        errors.add("claim_ids", f"at most {MAX_CLAIMS} in one call")
    elif len(set(claim_ids)) != len(claim_ids):
        errors.add("claim_ids", "a claim is listed twice")
    errors.raise_if_any()
    claims = {c.id: c for c in (await ctx.db.execute(select(Claim).where(
        Claim.practice_id == ctx.practice_id, Claim.id.in_(claim_ids)).order_by(Claim.id).with_for_update())
    ).scalars()}
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
    await ctx.db.execute(delete(ClaimFinding).where(ClaimFinding.practice_id == ctx.practice_id,
                                                    ClaimFinding.claim_id.in_(claim_ids)))
    out = []
    for cid in claim_ids:
        claim, found = claims[cid], scrubber.scrub(facts[cid], off)
        ctx.db.add_all(ClaimFinding(practice_id=ctx.practice_id, claim_id=cid, position=n, rule=f.rule,
                                    severity=f.severity, field=f.field, message=f.message)
                       for n, f in enumerate(found))
        clean = scrubber.is_clean(found)
        if claim.first_scrub_clean is None:
            claim.first_scrub_clean = clean
        if claim.status == "rejected":
            record(ctx, claim, "draft", "corrected after rejection")
        errors_found = sum(f.severity == scrubber.ERROR for f in found)
        if clean:
            if claim.status == "draft":
                record(ctx, claim, "scrubbed", f"scrubbed: {len(found)} warnings")
            if queue:
                record(ctx, claim, "queued", "queued to send")
        elif claim.status == "scrubbed":
            record(ctx, claim, "draft", f"scrubbed again: {errors_found} errors")
        out.append((claim, found))
    await ctx.db.flush()
    return out


async def findings_of(ctx: CallContext, claim_id: int) -> list[scrubber.Finding]:
    rows = (await ctx.db.execute(select(ClaimFinding).where(
        ClaimFinding.practice_id == ctx.practice_id, ClaimFinding.claim_id == claim_id)
        .order_by(ClaimFinding.position))).scalars().all()
    return [scrubber.Finding(r.rule, r.severity, r.field, r.message) for r in rows]

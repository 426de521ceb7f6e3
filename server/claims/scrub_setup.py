"""The practice's scrubber choices: rules switched off, code-pair edits, codes each payer authorizes first."""

from __future__ import annotations

import re

from sqlalchemy import delete
from sqlalchemy.dialects.postgresql import insert

from server.claims import scrubber
from server.claims.models import CodePairEdit, PayerAuthRequirement, ScrubRuleSetting
from server.db import raw
from server.errors import FieldErrors
from server.rpc.context import CallContext
from shared.pms.claims.v1 import claims_pb2 as pb

_CODE = re.compile(r"^[0-9A-Z][0-9]{3}[0-9A-Z]$")
MAX_PAIRS = 50_000
SEVERITY_ENUMS = {scrubber.ERROR: pb.SEVERITY_ERROR, scrubber.WARNING: pb.SEVERITY_WARNING}


async def read(ctx: CallContext) -> pb.GetScrubSetupResponse:
    settings = {r.rule: r.enabled for r in await raw.fetch_all(
        ctx.db, "SELECT rule, enabled FROM scrub_rule_setting WHERE practice_id = :p", {"p": ctx.practice_id})}
    pairs = await raw.fetch_all(ctx.db, """
        SELECT column1_code, column2_code, modifier_allowed FROM code_pair_edit WHERE practice_id = :p
         ORDER BY column1_code, column2_code""", {"p": ctx.practice_id})
    auth = await raw.fetch_all(ctx.db, """
        SELECT a.payer_id, y.name, a.code FROM payer_auth_requirement a
          JOIN payer y ON y.practice_id = a.practice_id AND y.id = a.payer_id
         WHERE a.practice_id = :p ORDER BY y.name, a.code""", {"p": ctx.practice_id})
    return pb.GetScrubSetupResponse(
        rules=[pb.ScrubRule(code=r.code, severity=SEVERITY_ENUMS[r.severity], description=r.description,
                            enabled=settings.get(r.code, True)) for r in scrubber.RULES],
        code_pairs=[pb.CodePairEdit(column1_code=r.column1_code, column2_code=r.column2_code,
                                    modifier_allowed=r.modifier_allowed) for r in pairs],
        auth_requirements=[pb.AuthRequirement(payer_id=r.payer_id, payer_name=r.name, code=r.code) for r in auth])


async def update(ctx: CallContext, req: pb.UpdateScrubSetupRequest) -> pb.GetScrubSetupResponse:
    errors = FieldErrors()
    for name in ("disabled_rules", "enabled_rules"):
        for i, code in enumerate(getattr(req, name)):
            if code not in scrubber.RULES_BY_CODE:
                errors.add(f"{name}[{i}]", f"{code} is not a scrubber rule")
    if set(req.disabled_rules) & set(req.enabled_rules):
        errors.add("enabled_rules", "a rule is both enabled and disabled")
    if len(req.code_pairs) > MAX_PAIRS:
        errors.add("code_pairs", f"at most {MAX_PAIRS}")
    pairs: dict[tuple[str, str], bool] = {}
    for i, pair in enumerate(req.code_pairs):
        one, two = pair.column1_code.strip().upper(), pair.column2_code.strip().upper()
        for side, code in (("column1_code", one), ("column2_code", two)):
            if not _CODE.match(code):
                errors.add(f"code_pairs[{i}].{side}", "is not a CPT or HCPCS code")
        if one == two:
            errors.add(f"code_pairs[{i}]", "a code does not pair with itself")
        if (one, two) in pairs:
            errors.add(f"code_pairs[{i}]", f"{one}/{two} is listed twice")
        pairs[(one, two)] = pair.modifier_allowed
    auth: set[tuple[int, str]] = set()
    payers = {r.id for r in await raw.fetch_all(ctx.db, "SELECT id FROM payer WHERE practice_id = :p AND "
                                                        "id = ANY(:ids)", {"p": ctx.practice_id, "ids": [
                                                            a.payer_id for a in req.auth_requirements]})}
    for i, a in enumerate(req.auth_requirements):
        code = a.code.strip().upper()
        if a.payer_id not in payers:
            errors.add(f"auth_requirements[{i}].payer_id", "no such payer")
        if not _CODE.match(code):
            errors.add(f"auth_requirements[{i}].code", "is not a CPT or HCPCS code")
        auth.add((a.payer_id, code))
    errors.raise_if_any()
    p = ctx.practice_id
    choices = [(code, False) for code in req.disabled_rules] + [(code, True) for code in req.enabled_rules]
    if choices:
        stmt = insert(ScrubRuleSetting).values([{"practice_id": p, "rule": c, "enabled": e} for c, e in choices])
        await ctx.db.execute(stmt.on_conflict_do_update(index_elements=["practice_id", "rule"],
                                                        set_={"enabled": stmt.excluded.enabled}))
    await ctx.db.execute(delete(CodePairEdit).where(CodePairEdit.practice_id == p))
    ctx.db.add_all(CodePairEdit(practice_id=p, column1_code=one, column2_code=two, modifier_allowed=ok)
                   for (one, two), ok in pairs.items())
    await ctx.db.execute(delete(PayerAuthRequirement).where(PayerAuthRequirement.practice_id == p))
    ctx.db.add_all(PayerAuthRequirement(practice_id=p, payer_id=payer, code=code) for payer, code in auth)
    await ctx.db.flush()
    return await read(ctx)

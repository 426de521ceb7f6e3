"""Claims on the CMS-1500 paper form (server/claims/cms1500.py): the same values the 837P carries, read when printed,
plus what only the form asks (phones, the signature date)."""

from __future__ import annotations

import math
import re

from server.claims import gather
from server.claims import setup as billing_setup
from server.claims.cms1500 import FormClaim, render_cms1500
from server.claims.x12_build import claim_values
from server.db import raw
from server.errors import FieldErrors, RuleViolation
from server.practice.service import practice_today
from server.rpc.context import CallContext
from server.x12 import claim837 as x

MAX_CLAIMS = 500
LINES_PER_PAGE = 6


def _ten_digits(e164: str) -> str:
    digits = re.sub(r"\D", "", e164 or "")
    return digits[-10:] if len(digits) >= 10 else ""


async def print_claims(ctx: CallContext, claim_ids: list[int], mode: str) -> tuple[bytes, int]:
    errors = FieldErrors()
    errors.check_ids("claim_ids", claim_ids, MAX_CLAIMS, "claim", "file")
    errors.raise_if_any()
    setup = await billing_setup.load(ctx.db, ctx.practice_id)
    if setup is None:
        raise RuleViolation("Enter the practice's billing identity first (Admin, billing setup).",
                            "BILLING_SETUP_MISSING")
    heads = {h.id: h for h in await gather.headers(ctx.db, ctx.practice_id, claim_ids)}
    for i, cid in enumerate(claim_ids):
        if cid not in heads:
            errors.add(f"claim_ids[{i}]", f"no such claim: {cid}")
    errors.raise_if_any()
    lines = await gather.lines(ctx.db, ctx.practice_id, claim_ids)
    phones = {r.id: _ten_digits(r.phone_mobile or r.phone_home) for r in await raw.fetch_all(ctx.db, """
        SELECT id, phone_mobile, phone_home FROM patient WHERE practice_id = :p AND id = ANY(:ids)""",
        {"p": ctx.practice_id, "ids": [h.patient_id for h in heads.values()]})}
    today = await practice_today(ctx.db, ctx.practice_id)
    provider = x.BillingProvider(
        organization_name=setup.organization_name, npi=setup.npi, tax_id=setup.tax_id, taxonomy=setup.taxonomy,
        address=x.Address(line1=setup.address_line1, line2=setup.address_line2, city=setup.city, state=setup.state,
                          zip=setup.zip), contact_name=setup.contact_name, phone=setup.phone)
    forms = [FormClaim(billing_provider=provider, claim=claim_values(heads[cid], lines.get(cid, []), setup),
                       patient_phone=phones.get(heads[cid].patient_id, ""), billing_phone=setup.phone,
                       signature_date=today) for cid in claim_ids]
    try:
        pdf = render_cms1500(forms, mode="red_form" if mode == "red_form" else "full")
    except ValueError as exc:
        where = re.match(r"claims\[(\d+)\]", str(exc))
        who = f"claim {claim_ids[int(where.group(1))]}: " if where else ""
        raise RuleViolation(f"The CMS-1500 cannot print {who}{exc}", "CLAIM_NOT_PRINTABLE") from exc
    pages = sum(max(1, math.ceil(len(lines.get(cid, [])) / LINES_PER_PAGE)) for cid in claim_ids)
    return pdf, pages

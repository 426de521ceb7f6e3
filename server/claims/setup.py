"""The practice's billing identity (837P loops 1000A, 1000B, 2010AA): checked as entered, since every claim
carries it and a clearinghouse rejects a whole file for one bad NPI."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from server.claims.models import BillingSetup
from server.common import contact_rules
from server.common.contact_rules import US_STATES
from server.errors import FieldErrors, StaleVersion
from server.scheduling.rules import npi_is_valid, taxonomy_is_valid
from shared.pms.claims.v1 import claims_pb2 as pb

_TAX_ID = re.compile(r"^\d{9}$")
_X12_ID = re.compile(r"^[A-Z0-9]{2,15}$")
_ZIP9 = re.compile(r"^\d{9}$")


def _checked(s: pb.BillingSetup) -> dict[str, Any]:
    errors = FieldErrors()
    out: dict[str, Any] = {}
    for name, max_len in (("organization_name", 60), ("address_line1", 55), ("address_line2", 55), ("city", 30),
                          ("contact_name", 60), ("receiver_name", 60)):
        out[name] = contact_rules.text(errors, f"setup.{name}", getattr(s, name),
                                       required=name != "address_line2", max_len=max_len)
    npi = s.npi.strip()
    if not npi_is_valid(npi):
        errors.add("setup.npi", "is not a valid NPI (10 digits with a correct check digit)")
    tax_id = re.sub(r"[\s-]", "", s.tax_id)
    if not _TAX_ID.match(tax_id):
        errors.add("setup.tax_id", "the EIN is 9 digits (12-3456789)")
    taxonomy = s.taxonomy.strip().upper()
    if not taxonomy_is_valid(taxonomy):
        errors.add("setup.taxonomy", "is a 10-character NUCC taxonomy code (e.g. 207Q00000X)")
    state = s.state.strip().upper()
    if state not in US_STATES:
        errors.add("setup.state", "must be a two-letter US state code (e.g. OH)")
    zip9 = re.sub(r"[\s-]", "", s.zip)
    if not _ZIP9.match(zip9):
        errors.add("setup.zip", "the billing provider's ZIP must be all 9 digits (ZIP+4)")
    else:
        contact_rules.zip_code(errors, "setup.zip", zip9[:5], state)
    phone = contact_rules.phone_number(errors, "setup.phone", s.phone, required=True)
    for name in ("submitter_id", "receiver_id"):
        value = getattr(s, name).strip().upper()
        if not _X12_ID.match(value):
            errors.add(f"setup.{name}", "2 to 15 letters and digits, as the clearinghouse gave it")
        out[name] = value
    errors.raise_if_any()
    out.update(npi=npi, tax_id=tax_id, taxonomy=taxonomy, state=state, zip=zip9, phone=phone[2:],
               usage="P" if s.production else "T")
    return out


async def load(db: AsyncSession, practice_id: int, *, for_update: bool = False) -> BillingSetup | None:
    query = select(BillingSetup).where(BillingSetup.practice_id == practice_id)
    return (await db.execute(query.with_for_update() if for_update else query)).scalar_one_or_none()


def message(row: BillingSetup | None) -> pb.BillingSetup:
    if row is None:
        return pb.BillingSetup(configured=False)
    return pb.BillingSetup(
        organization_name=row.organization_name, npi=row.npi, tax_id=row.tax_id, taxonomy=row.taxonomy,
        address_line1=row.address_line1, address_line2=row.address_line2, city=row.city, state=row.state,
        zip=row.zip, phone=row.phone, contact_name=row.contact_name, submitter_id=row.submitter_id,
        receiver_name=row.receiver_name, receiver_id=row.receiver_id, production=row.usage == "P",
        version=row.version, configured=True)


async def update(db: AsyncSession, practice_id: int, s: pb.BillingSetup) -> BillingSetup:
    row = await load(db, practice_id, for_update=True)
    # Version 0 is "first entry"; after that, the version read.
    if (row.version if row is not None else 0) != s.version:
        raise StaleVersion("billing setup")
    values = _checked(s)
    if row is None:
        row = BillingSetup(practice_id=practice_id, **values)
        db.add(row)
    else:
        for key, value in values.items():
            setattr(row, key, value)
        row.version += 1
        row.updated_at = datetime.now(UTC)
    await db.flush()
    return row

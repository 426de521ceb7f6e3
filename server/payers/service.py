"""The payer directory: rules, search, create and update."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import select, text
from sqlalchemy.ext.asyncio import AsyncSession

from server.common import contact_rules
from server.common.persistence import add_unique
from server.errors import FieldErrors, NotFound, StaleVersion
from server.patients.names import fold
from server.payers.models import Payer
from shared.pms.common.v1 import contact_pb2
from shared.pms.payers.v1 import payers_pb2 as pb

# X12 005010 SBR09 claim filing indicator codes.
CLAIM_FILING_INDICATORS = {
    "11": "Other non-federal programs", "12": "Preferred provider organization (PPO)",
    "13": "Point of service (POS)", "14": "Exclusive provider organization (EPO)",
    "15": "Indemnity insurance", "16": "HMO Medicare risk", "17": "Dental maintenance organization",
    "AM": "Automobile medical", "BL": "Blue Cross/Blue Shield", "CH": "CHAMPUS (TRICARE)",
    "CI": "Commercial insurance", "DS": "Disability", "FI": "Federal employees program",
    "HM": "Health maintenance organization", "LM": "Liability medical", "MA": "Medicare Part A",
    "MB": "Medicare Part B", "MC": "Medicaid", "OF": "Other federal program", "TV": "Title V",
    "VA": "Veterans Affairs plan", "WC": "Workers' compensation", "ZZ": "Mutually defined",
}
_PAYER_ID = re.compile(r"^[A-Za-z0-9]{2,80}$")


def payer_values(p: pb.Payer) -> dict[str, Any]:
    errors = FieldErrors()
    name = contact_rules.text(errors, "payer.name", p.name, required=True)
    payer_id = p.electronic_payer_id.strip().upper()
    if not payer_id:
        errors.add("payer.electronic_payer_id", "is required")
    elif not _PAYER_ID.match(payer_id):
        errors.add("payer.electronic_payer_id", "must be 2 to 80 letters and digits")
    cfi = p.claim_filing_indicator.strip().upper()
    if cfi not in CLAIM_FILING_INDICATORS:
        errors.add("payer.claim_filing_indicator", "must be an X12 claim filing indicator such as MB, MC, CI or BL")
    if not 1 <= p.timely_filing_days <= 3650:
        errors.add("payer.timely_filing_days", "must be between 1 and 3650 days")
    addr = contact_rules.address(errors, "payer.address", p.address, required=False)
    phone = contact_rules.phone_number(errors, "payer.phone.number", p.phone.number)
    errors.raise_if_any()
    return {"name": name, "electronic_payer_id": payer_id, "claim_filing_indicator": cfi,
            "timely_filing_days": p.timely_filing_days, "address_line1": addr["line1"],
            "address_line2": addr["line2"], "city": addr["city"], "state": addr["state"], "zip": addr["zip"],
            "phone": phone, "active": p.active, "search_text": f"{fold(name)} {payer_id.lower()}"}


def payer_message(p: Payer) -> pb.Payer:
    return pb.Payer(
        payer_id=p.id, name=p.name, electronic_payer_id=p.electronic_payer_id,
        address=contact_pb2.PostalAddress(line1=p.address_line1, line2=p.address_line2, city=p.city, state=p.state,
                                          zip=p.zip),
        claim_filing_indicator=p.claim_filing_indicator, timely_filing_days=p.timely_filing_days,
        phone=contact_pb2.Phone(type=contact_pb2.PHONE_TYPE_WORK, number=p.phone) if p.phone else None,
        active=p.active, version=p.version)


async def load(db: AsyncSession, practice_id: int, payer_id: int, *, for_update: bool = False) -> Payer:
    stmt = select(Payer).where(Payer.practice_id == practice_id, Payer.id == payer_id)
    if for_update:
        stmt = stmt.with_for_update()
    row = (await db.execute(stmt)).scalar_one_or_none()
    if row is None:
        raise NotFound("No such payer.")
    return row


async def create(db: AsyncSession, practice_id: int, p: pb.Payer) -> Payer:
    values = payer_values(p)
    values["active"] = True
    row = Payer(practice_id=practice_id, version=1, **values)
    await add_unique(db, row, "payer.name", "a payer with this name exists already")
    await db.refresh(row)
    return row


async def update(db: AsyncSession, practice_id: int, p: pb.Payer) -> Payer:
    row = await load(db, practice_id, p.payer_id, for_update=True)
    if p.version != row.version:
        raise StaleVersion("payer")
    values = payer_values(p)
    for key, value in values.items():
        setattr(row, key, value)
    row.version += 1
    row.updated_at = datetime.now(UTC)
    await add_unique(db, row, "payer.name", "a payer with this name exists already")
    return row


SEARCH_SQL = text("""
SELECT id FROM payer
 WHERE practice_id = :p AND (active OR :inactive)
   AND (:q = '' OR search_text LIKE '%' || :q || '%' OR word_similarity(:q, search_text) >= 0.5)
 ORDER BY (:q <> '' AND (search_text LIKE :q || '%' OR search_text LIKE '% ' || :q || '%')) DESC,
          word_similarity(:q, search_text) DESC, name
 LIMIT :n
""")


async def search(db: AsyncSession, practice_id: int, query: str, include_inactive: bool, limit: int) -> list[Payer]:
    if not 0 <= limit <= 500:
        errors = FieldErrors()
        errors.add("limit", "must be between 0 and 500")
        errors.raise_if_any()
    ids = [r[0] for r in (await db.execute(SEARCH_SQL, {"p": practice_id, "q": fold(query),
                                                        "inactive": include_inactive, "n": limit or 50})).all()]
    if not ids:
        return []
    rows = {r.id: r for r in (await db.execute(select(Payer).where(Payer.practice_id == practice_id,
                                                                    Payer.id.in_(ids)))).scalars()}
    return [rows[i] for i in ids]

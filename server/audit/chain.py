"""Appending to and verifying the hash-chained audit trail."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from server.audit.models import AuditChainHead, AuditEvent
from server.db import raw

GENESIS = bytes(32)


class Outcome:
    SUCCESS = "success"
    DENIED = "denied"
    FAILED = "failed"
    ERROR = "error"


@dataclass
class AuditRecord:
    """What an audit event says; everything but sequence and hashes."""

    action: str
    data_category: str
    outcome: str
    username: str = ""
    user_id: int | None = None
    workstation_name: str = ""
    workstation_id: int | None = None
    patient_id: int | None = None
    detail: str = ""
    occurred_at: datetime | None = None


def _canonical(practice_id: int, sequence: int, r: AuditRecord, occurred_at: datetime) -> bytes:
    fields = [
        practice_id, sequence, occurred_at.astimezone(UTC).isoformat(timespec="microseconds"),
        r.user_id, r.username, r.workstation_id, r.workstation_name, r.action, r.patient_id,
        r.data_category, r.outcome, r.detail,
    ]
    return json.dumps(fields, separators=(",", ":"), ensure_ascii=True).encode()


def chain_hash(prev_hash: bytes, practice_id: int, sequence: int, r: AuditRecord, occurred_at: datetime) -> bytes:
    return hashlib.sha256(prev_hash + _canonical(practice_id, sequence, r, occurred_at)).digest()


async def ensure_chain(db: AsyncSession, practice_id: int) -> None:
    db.add(AuditChainHead(practice_id=practice_id, last_sequence=0, last_hash=GENESIS))
    await db.flush()


_FIELDS = ("occurred_at", "user_id", "username", "workstation_id", "workstation_name", "action", "patient_id",
           "data_category", "outcome", "detail")
# Every call runs this statement, on the driver connection (server/db/raw.py). SET reads the head row as
# locked (the latest version), so the sequence and the link are right however many calls append at once.
# The hash is chain_hash() computed by PostgreSQL: the canonical JSON is sent split around the sequence.
_APPEND = f"""
    WITH head AS (
        UPDATE audit_chain_head
           SET last_sequence = last_sequence + 1, prev_hash = last_hash,
               last_hash = sha256(last_hash || convert_to(:before || (last_sequence + 1)::text || :after, 'UTF8'))
         WHERE practice_id = :practice_id
     RETURNING last_sequence, prev_hash, last_hash)
    INSERT INTO audit_event (practice_id, sequence, {", ".join(_FIELDS)}, prev_hash, hash)
    SELECT :practice_id, last_sequence, {", ".join(":" + f for f in _FIELDS)}, prev_hash, last_hash FROM head
    RETURNING sequence"""


def _canonical_around_sequence(practice_id: int, r: AuditRecord, occurred_at: datetime) -> tuple[str, str]:
    """_canonical() as the text before and after the sequence number, which only the database knows."""
    marker = -1  # no real sequence is negative, and json renders it as one token
    text = _canonical(practice_id, marker, r, occurred_at).decode()
    head = f"[{json.dumps(practice_id)},"
    assert text.startswith(head + f"{marker},")
    return head, text[len(head) + len(str(marker)):]


async def append(db: AsyncSession, practice_id: int, record: AuditRecord) -> int:
    """Adds one event in the caller's transaction, in one round trip; the head row lock keeps the chain linear."""
    # Microseconds, as PostgreSQL stores them, so the hash recomputes exactly.
    occurred_at = (record.occurred_at or datetime.now(UTC)).astimezone(UTC)
    before, after = _canonical_around_sequence(practice_id, record, occurred_at)
    conn = await raw.driver(db)
    async with conn.cursor() as cur:
        await cur.execute(raw.psycopg_sql(_APPEND), {
            "practice_id": practice_id, "before": before, "after": after, "occurred_at": occurred_at,
            "user_id": record.user_id, "username": record.username, "workstation_id": record.workstation_id,
            "workstation_name": record.workstation_name, "action": record.action, "patient_id": record.patient_id,
            "data_category": record.data_category, "outcome": record.outcome, "detail": record.detail,
        })
        row = await cur.fetchone()
    assert row is not None, f"practice {practice_id} has no audit chain"
    return int(row[0])


@dataclass
class VerifyResult:
    ok: bool
    events_checked: int
    first_bad_sequence: int = 0
    problem: str = ""


def _record_of(row: AuditEvent) -> AuditRecord:
    return AuditRecord(
        action=row.action, data_category=row.data_category, outcome=row.outcome, username=row.username,
        user_id=row.user_id, workstation_name=row.workstation_name, workstation_id=row.workstation_id,
        patient_id=row.patient_id, detail=row.detail,
    )


async def verify(db: AsyncSession, practice_id: int) -> VerifyResult:
    """Walks the chain from the first event; names the first altered or missing one."""
    expected_seq, prev = 1, GENESIS
    checked = 0
    result = await db.stream_scalars(
        select(AuditEvent).where(AuditEvent.practice_id == practice_id).order_by(AuditEvent.sequence)
        .execution_options(yield_per=2000)
    )
    async for row in result:
        if row.sequence != expected_seq:
            return VerifyResult(False, checked, expected_seq,
                                f"event {expected_seq} is missing (next present is {row.sequence})")
        if row.prev_hash != prev:
            return VerifyResult(False, checked, row.sequence,
                                f"event {row.sequence} does not link to event {row.sequence - 1}")
        if chain_hash(prev, practice_id, row.sequence, _record_of(row), row.occurred_at) != row.hash:
            return VerifyResult(False, checked, row.sequence, f"event {row.sequence} was altered")
        prev, expected_seq, checked = row.hash, expected_seq + 1, checked + 1
    head = (await db.execute(select(AuditChainHead).where(AuditChainHead.practice_id == practice_id))
            ).scalar_one_or_none()
    last = expected_seq - 1
    if head is not None and (head.last_sequence != last or head.last_hash != prev):
        missing = last + 1
        return VerifyResult(False, checked, missing,
                            f"events from {missing} to {head.last_sequence} are missing (the chain ends early)")
    return VerifyResult(True, checked)

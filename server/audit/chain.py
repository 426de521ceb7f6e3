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
           "data_category", "outcome", "detail", "prev_hash", "hash")
# Every call runs these two statements, on the driver connection (server/db/raw.py).
_TAKE_NEXT = ("UPDATE audit_chain_head SET last_sequence = last_sequence + 1 WHERE practice_id = :practice_id "
              "RETURNING last_sequence, last_hash")
_INSERT_AND_LINK = f"""
    WITH inserted AS (
        INSERT INTO audit_event (practice_id, sequence, {", ".join(_FIELDS)})
        VALUES (:practice_id, :sequence, {", ".join(":" + f for f in _FIELDS)})
        RETURNING sequence)
    UPDATE audit_chain_head SET last_hash = :hash
     WHERE practice_id = :practice_id AND last_sequence = (SELECT sequence FROM inserted)"""


async def append(db: AsyncSession, practice_id: int, record: AuditRecord) -> int:
    """Adds one event in the caller's transaction; the head row lock keeps the chain linear.

    Two round trips: taking the next sequence locks the head row and returns the previous
    hash (not yet replaced); the insert and the head's new hash then go in one statement.
    """
    conn = await raw.driver(db)
    async with conn.cursor() as cur:
        await cur.execute(raw.psycopg_sql(_TAKE_NEXT), {"practice_id": practice_id})
        head = await cur.fetchone()
        assert head is not None, f"practice {practice_id} has no audit chain"
        sequence, prev_hash = head[0], bytes(head[1])
        # Microseconds, as PostgreSQL stores them, so the hash recomputes exactly.
        occurred_at = (record.occurred_at or datetime.now(UTC)).astimezone(UTC)
        digest = chain_hash(prev_hash, practice_id, sequence, record, occurred_at)
        await cur.execute(raw.psycopg_sql(_INSERT_AND_LINK), {
            "practice_id": practice_id, "sequence": sequence, "occurred_at": occurred_at, "user_id": record.user_id,
            "username": record.username, "workstation_id": record.workstation_id,
            "workstation_name": record.workstation_name, "action": record.action, "patient_id": record.patient_id,
            "data_category": record.data_category, "outcome": record.outcome, "detail": record.detail,
            "prev_hash": prev_hash, "hash": digest,
        })
    return sequence


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

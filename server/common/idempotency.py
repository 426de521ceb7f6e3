"""Idempotency keys (BRIEF §2.6): a retried call posts nothing twice; a reused key with other content is refused."""

from __future__ import annotations

import hashlib
from typing import TypeVar

from google.protobuf.message import Message
from sqlalchemy import func, insert, select
from sqlalchemy.ext.asyncio import AsyncSession

from server.common.idempotency_models import IdempotencyRecord
from server.errors import InvalidArgument, RuleViolation

M = TypeVar("M", bound=Message)
KEY_FIELD = "idempotency_key"


def request_hash(request: Message) -> bytes:
    copy = type(request)()
    copy.CopyFrom(request)
    copy.ClearField(KEY_FIELD)  # type: ignore[arg-type]
    return hashlib.sha256(copy.SerializeToString(deterministic=True)).digest()


async def replay(db: AsyncSession, practice_id: int, method: str, request: Message,
                 response_type: type[M]) -> M | None:
    """The stored answer for this key, or None when the key is new (then call ``remember``)."""
    key = getattr(request, KEY_FIELD)
    if not key:
        return None
    if len(key) > 100:
        raise InvalidArgument.one(KEY_FIELD, "must be at most 100 characters")
    # Two concurrent calls with one key: the second waits here and then replays the first.
    await db.execute(select(func.pg_advisory_xact_lock(func.hashtextextended(f"{practice_id}:{key}", 0))))
    row = (await db.execute(select(IdempotencyRecord).where(
        IdempotencyRecord.practice_id == practice_id, IdempotencyRecord.key == key))).scalar_one_or_none()
    if row is None:
        return None
    if row.method != method or row.request_hash != request_hash(request):
        raise RuleViolation("This idempotency key was already used for a different request.",
                            "IDEMPOTENCY_KEY_REUSED")
    out = response_type()
    out.ParseFromString(row.response)
    return out


async def remember(db: AsyncSession, practice_id: int, method: str, request: Message, response: Message) -> None:
    key = getattr(request, KEY_FIELD)
    if key:
        await db.execute(insert(IdempotencyRecord).values(
            practice_id=practice_id, key=key, method=method, request_hash=request_hash(request),
            response=response.SerializeToString(deterministic=True)))

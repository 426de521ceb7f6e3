"""Idempotency keys (BRIEF §2.6): a retried call posts nothing twice; a reused key with other content is refused."""

from __future__ import annotations

import hashlib
from collections.abc import Awaitable, Callable
from typing import TypeVar

from google.protobuf.message import Message
from sqlalchemy import func, insert, select
from sqlalchemy.ext.asyncio import AsyncSession

from server.common.idempotency_models import IdempotencyRecord
from server.errors import InvalidArgument, RuleViolation
from server.rpc.context import CallContext

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


async def once(ctx: CallContext, request: Message, response_type: type[M], post: Callable[[], Awaitable[M]],
               patient_of: Callable[[M], int] | None = None) -> M:
    """Replays the stored answer for a key already used (refusing other content), or posts and remembers it."""
    replayed = await replay(ctx.db, ctx.practice_id, ctx.method, request, response_type)
    if replayed is not None:
        if patient_of is not None:
            ctx.audit.patient_id = patient_of(replayed) or None
        ctx.audit.detail = "replayed"
        return replayed
    response = await post()
    await remember(ctx.db, ctx.practice_id, ctx.method, request, response)
    return response

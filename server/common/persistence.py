"""Small persistence helpers shared by the domains."""

from __future__ import annotations

from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from server.db.base import Base
from server.errors import InvalidArgument


async def add_unique(db: AsyncSession, row: Base, field: str, description: str) -> None:
    """Inserts ``row``; a unique-constraint race (someone else just took the value) becomes a field violation.

    The savepoint keeps the caller's transaction usable after the refused insert.
    """
    db.add(row)
    try:
        async with db.begin_nested():
            await db.flush()
    except IntegrityError as exc:
        raise InvalidArgument.one(field, description) from exc

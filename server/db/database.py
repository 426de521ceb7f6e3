"""Engine, sessions and the unit of work: one RPC, one transaction (BRIEF §2.5)."""

from __future__ import annotations

import asyncio
import re
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from contextlib import asynccontextmanager, contextmanager
from contextvars import ContextVar
from typing import Any, TypeVar

from sqlalchemy import event
from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker, create_async_engine

T = TypeVar("T")

# Set once per pooled connection instead of once per transaction (a round trip saved on every search).
SESSION_SETTINGS = {
    # Typo-tolerant patient name search (server/patients/search.py): how alike a word must be for `<%`.
    "pg_trgm.word_similarity_threshold": "0.4",
    # Our statements are OLTP shapes whose plans do not depend on the values (index ranges, keys); planning
    # the patient search afresh cost 4 ms of its 6 on a million patients. psycopg prepares a statement after
    # its fifth use on a connection; from then on it is planned once.
    "plan_cache_mode": "force_generic_plan",
}

# serialization_failure, deadlock_detected: safe to run the whole unit again.
RETRYABLE_SQLSTATES = {"40001", "40P01"}


def is_retryable(exc: BaseException, *, readonly: bool = False) -> bool:
    """Safe to run the unit again: a serialization failure, or a dead connection when nothing was written."""
    if not isinstance(exc, DBAPIError):
        return False
    if getattr(exc.orig, "sqlstate", None) in RETRYABLE_SQLSTATES:
        return True
    # For writes we cannot know whether a lost COMMIT took effect; the caller decides (idempotency keys).
    return readonly and exc.connection_invalidated


class Database:
    def __init__(self, url: str, *, pool_size: int = 10, max_overflow: int = 20) -> None:
        self.url = url
        # No pre-ping: it costs a round trip per transaction. A connection that died with the database
        # is detected on use, the pool is invalidated, and read-only units are simply run again.
        self.engine = create_async_engine(
            url, pool_size=pool_size, max_overflow=max_overflow, pool_recycle=1800,
        )
        self.sessions = async_sessionmaker(self.engine, expire_on_commit=False, autoflush=True)
        event.listen(self.engine.sync_engine, "connect", _apply_session_settings)
        event.listen(self.engine.sync_engine, "before_cursor_execute", _refuse_writes_when_read_only)

    @asynccontextmanager
    async def transaction(self, *, readonly: bool = False) -> AsyncIterator[AsyncSession]:
        """Commits when the block ends normally, rolls back on any exception. Domain code never commits."""
        async with self.sessions() as session, session.begin():
            if readonly:
                # psycopg then opens the transaction with BEGIN READ ONLY: no extra round trip.
                await session.connection(execution_options={"postgresql_readonly": True})
            yield session

    async def run(self, work: Callable[[AsyncSession], Awaitable[T]], *, readonly: bool = False,
                  attempts: int = 3) -> T:
        """Runs ``work`` in one transaction, again from the start on a serialization failure."""
        for attempt in range(1, attempts + 1):
            try:
                async with self.transaction(readonly=readonly) as session:
                    return await work(session)
            except DBAPIError as exc:
                if attempt == attempts or not is_retryable(exc, readonly=readonly):
                    raise
                await asyncio.sleep(0.01 * attempt)
        raise AssertionError("unreachable")

    async def dispose(self) -> None:
        await self.engine.dispose()


def _apply_session_settings(dbapi_connection: Any, connection_record: Any) -> None:
    cursor = dbapi_connection.cursor()
    for name, value in SESSION_SETTINGS.items():
        cursor.execute(f"SET {name} = '{value}'")
    cursor.close()
    dbapi_connection.commit()


class WriteInReadOnlyCall(RuntimeError):
    """A read RPC's servicer tried to change data: a programming error, refused before it reaches the database."""


_read_only: ContextVar[bool] = ContextVar("pms_read_only_statements", default=False)
# The first keyword of a data-changing statement, also after a WITH clause (WITH x AS (...) INSERT ...).
_WRITE = re.compile(r"^\s*(INSERT|UPDATE|DELETE|MERGE|TRUNCATE|COPY|CREATE|ALTER|DROP|GRANT|REVOKE|LOCK)\b"
                    r"|[()]\s*(INSERT|UPDATE|DELETE|MERGE)\b|\b(INSERT\s+INTO|DELETE\s+FROM)\b", re.IGNORECASE)


@contextmanager
def read_only_statements(active: bool = True) -> Iterator[None]:
    """While active, statements that change data are refused (the call's own audit event comes after)."""
    token = _read_only.set(active)
    try:
        yield
    finally:
        _read_only.reset(token)


def _refuse_writes_when_read_only(conn: Any, cursor: Any, statement: str, parameters: Any, context: Any,
                                  executemany: bool) -> None:
    if _read_only.get() and _WRITE.search(statement):
        raise WriteInReadOnlyCall(f"a read-only call tried to run: {statement[:60]}")

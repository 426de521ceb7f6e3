"""The unit of work: read-only transactions refuse writes, errors roll everything back."""

from __future__ import annotations

import pytest
from sqlalchemy import select, text
from sqlalchemy.exc import DBAPIError

from server.db.database import Database
from server.practice.models import Practice
from tests.support import Cluster


async def test_read_only_transaction_refuses_writes_and_pool_forgets_it(cluster: Cluster) -> None:
    db = Database(cluster.new_database().app_url, pool_size=1, max_overflow=0)
    try:
        with pytest.raises(DBAPIError, match="read-only transaction"):
            async with db.transaction(readonly=True) as s:
                await s.execute(text("INSERT INTO practice (name) VALUES ('x')"))
        # The same pooled connection is writable again afterwards.
        async with db.transaction() as s:
            await s.execute(text("INSERT INTO practice (name) VALUES ('y')"))
        async with db.transaction(readonly=True) as s:
            names = (await s.execute(select(Practice.name))).scalars().all()
        assert names == ["y"]
    finally:
        await db.dispose()


async def test_an_error_rolls_back_the_whole_unit(cluster: Cluster) -> None:
    db = Database(cluster.new_database().app_url, pool_size=1, max_overflow=0)
    try:
        with pytest.raises(RuntimeError):
            async with db.transaction() as s:
                await s.execute(text("INSERT INTO practice (name) VALUES ('half-written')"))
                raise RuntimeError("boom")
        async with db.transaction(readonly=True) as s:
            assert (await s.execute(select(Practice.name))).scalars().all() == []
    finally:
        await db.dispose()


@pytest.mark.parametrize("statement", [
    "UPDATE practice SET name = name",
    "INSERT INTO practice (name) VALUES ('x')",
    "WITH p AS (SELECT 1) DELETE FROM idempotency_record",
    "WITH moved AS (UPDATE practice SET name = name RETURNING id) SELECT * FROM moved",
])
async def test_a_read_calls_servicer_cannot_write_but_its_audit_event_can(cluster: Cluster, statement: str) -> None:
    from server.db.database import WriteInReadOnlyCall, read_only_statements

    db = Database(cluster.new_database().app_url, pool_size=1, max_overflow=0)
    try:
        async with db.transaction() as session:
            with read_only_statements():
                await session.execute(text("SELECT name FROM practice"))
                with pytest.raises(WriteInReadOnlyCall):
                    await session.execute(text(statement))
            # After the servicer: the pipeline writes the call's audit event in the same transaction.
            await session.execute(text("UPDATE practice SET name = name"))
    finally:
        await db.dispose()

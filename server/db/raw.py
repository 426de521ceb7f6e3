"""The psycopg connection under a unit of work, for the few statements every call runs.

SQLAlchemy's execution machinery costs about as much as the round trip for a one-row statement;
the per-call statements (caller identity, audit append) and the patient search run on the driver
connection directly, inside the same transaction. Nothing here commits: the unit of work does.
These statements bypass `read_only_statements` (server/db/database.py), so only SELECTs and the
pipeline's own audit write use this path.
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import Any

from psycopg import AsyncConnection
from psycopg.conninfo import make_conninfo
from psycopg.rows import namedtuple_row
from sqlalchemy import event
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Session, SessionTransaction

_NAMED = re.compile(r"(?<![:\w]):(\w+)")


_DRIVER = "pms_driver_connection"


async def driver(session: AsyncSession) -> AsyncConnection[Any]:
    """The transaction's psycopg connection, looked up once per transaction (each lookup is two greenlet hops)."""
    found: AsyncConnection[Any] | None = session.info.get(_DRIVER)
    if found is None:
        connection = await session.connection()
        raw = await connection.get_raw_connection()
        found = session.info[_DRIVER] = raw.driver_connection
    assert found is not None
    return found


@event.listens_for(Session, "after_transaction_end")
def _forget_driver(session: Session, transaction: SessionTransaction) -> None:
    # The connection goes back to the pool with the outermost transaction; the next one may get another.
    if transaction.parent is None:
        session.info.pop(_DRIVER, None)


@lru_cache(maxsize=512)
def psycopg_sql(sql: str) -> str:
    """``:name`` placeholders (as in SQLAlchemy text()) to psycopg's ``%(name)s``; literal % doubled."""
    return _NAMED.sub(r"%(\1)s", sql.replace("%", "%%"))


async def fetch_all(session: AsyncSession, sql: str, params: dict[str, Any]) -> list[Any]:
    conn = await driver(session)
    async with conn.cursor(row_factory=namedtuple_row) as cur:
        await cur.execute(psycopg_sql(sql), params)
        return await cur.fetchall()


async def fetch_one(session: AsyncSession, sql: str, params: dict[str, Any]) -> Any:
    rows = await fetch_all(session, sql, params)
    return rows[0] if rows else None


def conninfo(url: str) -> str:
    """A libpq connection string from a SQLAlchemy URL (postgresql+psycopg://user:pw@host:port/db?host=...)."""
    u = make_url(url)
    params: dict[str, Any] = {"user": u.username, "password": u.password, "host": u.host, "port": u.port,
                              "dbname": u.database}
    for key, value in u.query.items():
        params[key] = value if isinstance(value, str) else value[-1]
    return make_conninfo("", **{k: v for k, v in params.items() if v not in (None, "")})

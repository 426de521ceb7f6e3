"""What every benchmark shares: percentiles, recording a call's SQL, replaying it raw, `pms-server serve`."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from typing import Any

import psycopg

from server.demo import free_port
from server.runtime import Installation

END = "-- end of transaction --"


def pct(samples: list[float], p: float) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))]


class SqlRecorder:
    """Records what the server sends to PostgreSQL for one call, to replay it raw.

    Hooks psycopg itself (not SQLAlchemy), so statements the server runs on the driver
    connection directly (server/db/raw.py) are recorded too. ``engine`` is unused; kept for callers.
    """

    def __init__(self, engine: Any = None) -> None:
        self.statements: list[tuple[str, Any]] = []
        self.on = False
        recorder = self
        original_execute = psycopg.AsyncCursor.execute
        original_commit = psycopg.AsyncConnection.commit
        original_rollback = psycopg.AsyncConnection.rollback

        async def execute(cur: Any, query: Any, params: Any = None, **kwargs: Any) -> Any:
            if recorder.on:
                recorder.statements.append((query if isinstance(query, str) else query.as_string(cur), params))
            return await original_execute(cur, query, params, **kwargs)

        async def commit(conn: Any) -> None:
            if recorder.on:
                recorder.statements.append((END, None))
            await original_commit(conn)

        async def rollback(conn: Any) -> None:
            if recorder.on:
                recorder.statements.append((END, None))
            await original_rollback(conn)

        psycopg.AsyncCursor.execute = execute  # type: ignore[method-assign]
        psycopg.AsyncConnection.commit = commit  # type: ignore[method-assign]
        psycopg.AsyncConnection.rollback = rollback  # type: ignore[method-assign]


def fresh_params(sql: str, params: Any, i: int) -> Any:
    """Keys the original call already used (a new session's token hash, audit sequence) get unique stand-ins."""
    if not isinstance(params, dict):
        return params
    out = dict(params)
    inserting = sql.lstrip().upper().startswith(("INSERT", "WITH"))
    for key in out:
        if key.startswith("token_hash") and inserting:
            out[key] = os.urandom(32)
        elif "sequence" in key and "last_sequence" not in key:
            out[key] = 2_000_000_000 - i
    return out


def count_statements(statements: list[tuple[str, Any]]) -> str:
    txns = sum(1 for s, _ in statements if s is END)
    return f"{len(statements) - txns} stmts, {txns} txns"


def replay(conninfo: str, statements: list[tuple[str, Any]], n: int) -> list[float]:
    """Each round is one transaction, rolled back so the next round sees the same data."""
    out = []
    with _connect(conninfo) as conn:
        for i in range(n):
            t = time.perf_counter()
            for sql, params in statements:
                if sql is END:
                    conn.rollback()  # where the server committed; rolled back to keep the data unchanged
                else:
                    conn.execute(sql, fresh_params(sql, params, i), prepare=True)
            out.append((time.perf_counter() - t) * 1000)
            conn.rollback()
    return out




def start_serve(inst: Installation) -> tuple[subprocess.Popen[bytes], int]:
    """`pms-server serve` in its own process on a free loopback port, as deployed."""
    port = free_port()
    proc = subprocess.Popen(
        [sys.executable, "-m", "server.cli", "serve", "--data", str(inst.data.root), "--listen",
         f"127.0.0.1:{port}"], env={**os.environ, "DATABASE_URL": inst.urls.app_url, "PMS_LOG_LEVEL": "WARNING"},
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return proc, port


def timed_ms(samples: list[float], started: float) -> None:
    samples.append((time.perf_counter() - started) * 1000)


def replay_each(conninfo: str, calls: list[list[tuple[str, Any]]]) -> list[float]:
    """Each recorded call once, on one warm connection (rolled back, like ``replay``)."""
    out = []
    with _connect(conninfo) as conn:
        for warm in calls[:3]:
            _run(conn, warm, 0)
        for i, statements in enumerate(calls):
            t = time.perf_counter()
            _run(conn, statements, i)
            out.append((time.perf_counter() - t) * 1000)
    return out


def _run(conn: psycopg.Connection[Any], statements: list[tuple[str, Any]], i: int) -> None:
    for sql, params in statements:
        if sql is END:
            conn.rollback()
        else:
            conn.execute(sql, fresh_params(sql, params, i), prepare=True)
    conn.rollback()


def _connect(conninfo: str) -> psycopg.Connection[Any]:
    """A connection set up like the server's pool connections."""
    from server.db.database import SESSION_SETTINGS

    conn = psycopg.connect(conninfo)
    for name, value in SESSION_SETTINGS.items():
        conn.execute(f"SET {name} = '{value}'")
    conn.commit()
    return conn

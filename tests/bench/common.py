"""What every benchmark shares: percentiles, recording a call's SQL, replaying it raw, `pms-server serve`."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from typing import Any

import psycopg
from sqlalchemy import event

from server.demo import free_port
from server.runtime import Installation

END = "-- end of transaction --"


def pct(samples: list[float], p: float) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))]


class SqlRecorder:
    """Records the statements the server sends for one call, to replay them raw."""

    def __init__(self, engine: Any) -> None:
        self.statements: list[tuple[str, Any]] = []
        self.on = False
        event.listen(engine.sync_engine, "before_cursor_execute", self._record)
        event.listen(engine.sync_engine, "commit", self._end)
        event.listen(engine.sync_engine, "rollback", self._end)

    def _end(self, conn: Any) -> None:
        if self.on:
            self.statements.append((END, None))

    def _record(self, conn: Any, cursor: Any, statement: str, params: Any, context: Any, many: bool) -> None:
        if self.on:
            self.statements.append((statement, params))


def fresh_params(params: Any, i: int) -> Any:
    """Keys the original call already used (new token hash, audit sequence) get unique stand-ins."""
    if not isinstance(params, dict):
        return params
    out = dict(params)
    for key in out:
        if key.startswith("token_hash"):
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
    with psycopg.connect(conninfo) as conn:
        for i in range(n):
            t = time.perf_counter()
            for sql, params in statements:
                if sql is END:
                    conn.rollback()  # where the server committed; rolled back to keep the data unchanged
                else:
                    conn.execute(sql, fresh_params(params, i), prepare=True)
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
    with psycopg.connect(conninfo) as conn:
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
            conn.execute(sql, fresh_params(params, i), prepare=True)
    conn.rollback()

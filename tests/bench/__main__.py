"""Benchmarks: login and WhoAmI latency over mutual TLS, beside the raw cost of the same SQL.

    python -m tests.bench                 # full scale
    python -m tests.bench --scale small   # what CI runs, to keep it working

Starts its own throwaway PostgreSQL cluster (embedded binaries, or PMS_TEST_PG_BIN), records the
SQL of one call of each kind with the server in-process, then measures against `pms-server serve`
in its own process on a loopback port, as deployed; the client is the TUI's GrpcGateway. Prints a table.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import subprocess
import sys
import tempfile
import time
from dataclasses import replace
from pathlib import Path
from typing import Any

import psycopg
from sqlalchemy import event

from client_tui.grpc_gateway import GrpcGateway
from server.auth import passwords
from server.demo import free_port, wait_until_serving
from tests.support import ADMIN_PASSWORD, Cluster, RunningServer, make_installation

END = "-- end of transaction --"
SCALES = {"small": {"logins": 10, "whoami": 100}, "full": {"logins": 200, "whoami": 3000}}


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


def _fresh(params: Any, i: int) -> Any:
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


def _count(statements: list[tuple[str, Any]]) -> str:
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
                    conn.execute(sql, _fresh(params, i), prepare=True)
            out.append((time.perf_counter() - t) * 1000)
            conn.rollback()
    return out


async def run(scale: str) -> list[tuple[str, int, float, float]]:
    sizes = SCALES[scale]
    root = Path(tempfile.mkdtemp(prefix="pms-bench-"))
    cluster = Cluster(root)
    rows: list[tuple[str, int, float, float]] = []
    try:
        inst = await make_installation(cluster, root / "data")
        # 1. In-process server: record the SQL one Login and one WhoAmI send.
        server = await RunningServer(inst).start()
        recorder = SqlRecorder(server.server.db.engine)
        gw = GrpcGateway(await server.enroll("bench-record"))
        try:
            await gw.login("admin", ADMIN_PASSWORD)
            await gw.who_am_i()
            recorder.on = True
            await gw.login("admin", ADMIN_PASSWORD)
            login_sql, recorder.statements = list(recorder.statements), []
            await gw.who_am_i()
            who_sql, recorder.on = list(recorder.statements), False
            bundle = await server.enroll("bench-1")
        finally:
            await gw.close()
            await server.stop()
        # 2. `pms-server serve` in its own process, as deployed: the latency a workstation sees.
        port = free_port()
        bundle = replace(bundle, server_address=f"127.0.0.1:{port}")
        proc = subprocess.Popen(
            [sys.executable, "-m", "server.cli", "serve", "--data", str(inst.data.root), "--listen",
             f"127.0.0.1:{port}"], env={**os.environ, "DATABASE_URL": inst.urls.app_url, "PMS_LOG_LEVEL": "WARNING"},
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        gw = GrpcGateway(bundle)
        try:
            await asyncio.to_thread(lambda: wait_until_serving(bundle).close())
            await gw.login("admin", ADMIN_PASSWORD)  # warm up channel, pool, caches
            for _ in range(20):
                await gw.who_am_i()
            login_ms = []
            for _ in range(sizes["logins"]):
                t = time.perf_counter()
                await gw.login("admin", ADMIN_PASSWORD)
                login_ms.append((time.perf_counter() - t) * 1000)
            who_ms = []
            for _ in range(sizes["whoami"]):
                t = time.perf_counter()
                await gw.who_am_i()
                who_ms.append((time.perf_counter() - t) * 1000)
        finally:
            await gw.close()
            proc.terminate()
            proc.wait(timeout=30)
        conninfo = cluster.app_conninfo(inst.urls)
        login_raw = replay(conninfo, login_sql, sizes["logins"])
        who_raw = replay(conninfo, who_sql, sizes["whoami"])
        user_hash = await passwords.hash_password(ADMIN_PASSWORD)
        argon = []
        for _ in range(sizes["logins"]):
            t = time.perf_counter()
            await passwords.verify_password(user_hash, ADMIN_PASSWORD)
            argon.append((time.perf_counter() - t) * 1000)
        for name, samples in [
            ("Login over mutual TLS", login_ms),
            (f"  same SQL, raw psycopg ({_count(login_sql)})", login_raw),
            ("  argon2id verify alone", argon),
            ("WhoAmI over mutual TLS", who_ms),
            (f"  same SQL, raw psycopg ({_count(who_sql)})", who_raw),
        ]:
            rows.append((name, len(samples), pct(samples, 50), pct(samples, 99)))
    finally:
        cluster.stop()
    return rows


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", choices=sorted(SCALES), default="full")
    args = parser.parse_args()
    rows = asyncio.run(run(args.scale))
    print(f"\n{'operation':<46} {'n':>6} {'p50 ms':>9} {'p99 ms':>9}")
    print("-" * 73)
    for name, n, p50, p99 in rows:
        print(f"{name:<46} {n:>6} {p50:>9.2f} {p99:>9.2f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

"""Login and WhoAmI latency over mutual TLS, beside the raw cost of the same SQL and argon2id alone."""

from __future__ import annotations

import asyncio
import tempfile
import time
from dataclasses import replace
from pathlib import Path

from client_tui.grpc_gateway import GrpcGateway
from server.auth import passwords
from server.demo import wait_until_serving
from tests.bench.common import SqlRecorder, count_statements, pct, replay, start_serve
from tests.support import ADMIN_PASSWORD, BENCH_SETTINGS, Cluster, RunningServer, make_installation

SCALES = {"small": {"logins": 10, "whoami": 100}, "full": {"logins": 200, "whoami": 3000}}


async def run_auth(scale: str) -> list[tuple[str, int, float, float]]:
    sizes = SCALES[scale]
    root = Path(tempfile.mkdtemp(prefix="pms-bench-"))
    cluster = Cluster(root, BENCH_SETTINGS)
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
        proc, port = start_serve(inst)
        bundle = replace(bundle, server_address=f"127.0.0.1:{port}")
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
            (f"  same SQL, raw psycopg ({count_statements(login_sql)})", login_raw),
            ("  argon2id verify alone", argon),
            ("WhoAmI over mutual TLS", who_ms),
            (f"  same SQL, raw psycopg ({count_statements(who_sql)})", who_raw),
        ]:
            rows.append((name, len(samples), pct(samples, 50), pct(samples, 99)))
    finally:
        cluster.stop()
    return rows



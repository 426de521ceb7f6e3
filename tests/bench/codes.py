"""Code lookup over mutual TLS on the whole ICD-10-CM (as the superbill's type-ahead sends it), beside the same SQL.

Queries are built from sampled codes: a code prefix as typed with its dot ("E11.6"), and the beginnings of two
words of a description ("diab typ").
"""

from __future__ import annotations

import asyncio
import random
import tempfile
import time
from dataclasses import replace
from datetime import date
from pathlib import Path
from typing import Any

import psycopg

from server.demo import wait_until_serving
from shared import dates
from shared.pms.codes.v1 import codes_pb2 as cp
from tests.bench.common import SqlRecorder, count_statements, pct, replay_each, start_serve
from tests.support import BENCH_SETTINGS, Client, Cluster, RunningServer, make_installation

SCALES = {"small": {"queries": 20}, "full": {"queries": 500}}
PASSWORD = "bench-password-123"
DOS = dates.to_pb(date(2026, 3, 2))


def _queries(conninfo: str, n: int, seed: int = 3) -> dict[str, list[str]]:
    with psycopg.connect(conninfo) as conn:
        rows = conn.execute("SELECT code, description FROM code_entry WHERE system = 'icd10cm'").fetchall()
    rng = random.Random(seed)
    picked = rng.sample(rows, n)
    prefixes = [f"{code[:3]}.{code[3:4]}" if len(code) > 3 else code for code, _ in picked]
    words = []
    for _, description in picked:
        ws = [w for w in description.lower().replace(",", " ").split() if len(w) >= 4] or ["fracture"]
        words.append(" ".join(w[:4] for w in ws[:2]))
    return {"code prefix ('E11.6')": prefixes, "words ('diab typ')": words}


async def run_codes(scale: str) -> list[tuple[str, int, float, float]]:
    sizes = SCALES[scale]
    root = Path(tempfile.mkdtemp(prefix="pms-bench-codes-"))
    cluster = Cluster(root, BENCH_SETTINGS)
    rows: list[tuple[str, int, float, float]] = []
    try:
        inst = await make_installation(cluster, root / "data")
        conninfo = cluster.app_conninfo(inst.urls)
        queries = _queries(conninfo, sizes["queries"])
        server = await RunningServer(inst).start()
        await server.add_user("bench-biller", ["biller"], PASSWORD)
        recorder = SqlRecorder()
        client = Client(await server.enroll("bench-record"))
        recorded: dict[str, list[list[tuple[str, Any]]]] = {}
        try:
            await client.login("bench-biller", PASSWORD)
            for kind, texts in queries.items():
                recorded[kind] = []
                for q in texts:
                    recorder.on, recorder.statements = True, []
                    await client.codes.SearchCodes(cp.SearchCodesRequest(
                        system=cp.CODE_SYSTEM_ICD10CM, query=q, date_of_service=DOS), metadata=client.md)
                    recorded[kind].append(list(recorder.statements))
                    recorder.on = False
            bundle = await server.enroll("bench-biller-1")
        finally:
            await client.close()
            await server.stop()

        proc, port = start_serve(inst)
        client = Client(replace(bundle, server_address=f"127.0.0.1:{port}"))
        measured: dict[str, list[float]] = {}
        found: dict[str, int] = {}
        try:
            await asyncio.to_thread(lambda: wait_until_serving(client.bundle).close())
            await client.login("bench-biller", PASSWORD)
            for texts in queries.values():  # warm up: channel, pool, prepared statements
                for q in texts[-8:]:
                    await client.codes.SearchCodes(cp.SearchCodesRequest(
                        system=cp.CODE_SYSTEM_ICD10CM, query=q, date_of_service=DOS), metadata=client.md)
            for kind, texts in queries.items():
                measured[kind], found[kind] = [], 0
                for q in texts:
                    t = time.perf_counter()
                    resp = await client.codes.SearchCodes(cp.SearchCodesRequest(
                        system=cp.CODE_SYSTEM_ICD10CM, query=q, date_of_service=DOS), metadata=client.md)
                    measured[kind].append((time.perf_counter() - t) * 1000)
                    found[kind] += bool(resp.codes)
        finally:
            await client.close()
            proc.terminate()
            proc.wait(timeout=30)
        for kind, samples in measured.items():
            raw = replay_each(conninfo, recorded[kind])
            rows.append((f"SearchCodes ICD-10-CM: {kind} [{found[kind]}/{len(samples)} found]", len(samples),
                         pct(samples, 50), pct(samples, 99)))
            rows.append((f"  same SQL, raw psycopg ({count_statements(recorded[kind][0])})", len(raw),
                         pct(raw, 50), pct(raw, 99)))
    finally:
        cluster.stop()
    return rows

"""Patient search over mutual TLS on a generated population (1,000,000 at full scale), beside the same SQL raw;
and opening a patient with 10 policies and 50 documents.

Queries are built from sampled patients, one query each, the way a clerk types them.
"""

from __future__ import annotations

import asyncio
import hashlib
import random
import tempfile
import time
from collections.abc import AsyncIterator, Callable
from dataclasses import replace
from datetime import date
from pathlib import Path
from typing import Any

import psycopg

from client_tui.grpc_gateway import GrpcGateway
from server.demo import wait_until_serving
from server.patients.synthetic_load import load_population
from shared import dates
from shared.pms.documents.v1 import documents_pb2 as docs
from shared.pms.insurance.v1 import insurance_pb2 as ins
from shared.pms.patients.v1 import patients_pb2 as pb
from shared.pms.payers.v1 import payers_pb2
from tests.bench.common import SqlRecorder, count_statements, pct, replay, replay_each, start_serve
from tests.builders import a_patient, a_payer, a_policy, png_bytes
from tests.support import BENCH_SETTINGS, Client, Cluster, RunningServer, make_installation

SCALES = {"small": {"patients": 2_000, "queries": 20, "opens": 50},
          "full": {"patients": 1_000_000, "queries": 300, "opens": 1000}}
PASSWORD = "bench-password-123"


def _typo(word: str, rng: random.Random) -> str:
    """Two neighbouring letters swapped, not the first (clerks rarely miss the first letter)."""
    if len(word) < 4:
        return word
    i = rng.randrange(1, len(word) - 2)
    return word[:i] + word[i + 1] + word[i] + word[i + 2:]


def _phone(e164: str) -> str:
    d = e164[2:]
    return f"({d[:3]}) {d[3:6]}-{d[6:]}"


QUERY_KINDS: dict[str, Callable[[Any, random.Random], str]] = {
    "name fragments, any order ('smi jo')": lambda r, rng: f"{r.search_last[:3]} {r.search_first[:2]}"
    if rng.random() < 0.5 else f"{r.search_first[:2]} {r.search_last[:3]}",
    "full name ('smith john')": lambda r, rng: f"{r.search_last} {r.search_first}",
    "date of birth ('02/03/1980')": lambda r, rng: r.date_of_birth.strftime("%m/%d/%Y"),
    "phone ('(614) 555-0134')": lambda r, rng: _phone(r.phone),
    "MRN": lambda r, rng: r.mrn,
    "member ID": lambda r, rng: r.member_id,
    "typo ('jonh smiht')": lambda r, rng: f"{_typo(r.search_first, rng)} {_typo(r.search_last, rng)}",
}


def sample_patients(conninfo: str, n: int, seed: int = 7) -> list[Any]:
    """Active patients with a phone and a policy, spread over the whole table."""
    with psycopg.connect(conninfo) as conn:
        conn.execute("SELECT setseed(%s)", (seed / 100,))
        cur = conn.cursor(row_factory=psycopg.rows.namedtuple_row)
        return cur.execute("""
            SELECT p.id, p.mrn, p.search_last, p.search_first, p.date_of_birth,
                   CASE WHEN p.phone_mobile <> '' THEN p.phone_mobile ELSE p.phone_home END AS phone,
                   (SELECT member_id FROM insurance_policy i WHERE i.practice_id = p.practice_id
                       AND i.patient_id = p.id AND i.priority = 1) AS member_id
              FROM patient p TABLESAMPLE BERNOULLI (50)
             WHERE p.status = 'active' AND (p.phone_mobile <> '' OR p.phone_home <> '')
               AND EXISTS (SELECT 1 FROM insurance_policy i WHERE i.practice_id = p.practice_id
                              AND i.patient_id = p.id AND i.priority = 1)
             LIMIT %s""", (n * 50,)).fetchall()


async def _patient_with_many_records(client: Client) -> int:
    """A patient with 10 policies and 50 documents, made through the API."""
    payer = (await client.payers.CreatePayer(payers_pb2.CreatePayerRequest(payer=a_payer("Bench Payer", "BENCH1")),
                                             metadata=client.md)).payer
    made = await client.patients.RegisterPatient(pb.RegisterPatientRequest(
        patient=a_patient("Zebulon", "Benchmarkson", date(1950, 1, 1))), metadata=client.md)
    pid = made.patient.patient_id
    for i in range(10):
        await client.insurance.AddPolicy(ins.AddPolicyRequest(policy=a_policy(pid, payer.payer_id, f"BENCH{i:04}")),
                                         metadata=client.md)
    for i in range(50):
        content = png_bytes(64, 64, seed=i)
        header = docs.UploadDocumentHeader(patient_id=pid, document_type=docs.DOCUMENT_TYPE_SIGNED_FORM,
                                           document_date=dates.to_pb(date(2026, 1, 1)), file_name=f"scan{i}.png",
                                           sha256=hashlib.sha256(content).hexdigest())

        async def parts(h: docs.UploadDocumentHeader = header, c: bytes = content
                        ) -> AsyncIterator[docs.UploadDocumentRequest]:
            yield docs.UploadDocumentRequest(header=h)
            yield docs.UploadDocumentRequest(chunk=c)

        await client.documents.UploadDocument(parts(), metadata=client.md)
    return pid


async def run_patients(scale: str) -> list[tuple[str, int, float, float]]:
    sizes = SCALES[scale]
    root = Path(tempfile.mkdtemp(prefix="pms-bench-patients-"))
    cluster = Cluster(root, BENCH_SETTINGS)
    rows: list[tuple[str, int, float, float]] = []
    try:
        inst = await make_installation(cluster, root / "data")
        started = time.perf_counter()
        loaded = await asyncio.to_thread(load_population, inst, sizes["patients"], seed=11)
        load_s = time.perf_counter() - started
        conninfo = cluster.app_conninfo(inst.urls)
        rng = random.Random(5)
        pool = sample_patients(conninfo, sizes["queries"])
        queries = {kind: [make(r, rng) for r in rng.sample(pool, min(len(pool), sizes["queries"]))]
                   for kind, make in QUERY_KINDS.items()}

        # 1. In-process: the records to open, and the SQL each query sends (to replay it raw below).
        server = await RunningServer(inst).start()
        await server.add_user("bench-desk", ["front_desk", "biller"], PASSWORD)
        recorder = SqlRecorder(server.server.db.engine)
        client = Client(await server.enroll("bench-record"))
        try:
            await client.login("bench-desk", PASSWORD)
            chart_id = await _patient_with_many_records(client)
            recorded: dict[str, list[list[tuple[str, Any]]]] = {}
            for kind, texts in queries.items():
                recorded[kind] = []
                for query in texts:
                    recorder.on, recorder.statements = True, []
                    await client.patients.SearchPatients(pb.SearchPatientsRequest(query=query), metadata=client.md)
                    recorded[kind].append(list(recorder.statements))
                    recorder.on = False
            recorder.on, recorder.statements = True, []
            await client.patients.GetPatient(pb.GetPatientRequest(patient_id=chart_id), metadata=client.md)
            open_sql, recorder.on = list(recorder.statements), False
            bundle = await server.enroll("bench-desk-1")
        finally:
            await client.close()
            await server.stop()

        # 2. `pms-server serve` in its own process: what a workstation sees.
        proc, port = start_serve(inst)
        bundle = replace(bundle, server_address=f"127.0.0.1:{port}")
        gw = GrpcGateway(bundle)
        measured: dict[str, list[float]] = {}
        found: dict[str, int] = {}
        try:
            await asyncio.to_thread(lambda: wait_until_serving(bundle).close())
            await gw.login("bench-desk", PASSWORD)
            # Warm up the channel and the pooled connection: psycopg prepares a statement on its fifth
            # use, and then it is planned once. A server that runs for days is in that state.
            for texts in queries.values():
                for query in texts[-8:]:
                    await gw.search_patients(query)
            for _ in range(8):
                await gw.get_patient(chart_id)
            for kind, texts in queries.items():
                measured[kind], found[kind] = [], 0
                for query in texts:
                    t = time.perf_counter()
                    resp = await gw.search_patients(query)
                    measured[kind].append((time.perf_counter() - t) * 1000)
                    found[kind] += bool(resp.patients)
            opens = []
            for _ in range(sizes["opens"]):
                t = time.perf_counter()
                chart = await gw.get_patient(chart_id)
                opens.append((time.perf_counter() - t) * 1000)
            assert len(chart.policies) == 10 and len(chart.documents) == 50
        finally:
            await gw.close()
            proc.terminate()
            proc.wait(timeout=30)

        rows.append((f"load {loaded.patients:,} patients, {loaded.policies:,} policies ({load_s:.0f} s)", 1,
                     load_s * 1000, load_s * 1000))
        for kind, samples in measured.items():
            raw = replay_each(conninfo, recorded[kind])
            rows.append((f"SearchPatients: {kind} [{found[kind]}/{len(samples)} found]", len(samples),
                         pct(samples, 50), pct(samples, 99)))
            rows.append((f"  same SQL, raw psycopg ({count_statements(recorded[kind][0])})", len(raw),
                         pct(raw, 50), pct(raw, 99)))
        raw_open = replay(conninfo, open_sql, sizes["opens"])
        rows.append(("GetPatient: 10 policies, 50 documents", len(opens), pct(opens, 50), pct(opens, 99)))
        rows.append((f"  same SQL, raw psycopg ({count_statements(open_sql)})", len(raw_open), pct(raw_open, 50),
                     pct(raw_open, 99)))
    finally:
        cluster.stop()
    return rows

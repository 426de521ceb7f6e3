"""Patient money over mutual TLS: a patient's ledger of 5,000 lines read back with running balances (target: p99
<= 50 ms), and payments taken at the window (each one balanced ledger entry under an idempotency key).

One patient's account is filled straight into the ledger (charges against their visits, then payments), in one
transaction the database checks like any other (every entry balances at commit).
"""

from __future__ import annotations

import asyncio
import shutil
import tempfile
import time
import uuid
from dataclasses import replace
from pathlib import Path

import psycopg

from server.demo import wait_until_serving
from server.encounters.synthetic import load_encounters
from server.patients.synthetic_load import load_population
from server.scheduling.synthetic import load_schedule
from shared.pms.ledger.v1 import ledger_pb2 as lg
from shared.pms.payments.v1 import payments_pb2 as pm
from tests.bench.common import pct, start_serve
from tests.support import BENCH_SETTINGS, Client, Cluster, RunningServer, make_installation

SCALES = {"small": {"ledger_rows": 1_000, "reads": 20, "payments": 20},
          "full": {"ledger_rows": 5_000, "reads": 300, "payments": 300}}
PASSWORD = "bench-password-123"

# Half the rows charges on the patient's visits, half payments against them; each entry two balanced lines.
_FILL = """
WITH visits AS (SELECT array_agg(id ORDER BY id) AS ids FROM encounter WHERE patient_id = %(patient)s),
made AS (
  INSERT INTO ledger_entry (practice_id, patient_id, encounter_id, line_number, code, kind, idempotency_key,
                            posted_by_name, patient_cents)
  SELECT %(practice)s, %(patient)s, v.ids[1 + g %% array_length(v.ids, 1)], 1, '99213',
         CASE WHEN g %% 2 = 0 THEN 'charge' ELSE 'patient_payment' END, 'bench:' || g, 'bench',
         CASE WHEN g %% 2 = 0 THEN 9000 ELSE -9000 END
    FROM generate_series(1, %(rows)s) g, visits v
  RETURNING id, kind, encounter_id)
INSERT INTO ledger_line (practice_id, entry_id, account, patient_id, encounter_id, line_number, amount_cents)
SELECT %(practice)s, id, a.account, %(patient)s, CASE WHEN a.account = 'undeposited_funds' THEN NULL
       ELSE encounter_id END, 1, a.cents
  FROM made, LATERAL (VALUES
       (CASE WHEN kind = 'charge' THEN 'patient_ar' ELSE 'undeposited_funds' END, 9000),
       (CASE WHEN kind = 'charge' THEN 'charges' ELSE 'patient_ar' END, -9000)) a(account, cents)"""


async def run_payments(scale: str) -> list[tuple[str, int, float, float]]:
    sizes = SCALES[scale]
    root = Path(tempfile.mkdtemp(prefix="pms-bench-payments-"))
    cluster = Cluster(root, BENCH_SETTINGS)
    try:
        inst = await make_installation(cluster, root / "data")
        await asyncio.to_thread(load_population, inst, 200, seed=5)
        await asyncio.to_thread(load_schedule, inst, providers=2, appointments=400, days_ahead=0, locations=1,
                                fill=1.0, seed=5)
        await asyncio.to_thread(load_encounters, inst, seed=5, ready_share=0.0)
        with psycopg.connect(cluster.app_conninfo(inst.urls)) as conn:
            row = conn.execute("SELECT patient_id FROM encounter GROUP BY patient_id ORDER BY count(*) DESC, "
                               "patient_id LIMIT 1").fetchone()
            assert row is not None
            patient = int(row[0])
            conn.execute(_FILL, {"practice": inst.settings.practice_id, "patient": patient,
                                 "rows": sizes["ledger_rows"]})
            conn.commit()
            others = [r[0] for r in conn.execute("SELECT id FROM patient WHERE id <> %s ORDER BY id LIMIT %s",
                                                 (patient, sizes["payments"])).fetchall()]
        with psycopg.connect(cluster.owner_conninfo(inst.urls), autocommit=True) as conn:
            conn.execute("VACUUM (ANALYZE) ledger_entry, ledger_line")
        helper = RunningServer(inst)
        await helper.add_user("bench-desk", ["front_desk"], PASSWORD)
        bundle = await helper.enroll("bench-payments")
        proc, port = start_serve(inst)
        client = Client(replace(bundle, server_address=f"127.0.0.1:{port}"))
        try:
            await asyncio.to_thread(lambda: wait_until_serving(client.bundle).close())
            await client.login("bench-desk", PASSWORD)
            reads: list[float] = []
            rows = 0
            for _ in range(sizes["reads"]):
                t = time.perf_counter()
                book = await client.ledger.GetPatientLedger(lg.GetPatientLedgerRequest(patient_id=patient),
                                                            metadata=client.md, timeout=60)
                reads.append((time.perf_counter() - t) * 1000)
                rows = len(book.rows)
            assert rows == sizes["ledger_rows"], rows
            posts: list[float] = []
            for pid in others:
                t = time.perf_counter()
                await client.payments.PostPatientPayment(pm.PostPatientPaymentRequest(
                    idempotency_key=uuid.uuid4().hex, keep_as_credit=True, payment=pm.PatientPayment(
                        patient_id=pid, method=pm.PAYMENT_METHOD_CASH, amount_cents=2500)),
                    metadata=client.md, timeout=60)
                posts.append((time.perf_counter() - t) * 1000)
        finally:
            await client.close()
            proc.terminate()
            proc.wait(timeout=30)
        return [(f"GetPatientLedger: {rows:,} lines with running balances", len(reads), pct(reads, 50),
                 pct(reads, 99)),
                ("PostPatientPayment: a copay kept as credit", len(posts), pct(posts, 50), pct(posts, 99))]
    finally:
        cluster.stop()
        shutil.rmtree(root, ignore_errors=True)

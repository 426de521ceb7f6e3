"""Patient statements over mutual TLS: one statement run of every guarantor who owes (target: >= 200 statements/s
at 10,000 guarantors), each statement rendered to its own PDF and stored; then the run's combined print file.

The practice's history is generated first (patients with their guarantors, a past schedule, every seen visit coded
and its charges posted); then what insurance owes on each visit is passed to the patient (one balanced transfer
entry per visit, written straight into the ledger), so every patient with a visit owes something.
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
from shared.pms.statements.v1 import statements_pb2 as st
from tests.bench.claims import _billing_identity
from tests.bench.common import start_serve
from tests.support import BENCH_SETTINGS, Client, Cluster, RunningServer, make_installation

SCALES = {"small": {"patients": 300, "providers": 4, "appointments": 1_200},
          "full": {"patients": 15_600, "providers": 20, "appointments": 38_000}}
PASSWORD = "bench-password-123"

# What insurance owes on each visit becomes the patient's (as if every plan had paid nothing and left it all to
# the patient): one transfer entry per visit and payer, its two lines balanced.
_TO_PATIENT = """
WITH owed AS (
  SELECT encounter_id, payer_id, patient_id, balance_cents FROM ar_balance
   WHERE practice_id = %(p)s AND account = 'insurance_ar' AND balance_cents <> 0),
made AS (
  INSERT INTO ledger_entry (practice_id, patient_id, encounter_id, kind, idempotency_key, posted_by_name,
                            insurance_cents, patient_cents)
  SELECT %(p)s, patient_id, encounter_id, 'transfer', 'bench-transfer:' || encounter_id || ':' || payer_id, 'bench',
         -balance_cents, balance_cents
    FROM owed
  RETURNING id, encounter_id, patient_id)
INSERT INTO ledger_line (practice_id, entry_id, account, payer_id, patient_id, encounter_id, amount_cents)
SELECT %(p)s, m.id, a.account, a.payer_id, m.patient_id, m.encounter_id, a.cents
  FROM made m JOIN owed o ON o.encounter_id = m.encounter_id,
       LATERAL (VALUES ('insurance_ar', o.payer_id, -o.balance_cents),
                       ('patient_ar', NULL::bigint, o.balance_cents)) a(account, payer_id, cents)"""


async def run_statements(scale: str) -> list[tuple[str, int, float, float]]:
    sizes = SCALES[scale]
    root = Path(tempfile.mkdtemp(prefix="pms-bench-statements-"))
    cluster = Cluster(root, BENCH_SETTINGS)
    try:
        inst = await make_installation(cluster, root / "data")
        await asyncio.to_thread(load_population, inst, sizes["patients"], seed=17)
        await asyncio.to_thread(load_schedule, inst, providers=sizes["providers"],
                                appointments=sizes["appointments"], days_ahead=0, locations=1, fill=1.0, seed=17)
        await asyncio.to_thread(load_encounters, inst, seed=17, ready_share=1.0)
        await _billing_identity(inst)
        with psycopg.connect(cluster.app_conninfo(inst.urls)) as conn:
            conn.execute(_TO_PATIENT, {"p": inst.settings.practice_id})
            conn.commit()
        with psycopg.connect(cluster.owner_conninfo(inst.urls), autocommit=True) as conn:
            conn.execute("VACUUM (ANALYZE) ledger_entry, ledger_line, ar_balance, patient, encounter")
        helper = RunningServer(inst)
        await helper.add_user("bench-biller", ["biller"], PASSWORD)
        bundle = await helper.enroll("bench-statements")
        proc, port = start_serve(inst)
        client = Client(replace(bundle, server_address=f"127.0.0.1:{port}"))
        try:
            await asyncio.to_thread(lambda: wait_until_serving(client.bundle).close())
            await client.login("bench-biller", PASSWORD)
            t = time.perf_counter()
            preview = await client.statements.PreviewStatementRun(st.PreviewStatementRunRequest(),
                                                                  metadata=client.md, timeout=600)
            preview_ms = (time.perf_counter() - t) * 1000
            t = time.perf_counter()
            made = (await client.statements.RunStatements(st.RunStatementsRequest(
                idempotency_key=uuid.uuid4().hex), metadata=client.md, timeout=1200)).run
            run_ms = (time.perf_counter() - t) * 1000
            assert made.statement_count == preview.statement_count > 0, (made, preview)
            t = time.perf_counter()
            size = 0
            async for part in client.statements.ExportStatementRun(st.ExportStatementRunRequest(
                    run_id=made.run_id, format=st.EXPORT_FORMAT_PDF), metadata=client.md, timeout=1200):
                size += len(part.chunk)
            print_ms = (time.perf_counter() - t) * 1000
        finally:
            await client.close()
            proc.terminate()
            proc.wait(timeout=30)
        n = made.statement_count
        return [(f"PreviewStatementRun: {n:,} guarantors owing", 1, preview_ms, preview_ms),
                (f"RunStatements: {n:,} statements to PDF ({n / (run_ms / 1000):,.0f} statements/s)", 1, run_ms,
                 run_ms),
                (f"ExportStatementRun: print file of {n:,} ({size / 1e6:,.1f} MB, "
                 f"{n / (print_ms / 1000):,.0f} statements/s)", 1, print_ms, print_ms)]
    finally:
        cluster.stop()
        shutil.rmtree(root, ignore_errors=True)

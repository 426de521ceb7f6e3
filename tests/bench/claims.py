"""Claims over mutual TLS: billing, scrubbing and writing the 837P for thousands of claims (targets: scrubbing
>= 2,000 claims/s, 837P generation >= 2,000 claims/s), with pyx12's validation time of one batch beside them;
then the payer simulator answers the batches and its ERAs are imported and posted (target >= 1,000 claim
payments/s).

The practice's history is generated first (patients with policies, a past schedule, an encounter for every seen
visit); then the ready encounters are billed through the API, scrubbed, and written in batches of 5,000 claims (the
implementation guide's limit per transaction set), as the biller's workstation would.
"""

from __future__ import annotations

import asyncio
import shutil
import tempfile
import time
from dataclasses import replace
from pathlib import Path

import psycopg

from server.claims import setup
from server.claims.clearinghouse import FolderTransport, deliver_written
from server.demo import wait_until_serving
from server.encounters.synthetic import load_encounters
from server.patients.synthetic_load import load_population
from server.payer_sim.simulator import PayerSimulator
from server.scheduling.synthetic import load_schedule
from server.x12.reader835 import read_835
from server.x12.validate import pyx12_errors
from server.x12.writer835 import write_835
from shared.pms.claims.v1 import claims_pb2 as cl
from shared.pms.remittances.v1 import remittances_pb2 as rm
from tests.bench.common import pct, start_serve
from tests.support import BENCH_SETTINGS, Client, Cluster, RunningServer, make_installation

SCALES = {"small": {"patients": 300, "providers": 4, "appointments": 1_500, "claims": 400},
          "full": {"patients": 20_000, "providers": 20, "appointments": 40_000, "claims": 10_000}}
PASSWORD = "bench-password-123"
BILL_CHUNK, SCRUB_CHUNK, BATCH = 1000, 5000, 5000


async def _billing_identity(inst: object) -> None:
    db = inst.database(pool_size=1, max_overflow=0)  # type: ignore[attr-defined]
    try:
        async with db.transaction() as session:
            await setup.update(session, inst.settings.practice_id, cl.BillingSetup(  # type: ignore[attr-defined]
                organization_name="Bench Family Practice", npi="1234567893", tax_id="311234567",
                taxonomy="207Q00000X", address_line1="1200 Main St", city="Columbus", state="OH", zip="432152104",
                phone="6145550100", contact_name="Billing", submitter_id="BENCH01", receiver_name="Clearinghouse",
                receiver_id="CLEARHOUSE"))
    finally:
        await db.dispose()


def _ready_insured(conninfo: str, limit: int) -> list[int]:
    with psycopg.connect(conninfo) as conn:
        rows = conn.execute("""
            SELECT e.id FROM encounter e
             WHERE e.status = 'ready' AND EXISTS (
                   SELECT 1 FROM insurance_policy p WHERE p.practice_id = e.practice_id AND p.patient_id = e.patient_id
                      AND p.effective_date <= e.date_of_service
                      AND (p.termination_date IS NULL OR p.termination_date >= e.date_of_service))
             ORDER BY e.id LIMIT %s""", (limit,)).fetchall()
    return [r[0] for r in rows]


def _rate(n: int, ms: float) -> str:
    return f"{n / (ms / 1000):,.0f} claims/s" if ms else "-"


def _one_era(inbox: Path) -> tuple[bytes, int]:
    """The simulator's ERAs (one per payer) as one 835 holding every claim payment, as a clearinghouse that
    bundles a day's remittances sends it (no payer id: its claims are many payers')."""
    payments = [r for path in sorted(inbox.glob("835-*")) for r in read_835(path.read_bytes())]
    assert payments, "the simulator wrote no ERA"
    first = payments[0]
    claims = tuple(c for r in payments for c in r.claims)
    paid = sum(c.paid_cents for c in claims)
    bundle = replace(first, payer=replace(first.payer, payer_id=""), claims=claims, provider_adjustments=(),
                     payment_cents=paid, payment_method="ACH" if paid and first.payer_account else "CHK",
                     trace_number="BENCH-ALL")
    return write_835(bundle).encode(), len(claims)


async def _post_eras(inst: object, client: Client, root: Path) -> list[tuple[str, int, float, float]]:
    """The batches go to the payer simulator; its answers, as one 835, are imported, then posted in one call."""
    outbox, inbox = root / "outbox", root / "inbox"
    db = inst.database(pool_size=1, max_overflow=0)  # type: ignore[attr-defined]
    try:
        await deliver_written(db, FolderTransport(outbox, inbox))
    finally:
        await db.dispose()
    await asyncio.to_thread(lambda: PayerSimulator(outbox, inbox, root / "sim.json").tick())
    content, count = await asyncio.to_thread(_one_era, inbox)
    t = time.perf_counter()
    imported = await client.remittances.ImportRemittanceFile(rm.ImportRemittanceFileRequest(
        file_name="bench.835", content=content), metadata=client.md, timeout=600)
    import_ms = (time.perf_counter() - t) * 1000
    t = time.perf_counter()
    done = await client.remittances.PostRemittance(rm.PostRemittanceRequest(
        remittance_id=imported.remittances[0].remittance_id), metadata=client.md, timeout=600)
    post_ms = (time.perf_counter() - t) * 1000
    assert done.posted_claims > count // 2, (done.posted_claims, count)
    return [(f"ImportRemittanceFile: one 835 of {count:,} claim payments ({_rate(count, import_ms)})",
             1, import_ms, import_ms),
            (f"PostRemittance: {done.posted_claims:,} posted ({_rate(done.posted_claims, post_ms)}; "
             f"import and post {_rate(done.posted_claims, import_ms + post_ms)})", 1, post_ms, post_ms)]


async def run_claims(scale: str) -> list[tuple[str, int, float, float]]:
    sizes = SCALES[scale]
    root = Path(tempfile.mkdtemp(prefix="pms-bench-claims-"))
    cluster = Cluster(root, BENCH_SETTINGS)
    rows: list[tuple[str, int, float, float]] = []
    try:
        inst = await make_installation(cluster, root / "data")
        await asyncio.to_thread(load_population, inst, sizes["patients"], seed=11)
        await asyncio.to_thread(load_schedule, inst, providers=sizes["providers"],
                                appointments=sizes["appointments"], days_ahead=0, locations=1, fill=1.0, seed=11)
        await asyncio.to_thread(load_encounters, inst, seed=11, ready_share=0.9)
        await _billing_identity(inst)
        encounter_ids = _ready_insured(cluster.app_conninfo(inst.urls), sizes["claims"])
        helper = RunningServer(inst)
        await helper.add_user("bench-biller", ["biller"], PASSWORD)
        bundle = await helper.enroll("bench-claims")

        proc, port = start_serve(inst)
        client = Client(replace(bundle, server_address=f"127.0.0.1:{port}"))
        try:
            await asyncio.to_thread(lambda: wait_until_serving(client.bundle).close())
            await client.login("bench-biller", PASSWORD)
            bill_ms: list[float] = []
            claim_ids: list[int] = []
            for i in range(0, len(encounter_ids), BILL_CHUNK):
                t = time.perf_counter()
                out = await client.claims.CreateClaims(cl.CreateClaimsRequest(
                    encounter_ids=encounter_ids[i:i + BILL_CHUNK]), metadata=client.md, timeout=600)
                bill_ms.append((time.perf_counter() - t) * 1000)
                claim_ids += [o.claim_id for o in out.outcomes if o.claim_id]
            scrub_ms: list[float] = []
            queued = 0
            for i in range(0, len(claim_ids), SCRUB_CHUNK):
                t = time.perf_counter()
                done = await client.claims.ScrubClaims(cl.ScrubClaimsRequest(
                    claim_ids=claim_ids[i:i + SCRUB_CHUNK], queue=True), metadata=client.md, timeout=600)
                scrub_ms.append((time.perf_counter() - t) * 1000)
                queued += sum(c.status == cl.CLAIM_STATUS_QUEUED for c in done.claims)
            batch_ms: list[float] = []
            batches: list[cl.Batch] = []
            while sum(b.claim_count for b in batches) < queued:
                t = time.perf_counter()
                made = await client.claims.CreateBatch(cl.CreateBatchRequest(), metadata=client.md, timeout=600)
                batch_ms.append((time.perf_counter() - t) * 1000)
                batches.append(made.batch)
            largest = max(batches, key=lambda b: b.claim_count)
            content = (await client.claims.GetBatchFile(cl.GetBatchFileRequest(batch_id=largest.batch_id),
                                                        metadata=client.md, timeout=600)).content
            t = time.perf_counter()
            errors = await asyncio.to_thread(pyx12_errors, content)
            validate_ms = (time.perf_counter() - t) * 1000
            assert errors == [], errors[:5]
            era_rows = await _post_eras(inst, client, root)
        finally:
            await client.close()
            proc.terminate()
            proc.wait(timeout=30)
        n = len(claim_ids)
        rows.append((f"CreateClaims: {n:,} encounters billed, {BILL_CHUNK:,} a call ({_rate(n, sum(bill_ms))})",
                     len(bill_ms), pct(bill_ms, 50), pct(bill_ms, 99)))
        rows.append((f"ScrubClaims: {n:,} claims, {queued:,} queued ({_rate(n, sum(scrub_ms))})", len(scrub_ms),
                     pct(scrub_ms, 50), pct(scrub_ms, 99)))
        rows.append((f"CreateBatch (837P): {queued:,} claims in {len(batches)} ({_rate(queued, sum(batch_ms))})",
                     len(batch_ms), pct(batch_ms, 50), pct(batch_ms, 99)))
        rows.append((f"  pyx12 validation of {largest.claim_count:,} claims, 0 errors "
                     f"({_rate(largest.claim_count, validate_ms)})", 1, validate_ms, validate_ms))
        rows += era_rows
    finally:
        cluster.stop()
        shutil.rmtree(root, ignore_errors=True)
    return rows

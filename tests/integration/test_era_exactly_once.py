"""Exactly once, for real: a 1,000-claim ERA is imported and posted while the server is killed (SIGKILL) at random
moments, 20 times, re-imported and posted again after each restart. Every claim payment posts exactly once and
the ledger adds up (issue 7)."""

from __future__ import annotations

import asyncio
import dataclasses
import os
import random
import signal
import subprocess
import sys
from datetime import UTC, date, datetime
from pathlib import Path

import grpc
import psycopg

from server.claims.clearinghouse import FolderTransport, deliver_written
from server.demo import free_port, wait_until_serving
from server.encounters.synthetic import load_encounters
from server.ledger.checks import problems
from server.patients.synthetic_load import load_population
from server.scheduling.synthetic import load_schedule
from server.x12.writer835 import Adjustment, ClaimPayment, Person, ServicePayment, write_835
from shared.pms.claims.v1 import claims_pb2 as cl
from shared.pms.remittances.v1 import remittances_pb2 as rm
from tests.bench.claims import _billing_identity, _ready_insured
from tests.support import Client, Cluster, RunningServer, make_installation
from tests.unit.test_x12_writers import PAYER, remittance

CLAIMS = 1_000
KILLS = 20
PASSWORD = "era-kill-password-1"


def _era(conninfo: str) -> tuple[bytes, int]:
    """One ERA paying every sent claim: 80% of each line, the rest off the bill (no REF*2U: many payers' claims)."""
    with psycopg.connect(conninfo) as conn:
        rows = conn.execute("SELECT l.claim_id, l.code, l.charge_cents, c.date_of_service FROM claim_line l "
                            "JOIN claim c ON c.practice_id = l.practice_id AND c.id = l.claim_id "
                            "WHERE c.status = 'sent' ORDER BY l.claim_id, l.line_number").fetchall()
    lines: dict[int, list[ServicePayment]] = {}
    for claim_id, code, charge, dos in rows:
        paid = charge * 8 // 10
        lines.setdefault(claim_id, []).append(ServicePayment(
            code, charge, paid, dos, adjustments=(Adjustment("CO", "45", charge - paid),) if charge - paid else ()))
    claims = tuple(ClaimPayment(f"C{cid}", "1", sum(s.charge_cents for s in svcs), sum(s.paid_cents for s in svcs),
                                "12", f"ICN{cid}", Person("Doe", "Jane"), lines=tuple(svcs))
                   for cid, svcs in lines.items())
    era = remittance(*claims, payer=dataclasses.replace(PAYER, payer_id=""), trace_number="EFT-KILL-1",
                     payment_date=date(2026, 11, 20), production_date=date(2026, 11, 20))
    return write_835(era).encode(), len(claims)


async def _prepare(cluster: Cluster, root: Path) -> tuple[RunningServer, Client, bytes, int]:
    inst = await make_installation(cluster, root / "data")
    await asyncio.to_thread(load_population, inst, 500, seed=21)
    await asyncio.to_thread(load_schedule, inst, providers=4, appointments=1_800, days_ahead=0, locations=1,
                            fill=1.0, seed=21)
    await asyncio.to_thread(load_encounters, inst, seed=21, ready_share=1.0)
    await _billing_identity(inst)
    encounter_ids = _ready_insured(cluster.app_conninfo(inst.urls), CLAIMS)
    runner = await RunningServer(inst).start()
    await runner.add_user("era-biller", ["biller"], PASSWORD)
    client = Client(await runner.enroll("era-kill"))
    await client.login("era-biller", PASSWORD)
    made = await client.claims.CreateClaims(cl.CreateClaimsRequest(encounter_ids=encounter_ids), metadata=client.md,
                                            timeout=120)
    ids = [o.claim_id for o in made.outcomes if o.claim_id]
    await client.claims.ScrubClaims(cl.ScrubClaimsRequest(claim_ids=ids, queue=True), metadata=client.md, timeout=120)
    await client.claims.CreateBatch(cl.CreateBatchRequest(), metadata=client.md, timeout=120)
    db = inst.database(pool_size=1, max_overflow=0)
    try:
        await deliver_written(db, FolderTransport(root / "out", root / "in"))
    finally:
        await db.dispose()
    content, count = _era(cluster.app_conninfo(inst.urls))
    return runner, client, content, count


async def _import_and_post(client: Client, content: bytes) -> int:
    imported = await client.remittances.ImportRemittanceFile(rm.ImportRemittanceFileRequest(
        file_name="kill.835", content=content), metadata=client.md, timeout=120)
    era = imported.remittances[0]
    await client.remittances.PostRemittance(rm.PostRemittanceRequest(remittance_id=era.remittance_id),
                                            metadata=client.md, timeout=120)
    return era.remittance_id


def _phase(conninfo: str) -> str:
    with psycopg.connect(conninfo) as conn:
        row = conn.execute("SELECT status FROM remittance").fetchone()
    return "nothing" if row is None else str(row[0])


async def test_an_era_posts_every_claim_exactly_once_through_twenty_kills(cluster: Cluster, tmp_path: Path) -> None:
    runner, setup_client, content, count = await _prepare(cluster, tmp_path)
    assert count >= 900, count
    inst = runner.inst
    bundle = setup_client.bundle
    await setup_client.close()
    await runner.stop()
    port = free_port()
    env = {**os.environ, "DATABASE_URL": inst.urls.app_url, "PMS_LOG_LEVEL": "WARNING"}
    addressed = dataclasses.replace(bundle, server_address=f"127.0.0.1:{port}")

    def serve() -> subprocess.Popen[bytes]:
        return subprocess.Popen([sys.executable, "-m", "server.cli", "serve", "--data", str(inst.data.root),
                                 "--listen", f"127.0.0.1:{port}"], env=env, stdout=subprocess.DEVNULL,
                                stderr=subprocess.DEVNULL)

    rng = random.Random(int(datetime.now(UTC).timestamp()))
    # The first kill falls early in the import; then anywhere in a window that widens each time, so kills land in
    # the import, between it and the post, in the post, and at last after it.
    span = 0.2
    completed_before_kill = 0
    phases: list[str] = []
    for _ in range(KILLS):
        proc = serve()
        try:
            await asyncio.to_thread(lambda: wait_until_serving(addressed, timeout=30).close())
            client = Client(addressed)
            await client.login("era-biller", PASSWORD)
            work = asyncio.create_task(_import_and_post(client, content))
            # Killed at the drawn moment, or as soon as the work is done if that comes first.
            await asyncio.wait({work}, timeout=rng.uniform(0.01, span))
            proc.send_signal(signal.SIGKILL)
            span = min(3.0, max(0.5, span * 1.2))
            try:
                await work
                completed_before_kill += 1
            except grpc.aio.AioRpcError:
                pass  # killed mid-call: whatever it did is whole or absent
            phases.append(_phase(cluster.owner_conninfo(inst.urls)))
            await client.close()
        finally:
            proc.kill()
            proc.wait()
    proc = serve()
    try:
        await asyncio.to_thread(lambda: wait_until_serving(addressed, timeout=30).close())
        client = Client(addressed)
        await client.login("era-biller", PASSWORD)
        remittance_id = await _import_and_post(client, content)
        shown = await client.remittances.GetRemittance(rm.GetRemittanceRequest(remittance_id=remittance_id),
                                                       metadata=client.md, timeout=60)
        await client.close()
    finally:
        proc.send_signal(signal.SIGTERM)
        proc.wait(timeout=30)
    assert [c.outcome for c in shown.claims] == [rm.CLAIM_PAYMENT_OUTCOME_POSTED] * count
    assert shown.remittance.status == rm.REMITTANCE_STATUS_POSTED
    with psycopg.connect(cluster.owner_conninfo(inst.urls)) as conn:
        assert conn.execute("SELECT count(*) FROM remittance").fetchone() == (1,)
        per_claim = conn.execute("""
            SELECT count(*), count(DISTINCT rc.claim_id), min(n), max(n) FROM (
              SELECT rc.claim_id, (SELECT count(*) FROM ledger_entry e WHERE e.practice_id = rc.practice_id
                                      AND e.idempotency_key = 'remittance:' || rc.remittance_id || ':claim:'
                                                              || rc.position) AS n
                FROM remittance_claim rc) rc""").fetchone()
        assert per_claim == (count, count, 1, 1)
        # Each entry names the claim it pays.
        assert conn.execute("SELECT count(*), count(DISTINCT claim_id) FROM ledger_entry "
                            "WHERE kind = 'insurance_payment'").fetchone() == (count, count)
        money = conn.execute("SELECT sum(amount_cents) FROM ledger_line WHERE account = 'undeposited_funds'"
                             ).fetchone()
        assert money == (shown.remittance.payment_cents,)
        assert conn.execute("SELECT count(*) FROM claim WHERE status = 'paid'").fetchone() == (count,)
        assert problems(conn) == []
    # The kills fell before the import, between it and the post, and after, or the test proved little.
    assert completed_before_kill < KILLS
    assert {"nothing", "imported"} <= set(phases), phases

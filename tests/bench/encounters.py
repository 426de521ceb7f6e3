"""Encounters over mutual TLS: entering and saving a 6-line superbill (target: p99 <= 30 ms per save) and the
biller's worklist, beside the raw cost of the same SQL.

The practice's history is generated first: patients, a schedule (server.scheduling.synthetic) and an encounter for
every seen visit (server.encounters.synthetic, the demo's CPT codes and the bundled ICD-10-CM), so the saves and
the worklist run on full tables (full scale: about 350,000 encounters, 525,000 lines).
"""

from __future__ import annotations

import asyncio
import shutil
import tempfile
import time
import uuid
from dataclasses import replace
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import psycopg

from client_tui.grpc_gateway import GrpcGateway
from server.demo import wait_until_serving
from server.encounters.synthetic import FEES, load_encounters
from server.patients.synthetic_load import load_population
from server.scheduling.synthetic import load_schedule
from shared import dates
from shared.pms.encounters.v1 import encounters_pb2 as en
from tests.bench.common import SqlRecorder, count_statements, pct, replay, start_serve
from tests.support import BENCH_SETTINGS, Cluster, RunningServer, make_installation

SCALES = {"small": {"patients": 300, "providers": 4, "appointments": 1_500, "saves": 20, "lists": 20},
          "full": {"patients": 20_000, "providers": 20, "appointments": 400_000, "saves": 300, "lists": 300}}
PASSWORD = "bench-password-123"
DIAGNOSES = ("I10", "E11.9", "E78.5", "J02.9")
# Six lines, each justified by one to four of the diagnoses.
LINES: tuple[tuple[str, tuple[int, ...]], ...] = (
    ("99214", (1, 2, 3, 4)), ("36415", (2,)), ("80053", (2, 3)), ("85025", (1,)), ("93000", (1,)),
    ("87880", (4,)))


def _superbill(patient_id: int, provider_id: int, location_id: int, dos: date) -> en.Encounter:
    return en.Encounter(
        patient_id=patient_id, rendering_provider_id=provider_id, location_id=location_id,
        date_of_service=dates.to_pb(dos), diagnoses=[en.Diagnosis(code=c) for c in DIAGNOSES],
        lines=[en.ServiceLine(code=code, units=1, dx_pointers=list(pointers), fee_cents=FEES[code])
               for code, pointers in LINES])


def _edited(saved: en.Encounter) -> en.Encounter:
    """The biller's second save: modifier 25 on the visit, another pointer order, the fees as they were."""
    out = en.Encounter()
    out.CopyFrom(saved)
    out.lines[0].modifiers[:] = ["25"]
    out.lines[2].dx_pointers[:] = [3, 2]
    return out


def _subjects(conninfo: str) -> tuple[list[tuple[int, int, int]], int]:
    """(patient, provider, location) of some seen visits, and one provider's id."""
    with psycopg.connect(conninfo) as conn:
        rows = conn.execute("""
            SELECT patient_id, provider_id, location_id FROM appointment
             WHERE status = 'checked_out' ORDER BY id DESC LIMIT 500""").fetchall()
    return [(r[0], r[1], r[2]) for r in rows], rows[0][1]


def _forget_created(owner_conninfo: str, encounter_id: int, key: str) -> None:
    """Makes a recorded CreateEncounter replayable: its lines and idempotency record gone, so the same INSERTs fit."""
    with psycopg.connect(owner_conninfo) as conn:
        conn.execute("DELETE FROM encounter_line WHERE encounter_id = %s", (encounter_id,))
        conn.execute("DELETE FROM idempotency_record WHERE key = %s", (key,))


async def run_encounters(scale: str) -> list[tuple[str, int, float, float]]:
    sizes = SCALES[scale]
    root = Path(tempfile.mkdtemp(prefix="pms-bench-encounters-"))
    cluster = Cluster(root, BENCH_SETTINGS)
    rows: list[tuple[str, int, float, float]] = []
    try:
        inst = await make_installation(cluster, root / "data")
        await asyncio.to_thread(load_population, inst, sizes["patients"], seed=7)
        await asyncio.to_thread(load_schedule, inst, providers=sizes["providers"],
                                appointments=sizes["appointments"], days_ahead=0, locations=1, fill=1.0, seed=7)
        loaded = await asyncio.to_thread(load_encounters, inst, seed=7)
        rows.append((f"generate {loaded.encounters:,} encounters, {loaded.lines:,} lines ({loaded.seconds:.0f} s)", 1,
                     loaded.seconds * 1000, loaded.seconds * 1000))
        conninfo = cluster.app_conninfo(inst.urls)
        subjects, one_provider = _subjects(conninfo)
        dos = date.today() - timedelta(days=2)

        # 1. In-process server: record the SQL of one save of each kind and one worklist.
        server = await RunningServer(inst).start()
        await server.add_user("bench-biller", ["biller"], PASSWORD)
        recorder = SqlRecorder()
        gw = GrpcGateway(await server.enroll("bench-record"))
        try:
            await gw.login("bench-biller", PASSWORD)
            for _ in range(2):  # warm up: caches, code book
                saved = await gw.create_encounter(_superbill(*subjects[0], dos))
                await gw.update_encounter(_edited(saved))
                await gw.list_encounters(status=en.ENCOUNTER_STATUS_READY, limit=100)
            key = uuid.uuid4().hex
            recorder.on, recorder.statements = True, []
            created = await gw.create_encounter(_superbill(*subjects[1], dos), idempotency_key=key)
            create_sql, recorder.statements = list(recorder.statements), []
            await gw.update_encounter(_edited(created))
            update_sql, recorder.statements = list(recorder.statements), []
            await gw.list_encounters(status=en.ENCOUNTER_STATUS_READY, limit=100)
            list_sql, recorder.on = list(recorder.statements), False
            bundle = await server.enroll("bench-biller-1")
        finally:
            await gw.close()
            await server.stop()
        _forget_created(cluster.owner_conninfo(inst.urls), created.encounter_id, key)

        # 2. `pms-server serve` in its own process, as deployed: what the biller's workstation sees.
        proc, port = start_serve(inst)
        bundle = replace(bundle, server_address=f"127.0.0.1:{port}")
        gw = GrpcGateway(bundle)
        create_ms: list[float] = []
        update_ms: list[float] = []
        ready_ms: list[float] = []
        provider_ms: list[float] = []
        shown = 0
        try:
            await asyncio.to_thread(lambda: wait_until_serving(bundle).close())
            await gw.login("bench-biller", PASSWORD)
            for i in range(10):  # warm up: channel, pool, prepared statements
                saved = await gw.create_encounter(_superbill(*subjects[i % len(subjects)], dos))
                await gw.update_encounter(_edited(saved))
                await gw.list_encounters(status=en.ENCOUNTER_STATUS_READY, limit=100)
            for i in range(sizes["saves"]):
                bill = _superbill(*subjects[i % len(subjects)], dos)
                t = time.perf_counter()
                saved = await gw.create_encounter(bill)
                create_ms.append((time.perf_counter() - t) * 1000)
                assert len(saved.lines) == 6 and len(saved.diagnoses) == 4
                edited = _edited(saved)
                t = time.perf_counter()
                await gw.update_encounter(edited)
                update_ms.append((time.perf_counter() - t) * 1000)
            month_ago = dos - timedelta(days=30)
            for _ in range(sizes["lists"]):
                t = time.perf_counter()
                shown = len(await gw.list_encounters(status=en.ENCOUNTER_STATUS_READY, limit=100))
                ready_ms.append((time.perf_counter() - t) * 1000)
                t = time.perf_counter()
                await gw.list_encounters(status=en.ENCOUNTER_STATUS_OPEN, rendering_provider_id=one_provider,
                                         from_date=month_ago, to_date=dos, limit=100)
                provider_ms.append((time.perf_counter() - t) * 1000)
        finally:
            await gw.close()
            proc.terminate()
            proc.wait(timeout=30)
        measured: list[tuple[str, list[float], list[tuple[str, Any]], int]] = [
            ("CreateEncounter: 6 lines, 4 diagnoses (one save)", create_ms, create_sql, sizes["saves"]),
            ("UpdateEncounter: 6 lines, 4 diagnoses (one save)", update_ms, update_sql, sizes["saves"]),
            (f"ListEncounters: ready worklist, first {shown}", ready_ms, list_sql, sizes["lists"])]
        for name, samples, sql, n in measured:
            raw = replay(conninfo, sql, n)
            rows.append((name, len(samples), pct(samples, 50), pct(samples, 99)))
            rows.append((f"  same SQL, raw psycopg ({count_statements(sql)})", len(raw), pct(raw, 50),
                         pct(raw, 99)))
        rows.append(("ListEncounters: one provider's open, last 30 days", len(provider_ms), pct(provider_ms, 50),
                     pct(provider_ms, 99)))
    finally:
        cluster.stop()
        shutil.rmtree(root, ignore_errors=True)  # gigabytes at full scale
    return rows

"""The demo's generated encounters are what a biller could have entered: each one passes the server's entry checks,
and the ready ones have exactly their lines' charges on the ledger. `pms-server demo-data --encounters` codes every
seen visit once, however often it runs."""

from __future__ import annotations

import asyncio
import os
import re
import subprocess
import sys
from pathlib import Path

import psycopg
import pytest

from server.encounters.synthetic import load_encounters
from server.patients.synthetic_load import load_population
from server.scheduling.synthetic import load_schedule
from shared.pms.encounters.v1 import encounters_pb2 as en
from tests.api.test_patients import logged_in
from tests.support import Cluster, RunningServer, make_installation


async def test_generated_encounters_pass_the_entry_checks(server: RunningServer) -> None:
    await asyncio.to_thread(load_population, server.inst, 300, seed=3)
    await asyncio.to_thread(load_schedule, server.inst, providers=2, seed=3, days_back=10, days_ahead=0)
    # Small batches, so the load crosses several of them (the CLI streams 50,000 visits at a time).
    loaded = await asyncio.to_thread(lambda: load_encounters(server.inst, seed=3, batch=16))
    assert loaded.encounters >= 20 and loaded.lines > loaded.encounters and 0 < loaded.ready < loaded.encounters
    # Nothing left to code: a second run finds every seen visit has its encounter.
    assert (await asyncio.to_thread(load_encounters, server.inst, seed=3)).encounters == 0
    biller = await logged_in(server, "gen-biller", ["biller"])
    try:
        stub, md = biller.encounters, biller.md
        opened = (await stub.ListEncounters(en.ListEncountersRequest(status=en.ENCOUNTER_STATUS_OPEN, limit=500),
                                            metadata=md)).encounters
        ready = (await stub.ListEncounters(en.ListEncountersRequest(status=en.ENCOUNTER_STATUS_READY, limit=500),
                                           metadata=md)).encounters
        assert len(opened) + len(ready) == loaded.encounters
        for summary in opened[:15]:
            full = (await stub.GetEncounter(en.GetEncounterRequest(encounter_id=summary.encounter_id),
                                            metadata=md)).encounter
            assert all(d.description for d in full.diagnoses) and all(li.description for li in full.lines)
            # Saving it unchanged runs every entry check; then it is made ready, which checks it again.
            saved = (await stub.UpdateEncounter(en.UpdateEncounterRequest(encounter=full), metadata=md)).encounter
            posted = await stub.MarkReadyToBill(en.MarkReadyToBillRequest(
                encounter_id=saved.encounter_id, version=saved.version), metadata=md)
            assert posted.posted_cents == saved.total_cents > 0
        for summary in ready[:15]:
            ledger = await stub.ListEncounterCharges(en.ListEncounterChargesRequest(
                encounter_id=summary.encounter_id), metadata=md)
            assert ledger.balance_cents == summary.total_cents and len(ledger.entries) == summary.line_count
    finally:
        await biller.close()


def _demo_data(data: Path, database_url: str, *args: str) -> tuple[str, str]:
    env = {k: v for k, v in os.environ.items() if k != "PMS_OWNER_DATABASE_URL"}
    result = subprocess.run(
        [sys.executable, "-m", "server.cli", "demo-data", "--data", str(data), "--users", "0", "--workstations",
         "0", "--audit-events", "0", *args], capture_output=True, text=True, timeout=300, check=False,
        env={**env, "DATABASE_URL": database_url}, stdin=subprocess.DEVNULL)
    assert result.returncode == 0, result.stderr
    return result.stdout, result.stderr


async def test_demo_data_codes_every_seen_visit_once(cluster: Cluster, tmp_path_factory: pytest.TempPathFactory
                                                     ) -> None:
    inst = await make_installation(cluster, tmp_path_factory.mktemp("demo-encounters"))
    url = inst.urls.app_url
    out, err = await asyncio.to_thread(_demo_data, inst.data.root, url, "--patients", "80", "--providers", "2",
                                       "--encounters", "--seed", "4")
    coded = re.search(r"Coded (\d+) encounters \((\d+) lines\) in [\d.]+ s\.", err)
    assert coded is not None, err
    encounters, lines = int(coded.group(1)), int(coded.group(2))
    assert f"{encounters} encounters, {lines} encounter lines" in out, out
    with psycopg.connect(cluster.app_conninfo(inst.urls)) as conn:
        def counts() -> tuple[int, ...]:
            row = conn.execute("""
                SELECT (SELECT count(*) FROM appointment WHERE status IN ('seen', 'checked_out')),
                       (SELECT count(*) FROM encounter),
                       (SELECT count(DISTINCT appointment_id) FROM encounter),
                       (SELECT count(*) FROM encounter_line),
                       (SELECT count(*) FROM encounter WHERE status = 'ready'),
                       (SELECT count(*) FROM encounter_line l JOIN encounter e
                           ON e.practice_id = l.practice_id AND e.id = l.encounter_id WHERE e.status = 'ready'),
                       (SELECT coalesce(sum(l.fee_cents), 0) FROM encounter_line l JOIN encounter e
                           ON e.practice_id = l.practice_id AND e.id = l.encounter_id WHERE e.status = 'ready'),
                       (SELECT count(*) FROM ledger_entry WHERE kind = 'charge'),
                       (SELECT coalesce(sum(-amount_cents), 0) FROM ledger_line WHERE account = 'charges'),
                       (SELECT count(*) FROM encounter e WHERE NOT EXISTS (
                           SELECT 1 FROM encounter_line l WHERE l.practice_id = e.practice_id
                                                            AND l.encounter_id = e.id))""").fetchone()
            assert row is not None
            conn.rollback()
            return tuple(int(v) for v in row)

        seen, made, visits, made_lines, ready, ready_lines, ready_cents, charges, charged, empty = first = counts()
        assert seen > 40 and made == visits == seen == encounters, first
        assert made_lines == lines >= encounters and empty == 0, first
        assert 0.5 * made < ready < 0.9 * made, first  # 70% ready to bill
        assert charges == ready_lines and charged == ready_cents > 0, first
        # Run again: every seen visit has its encounter, so nothing is coded twice.
        _, err = await asyncio.to_thread(_demo_data, inst.data.root, url, "--encounters")
        assert "Coded 0 encounters (0 lines)" in err, err
        assert counts() == first
        details = [r[0] for r in conn.execute(
            "SELECT detail FROM audit_event WHERE action = 'cli/demo-data' AND data_category = 'charges'"
            " ORDER BY sequence")]
    assert details == [f"synthetic encounters={encounters} lines={lines} ready={ready}",
                       "synthetic encounters=0 lines=0 ready=0"]

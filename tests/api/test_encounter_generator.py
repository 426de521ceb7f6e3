"""The demo's generated encounters are what a biller could have entered: each one passes the server's entry checks,
and the ready ones have exactly their lines' charges on the ledger."""

from __future__ import annotations

import asyncio

from server.encounters.synthetic import load_encounters
from server.patients.synthetic_load import load_population
from server.scheduling.synthetic import load_schedule
from shared.pms.encounters.v1 import encounters_pb2 as en
from tests.api.test_patients import logged_in
from tests.support import RunningServer


async def test_generated_encounters_pass_the_entry_checks(server: RunningServer) -> None:
    await asyncio.to_thread(load_population, server.inst, 300, seed=3)
    await asyncio.to_thread(load_schedule, server.inst, providers=2, seed=3, days_back=10, days_ahead=0)
    loaded = await asyncio.to_thread(load_encounters, server.inst, seed=3)
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

"""Billing against the real server over mutual TLS: the gateway's code lookup and encounter calls, and the server's
own objection to a pointer landing beside the line's Ptr field on the superbill."""

from __future__ import annotations

from datetime import date

import pytest
from textual.widgets import DataTable, Static

from client_tui.app import PmsApp
from client_tui.gateway import InvalidInput, StaleRecord
from client_tui.grpc_gateway import GrpcGateway
from client_tui.screens.shell_screen import ShellScreen
from client_tui.screens.superbill_screen import SuperbillScreen
from client_tui.widgets.superbill_rows import RowError
from shared import dates
from shared.pms.codes.v1 import codes_pb2 as cd
from shared.pms.encounters.v1 import encounters_pb2 as en
from tests.builders import a_location, a_patient, a_provider
from tests.support import RunningServer

from .helpers import log_in, text_of, wait_for

SIZE = (80, 24)
WAIT = 10
DOS = date(2026, 3, 2)  # ICD-10-CM FY2026 is loaded from 10/01/2025


async def test_codes_and_encounters_through_the_real_gateway_and_screen(server: RunningServer) -> None:
    await server.add_user("tui-enc-boss", ["manager"], "manager-password-123")
    gw = GrpcGateway(await server.enroll("tui-real-billing"))
    await gw.login("tui-enc-boss", "manager-password-123")
    location = await gw.save_location(a_location("Encounter Street Office"))
    provider = await gw.save_provider(a_provider("Cora", "Coder", serial=9071))
    patient = (await gw.register_patient(a_patient("Enid", "Tuibiller", date(1961, 5, 6)))).patient

    found = await gw.search_codes(cd.CODE_SYSTEM_ICD10CM, "diab typ 2 witho comp", billable_only=True,
                                  date_of_service=DOS)
    assert "E11.9" in [c.display_code for c in found]
    assert [c.display_code for c in await gw.search_codes(cd.CODE_SYSTEM_HCPCS, "J1100")] == ["J1100"]

    encounter = en.Encounter(
        patient_id=patient.patient_id, rendering_provider_id=provider.provider_id, location_id=location.location_id,
        date_of_service=dates.to_pb(DOS), diagnoses=[en.Diagnosis(code="E11.9")],
        lines=[en.ServiceLine(code="G0008", units=1, dx_pointers=[1], fee_cents=2500)])
    made = await gw.create_encounter(encounter)
    assert made.encounter_id and made.version == 1 and made.total_cents == 2500
    assert (await gw.get_encounter(made.encounter_id)) == made
    listed = await gw.list_encounters(status=en.ENCOUNTER_STATUS_OPEN, patient_id=patient.patient_id)
    assert [s.encounter_id for s in listed] == [made.encounter_id]
    changed = en.Encounter()
    changed.CopyFrom(made)
    changed.lines[0].fee_cents = 3000
    assert (await gw.update_encounter(changed)).version == 2
    with pytest.raises(StaleRecord):
        await gw.update_encounter(changed)  # version 1 again
    with pytest.raises(InvalidInput) as refused:
        changed.version = 2
        changed.lines[0].dx_pointers[:] = [3]
        await gw.update_encounter(changed)
    assert "lines[0].dx_pointers" in [v.field for v in refused.value.violations]
    await gw.logout()
    await gw.close()

    # The screen: the worklist, Enter opens the superbill, a pointer beyond the list typed and saved.
    gw = GrpcGateway(await server.enroll("tui-real-billing-2"))
    app = PmsApp(gw)
    async with app.run_test(size=SIZE) as pilot:
        await log_in(pilot, "tui-enc-boss", "manager-password-123")
        await wait_for(pilot, lambda: isinstance(app.screen, ShellScreen), WAIT)
        await pilot.press("f3")
        table = app.screen.query_one("#worklist", DataTable)
        await wait_for(pilot, lambda: table.row_count >= 1, WAIT)
        row = table.get_row_index(str(made.encounter_id))
        table.move_cursor(row=row)
        table.focus()
        await pilot.press("enter")
        await wait_for(pilot, lambda: isinstance(app.screen, SuperbillScreen), WAIT)
        screen = app.screen
        assert isinstance(screen, SuperbillScreen)
        await wait_for(pilot, lambda: len(screen.lines()) == 1, WAIT)
        line = screen.lines()[0]
        line.field("dx_pointers").focus()
        await pilot.press("backspace", "2")
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: line.field("dx_pointers").has_class("-invalid"), WAIT)
        assert "pointer 2 is beyond the 1 diagnoses" in text_of(line.query_one(RowError))
        assert "Not saved" in text_of(screen.query_one("#sb-message", Static))
    await gw.close()

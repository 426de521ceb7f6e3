"""Fees against the real server over mutual TLS: a fee schedule CSV imported through Admin > Fees (the server's
objection to a code shown with the file's line, then ListFees showing what was set), and the superbill pricing a
typed line with that fee and the payer contract's expected amount."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from textual.widgets import DataTable, Input, Static

from client_tui.app import PmsApp
from client_tui.grpc_gateway import GrpcGateway
from client_tui.screens.import_fees_screen import ImportFeesScreen
from client_tui.screens.shell_screen import ShellScreen
from client_tui.screens.superbill_screen import SuperbillScreen
from client_tui.widgets.fees_panel import FeesPanel
from client_tui.widgets.superbill_rows import LineRow
from shared import dates
from shared.pms.encounters.v1 import encounters_pb2 as en
from shared.pms.pricing.v1 import pricing_pb2 as pr
from tests.builders import a_location, a_patient, a_payer, a_policy, a_provider
from tests.support import RunningServer

from .helpers import field_error, log_in, text_of, wait_for

SIZE = (100, 30)
WAIT = 10
# HCPCS codes no other test prices, on dates ICD-10-CM FY2026 covers (an encounter's date is never in the future).
FROM = date(2025, 11, 1)
DOS = date(2025, 11, 3)


async def test_a_fee_csv_imported_on_the_fees_screen_prices_the_superbill(server: RunningServer,
                                                                          tmp_path: Path) -> None:
    await server.add_user("tui-fee-boss", ["manager"], "manager-password-123")
    gw = GrpcGateway(await server.enroll("tui-real-fees"))
    await gw.login("tui-fee-boss", "manager-password-123")
    location = await gw.save_location(a_location("Fee Street Office"))
    provider = await gw.save_provider(a_provider("Fia", "Feeley", serial=9081))
    patient = (await gw.register_patient(a_patient("Fern", "Tuipriced", date(1970, 2, 3)))).patient
    payer = await gw.create_payer(a_payer("Feeling Fine Health", "FFH25"))
    await gw.add_policy(a_policy(patient.patient_id, payer.payer_id, "FFH-1", effective_date=dates.to_pb(FROM)))
    await gw.create_contract(pr.Contract(payer_id=payer.payer_id, name="2025 commercial",
                                         effective_from=dates.to_pb(FROM),
                                         rates=[pr.ContractRate(code="G0008", allowed_cents=2_150)]))
    made = await gw.create_encounter(en.Encounter(
        patient_id=patient.patient_id, rendering_provider_id=provider.provider_id, location_id=location.location_id,
        date_of_service=dates.to_pb(DOS), diagnoses=[en.Diagnosis(code="Z23")]))
    await gw.logout()
    await gw.close()

    bad = tmp_path / "bad.csv"
    bad.write_text("code,modifier,fee\nG0008,,31.00\n9999Z,,10.00\n")
    good = tmp_path / "fees.csv"
    good.write_text("code,modifier,fee\nG0008,,31.00\nJ1100,,\"1,002.50\"\n")
    app = PmsApp(GrpcGateway(await server.enroll("tui-real-fees-2")))
    async with app.run_test(size=SIZE) as pilot:
        await log_in(pilot, "tui-fee-boss", "manager-password-123")
        await wait_for(pilot, lambda: isinstance(app.screen, ShellScreen), WAIT)
        await pilot.press("ctrl+f")
        panel = app.screen.query_one(FeesPanel)
        await wait_for(pilot, lambda: panel.loaded, WAIT)
        await pilot.press("i")
        await wait_for(pilot, lambda: isinstance(app.screen, ImportFeesScreen), WAIT)
        dialog = app.screen
        await pilot.press(*str(bad), "enter", "ctrl+u", *"11/01/2025", "enter")
        # The server names fees[1].code; the dialog shows it as the file's line 3.
        await wait_for(pilot, lambda: "line 3 (9999Z): code:" in field_error(dialog, "file"), WAIT)
        dialog.query_one("#file", Input).value = str(good)
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: not isinstance(app.screen, ImportFeesScreen), WAIT)
        table = panel.query_one("#fees-table", DataTable)

        def shown() -> list[list[str]]:
            return [[str(c) for c in table.get_row_at(i)] for i in range(table.row_count)]

        await wait_for(pilot, lambda: ["G0008", "", "$31.00", "11/01/2025"] in shown(), WAIT)
        assert ["J1100", "", "$1,002.50", "11/01/2025"] in shown()

        # The superbill: G0008 typed on a new line gets the fee and Feeling Fine's expected amount.
        await pilot.press("f3")
        worklist = app.screen.query_one("#worklist", DataTable)
        await wait_for(pilot, lambda: worklist.row_count >= 1, WAIT)
        worklist.move_cursor(row=worklist.get_row_index(str(made.encounter_id)))
        worklist.focus()
        await pilot.press("enter")
        await wait_for(pilot, lambda: isinstance(app.screen, SuperbillScreen), WAIT)
        screen = app.screen
        assert isinstance(screen, SuperbillScreen)
        await pilot.press("enter", *"G0008", "enter")
        entry = screen.query_one("#line-entry", LineRow)
        await wait_for(pilot, lambda: entry.field("fee_cents").value == "31.00", WAIT)
        await wait_for(pilot, lambda: text_of(screen.query_one("#sb-payer", Static))
                       == "Feeling Fine Health · 2025 commercial", WAIT)
        assert text_of(entry.query_one(".line-expected", Static)).strip() == "21.50"
        await pilot.press("enter", "enter", "1", "enter", "enter")
        await wait_for(pilot, lambda: len(screen.lines()) == 1, WAIT)
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: "Saved" in text_of(screen.query_one("#sb-message", Static)), WAIT)
        # What the server stored on the line.
        assert screen.encounter.lines[0].fee_cents == 3_100
        assert screen.encounter.lines[0].has_expected_allowed
        assert screen.encounter.lines[0].expected_allowed_cents == 2_150
        assert text_of(screen.lines()[0].query_one(".line-expected", Static)).strip() == "21.50"

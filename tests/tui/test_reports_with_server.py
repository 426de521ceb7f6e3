"""Reports against the real server over mutual TLS, through the TUI with keys: a manager's practice has one visit
today ($125.00 charged to an uninsured patient, $40.00 of it paid in cash). In Reports mode (Ctrl+E) the dashboard's
Charges and Collections tiles show those figures, and the Collections report run for this month shows the provider's
row and the totals row with them; a CSV export of it lands in the folder chosen."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from textual.widgets import DataTable, Input

from client_tui.app import PmsApp
from client_tui.grpc_gateway import GrpcGateway
from client_tui.screens.dashboard_screen import DashboardScreen, KpiTile
from client_tui.screens.export_report_screen import ExportReportScreen
from client_tui.screens.report_params_screen import ReportParamsScreen
from client_tui.screens.report_result_screen import TOTALS_KEY, ReportResultScreen
from client_tui.screens.shell_screen import ShellScreen
from client_tui.widgets.reports_panel import ReportList, ReportsPanel
from shared import dates
from shared.pms.encounters.v1 import encounters_pb2 as en
from shared.pms.payments.v1 import payments_pb2 as pm
from tests.builders import a_location, a_patient, a_provider
from tests.support import RunningServer

from .helpers import log_in, wait_for

SIZE = (120, 40)
WAIT = 10


async def test_dashboard_and_collections_from_real_postings(server: RunningServer, tmp_path: Path) -> None:
    await server.add_user("tui-rep-boss", ["manager"], "manager-password-123")
    gw = GrpcGateway(await server.enroll("tui-real-reports"))
    await gw.login("tui-rep-boss", "manager-password-123")
    zone = (await gw.get_practice_settings()).time_zone
    today = datetime.now(ZoneInfo(zone)).date()
    location = await gw.save_location(a_location("Report Street Office"))
    provider = await gw.save_provider(a_provider("Rhea", "Reporter", serial=9083))
    patient = (await gw.register_patient(a_patient("Rory", "Reportee", today.replace(year=1970)))).patient
    made = await gw.create_encounter(en.Encounter(
        patient_id=patient.patient_id, rendering_provider_id=provider.provider_id, location_id=location.location_id,
        date_of_service=dates.to_pb(today), diagnoses=[en.Diagnosis(code="E11.9")],
        lines=[en.ServiceLine(code="G0008", units=1, dx_pointers=[1], fee_cents=12_500)]))
    await gw.mark_ready_to_bill(made.encounter_id, made.version)
    await gw.post_patient_payment(pm.PatientPayment(patient_id=patient.patient_id, method=pm.PAYMENT_METHOD_CASH,
                                                    amount_cents=4_000))
    await gw.logout()
    await gw.close()

    app = PmsApp(GrpcGateway(await server.enroll("tui-real-reports-2")))
    async with app.run_test(size=SIZE) as pilot:
        await log_in(pilot, "tui-rep-boss", "manager-password-123")
        await wait_for(pilot, lambda: isinstance(app.screen, ShellScreen), WAIT)
        await pilot.press("ctrl+e")
        panel = app.screen.query_one(ReportsPanel)
        await wait_for(pilot, lambda: panel.loaded, WAIT)
        offered = {o.id for o in panel.query_one(ReportList).options}
        assert {"r:collections", "r:ar_aging_patient", "r:day_sheet"} <= offered

        await pilot.press("d")
        await wait_for(pilot, lambda: isinstance(app.screen, DashboardScreen) and len(app.screen.query(KpiTile)) == 8,
                       WAIT)
        board = app.screen
        await pilot.pause()
        tiles = {t.id: str(t.render()).splitlines() for t in board.query(KpiTile)}
        assert tiles["kpi-charges"][0] == "$125.00"
        assert tiles["kpi-collections"][0] == "$40.00"
        assert tiles["kpi-visits"][0] == "1"
        await pilot.press("escape")
        await wait_for(pilot, lambda: isinstance(app.screen, ShellScreen), WAIT)

        listing = panel.query_one(ReportList)
        listing.highlighted = listing.get_option_index("r:collections")
        await pilot.press("enter")
        await wait_for(pilot, lambda: isinstance(app.screen, ReportParamsScreen), WAIT)
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: isinstance(app.screen, ReportResultScreen), WAIT)
        result = app.screen
        assert isinstance(result, ReportResultScreen)
        await pilot.pause()
        data = result.query_one(DataTable)
        rows = {str(r[0]): [str(c) for c in r[1:]] for r in (data.get_row_at(i) for i in range(data.row_count))}
        titles = [c.title for c in result.table.columns]
        mine = dict(zip(titles[1:], rows["Reporter, Rhea"], strict=True))
        assert mine["Charges"] == "$125.00" and mine["Patient paid"] == "$40.00" and mine["Collected"] == "$40.00"
        assert mine["Gross %"].endswith("%") and mine["Gross %"] == "32.00%"
        totals = dict(zip(titles, [str(c) for c in data.get_row(TOTALS_KEY)], strict=True))
        assert totals["Charges"] == "$125.00" and totals["Collected"] == "$40.00"

        await pilot.press("e")
        await wait_for(pilot, lambda: isinstance(app.screen, ExportReportScreen), WAIT)
        app.screen.query_one("#save-folder", Input).value = str(tmp_path)
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: app.screen is result, WAIT)
        [written] = list(tmp_path.iterdir())
        assert written.name == "collections.csv"
        assert "Reporter, Rhea" in written.read_text()

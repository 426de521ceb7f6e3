"""Patient statements against the real server over mutual TLS, through the TUI with keys: a manager's self-pay visit
is billed (ready to bill posts its charge to the patient), then a biller opens the statements (T in the claims
worklist), sees the server's preview of that balance, runs the statements after a yes, finds the patient's statement
in the new run and reprints it (D) into a folder: the PDF saved is the bytes the server stored when it was made."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from textual.widgets import DataTable, Input, ProgressBar, Static

from client_tui.app import PmsApp
from client_tui.grpc_gateway import GrpcGateway
from client_tui.screens.confirm_screen import ConfirmScreen
from client_tui.screens.save_to_folder_screen import SaveToFolderScreen
from client_tui.screens.shell_screen import ShellScreen
from client_tui.screens.statements_screen import StatementsScreen
from client_tui.widgets.claims_panel import ClaimsPanel
from shared import dates
from shared.pms.encounters.v1 import encounters_pb2 as en
from tests.builders import a_location, a_patient, a_provider
from tests.support import RunningServer

from .helpers import log_in, text_of, wait_for

SIZE = (100, 30)
WAIT = 15
DOS = date(2026, 3, 2)  # ICD-10-CM FY2026 is loaded from 10/01/2025


async def test_preview_run_and_reprint_a_statement(server: RunningServer, tmp_path: Path) -> None:
    await server.add_user("tui-stmt-boss", ["manager"], "manager-password-123")
    await server.add_user("tui-stmt-biller", ["biller"], "biller-password-123")
    gw = GrpcGateway(await server.enroll("tui-real-stmt"))
    await gw.login("tui-stmt-boss", "manager-password-123")
    location = await gw.save_location(a_location("Statement Street Office"))
    provider = await gw.save_provider(a_provider("Stella", "Statement", serial=9081))
    patient = (await gw.register_patient(a_patient("Sam", "Selfpay", date(1970, 4, 5)))).patient
    made = await gw.create_encounter(en.Encounter(
        patient_id=patient.patient_id, rendering_provider_id=provider.provider_id, location_id=location.location_id,
        date_of_service=dates.to_pb(DOS), diagnoses=[en.Diagnosis(code="E11.9")],
        lines=[en.ServiceLine(code="G0008", units=1, dx_pointers=[1], fee_cents=12_500)]))
    await gw.mark_ready_to_bill(made.encounter_id, made.version)
    await gw.logout()
    await gw.close()

    app = PmsApp(GrpcGateway(await server.enroll("tui-real-stmt-2")))
    async with app.run_test(size=SIZE) as pilot:
        await log_in(pilot, "tui-stmt-biller", "biller-password-123")
        await wait_for(pilot, lambda: isinstance(app.screen, ShellScreen), WAIT)
        await pilot.press("f3", "c")
        claims = app.screen.query_one(ClaimsPanel)
        await wait_for(pilot, lambda: claims.loaded, WAIT)
        await pilot.press("t")
        await wait_for(pilot, lambda: isinstance(app.screen, StatementsScreen) and app.screen.loaded, WAIT)
        screen = app.screen
        assert isinstance(screen, StatementsScreen) and screen.preview is not None
        preview = text_of(screen.query_one("#statements-preview", Static))
        assert "makes 1 statement: $125.00 due in all." in preview, preview
        assert "By mail 1 · by email 0." in preview
        assert screen.query_one("#statements-runs", DataTable).row_count == 0

        await pilot.press("r")
        await wait_for(pilot, lambda: isinstance(app.screen, ConfirmScreen), WAIT)
        await pilot.press("y")
        message = screen.query_one("#statements-message", Static)
        await wait_for(pilot, lambda: text_of(message).startswith("Run ") or message.has_class("-error"), WAIT)
        assert not message.has_class("-error"), text_of(message)
        assert "1 statement, $125.00 due (1 by mail, 0 by email)" in text_of(message)
        await wait_for(pilot, lambda: len(screen.statements) == 1, WAIT)
        statement = screen.statements[0]
        assert statement.amount_due_cents == 12_500 and statement.guarantor_name == "Sam Selfpay"
        assert patient.patient_id in statement.patient_ids
        assert "makes no statement" in text_of(screen.query_one("#statements-preview", Static))

        screen.query_one("#statements-table", DataTable).focus()
        await pilot.press("d")
        await wait_for(pilot, lambda: isinstance(app.screen, SaveToFolderScreen), WAIT)
        dialog = app.screen
        bar = dialog.query_one("#save-progress", ProgressBar)
        dialog.query_one("#save-folder", Input).value = str(tmp_path / "reprints")
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: app.screen is screen, WAIT)
        assert bar.percentage == 1.0
        saved = list((tmp_path / "reprints").iterdir())
        assert len(saved) == 1 and saved[0].suffix == ".pdf"
        assert text_of(message) == f"Saved {saved[0]}."
        content = saved[0].read_bytes()
        assert content.startswith(b"%PDF")
        # Reprinted again: the very same bytes (stored as sent).
        again = await app.gateway.download_statement(statement.statement_id, tmp_path / "again")
        assert again.read_bytes() == content

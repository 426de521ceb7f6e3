"""Claims against the real server over mutual TLS, through the TUI with keys only: a ready encounter billed from
the worklist (B), its claim scrubbed and queued from the Claims view (Q), the queue written out with the progress
bar (B), and the counts per status changing as it goes; the clearinghouse job then delivers it and the list shows
it sent."""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

from textual.widgets import DataTable, Static

from client_tui.app import PmsApp
from client_tui.grpc_gateway import GrpcGateway
from client_tui.screens.send_batches_screen import SendBatchesScreen
from client_tui.screens.shell_screen import ShellScreen
from client_tui.widgets.billing_panel import BillingPanel
from client_tui.widgets.claims_panel import ClaimsPanel
from server.claims.clearinghouse import FolderTransport, deliver_written
from shared import dates
from shared.pms.claims.v1 import claims_pb2 as cl
from shared.pms.encounters.v1 import encounters_pb2 as en
from tests.builders import a_location, a_patient, a_payer, a_policy, a_provider
from tests.support import RunningServer

from .helpers import log_in, text_of, wait_for

SIZE = (120, 40)
WAIT = 10
SETUP = cl.BillingSetup(
    organization_name="Claims Street Family Medicine", npi="1234567893", tax_id="12-3456789", taxonomy="207Q00000X",
    address_line1="1 Main St", city="Columbus", state="OH", zip="43215-1234", phone="(614) 555-0100",
    contact_name="Billing Office", submitter_id="PMS0001", receiver_name="Test Clearinghouse",
    receiver_id="CLEARHOUSE")


async def test_bill_scrub_queue_and_send_through_the_tui(server: RunningServer, tmp_path: Path) -> None:
    await server.add_user("tui-claims-boss", ["manager"], "manager-password-123")
    await server.add_user("tui-claims-biller", ["biller"], "biller-password-123")
    gw = GrpcGateway(await server.enroll("tui-real-claims"))
    await gw.login("tui-claims-boss", "manager-password-123")
    await gw.update_billing_setup(SETUP)
    location = await gw.save_location(a_location("Claims Street Office"))
    provider = await gw.save_provider(a_provider("Cleo", "Claimer", serial=9093))
    patient = (await gw.register_patient(a_patient("Clara", "Tuiclaim", date(1968, 7, 9)))).patient
    payer = await gw.create_payer(a_payer("Claimable Health", "CLH26"))
    await gw.add_policy(a_policy(patient.patient_id, payer.payer_id, "CLH-123456"))
    day = date.today() - timedelta(days=3)
    made = await gw.create_encounter(en.Encounter(
        patient_id=patient.patient_id, rendering_provider_id=provider.provider_id, location_id=location.location_id,
        date_of_service=dates.to_pb(day), diagnoses=[en.Diagnosis(code="Z23")],
        lines=[en.ServiceLine(code="G0008", units=1, dx_pointers=[1], fee_cents=3_500)]))
    await gw.mark_ready_to_bill(made.encounter_id, made.version)
    await gw.logout()
    await gw.close()

    app = PmsApp(GrpcGateway(await server.enroll("tui-real-claims-2")))
    async with app.run_test(size=SIZE) as pilot:
        await log_in(pilot, "tui-claims-biller", "biller-password-123")
        await wait_for(pilot, lambda: isinstance(app.screen, ShellScreen), WAIT)
        panel = app.screen.query_one(BillingPanel)
        worklist = panel.query_one("#worklist", DataTable)
        message = panel.query_one("#billing-message", Static)
        await wait_for(pilot, lambda: "open encounters" in text_of(message), WAIT)
        await pilot.press("s")  # the ready ones
        await wait_for(pilot, lambda: worklist.row_count == 1, WAIT)
        await pilot.press("b")
        await wait_for(pilot, lambda: "Billed 1: claim" in text_of(message), WAIT)

        await pilot.press("c")
        claims = app.screen.query_one(ClaimsPanel)
        counts = claims.query_one("#claims-counts", Static)
        table = claims.query_one("#claims-table", DataTable)
        await wait_for(pilot, lambda: "1 Draft 1" in text_of(counts), WAIT)
        assert "Clean claim rate: none scrubbed yet" in text_of(counts)
        await pilot.press("1")
        await wait_for(pilot, lambda: table.row_count == 1 and claims.status == cl.CLAIM_STATUS_DRAFT, WAIT)
        await pilot.press("q")
        note = claims.query_one("#claims-message", Static)
        await wait_for(pilot, lambda: "now queued" in text_of(note) or "error" in text_of(note), WAIT)
        assert "clean; now queued" in text_of(note) or "warning" in text_of(note), text_of(note)
        await wait_for(pilot, lambda: "3 Queued 1" in text_of(counts) and "Draft" not in text_of(counts), WAIT)
        assert "Clean claim rate 100% (1/1)" in text_of(counts)

        await pilot.press("b")
        await wait_for(pilot, lambda: isinstance(app.screen, SendBatchesScreen), WAIT)
        sender = app.screen
        assert isinstance(sender, SendBatchesScreen)
        await wait_for(pilot, lambda: not sender.running, WAIT)
        assert [b.claim_count for b in sender.batches] == [1]
        assert "1 claim · $35.00 in 1 file" in text_of(sender.query_one("#send-summary", Static))
        await pilot.press("enter")
        await wait_for(pilot, lambda: not isinstance(app.screen, SendBatchesScreen), WAIT)

        # The server's clearinghouse job delivers the file; the claim is sent.
        db = server.inst.database(pool_size=1, max_overflow=0)
        try:
            done = await deliver_written(db, FolderTransport(tmp_path / "outbox", tmp_path / "inbox"))
        finally:
            await db.dispose()
        assert done.delivered == 1
        await pilot.press("0", "ctrl+r")
        await wait_for(pilot, lambda: "4 Sent 1" in text_of(counts) and "Queued" not in text_of(counts), WAIT)
        assert (tmp_path / "outbox" / sender.batches[0].file_name).exists()


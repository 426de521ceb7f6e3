"""Billing mode's Claims view, the claim screen, sending queued claims and Admin > Billing setup, typed with keys only,
against the fake gateway."""

from __future__ import annotations

from textual.pilot import Pilot
from textual.widgets import DataTable, ProgressBar, Static

from client_tui.app import PmsApp
from client_tui.screens.batches_screen import BatchesScreen
from client_tui.screens.billing_setup_form_screen import BillingSetupFormScreen
from client_tui.screens.claim_screen import ClaimScreen
from client_tui.screens.patient_screen import PatientScreen
from client_tui.screens.send_batches_screen import SendBatchesScreen
from client_tui.screens.superbill_screen import SuperbillScreen
from client_tui.widgets.admin_panel import AdminPanel
from client_tui.widgets.billing_panel import BillingPanel
from client_tui.widgets.billing_setup_panel import BillingSetupPanel
from client_tui.widgets.claims_panel import ClaimsPanel
from shared.pms.claims.v1 import claims_pb2 as cl
from shared.pms.encounters.v1 import encounters_pb2 as en

from .fake_gateway import FakeGateway
from .helpers import collect_notifications, enter_as, field_error, text_of, wait_for

SIZE = (100, 30)


def rows(table: DataTable) -> list[list[str]]:  # type: ignore[type-arg]
    return [[str(c) for c in table.get_row_at(i)] for i in range(table.row_count)]


async def as_biller(pilot: Pilot[None], fake: FakeGateway) -> BillingPanel:
    fake.add_account("bea", "Bea Biller", ["biller"], "biller-pass")
    await enter_as(pilot, "bea", "biller-pass")
    panel = pilot.app.screen.query_one(BillingPanel)
    await wait_for(pilot, lambda: panel.query_one("#worklist", DataTable).row_count == 2)
    return panel


async def claims_view(pilot: Pilot[None], fake: FakeGateway) -> ClaimsPanel:
    await as_biller(pilot, fake)
    await pilot.press("c")
    claims = pilot.app.screen.query_one(ClaimsPanel)
    await wait_for(pilot, lambda: claims.query_one("#claims-table", DataTable).row_count == 8)
    return claims


async def test_ready_encounters_are_billed_from_the_worklist_and_their_claims_show(fake: FakeGateway) -> None:
    app = PmsApp(fake)
    async with app.run_test(size=SIZE) as pilot:
        panel = await as_biller(pilot, fake)
        worklist = panel.query_one("#worklist", DataTable)
        await pilot.press("s")  # open -> ready to bill
        await wait_for(pilot, lambda: worklist.row_count == 2 and fake.requests["list_encounters"][-1][0]
                       == en.ENCOUNTER_STATUS_READY)
        assert [r[1] for r in rows(worklist)] == ["Johnson, Maria", "Nguyen, Thanh"]
        message = panel.query_one("#billing-message", Static)
        await pilot.press("b")  # the highlighted one: Maria's, to Aetna
        await wait_for(pilot, lambda: "Billed 1: claim 9 (Johnson, Maria)" in text_of(message))
        assert fake.requests["create_claims"][-1] == ([4],)
        await wait_for(pilot, lambda: worklist.row_count == 1)
        await pilot.press("a")  # every ready one shown: Thanh Nguyen has no policy
        await wait_for(pilot, lambda: "(NO_COVERAGE)" in text_of(message))
        assert "Not billed: Nguyen, Thanh (NO_COVERAGE): Nguyen, Thanh has no policy in force" in text_of(message)
        assert message.has_class("-error")

        await pilot.press("c")
        claims = app.screen.query_one(ClaimsPanel)
        table = claims.query_one("#claims-table", DataTable)
        await wait_for(pilot, lambda: table.row_count == 9)
        assert rows(table)[0][:6] == ["9", "Johnson, Maria", "Aetna", "Lee, Anna", "10/28/2026", "Draft"]
        assert "1 Draft 2" in text_of(claims.query_one("#claims-counts", Static))
        # C goes back; B and A are the encounter list's keys only.
        await pilot.press("c")
        await wait_for(pilot, lambda: panel.view == "encounters")


async def test_a_scrub_shows_the_findings_and_enter_goes_to_the_superbill(fake: FakeGateway) -> None:
    fake.scrub_findings[1] = [
        cl.Finding(rule="DX_POINTERS", severity=cl.SEVERITY_ERROR, field="lines[0].dx_pointers",
                   message="point the line at a listed diagnosis"),
        cl.Finding(rule="TIMELY_FILING", severity=cl.SEVERITY_WARNING, field="date_of_service",
                   message="14 days left of the payer's timely filing limit")]
    app = PmsApp(fake)
    async with app.run_test(size=SIZE) as pilot:
        claims = await claims_view(pilot, fake)
        notes = collect_notifications(app)
        table = claims.query_one("#claims-table", DataTable)
        await pilot.press("1")  # drafts
        await wait_for(pilot, lambda: table.row_count == 1)
        await pilot.press("enter")
        await wait_for(pilot, lambda: isinstance(app.screen, ClaimScreen) and app.screen.detail is not None)
        screen = app.screen
        assert isinstance(screen, ClaimScreen)
        await pilot.press("s")
        await wait_for(pilot, lambda: fake.requests.get("scrub_claims") == [([1], False)])
        findings = screen.query_one("#claim-findings", DataTable)
        await wait_for(pilot, lambda: findings.row_count == 2)
        assert [[r[0], r[1], r[3]] for r in rows(findings)] == [["Error", "line 1 pointers", "DX_POINTERS"],
                                                                ["Warning", "date of service", "TIMELY_FILING"]]
        assert "Scrubbed: 1 error, 1 warning; the claim is draft" in text_of(screen.query_one("#claim-message",
                                                                                               Static))
        # The finding is marked on the line it points at.
        assert "✗ DX_POINTERS" in rows(screen.query_one("#claim-lines", DataTable))[0][-1]
        assert screen.focused is findings
        await pilot.press("enter")
        await wait_for(pilot, lambda: isinstance(app.screen, SuperbillScreen))
        superbill = app.screen
        assert isinstance(superbill, SuperbillScreen) and superbill.encounter.encounter_id == 3
        await wait_for(pilot, lambda: any("Reopen the encounter to fix it" in n for n in notes))
        assert any(n.startswith("Line 1 pointers: point the line at a listed diagnosis.") for n in notes)
        await pilot.press("escape")
        await wait_for(pilot, lambda: app.screen is screen)
        # A subscriber's field opens the patient's insurance.
        fake.scrub_findings[1] = [cl.Finding(rule="SUBSCRIBER_ID", severity=cl.SEVERITY_ERROR,
                                             field="subscriber.member_id", message="the member ID is missing")]
        await pilot.press("s")
        await wait_for(pilot, lambda: findings.row_count == 1 and "SUBSCRIBER_ID" in rows(findings)[0])
        await pilot.press("enter")
        await wait_for(pilot, lambda: isinstance(app.screen, PatientScreen))
        await wait_for(pilot, lambda: str(app.screen.query_one("#patient-tabs").active) == "insurance")


async def test_queued_claims_are_sent_with_a_progress_bar(fake: FakeGateway) -> None:
    fake.batch_limit = 2
    app = PmsApp(fake)
    async with app.run_test(size=SIZE) as pilot:
        claims = await claims_view(pilot, fake)
        table = claims.query_one("#claims-table", DataTable)
        await pilot.press("2")  # scrubbed: claim 2 queues
        await wait_for(pilot, lambda: table.row_count == 1)
        await pilot.press("q")
        await wait_for(pilot, lambda: "Claim 2: clean; now queued." in text_of(claims.query_one("#claims-message",
                                                                                                Static)))
        await pilot.press("0")
        await wait_for(pilot, lambda: "3 Queued 4" in text_of(claims.query_one("#claims-counts", Static)))
        await pilot.press("b")
        await wait_for(pilot, lambda: isinstance(app.screen, SendBatchesScreen))
        sender = app.screen
        assert isinstance(sender, SendBatchesScreen)
        await wait_for(pilot, lambda: not sender.running)
        # Two claims per file here: two files, then NOTHING_QUEUED ends it.
        assert [b.claim_count for b in sender.batches] == [2, 2]
        assert len(fake.requests["create_batch"]) == 3
        bar = sender.query_one(ProgressBar)
        assert bar.total == 4 and bar.progress == 4
        summary = text_of(sender.query_one("#send-summary", Static))
        assert "4 claims · $610.00 in 2 files" in summary
        assert "837P-000000041.x12 · 2 claims" in text_of(sender.query_one("#send-files", Static))
        await pilot.press("enter")
        await wait_for(pilot, lambda: not isinstance(app.screen, SendBatchesScreen))
        # The clearinghouse job delivers them; the next reload shows them sent.
        fake.deliver_batches()
        await pilot.press("ctrl+r")
        await wait_for(pilot, lambda: "4 Sent 5" in text_of(claims.query_one("#claims-counts", Static)))
        # Again: nothing is left to write.
        await pilot.press("b")
        await wait_for(pilot, lambda: isinstance(app.screen, SendBatchesScreen) and not app.screen.running)
        assert "Nothing to send." in text_of(app.screen.query_one("#send-status", Static))


async def test_the_batches_written_show_with_their_delivery_and_filter_by_status(fake: FakeGateway) -> None:
    fake.batch_limit = 2
    app = PmsApp(fake)
    async with app.run_test(size=SIZE) as pilot:
        claims = await claims_view(pilot, fake)
        await fake.create_batch()  # claims 3 and 4, then delivered by the clearinghouse job
        fake.deliver_batches()
        stuck = await fake.create_batch()  # claim 5: its delivery failed once
        fake.batches[stuck.batch_id].delivery_attempts = 1
        fake.batches[stuck.batch_id].last_error = "SFTP: connection refused"
        await pilot.press("l")
        await wait_for(pilot, lambda: isinstance(app.screen, BatchesScreen))
        table = app.screen.query_one("#batches-table", DataTable)
        await wait_for(pilot, lambda: table.row_count == 2)
        assert rows(table) == [
            ["42", "2026-11-03 09:30", "1", "$90.00", "Written", "1", "SFTP: connection refused"],
            ["41", "2026-11-03 09:30", "2", "$340.00", "Delivered", "1", ""],
        ]
        assert text_of(app.screen.query_one("#batches-counts", Static)) == "Written 1 · Delivered 1"
        await pilot.press("2")  # delivered only
        await wait_for(pilot, lambda: fake.requests["list_batches"][-1][0] == cl.BATCH_STATUS_DELIVERED
                       and table.row_count == 1)
        assert rows(table)[0][0] == "41"
        asked = len(fake.requests["list_batches"])
        await pilot.press("r")
        await wait_for(pilot, lambda: len(fake.requests["list_batches"]) == asked + 1)
        await pilot.press("escape")
        await wait_for(pilot, lambda: not isinstance(app.screen, BatchesScreen))
        assert claims.query_one("#claims-table", DataTable).has_focus


async def test_rejected_claims_show_their_reason_and_queue_again_after_the_fix(fake: FakeGateway) -> None:
    app = PmsApp(fake)
    async with app.run_test(size=SIZE) as pilot:
        claims = await claims_view(pilot, fake)
        table = claims.query_one("#claims-table", DataTable)
        await pilot.press("5")
        await wait_for(pilot, lambda: table.row_count == 1)
        assert fake.requests["list_claims"][-1][0] == cl.CLAIM_STATUS_REJECTED
        row = rows(table)[0]
        assert row[5] == "Rejected" and row[8].startswith("277CA A7:562")
        reason = claims.query_one("#claims-reason", Static)
        assert reason.display and "Claim 7 rejected: 277CA A7:562: the subscriber's member ID is not on file" \
            in text_of(reason)
        await pilot.press("q")
        await wait_for(pilot, lambda: fake.claims[7].status == cl.CLAIM_STATUS_QUEUED)
        await wait_for(pilot, lambda: table.row_count == 0)
        assert "Claim 7: clean; now queued." in text_of(claims.query_one("#claims-message", Static))


async def test_the_billing_setup_shows_the_servers_objection_beside_its_field(fake: FakeGateway) -> None:
    app = PmsApp(fake)
    async with app.run_test(size=SIZE) as pilot:
        await enter_as(pilot, "mary", "manager-pass")
        await pilot.press("ctrl+b")
        panel = app.screen.query_one(BillingSetupPanel)
        await wait_for(pilot, lambda: panel.loaded)
        assert "NPI 1234567893" in text_of(panel.query_one("#bs-identity", Static))
        await pilot.press("e")
        await wait_for(pilot, lambda: isinstance(app.screen, BillingSetupFormScreen))
        dialog = app.screen
        await pilot.press("tab", "ctrl+u", *"123")  # the NPI
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: "not a valid NPI" in field_error(dialog, "setup.npi"))
        assert field_error(dialog, "setup.zip") == ""
        await pilot.press("ctrl+u", *"1245319599", "ctrl+s")
        await wait_for(pilot, lambda: not isinstance(app.screen, BillingSetupFormScreen))
        assert fake.billing_setup.npi == "1245319599" and fake.billing_setup.version == 3
        await wait_for(pilot, lambda: "NPI 1245319599" in text_of(panel.query_one("#bs-identity", Static)))

        # Rules on and off with Space; a code pair that is no code is marked on its row.
        await pilot.press("down", "down", "space")
        await pilot.press("2", "a", *"99214 9637", "enter", "ctrl+s")
        pairs = panel.query_one("#bs-pairs", DataTable)
        await wait_for(pilot, lambda: "column 2 code is not a CPT or HCPCS code" in rows(pairs)[1][3])
        assert list(fake.requests["update_scrub_setup"][-1][0].disabled_rules) == ["BILLING_NPI"]
        await pilot.press("d", "a", *"99214 96372", "enter", "ctrl+s")
        await wait_for(pilot, lambda: [(p.column1_code, p.column2_code) for p in fake.code_pairs]
                       == [("99213", "96372"), ("99214", "96372")])
        assert not fake.rules["BILLING_NPI"].enabled
        assert "Saved" in text_of(panel.query_one("#bs-message", Static))


async def test_a_biller_has_no_billing_setup_tab(fake: FakeGateway) -> None:
    app = PmsApp(fake)
    async with app.run_test(size=SIZE) as pilot:
        await as_biller(pilot, fake)
        assert not app.screen.query_one(AdminPanel).has_tab("billing-setup")


async def test_every_claim_shown_is_scrubbed_and_the_clean_ones_queued_with_one_key(fake: FakeGateway) -> None:
    fake.scrub_findings[1] = [cl.Finding(rule="DX_POINTERS", severity=cl.SEVERITY_ERROR, field="lines[0].dx_pointers",
                                         message="point the line at a listed diagnosis")]
    app = PmsApp(fake)
    async with app.run_test(size=SIZE) as pilot:
        claims = await claims_view(pilot, fake)
        await pilot.press("a")
        message = claims.query_one("#claims-message", Static)
        await wait_for(pilot, lambda: "Scrubbed 3: 2 queued, 1 kept back by errors" in text_of(message))
        assert fake.requests["scrub_claims"] == [([1, 2, 7], True)]
        assert message.has_class("-error")
        assert "3 Queued 5" in text_of(claims.query_one("#claims-counts", Static))

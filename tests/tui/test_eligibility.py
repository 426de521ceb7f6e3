"""Eligibility and claim forms against the fake gateway, keys only: ask on the Insurance tab, see it sent then
answered, the banner's mark, tomorrow's checks in bulk from the schedule, and a claim printed into a PDF."""

from __future__ import annotations

from pathlib import Path

from rich.text import Text
from textual.widgets import DataTable, Input, Select, Static

from client_tui.app import PmsApp
from client_tui.screens.claim_screen import ClaimScreen
from client_tui.screens.confirm_screen import ConfirmScreen
from client_tui.screens.patient_screen import PatientScreen
from client_tui.screens.print_claims_screen import PrintClaimsScreen
from client_tui.widgets.insurance_panel import InsurancePanel
from shared.pms.claims.v1 import claims_pb2 as cl

from .fake_gateway import FakeGateway
from .helpers import enter_as, field_error, open_patient, text_of, wait_for
from .test_claims import claims_view
from .test_schedule import open_schedule, said

SIZE = (100, 30)
ANSWER = ("Eligibility: Active · GOLD PPO · copay $25.00 · coinsurance 20% · deductible $500.00 left of $1,500.00 · "
          "checked 11/03 09:32")


def facts(screen: PatientScreen) -> str:
    return text_of(screen.query_one("#banner-facts", Static))


def style_of(widget: Static) -> str:
    shown = widget.content
    assert isinstance(shown, Text)
    return str(shown.style)


def eligibility_line(screen: PatientScreen) -> Static:
    return screen.query_one(InsurancePanel).query_one("#policy-eligibility", Static)


async def test_eligibility_is_asked_shown_sent_then_answered_in_the_tab_and_the_banner(fake: FakeGateway) -> None:
    app = PmsApp(fake)
    async with app.run_test(size=SIZE) as pilot:
        await enter_as(pilot, "fran", "front-pass")
        screen = await open_patient(pilot, 1)
        await wait_for(pilot, lambda: "Elig: not checked" in facts(screen))
        assert facts(screen).endswith("Primary: Aetna (Open Access PPO) · Elig: not checked")
        await pilot.press("f6")
        line = eligibility_line(screen)
        await wait_for(pilot, lambda: text_of(line) == "Eligibility: not checked yet — C asks the payer")
        await pilot.press("c")  # the primary policy is highlighted
        await wait_for(pilot, lambda: "sent" in text_of(line))
        assert fake.requests["check_eligibility"] == [([1], None)]  # None: the practice's today
        assert text_of(line) == "Eligibility: sent 09:31 — waiting for the payer"
        await wait_for(pilot, lambda: "Elig: asked, waiting" in facts(screen))

        fake.answer_eligibility()  # the clearinghouse job and the payer, meanwhile
        await pilot.press("r")
        await wait_for(pilot, lambda: text_of(line) == ANSWER)
        assert style_of(line) == "bold green"
        await wait_for(pilot, lambda: "Elig ✓ active, copay $25" in facts(screen))

        # Another policy of the patient: the line follows the cursor (an ended one cannot be asked about).
        await pilot.press("down")
        await wait_for(pilot, lambda: text_of(line) == "Eligibility: not checked yet")
        await pilot.press("c")
        await pilot.pause()
        assert len(fake.requests["check_eligibility"]) == 1


async def test_inactive_and_rejected_answers_show_in_red(fake: FakeGateway) -> None:
    fake._ask([4], None)
    fake.answer_eligibility(coverage="inactive", plan_name="Choice Plus", summary="Coverage ended 10/31/2026")
    fake._ask([1], None)
    fake.answer_eligibility(coverage="rejected", plan_name="", summary="Subscriber not found (AAA 75)")
    app = PmsApp(fake)
    async with app.run_test(size=SIZE) as pilot:
        await enter_as(pilot, "fran", "front-pass")
        jonathan = await open_patient(pilot, 3)
        await wait_for(pilot, lambda: "Elig ✗ inactive" in facts(jonathan))
        await pilot.press("f6")
        line = eligibility_line(jonathan)
        await wait_for(pilot, lambda: text_of(line).startswith("Eligibility: Inactive"))
        assert text_of(line) == ("Eligibility: Inactive · Choice Plus · Coverage ended 10/31/2026 · "
                                 "checked 11/03 09:32")
        assert style_of(line) == "bold red"
        await pilot.press("escape")
        maria = await open_patient(pilot, 1)
        await wait_for(pilot, lambda: "Elig ✗ rejected" in facts(maria))
        await pilot.press("f6")
        line = eligibility_line(maria)
        await wait_for(pilot, lambda: text_of(line) == ("Eligibility: Rejected: Subscriber not found (AAA 75) · "
                                                        "checked 11/03 09:34"))
        assert style_of(line) == "bold red"


async def test_tomorrows_eligibility_is_asked_in_bulk_after_a_yes(fake: FakeGateway) -> None:
    app = PmsApp(fake)
    async with app.run_test(size=SIZE) as pilot:
        panel = await open_schedule(pilot)
        await pilot.press("v")
        await pilot.pause()
        assert isinstance(app.screen, ConfirmScreen)
        await pilot.press("n")
        await pilot.pause()
        assert "check_tomorrows_eligibility" not in fake.requests
        await pilot.press("v")
        await pilot.pause()
        await pilot.press("y")
        await wait_for(pilot, lambda: said(panel).startswith("Sent"))
        assert said(panel) == ("Sent 2 eligibility inquiries for tomorrow's 2 patients; the answers arrive over "
                               "the next minutes.")
        assert len(fake.requests["check_tomorrows_eligibility"]) == 1
        fake.tomorrows_policy_ids = []
        await pilot.press("v")
        await pilot.pause()
        await pilot.press("y")
        await wait_for(pilot, lambda: said(panel).startswith("No eligibility inquiries"))


async def test_a_provider_has_no_bulk_eligibility_key(fake: FakeGateway) -> None:
    fake.add_account("doc", "Dana Doctor", ["provider"], "doc-pass")
    app = PmsApp(fake)
    async with app.run_test(size=SIZE) as pilot:
        await open_schedule(pilot, "doc", "doc-pass")
        await pilot.press("v")
        await pilot.pause()
        assert not isinstance(app.screen, ConfirmScreen)
        assert "check_tomorrows_eligibility" not in fake.requests


async def test_a_claim_prints_into_a_new_pdf_file(fake: FakeGateway, tmp_path: Path) -> None:
    app = PmsApp(fake)
    async with app.run_test(size=SIZE) as pilot:
        claims = await claims_view(pilot, fake)
        table = claims.query_one("#claims-table", DataTable)
        claim_id = int(str(table.get_row_at(0)[0]))
        await pilot.press("enter")
        await wait_for(pilot, lambda: isinstance(app.screen, ClaimScreen) and app.screen.detail is not None)
        screen = app.screen
        assert isinstance(screen, ClaimScreen)
        await pilot.press("f")
        await pilot.pause()
        form = app.screen
        assert isinstance(form, PrintClaimsScreen)
        taken = tmp_path / "taken.pdf"
        taken.write_bytes(b"keep me")
        form.query_one("#print-path", Input).value = str(taken)
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: "exists already" in field_error(form, "destination"))
        assert taken.read_bytes() == b"keep me" and "print_claims" not in fake.requests
        target = tmp_path / "claim.pdf"
        form.query_one("#print-path", Input).value = str(target)
        form.query_one("#print-mode", Select).value = cl.FORM_MODE_FULL
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: app.screen is screen)
        assert fake.requests["print_claims"] == [([claim_id], cl.FORM_MODE_FULL)]
        assert target.read_bytes() == fake.printed_pdf
        assert text_of(screen.query_one("#claim-message", Static)) == f"Printed 1 page to {target}."

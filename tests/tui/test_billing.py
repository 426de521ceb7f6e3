"""Billing mode (F3): the encounter worklist and the superbill, typed with keys only, against the fake gateway."""

from __future__ import annotations

from textual.pilot import Pilot
from textual.widgets import DataTable, Input, OptionList, Select, Static

from client_tui.app import PmsApp
from client_tui.gateway import FieldViolation, InvalidInput
from client_tui.screens.pick_patient_screen import PickPatientScreen
from client_tui.screens.superbill_screen import SuperbillScreen
from client_tui.widgets.billing_panel import BillingPanel
from client_tui.widgets.superbill_rows import DxRow, LineRow, RowError
from shared import dates
from shared.pms.encounters.v1 import encounters_pb2 as en

from .fake_gateway import FakeGateway
from .fake_schedule import LEE, MAIN
from .helpers import enter_as, text_of, wait_for

SIZE = (80, 24)


async def as_biller_in_billing(pilot: Pilot[None], fake: FakeGateway) -> BillingPanel:
    fake.add_account("bea", "Bea Biller", ["biller"], "biller-pass")
    await enter_as(pilot, "bea", "biller-pass")
    panel = pilot.app.screen.query_one(BillingPanel)
    table = panel.query_one("#worklist", DataTable)
    await wait_for(pilot, lambda: table.row_count == 2)  # the open ones; the billed one is under S
    return panel


async def open_first_encounter(pilot: Pilot[None], fake: FakeGateway) -> SuperbillScreen:
    await as_biller_in_billing(pilot, fake)
    await pilot.press("enter")
    await wait_for(pilot, lambda: isinstance(pilot.app.screen, SuperbillScreen))
    screen = pilot.app.screen
    assert isinstance(screen, SuperbillScreen)
    await wait_for(pilot, lambda: len(screen.lines()) == 1 and len(screen.query(DxRow)) == 2)
    return screen


def suggestions(screen: SuperbillScreen) -> int:
    options = screen.query_one("#suggestions", OptionList)
    return options.option_count if options.display else 0


async def test_worklist_lists_by_status_with_totals_in_dollars(fake: FakeGateway) -> None:
    app = PmsApp(fake)
    async with app.run_test(size=SIZE) as pilot:
        panel = await as_biller_in_billing(pilot, fake)
        table = panel.query_one("#worklist", DataTable)
        assert [str(c) for c in table.get_row_at(0)] == ["11/02/2026", "Johnson, Maria", "Lee, A", "1", "$180.00"]
        assert fake.requests["list_encounters"][-1][0] == en.ENCOUNTER_STATUS_OPEN
        await pilot.press("s", "s")  # open -> ready -> billed
        await wait_for(pilot, lambda: table.row_count == 1)
        assert fake.requests["list_encounters"][-1][0] == en.ENCOUNTER_STATUS_BILLED
        assert "1 billed encounter" in text_of(panel.query_one("#billing-message", Static))


async def test_a_new_superbill_typed_with_keys_only(fake: FakeGateway) -> None:
    app = PmsApp(fake)
    async with app.run_test(size=SIZE) as pilot:
        await as_biller_in_billing(pilot, fake)
        # N: the patient from the finder's search box.
        await pilot.press("n")
        await wait_for(pilot, lambda: isinstance(app.screen, PickPatientScreen))
        await pilot.press(*"maria", "enter")
        await wait_for(pilot, lambda: app.screen.query_one("#patient-results", DataTable).row_count == 1)
        await pilot.press("enter")
        await wait_for(pilot, lambda: isinstance(app.screen, SuperbillScreen))
        screen = app.screen
        assert isinstance(screen, SuperbillScreen)
        await pilot.pause()
        assert "New superbill · Johnson, Maria" in text_of(screen.query_one("#sb-title", Static))
        assert screen.query_one("#sb-dos", Input).value == "11/03/2026"
        # The provider, from the header's box: Shift+Tab back over the details row (prior auth, NPI, referring,
        # supervisor), the DOS, POS and location to it; Enter opens it, typing finds Dr. Lee, Enter picks.
        await pilot.press(*["shift+tab"] * 8)
        assert screen.focused is screen.query_one("#sb-provider", Select)
        await pilot.press("enter", *"lee", "enter")
        await pilot.pause()
        assert screen.query_one("#sb-provider", Select).value == LEE
        await pilot.press("tab", "tab")  # location (preset), the POS box (blank: the location's 11)
        assert screen.focused is screen.query_one("#sb-pos", Input)
        assert text_of(screen.query_one("#sb-pos-hint", Static)) == "loc 11"
        await pilot.press("enter", "enter")  # Enter: the DOS, then the diagnosis box
        assert screen.focused is screen.query_one("#dx-entry", Input)

        # Diagnoses by lookup: words, Down to the second match, Enter adds; then a code typed and Enter at once.
        await pilot.press(*"diab typ 2")
        await wait_for(pilot, lambda: suggestions(screen) == 3)
        assert fake.requests["search_codes"][-1][2] is True  # billable only
        await pilot.press("down", "enter")
        await pilot.press(*"I10", "enter")  # Enter before the lookup answered: it takes the first match
        await wait_for(pilot, lambda: len(screen.query(DxRow)) == 2)
        assert [row.diagnosis.code for row in screen.query(DxRow)] == ["E119", "I10"]

        # Enter in the empty box goes to the lines; code, mods, units, pointers as digits, fee; Enter adds.
        await pilot.press("enter")
        await pilot.press(*"99214", "enter")
        await wait_for(pilot, lambda: "moderate" in text_of(screen.query_one("#line-entry .line-description", Static)))
        await pilot.press(*"25", "enter", "enter", *"12", "enter", *"180", "enter")
        await wait_for(pilot, lambda: len(screen.lines()) == 1)
        await pilot.press(*"injection sub", "enter")
        await wait_for(pilot, lambda: screen.query_one("#line-entry .line-code", Input).value == "96372")
        await pilot.press("enter", *"2", "enter", *"1", "enter", *"35.50", "enter")
        await wait_for(pilot, lambda: len(screen.lines()) == 2)
        assert "2 lines · total $215.50" in text_of(screen.query_one("#sb-total", Static))

        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: "Saved" in text_of(screen.query_one("#sb-message", Static)))
        sent: en.Encounter = fake.requests["create_encounter"][-1][0]
        assert (sent.patient_id, sent.rendering_provider_id, sent.location_id) == (1, LEE, MAIN)
        assert dates.from_pb(sent.date_of_service).isoformat() == "2026-11-03"  # type: ignore[union-attr]
        assert [d.code for d in sent.diagnoses] == ["E119", "I10"]
        assert [(li.code, list(li.modifiers), li.units, list(li.dx_pointers), li.fee_cents) for li in sent.lines] == [
            ("99214", ["25"], 1, [1, 2], 18000), ("96372", [], 2, [1], 3550)]
        assert f"encounter {max(fake.encounters)}" in text_of(screen.query_one("#sb-title", Static))


async def test_server_errors_land_beside_the_line_field_they_name(fake: FakeGateway) -> None:
    app = PmsApp(fake)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_first_encounter(pilot, fake)
        # A J code without its NDC: the real check is the server's, the fake answers the same way.
        await pilot.press("enter")  # empty diagnosis box: to the line entry
        await pilot.press(*"J1100", "enter")
        entry = screen.query_one("#line-entry", LineRow)
        await wait_for(pilot, lambda: entry.drug)  # a drug code shows its NDC fields
        await pilot.press("enter", *"10", "enter", *"1", "enter", *"9", "enter", "enter", "enter", "enter")
        await wait_for(pilot, lambda: len(screen.lines()) == 2)
        fake.fail_on["update_encounter"] = InvalidInput([
            FieldViolation("lines[0].dx_pointers", "pointer 5 is beyond the 2 diagnoses listed"),
            FieldViolation("diagnoses[1].code", "I10 is not valid on 11/02/2026"),
        ])
        await pilot.press("ctrl+s")
        first = screen.lines()[0]
        await wait_for(pilot, lambda: first.has_class("-invalid"))
        assert text_of(first.query_one(RowError)) == "Ptr: pointer 5 is beyond the 2 diagnoses listed"
        assert first.field("dx_pointers").has_class("-invalid") and not first.field("code").has_class("-invalid")
        assert screen.focused is first.field("dx_pointers")
        assert "I10 is not valid" in text_of(list(screen.query(DxRow))[1].query_one(RowError))
        assert "2 problems" in text_of(screen.query_one("#sb-message", Static))
        # The fake's own check: the drug line without its NDC, beside that line's NDC field.
        await pilot.press("ctrl+s")
        second = screen.lines()[1]
        await wait_for(pilot, lambda: second.field("ndc").has_class("-invalid"))
        assert "drug code" in text_of(second.query_one(RowError)) and not first.has_class("-invalid")


async def test_a_stale_version_is_explained_and_the_typing_kept(fake: FakeGateway) -> None:
    app = PmsApp(fake)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_first_encounter(pilot, fake)
        fake.someone_else_codes(1)
        await pilot.press(*"J06.9", "enter")
        await wait_for(pilot, lambda: len(screen.query(DxRow)) == 3)
        await pilot.press("ctrl+s")
        message = screen.query_one("#sb-message", Static)
        await wait_for(pilot, lambda: "Someone else saved" in text_of(message))
        await pilot.press("ctrl+r")
        await wait_for(pilot, lambda: "Your typing is kept" in text_of(message))
        assert "they changed the header" in text_of(message)
        assert len(screen.query(DxRow)) == 3
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: "Saved" in text_of(message))
        sent: en.Encounter = fake.requests["update_encounter"][-1][0]
        assert sent.version == 2 and [d.code for d in sent.diagnoses] == ["E119", "I10", "J069"]
        assert sent.prior_authorization == "PA-7731"  # theirs, which this screen did not touch


async def test_ctrl_y_removes_the_row_under_the_cursor_and_the_numbers_follow(fake: FakeGateway) -> None:
    app = PmsApp(fake)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_first_encounter(pilot, fake)
        await pilot.press("tab")  # from the diagnosis box to diagnosis 1
        assert isinstance(screen.focused, DxRow) and screen.focused.diagnosis.code == "E119"
        await pilot.press("ctrl+y")
        await wait_for(pilot, lambda: len(screen.query(DxRow)) == 1)
        assert text_of(screen.query_one(DxRow).query_one(".dx-number", Static)).strip() == "1"
        assert "check the pointers" in text_of(screen.query_one("#sb-message", Static))
        await pilot.press("escape")  # unsaved: said once, then Escape again leaves
        assert isinstance(app.screen, SuperbillScreen)
        await pilot.press("escape")
        await wait_for(pilot, lambda: not isinstance(app.screen, SuperbillScreen))
        assert "update_encounter" not in fake.requests


async def test_a_provider_reads_superbills_without_changing_them(fake: FakeGateway) -> None:
    fake.add_account("pia", "Pia Provider", ["provider"], "provider-pass")
    app = PmsApp(fake)
    async with app.run_test(size=SIZE) as pilot:
        await enter_as(pilot, "pia", "provider-pass")
        await pilot.press("f3")
        panel = app.screen.query_one(BillingPanel)
        await wait_for(pilot, lambda: panel.query_one("#worklist", DataTable).row_count == 2)
        assert panel.check_action("new", ()) is False
        await pilot.press("enter")
        await wait_for(pilot, lambda: isinstance(app.screen, SuperbillScreen))
        screen = app.screen
        assert isinstance(screen, SuperbillScreen)
        await pilot.pause()
        assert screen.check_action("save", ()) is False
        assert all(field.is_disabled for field in screen.query(Input)) and len(screen.lines()) == 1
        assert "Read only" in text_of(screen.query_one("#sb-message", Static))


async def test_ready_to_bill_posts_the_saved_encounter_and_locks_it(fake: FakeGateway) -> None:
    app = PmsApp(fake)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_first_encounter(pilot, fake)
        message = screen.query_one("#sb-message", Static)
        # A refusal names its place: here the server finds a diagnosis no longer valid since the last save.
        fake.fail_on["mark_ready_to_bill"] = InvalidInput([FieldViolation(
            "diagnoses[0].code", "E11.9 was retired on 10/01/2026, before the date of service 11/02/2026.")])
        await pilot.press("ctrl+b")
        await wait_for(pilot, lambda: "Not ready to bill: 1 problem" in text_of(message))
        assert "was retired" in text_of(screen.query(DxRow).first().query_one(RowError))
        assert screen.encounter.status == en.ENCOUNTER_STATUS_OPEN
        # Typing not yet saved is not posted.
        fee = screen.lines()[0].field("fee_cents")
        fee.focus()
        await pilot.pause()
        fee.value = "95.00"  # retyped in the focused box
        await pilot.pause()
        await pilot.press("ctrl+b")
        await wait_for(pilot, lambda: "Save first" in text_of(message))
        assert "mark_ready_to_bill" not in fake.requests or len(fake.requests["mark_ready_to_bill"]) == 1
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: "Saved" in text_of(message))
        await pilot.press("ctrl+b")
        await wait_for(pilot, lambda: screen.encounter.status == en.ENCOUNTER_STATUS_READY)
        assert "Ready to bill: $95.00 posted to the ledger" in text_of(message)
        assert fake.requests["mark_ready_to_bill"][-1] == (1, 2)
        assert screen.query_one("#line-list").disabled and not screen.check_action("ready", ())

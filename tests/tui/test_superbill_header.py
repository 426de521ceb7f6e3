"""The superbill's header beyond provider, location and date: the supervising provider, the referring provider
(name and NPI), the place of service when it is not the location's own, the prior authorization, and each line's
note; typed with keys only against the fake gateway, the server's objections beside the box they name."""

from __future__ import annotations

from textual.widgets import DataTable, Input, Select, Static

from client_tui.app import PmsApp
from client_tui.gateway import FieldViolation, InvalidInput
from client_tui.screens.superbill_screen import SuperbillScreen
from client_tui.widgets.superbill_rows import LineRow
from shared.pms.encounters.v1 import encounters_pb2 as en

from .fake_gateway import FakeGateway
from .fake_schedule import LEE, PATEL, RIVERSIDE
from .helpers import text_of, wait_for
from .test_billing import SIZE, as_biller_in_billing, open_first_encounter


def header_error(screen: SuperbillScreen) -> str:
    line = screen.query_one("#sb-header-error", Static)
    return text_of(line) if line.has_class("-shown") else ""


def message(screen: SuperbillScreen) -> str:
    return text_of(screen.query_one("#sb-message", Static))


async def test_a_referring_provider_with_a_bad_npi_is_marked_then_fixed_saved_and_shown_again(
        fake: FakeGateway) -> None:
    app = PmsApp(fake)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_first_encounter(pilot, fake)
        # From the diagnosis box, Shift+Tab back over the prior authorization and the NPI to the referring name.
        await pilot.press("shift+tab", "shift+tab", "shift+tab")
        assert screen.focused is screen.query_one("#sb-referring", Input)
        await pilot.press(*"Jane Roe MD", "enter", *"1234567890", "enter", *"PA-55012", "enter")
        assert screen.focused is screen.query_one("#dx-entry", Input)  # Enter: NPI, prior auth, the diagnoses
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: "Not saved: 1 problem" in message(screen))
        npi = screen.query_one("#sb-npi", Input)
        assert header_error(screen) == "Referring NPI: is not a valid NPI (10 digits with a check digit)"
        assert npi.has_class("-invalid") and not screen.query_one("#sb-referring").has_class("-invalid")
        await wait_for(pilot, lambda: screen.focused is npi)  # the cursor waits in the box to fix
        await pilot.press("ctrl+u", *"1234567893", "ctrl+s")
        await wait_for(pilot, lambda: "Saved" in message(screen))
        assert header_error(screen) == "" and not npi.has_class("-invalid")
        sent: en.Encounter = fake.requests["update_encounter"][-1][0]
        assert (sent.referring_provider_name, sent.referring_provider_npi, sent.prior_authorization) == (
            "Jane Roe MD", "1234567893", "PA-55012")

        # Saved, so Escape leaves at once; Enter on the worklist opens it again with the values as stored.
        await pilot.press("escape")
        await wait_for(pilot, lambda: not isinstance(app.screen, SuperbillScreen))
        await wait_for(pilot, lambda: app.screen.query_one("#worklist", DataTable).row_count == 2)
        await pilot.press("enter")
        await wait_for(pilot, lambda: isinstance(app.screen, SuperbillScreen) and app.screen is not screen)
        again = app.screen
        assert isinstance(again, SuperbillScreen)
        await wait_for(pilot, lambda: again.query_one("#sb-npi", Input).value == "1234567893")
        assert again.query_one("#sb-referring", Input).value == "Jane Roe MD"
        assert again.query_one("#sb-prior-auth", Input).value == "PA-55012"


async def test_a_referring_npi_without_a_name_and_a_supervisor_the_server_refuses(fake: FakeGateway) -> None:
    app = PmsApp(fake)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_first_encounter(pilot, fake)
        await pilot.press("shift+tab", "shift+tab", *"1234567893")
        fake.fail_on["update_encounter"] = InvalidInput([
            FieldViolation("referring_provider_name", "is required with a referring NPI"),
            FieldViolation("supervising_provider_id", "this provider is inactive"),
        ])
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: "2 problems" in message(screen))
        assert "Supervising provider: this provider is inactive" in header_error(screen)
        assert "Referring provider: is required with a referring NPI" in header_error(screen)
        assert screen.query_one("#sb-supervising").has_class("-invalid")
        # The first of the header's marked fields, in the order they show, takes the cursor.
        await wait_for(pilot, lambda: screen.focused is screen.query_one("#sb-supervising"))


async def test_a_supervising_provider_picked_and_the_place_of_service_typed_over(fake: FakeGateway) -> None:
    app = PmsApp(fake)
    async with app.run_test(size=(100, 30)) as pilot:
        screen = await open_first_encounter(pilot, fake)
        await pilot.press(*["shift+tab"] * 4)
        supervising = screen.query_one("#sb-supervising", Select)
        assert screen.focused is supervising and supervising.is_blank()
        await pilot.press("enter", *"patel", "enter")
        await pilot.pause()
        assert supervising.value == PATEL
        # A choice not saved yet: Escape warns first.
        await pilot.press("escape")
        assert isinstance(app.screen, SuperbillScreen) and "Not saved yet" in message(screen)

        # The place of service: blank is the location's own (11, office), as the hint says; 22 (outpatient
        # hospital) is a facility, so the draft is priced again with it.
        await pilot.press("shift+tab", "shift+tab")
        pos = screen.query_one("#sb-pos", Input)
        assert screen.focused is pos and pos.value == "" and pos.placeholder == "11"
        assert text_of(screen.query_one("#sb-pos-hint", Static)) == "loc 11"
        priced = len(fake.requests.get("price_lines", []))
        await pilot.press(*"22")
        await wait_for(pilot, lambda: len(fake.requests.get("price_lines", [])) > priced)
        assert fake.requests["price_lines"][-1][4] == "22"
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: "Saved" in message(screen))
        sent: en.Encounter = fake.requests["update_encounter"][-1][0]
        assert (sent.supervising_provider_id, sent.place_of_service, sent.rendering_provider_id) == (
            PATEL, "22", LEE)
        assert pos.value == "22" and supervising.value == PATEL  # as stored
        assert fake.encounters[1].place_of_service == "22"

        # Emptied again: the location's own, which the server stores and the box shows as blank.
        pos.focus()
        await pilot.press("ctrl+u", "ctrl+s")
        await wait_for(pilot, lambda: fake.encounters[1].version == 3)
        assert fake.requests["update_encounter"][-1][0].place_of_service == ""
        assert fake.encounters[1].place_of_service == "11"
        await wait_for(pilot, lambda: "Saved" in message(screen))
        assert pos.value == ""

        # A code the server does not know, beside the box.
        await pilot.press(*"00", "ctrl+s")
        await wait_for(pilot, lambda: pos.has_class("-invalid"))
        assert header_error(screen) == "Place of service: 00 is not a place of service code"


async def test_a_line_note_opened_with_ctrl_n_is_saved(fake: FakeGateway) -> None:
    app = PmsApp(fake)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_first_encounter(pilot, fake)
        first = screen.lines()[0]
        assert not first.has_class("-note")
        await pilot.press("ctrl+n")  # on the diagnosis box: not a line
        assert "Ctrl+N opens its note" in message(screen)
        await pilot.press("tab", "tab", "tab")  # diagnoses 1 and 2, then line 1's code
        assert screen.focused is first.field("code")
        await pilot.press("ctrl+n")
        assert first.has_class("-note") and screen.focused is first.field("note")
        await pilot.press(*"left knee", "ctrl+s")
        await wait_for(pilot, lambda: "Saved" in message(screen))
        assert fake.requests["update_encounter"][-1][0].lines[0].note == "left knee"
        await pilot.pause()
        shown = screen.lines()[0]
        assert shown.has_class("-note") and shown.field("note").value == "left knee"
        assert shown.field("note") in shown.inputs()  # Enter visits it once it shows
        # The entry row's note goes with the line it adds.
        entry = screen.query_one("#line-entry", LineRow)
        entry.field("code").focus()
        await pilot.press(*"99213", "enter")
        await wait_for(pilot, lambda: entry.code_taken)
        await pilot.press("ctrl+n", *"bilateral", "enter")  # Enter in the last box adds the line
        await wait_for(pilot, lambda: len(screen.lines()) == 2)
        added = screen.lines()[1]
        assert added.has_class("-note") and added.field("note").value == "bilateral"
        assert not entry.has_class("-note") and screen.focused is entry.field("code")


async def test_a_billed_encounter_shows_its_header_read_only(fake: FakeGateway) -> None:
    stored = fake.encounters[3]
    stored.referring_provider_name, stored.referring_provider_npi = "Jane Roe MD", "1234567893"
    stored.supervising_provider_id, stored.prior_authorization, stored.place_of_service = PATEL, "PA-1", "22"
    app = PmsApp(fake)
    async with app.run_test(size=SIZE) as pilot:
        panel = await as_biller_in_billing(pilot, fake)
        table = panel.query_one("#worklist", DataTable)
        await pilot.press("s", "s")  # billed
        await wait_for(pilot, lambda: table.row_count == 1)
        await pilot.press("enter")
        await wait_for(pilot, lambda: isinstance(app.screen, SuperbillScreen))
        screen = app.screen
        assert isinstance(screen, SuperbillScreen)
        await wait_for(pilot, lambda: screen.query_one("#sb-npi", Input).value == "1234567893")
        assert screen.query_one("#sb-supervising", Select).value == PATEL
        assert screen.query_one("#sb-pos", Input).value == "22"
        for selector in ("#sb-supervising", "#sb-referring", "#sb-npi", "#sb-pos", "#sb-prior-auth"):
            assert screen.query_one(selector).is_disabled
        assert screen.check_action("note", ()) is False


async def test_another_location_picked_with_keys_prices_again_and_counts_as_unsaved(fake: FakeGateway) -> None:
    app = PmsApp(fake)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_first_encounter(pilot, fake)
        await pilot.press(*["shift+tab"] * 7)
        assert screen.focused is screen.query_one("#sb-location", Select)
        priced = len(fake.requests.get("price_lines", []))
        await pilot.press("enter", *"river", "enter")
        await wait_for(pilot, lambda: len(fake.requests.get("price_lines", [])) > priced)
        assert fake.requests["price_lines"][-1][3] == RIVERSIDE
        await pilot.press("escape")
        assert "Not saved yet" in message(screen)
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: "Saved" in message(screen))
        assert fake.requests["update_encounter"][-1][0].location_id == RIVERSIDE

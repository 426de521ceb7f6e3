"""What the screens look like, at 120x40 (front desk and schedule: 100x30) with the fake gateway's fixed data.

Update with ``pytest tests/tui/test_snapshots.py --snapshot-update`` only after looking at
the new pictures (``tests/tui/__snapshots__/``): a screen that is hard to read is a bug.
"""

from __future__ import annotations

from textual.pilot import Pilot
from textual.widgets import DataTable, Input, OptionList, Select, SelectionList

from client_tui.app import PmsApp
from client_tui.gateway import FieldViolation, InvalidInput
from client_tui.screens.book_series_screen import BookSeriesScreen
from client_tui.screens.cancel_appointment_screen import CancelAppointmentScreen
from client_tui.screens.contract_form_screen import ContractFormScreen
from client_tui.screens.flow_board_screen import FlowBoardScreen
from client_tui.screens.recalls_screen import RecallsScreen
from client_tui.screens.relogin_screen import ReloginScreen
from client_tui.screens.superbill_screen import SuperbillScreen
from client_tui.screens.waitlist_offers_screen import WaitlistOffersScreen
from client_tui.screens.waitlist_screen import WaitlistScreen
from client_tui.widgets.schedule_panel import SchedulePanel
from client_tui.widgets.slot_grid import SlotGrid
from client_tui.widgets.superbill_rows import LineRow

from .fake_gateway import FakeGateway
from .helpers import enter_as, wait_for

SIZE = (120, 40)
HINT = (
    "Demo accounts (password after the slash):\n"
    "  admin / admin-pass     IT admin\n"
    "  mary / manager-pass    practice manager\n"
    "  bill / biller-pass     biller (TOTP code 123456)"
)


def stop_cursor_blinking(pilot: Pilot[None]) -> None:
    """A blinking cursor makes the picture depend on the moment it is taken."""
    for screen in pilot.app.screen_stack:
        for text_input in screen.query(Input):
            text_input.cursor_blink = False


async def as_admin_with_users_loaded(pilot: Pilot[None]) -> None:
    await enter_as(pilot, "admin", "admin-pass")
    table = pilot.app.screen.query_one("#users-table", DataTable)
    await wait_for(pilot, lambda: table.row_count == 6)


def test_login_screen(snap_compare, fake: FakeGateway) -> None:  # type: ignore[no-untyped-def]
    async def settle(pilot: Pilot[None]) -> None:
        await pilot.pause()
        stop_cursor_blinking(pilot)

    assert snap_compare(PmsApp(fake, login_hint=HINT), terminal_size=SIZE, run_before=settle)


def test_shell_admin_users(snap_compare, fake: FakeGateway) -> None:  # type: ignore[no-untyped-def]
    async def settle(pilot: Pilot[None]) -> None:
        await as_admin_with_users_loaded(pilot)
        stop_cursor_blinking(pilot)

    assert snap_compare(PmsApp(fake), terminal_size=SIZE, run_before=settle)


def test_add_user_with_field_violations(snap_compare, fake: FakeGateway) -> None:  # type: ignore[no-untyped-def]
    async def open_form_and_send_it_empty(pilot: Pilot[None]) -> None:
        await as_admin_with_users_loaded(pilot)
        await pilot.press("a")
        await pilot.pause()
        await wait_for(pilot, lambda: pilot.app.screen.query_one(SelectionList).option_count == 5)
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: bool(pilot.app.screen.query(".-invalid")))
        stop_cursor_blinking(pilot)

    assert snap_compare(PmsApp(fake), terminal_size=SIZE, run_before=open_form_and_send_it_empty)


def test_admin_schedule_setup_providers(snap_compare, fake: FakeGateway) -> None:  # type: ignore[no-untyped-def]
    """At 80x24: the manager's Schedule setup tab, the providers list with Dr. Lee highlighted."""

    async def open_schedule_setup(pilot: Pilot[None]) -> None:
        await enter_as(pilot, "mary", "manager-pass")
        await pilot.press("ctrl+g")
        table = pilot.app.screen.query_one("#setup-providers", DataTable)
        await wait_for(pilot, lambda: table.row_count == 4)
        await pilot.press("down", "down")
        await pilot.pause()
        stop_cursor_blinking(pilot)

    assert snap_compare(PmsApp(fake), terminal_size=(80, 24), run_before=open_schedule_setup)


def test_session_ended_overlay(snap_compare, fake: FakeGateway) -> None:  # type: ignore[no-untyped-def]
    async def let_the_session_expire(pilot: Pilot[None]) -> None:
        await as_admin_with_users_loaded(pilot)
        fake.expire_session_on_next_call = True
        await pilot.press("ctrl+r")
        await wait_for(pilot, lambda: isinstance(pilot.app.screen, ReloginScreen))
        await pilot.pause()
        stop_cursor_blinking(pilot)

    assert snap_compare(PmsApp(fake), terminal_size=SIZE, run_before=let_the_session_expire)


# -- front desk, at the smallest size it must read well ------------------------------------------

SMALL = (100, 30)


def test_front_desk_finder_with_results(snap_compare, fake: FakeGateway) -> None:  # type: ignore[no-untyped-def]
    async def search(pilot: Pilot[None]) -> None:
        await enter_as(pilot, "fran", "front-pass")
        await pilot.press("h")
        table = pilot.app.screen.query_one("#patient-results", DataTable)
        await wait_for(pilot, lambda: table.row_count == 5)
        stop_cursor_blinking(pilot)

    assert snap_compare(PmsApp(fake), terminal_size=SMALL, run_before=search)


def test_registration_form_with_a_field_violation(snap_compare, fake: FakeGateway) -> None:  # type: ignore[no-untyped-def]
    async def register_with_a_bad_zip(pilot: Pilot[None]) -> None:
        await enter_as(pilot, "fran", "front-pass")
        await pilot.press("ctrl+n")
        await pilot.pause()
        screen = pilot.app.screen
        for input_id, value in (
            ("patient-name-last", "Doe"),
            ("patient-name-first", "Jane"),
            ("patient-date-of-birth", "01/02/1990"),
            ("patient-sex", "F"),
            ("patient-phones-mobile", "614 555 0101"),
            ("patient-address-line1", "1 Main Street"),
            ("patient-address-city", "Columbus"),
            ("patient-address-state", "OH"),
            ("patient-address-zip", "4321"),
        ):
            screen.query_one(f"#{input_id}", Input).value = value
        fake.fail_on["register_patient"] = InvalidInput(
            [FieldViolation("patient.address.zip", "must be 5 digits or ZIP+4")]
        )
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: bool(screen.query(".-invalid")))
        await pilot.pause()
        stop_cursor_blinking(pilot)

    assert snap_compare(PmsApp(fake), terminal_size=SMALL, run_before=register_with_a_bad_zip)


# -- schedule, at the smallest size it must read well (the fake's Tuesday 11/03/2026, 10:40) --------


async def show_the_schedule(pilot: Pilot[None]) -> None:
    await enter_as(pilot, "fran", "front-pass")
    await pilot.press("f12")
    grid = pilot.app.screen.query_one(SlotGrid)
    await wait_for(pilot, lambda: grid.row_count > 0)
    panel = pilot.app.screen.query_one(SchedulePanel)
    await wait_for(pilot, lambda: panel.watch_state == "live")


def test_schedule_day_view(snap_compare, fake: FakeGateway) -> None:  # type: ignore[no-untyped-def]
    async def on_a_booked_time(pilot: Pilot[None]) -> None:
        await show_the_schedule(pilot)
        # Dr. Lee at 09:30 (seen): the detail line says it all and the footer offers the visit's keys.
        await pilot.press("right", *["down"] * 6)
        await pilot.pause()
        stop_cursor_blinking(pilot)

    assert snap_compare(PmsApp(fake), terminal_size=SMALL, run_before=on_a_booked_time)


def test_schedule_flow_board(snap_compare, fake: FakeGateway) -> None:  # type: ignore[no-untyped-def]
    async def open_the_board(pilot: Pilot[None]) -> None:
        await show_the_schedule(pilot)
        await pilot.press("b")
        await wait_for(pilot, lambda: isinstance(pilot.app.screen, FlowBoardScreen))
        table = pilot.app.screen.query_one("#board-table", DataTable)
        await wait_for(pilot, lambda: table.row_count == 11)
        await pilot.press(*["down"] * 6)  # Smith, Emily: arrived, waiting
        await pilot.pause()
        stop_cursor_blinking(pilot)

    assert snap_compare(PmsApp(fake), terminal_size=SMALL, run_before=open_the_board)


def test_schedule_waitlist(snap_compare, fake: FakeGateway) -> None:  # type: ignore[no-untyped-def]
    async def open_the_waitlist(pilot: Pilot[None]) -> None:
        await show_the_schedule(pilot)
        await pilot.press("a")
        await wait_for(pilot, lambda: isinstance(pilot.app.screen, WaitlistScreen))
        table = pilot.app.screen.query_one("#waitlist-table", DataTable)
        await wait_for(pilot, lambda: table.row_count == 2)
        await pilot.pause()
        stop_cursor_blinking(pilot)

    assert snap_compare(PmsApp(fake), terminal_size=SMALL, run_before=open_the_waitlist)


def test_schedule_series_preview(snap_compare, fake: FakeGateway) -> None:  # type: ignore[no-untyped-def]
    """At 80x24, the smallest terminal: a weekly series of six from Dr. Lee's Tuesday 11:00, the third taken."""

    async def preview_a_series(pilot: Pilot[None]) -> None:
        fake.someone_else_books(1, "2026-11-17T11:00")
        await show_the_schedule(pilot)
        await pilot.press("right", *["down"] * 12)  # Dr. Lee, 11:00
        await pilot.press("u")
        await wait_for(pilot, lambda: isinstance(pilot.app.screen, BookSeriesScreen))
        screen = pilot.app.screen
        assert isinstance(screen, BookSeriesScreen)
        await pilot.press(*"garc", "enter")
        results = screen.query_one("#patient-results", DataTable)
        await wait_for(pilot, lambda: results.row_count == 1 and results.has_focus)
        await pilot.press("enter")
        await wait_for(pilot, lambda: screen.patient_id != 0)
        screen.query_one("#series-type", Select).value = 1  # Follow-up
        screen.query_one("#series-reason", Input).value = "physical therapy, left knee"
        screen.query_one("#series-count", Input).value = "6"
        await pilot.press("ctrl+r")
        table = screen.query_one("#series-table", DataTable)
        await wait_for(pilot, lambda: table.row_count == 6)
        await pilot.pause()
        stop_cursor_blinking(pilot)

    assert snap_compare(PmsApp(fake), terminal_size=(80, 24), run_before=preview_a_series)


def test_schedule_recalls(snap_compare, fake: FakeGateway) -> None:  # type: ignore[no-untyped-def]
    async def open_the_recalls(pilot: Pilot[None]) -> None:
        await show_the_schedule(pilot)
        await pilot.press("e")
        await wait_for(pilot, lambda: isinstance(pilot.app.screen, RecallsScreen))
        table = pilot.app.screen.query_one("#recalls-table", DataTable)
        await wait_for(pilot, lambda: table.row_count == 2)  # due by the end of next month
        await pilot.pause()
        stop_cursor_blinking(pilot)

    assert snap_compare(PmsApp(fake), terminal_size=SMALL, run_before=open_the_recalls)


def test_schedule_waitlist_offers_after_a_cancel(snap_compare, fake: FakeGateway) -> None:  # type: ignore[no-untyped-def]
    async def cancel_with_patients_waiting(pilot: Pilot[None]) -> None:
        fake.offer_waitlist = True
        await show_the_schedule(pilot)
        await pilot.press("right", *["down"] * 24)  # Dr. Lee at 14:00: Smith, Jonathan (confirmed)
        await pilot.press("x")
        await wait_for(pilot, lambda: isinstance(pilot.app.screen, CancelAppointmentScreen))
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: isinstance(pilot.app.screen, WaitlistOffersScreen))
        await pilot.pause()
        stop_cursor_blinking(pilot)

    assert snap_compare(PmsApp(fake), terminal_size=SMALL, run_before=cancel_with_patients_waiting)


# -- billing, at 80x24 -------------------------------------------------------------------------


def test_superbill_with_a_line_error_and_a_lookup(snap_compare, fake: FakeGateway) -> None:  # type: ignore[no-untyped-def]
    """Encounter 1 with a drug line added, the server's pointer objection beside line 1, and "diab" looked up."""

    async def code_and_save(pilot: Pilot[None]) -> None:
        fake.add_account("bea", "Bea Biller", ["biller"], "biller-pass")
        await enter_as(pilot, "bea", "biller-pass")
        await wait_for(pilot, lambda: pilot.app.screen.query_one("#worklist", DataTable).row_count == 2)
        await pilot.press("enter")
        await wait_for(pilot, lambda: isinstance(pilot.app.screen, SuperbillScreen))
        screen = pilot.app.screen
        assert isinstance(screen, SuperbillScreen)
        await wait_for(pilot, lambda: len(screen.lines()) == 1)
        await pilot.press("enter", *"J1100", "enter")
        await wait_for(pilot, lambda: screen.query_one("#line-entry", LineRow).drug)
        await pilot.press("enter", *"10", "enter", "1", "enter", "9", "enter", "enter", "enter", "enter")
        await wait_for(pilot, lambda: len(screen.lines()) == 2)
        fake.fail_on["update_encounter"] = InvalidInput(
            [FieldViolation("lines[0].dx_pointers", "pointer 5 is beyond the 2 diagnoses listed")])
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: screen.lines()[0].has_class("-invalid"))
        await wait_for(pilot, lambda: "Aetna" in str(screen.query_one("#sb-payer").render()))
        screen.query_one("#dx-entry", Input).focus()
        await pilot.press(*"diab")
        await wait_for(pilot, lambda: screen.query_one("#suggestions", OptionList).option_count == 3)
        await pilot.pause(0.6)
        stop_cursor_blinking(pilot)

    assert snap_compare(PmsApp(fake), terminal_size=(80, 24), run_before=code_and_save)


def test_superbill_priced_at_100x30(snap_compare, fake: FakeGateway) -> None:  # type: ignore[no-untyped-def]
    """Encounter 1 with a second line from the lookup: its fee from the schedule, each line's expected amount under
    Aetna's contract, the totals and who prices them."""

    async def add_a_priced_line(pilot: Pilot[None]) -> None:
        fake.add_account("bea", "Bea Biller", ["biller"], "biller-pass")
        await enter_as(pilot, "bea", "biller-pass")
        await wait_for(pilot, lambda: pilot.app.screen.query_one("#worklist", DataTable).row_count == 2)
        await pilot.press("enter")
        await wait_for(pilot, lambda: isinstance(pilot.app.screen, SuperbillScreen))
        screen = pilot.app.screen
        assert isinstance(screen, SuperbillScreen)
        await wait_for(pilot, lambda: len(screen.lines()) == 1)
        await pilot.press("enter", *"96372", "enter", "enter", "2", "enter", "1", "enter")
        entry = screen.query_one("#line-entry", LineRow)
        await wait_for(pilot, lambda: entry.field("fee_cents").value == "80.00")
        await pilot.press("enter")
        await wait_for(pilot, lambda: len(screen.lines()) == 2)
        await pilot.press(*"99213", "enter")
        await wait_for(pilot, lambda: entry.field("fee_cents").value == "125.00")
        await pilot.pause(0.6)
        stop_cursor_blinking(pilot)

    assert snap_compare(PmsApp(fake), terminal_size=SMALL, run_before=add_a_priced_line)


def test_superbill_header_details_at_100x30(snap_compare, fake: FakeGateway) -> None:  # type: ignore[no-untyped-def]
    """Encounter 1's second header row filled with keys: Dr. Patel supervising, a referring provider whose NPI the
    server refuses (beside the box), a prior authorization; the place of service typed over (22, the location's 11
    hinted); line 1's note open."""

    async def fill_the_details(pilot: Pilot[None]) -> None:
        fake.add_account("bea", "Bea Biller", ["biller"], "biller-pass")
        await enter_as(pilot, "bea", "biller-pass")
        await wait_for(pilot, lambda: pilot.app.screen.query_one("#worklist", DataTable).row_count == 2)
        await pilot.press("enter")
        await wait_for(pilot, lambda: isinstance(pilot.app.screen, SuperbillScreen))
        screen = pilot.app.screen
        assert isinstance(screen, SuperbillScreen)
        await wait_for(pilot, lambda: len(screen.lines()) == 1)
        await pilot.press("tab", "tab", "tab", "ctrl+n", *"left knee")  # line 1's note
        screen.query_one("#sb-pos", Input).focus()
        await pilot.press(*"22", "tab", "tab", "enter", *"patel", "enter")  # POS, DOS, supervisor
        await pilot.press("tab", *"Jane Roe MD", "enter", *"1234567890", "enter", *"PA-55012", "ctrl+s")
        await wait_for(pilot, lambda: screen.query_one("#sb-npi").has_class("-invalid"))
        await wait_for(pilot, lambda: "Aetna" in str(screen.query_one("#sb-payer").render()))
        await pilot.pause(0.6)
        stop_cursor_blinking(pilot)

    assert snap_compare(PmsApp(fake), terminal_size=SMALL, run_before=fill_the_details)


# -- admin > fees -------------------------------------------------------------------------------


def test_admin_fees_schedule(snap_compare, fake: FakeGateway) -> None:  # type: ignore[no-untyped-def]
    """At 120x40: the manager's Fees tab, the fee schedule in effect today."""

    async def open_fees(pilot: Pilot[None]) -> None:
        await enter_as(pilot, "mary", "manager-pass")
        await pilot.press("ctrl+f")
        table = pilot.app.screen.query_one("#fees-table", DataTable)
        await wait_for(pilot, lambda: table.row_count == 6)
        await pilot.press("down")
        await pilot.pause()
        stop_cursor_blinking(pilot)

    assert snap_compare(PmsApp(fake), terminal_size=SIZE, run_before=open_fees)


def test_admin_fees_contract_form(snap_compare, fake: FakeGateway) -> None:  # type: ignore[no-untyped-def]
    """At 100x30: Aetna's contract open for editing over the contracts list."""

    async def open_contract(pilot: Pilot[None]) -> None:
        await enter_as(pilot, "mary", "manager-pass")
        await pilot.press("ctrl+f")
        table = pilot.app.screen.query_one("#fees-table", DataTable)
        await wait_for(pilot, lambda: table.row_count == 6)
        await pilot.press("2", "enter")
        await wait_for(pilot, lambda: isinstance(pilot.app.screen, ContractFormScreen))
        await pilot.pause()
        stop_cursor_blinking(pilot)

    assert snap_compare(PmsApp(fake), terminal_size=SMALL, run_before=open_contract)

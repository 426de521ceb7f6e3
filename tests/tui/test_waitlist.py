"""The waitlist from Schedule mode (A) against the fake: the list, adding, removing, booking for an entry, and
the offers after a cancel.

The fake has two waiting patients: Robert Johnson for a follow-up with Lee (Tue/Thu mornings) and
Luis Garcia for a physical with anyone; see tests/tui/fake_schedule.py.
"""

from __future__ import annotations

from textual.pilot import Pilot
from textual.widgets import DataTable, Input, Select, Static

from client_tui.app import PmsApp
from client_tui.screens.book_appointment_screen import BookAppointmentScreen
from client_tui.screens.cancel_appointment_screen import CancelAppointmentScreen
from client_tui.screens.find_slot_screen import FindSlotScreen
from client_tui.screens.shell_screen import ShellScreen
from client_tui.screens.waitlist_offers_screen import OFFERS_INTRO, WaitlistOffersScreen
from client_tui.screens.waitlist_screen import AddWaitlistScreen, RemoveWaitlistScreen, WaitlistScreen
from client_tui.widgets.schedule_panel import SchedulePanel
from shared.pms.scheduling.v1 import appointments_pb2 as ap

from .fake_gateway import FakeGateway
from .fake_schedule import FOLLOW_UP, LEE, NEW_PATIENT
from .helpers import field_error, text_of, wait_for
from .test_schedule import SIZE, choose_option, move_to, open_schedule, said


def rows_of(table: DataTable[object]) -> list[list[str]]:
    return [[str(cell) for cell in table.get_row_at(i)] for i in range(table.row_count)]


async def open_waitlist(pilot: Pilot[None]) -> WaitlistScreen:
    await open_schedule(pilot)
    await pilot.press("a")
    await wait_for(pilot, lambda: isinstance(pilot.app.screen, WaitlistScreen))
    screen = pilot.app.screen
    assert isinstance(screen, WaitlistScreen)
    await wait_for(pilot, lambda: screen.query_one("#waitlist-table", DataTable).row_count > 0)
    return screen


async def test_a_lists_the_waiting_patients(fake: FakeGateway) -> None:
    app = PmsApp(fake)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_waitlist(pilot)
        rows = rows_of(screen.query_one("#waitlist-table", DataTable))
        assert rows[0] == ["Johnson, Robert", "Follow-up", "Anna Lee, MD / any", "11/03-11/17",
                           "Tue Thu 08:00-12:00", "11/01"]
        assert rows[1][2:5] == ["any / any", "11/03-12/03", "any day any time"]
        detail = text_of(screen.query_one("#waitlist-detail", Static))
        assert detail == ("Johnson, Robert · (614) 555-0177 · wants an earlier visit · waiting for 11/03/2026 to "
                          "11/17/2026")
        await pilot.press("escape")
        await wait_for(pilot, lambda: isinstance(app.screen, ShellScreen))


async def test_n_adds_with_the_servers_field_errors_beside_the_fields(fake: FakeGateway) -> None:
    app = PmsApp(fake)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_waitlist(pilot)
        await pilot.press("n")
        await wait_for(pilot, lambda: isinstance(app.screen, AddWaitlistScreen))
        form = app.screen
        assert isinstance(form, AddWaitlistScreen)
        await pilot.press(*"smith jo", "enter")
        results = form.query_one("#patient-results", DataTable)
        await wait_for(pilot, lambda: results.row_count == 1 and results.has_focus)
        await pilot.press("enter")
        await wait_for(pilot, lambda: form.patient_id == 3)
        await pilot.pause()
        await choose_option(pilot, form.query_one("#wait-type", Select), "New patient (30 min)")
        assert app.focused is not None and app.focused.id == "wait-provider"
        for _ in range(3):  # past any provider and any location (a compact select may take two tabs)
            if app.focused is not None and app.focused.id == "wait-earliest-date":
                break
            await pilot.press("tab")
        assert app.focused is not None and app.focused.id == "wait-earliest-date"
        await pilot.press(*"11/10/2026", "enter", *"11/05/2026", "enter", *"mon wed", "enter", *"9", "enter",
                          *"13:00", "enter", *"short notice ok", "enter")
        await wait_for(pilot, lambda: "on or after" in field_error(form, "latest_date"))
        sent = fake.requests["add_to_waitlist"][-1][0]
        assert (sent.patient_id, sent.appointment_type_id, list(sent.weekdays)) == (3, NEW_PATIENT, [1, 3])
        assert (sent.earliest_minute, sent.latest_minute, sent.note) == (540, 780, "short notice ok")
        latest = form.query_one("#wait-latest-date", Input)
        assert latest.has_focus
        await pilot.press("ctrl+a", "ctrl+k", *"11/20/2026", "ctrl+s")
        await wait_for(pilot, lambda: app.screen is screen)
        table = screen.query_one("#waitlist-table", DataTable)
        await wait_for(pilot, lambda: table.row_count == 3)
        assert rows_of(table)[table.cursor_row][0] == "Smith, Jonathan"
        assert text_of(screen.query_one("#waitlist-message", Static)) == "Smith, Jonathan is on the waitlist."


async def test_add_marks_what_it_cannot_read_without_asking_the_server(fake: FakeGateway) -> None:
    app = PmsApp(fake)
    async with app.run_test(size=SIZE) as pilot:
        await open_waitlist(pilot)
        await pilot.press("n")
        await wait_for(pilot, lambda: isinstance(app.screen, AddWaitlistScreen))
        form = app.screen
        await pilot.press("ctrl+s")
        assert "Choose the patient first" in text_of(form.query_one("#wait-message", Static))
        assert "add_to_waitlist" not in fake.requests
        await pilot.press("escape")
        await wait_for(pilot, lambda: isinstance(app.screen, WaitlistScreen))


async def test_d_removes_the_highlighted_entry_with_a_note(fake: FakeGateway) -> None:
    app = PmsApp(fake)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_waitlist(pilot)
        await pilot.press("down", "d")
        await wait_for(pilot, lambda: isinstance(app.screen, RemoveWaitlistScreen))
        await pilot.press(*"booked elsewhere", "enter")
        await wait_for(pilot, lambda: app.screen is screen)
        table = screen.query_one("#waitlist-table", DataTable)
        await wait_for(pilot, lambda: table.row_count == 1)
        assert fake.requests["remove_from_waitlist"][-1] == (2, "booked elsewhere")
        assert rows_of(table)[0][0] == "Johnson, Robert"
        assert text_of(screen.query_one("#waitlist-message", Static)) == "Garcia, Luis is off the waitlist."


async def test_enter_finds_a_time_and_books_it_for_the_entry(fake: FakeGateway) -> None:
    app = PmsApp(fake)
    async with app.run_test(size=SIZE) as pilot:
        await open_waitlist(pilot)
        panel = pilot.app.screen_stack[1].query_one(SchedulePanel)
        await pilot.press("enter")
        await wait_for(pilot, lambda: isinstance(app.screen, FindSlotScreen))
        finder = app.screen
        assert finder.query_one("#find-type", Select).value == FOLLOW_UP
        assert finder.query_one("#find-provider", Select).value == LEE
        await pilot.press("ctrl+s")
        results = finder.query_one("#find-results", DataTable)
        await wait_for(pilot, lambda: results.row_count > 0 and results.has_focus)
        await pilot.press("enter")
        await wait_for(pilot, lambda: getattr(app.screen, "patient_id", 0) == 2)
        await pilot.pause()
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: isinstance(app.screen, ShellScreen))
        booked = fake.requests["book_appointment"][-1][0]
        assert (booked.patient_id, booked.appointment_type_id, booked.waitlist_entry_id) == (2, FOLLOW_UP, 1)
        assert fake.waitlist[1].status == "booked"
        await wait_for(pilot, lambda: said(panel).startswith("Booked"))


# -- offers after a cancel ----------------------------------------------------------------------------


async def cancel_lees_14_00(pilot: Pilot[None], fake: FakeGateway) -> WaitlistOffersScreen:
    fake.offer_waitlist = True
    panel = await open_schedule(pilot)
    await move_to(pilot, panel, LEE, "14:00")
    await pilot.press("x")
    await wait_for(pilot, lambda: isinstance(pilot.app.screen, CancelAppointmentScreen))
    await pilot.press("ctrl+s")
    await wait_for(pilot, lambda: isinstance(pilot.app.screen, WaitlistOffersScreen))
    offers = pilot.app.screen
    assert isinstance(offers, WaitlistOffersScreen)
    return offers


async def test_a_cancel_with_offers_books_the_freed_time_for_the_chosen_patient(fake: FakeGateway) -> None:
    app = PmsApp(fake)
    async with app.run_test(size=SIZE) as pilot:
        offers = await cancel_lees_14_00(pilot, fake)
        assert text_of(offers.query_one("#offers-intro", Static)).startswith(OFFERS_INTRO)
        table = offers.query_one("#offers-table", DataTable)
        assert [row[0] for row in rows_of(table)] == ["Johnson, Robert", "Garcia, Luis"]
        await pilot.press("enter")
        await wait_for(pilot, lambda: isinstance(app.screen, BookAppointmentScreen) and app.screen.patient_id == 2)
        booking = app.screen
        assert isinstance(booking, BookAppointmentScreen)
        assert booking.query_one("#book-type", Select).value == FOLLOW_UP
        await pilot.pause()
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: isinstance(app.screen, ShellScreen))
        booked = fake.requests["book_appointment"][-1][0]
        assert (booked.patient_id, booked.provider_id, booked.waitlist_entry_id) == (2, LEE, 1)
        assert booked.starts_at == fake.appointments[6].starts_at  # the time the cancel freed
        panel = app.screen.query_one(SchedulePanel)
        await wait_for(pilot, lambda: said(panel).startswith("Booked from the waitlist: Johnson, Robert"))


async def test_escape_leaves_the_freed_time_free(fake: FakeGateway) -> None:
    app = PmsApp(fake)
    async with app.run_test(size=SIZE) as pilot:
        await cancel_lees_14_00(pilot, fake)
        await pilot.press("escape")
        await wait_for(pilot, lambda: isinstance(app.screen, ShellScreen))
        assert "book_appointment" not in fake.requests
        assert fake.appointments[6].status == ap.APPOINTMENT_STATUS_CANCELLED


async def test_a_move_offers_the_time_it_left_and_books_it_for_the_chosen_patient(fake: FakeGateway) -> None:
    app = PmsApp(fake)
    async with app.run_test(size=SIZE) as pilot:
        fake.offer_waitlist = True
        panel = await open_schedule(pilot)
        await move_to(pilot, panel, LEE, "14:00")  # Smith, Jonathan (confirmed)
        await pilot.press("m")
        await pilot.pause()
        await move_to(pilot, panel, LEE, "15:00")
        await pilot.press("enter")
        await wait_for(pilot, lambda: isinstance(app.screen, WaitlistOffersScreen))
        offers = app.screen
        assert isinstance(offers, WaitlistOffersScreen)
        # The offer is for the time the move left, not the one it took.
        assert text_of(offers.query_one("#offers-intro", Static)).startswith(f"{OFFERS_INTRO} (Tue 11/03 14:00).")
        assert [row[0] for row in rows_of(offers.query_one("#offers-table", DataTable))] == [
            "Johnson, Robert", "Garcia, Luis"]
        assert fake.appointments[6].local_start == "2026-11-03T15:00"
        await pilot.press("enter")
        await wait_for(pilot, lambda: isinstance(app.screen, BookAppointmentScreen) and app.screen.patient_id == 2)
        await pilot.pause()
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: isinstance(app.screen, ShellScreen))
        booked = fake.requests["book_appointment"][-1][0]
        assert (booked.patient_id, booked.provider_id, booked.waitlist_entry_id) == (2, LEE, 1)
        assert booked.starts_at.ToJsonString() == "2026-11-03T19:00:00Z"  # 14:00 in New York, the freed time
        assert fake.waitlist[1].status == "booked"
        await wait_for(pilot, lambda: said(panel).startswith("Booked from the waitlist: Johnson, Robert"))

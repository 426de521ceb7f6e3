"""Schedule mode against the fake gateway: book, move, cancel, lost races, the visit's steps, find-slot, the board.

The fake's day is Tuesday 11/03/2026 at Main Street Office (New York time), 10:40 in the morning:
Alvarez (NP), Lee (MD) and Patel (DO) work there; see tests/tui/fake_schedule.py.
"""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

import pytest
from textual.coordinate import Coordinate
from textual.pilot import Pilot
from textual.widgets import DataTable, Input, OptionList, Select, Static

from client_tui.app import PmsApp
from client_tui.screens import flow_board_screen
from client_tui.screens.appointment_screen import AppointmentScreen
from client_tui.screens.book_appointment_screen import BookAppointmentScreen
from client_tui.screens.cancel_appointment_screen import CancelAppointmentScreen
from client_tui.screens.find_slot_screen import FindSlotScreen
from client_tui.screens.flow_board_screen import FlowBoardScreen
from client_tui.screens.shell_screen import ShellScreen
from client_tui.widgets.free_slot_offer import FreeSlotOffer
from client_tui.widgets.mode_bar import ModeBar
from client_tui.widgets.schedule_panel import SchedulePanel
from client_tui.widgets.slot_grid import SlotGrid
from shared.pms.scheduling.v1 import appointments_pb2 as ap

from .fake_gateway import FakeGateway
from .fake_schedule import ALVAREZ, FOLLOW_UP, LEE, MAIN, PATEL, PROCEDURE
from .helpers import collect_notifications, enter_as, field_error, text_of, wait_for

SIZE = (100, 30)


def panel_of(pilot: Pilot[None]) -> SchedulePanel:
    return pilot.app.screen_stack[1].query_one(SchedulePanel)


def said(panel: SchedulePanel) -> str:
    return text_of(panel.query_one("#schedule-message", Static))


def detail(panel: SchedulePanel) -> str:
    return text_of(panel.query_one("#schedule-detail", Static))


def title(panel: SchedulePanel) -> str:
    return text_of(panel.query_one("#schedule-title", Static))


def shown_now(panel: SchedulePanel, provider_id: int, clock: str) -> str:
    """The text of a provider's cell at a time, as on screen."""
    layout, grid = panel.calendar, panel.query_one(SlotGrid)
    assert layout is not None
    hours, minutes = clock.split(":")
    row = layout.minutes.index(int(hours) * 60 + int(minutes))
    column = next(i for i, c in enumerate(layout.columns) if c.provider_id == provider_id)
    return str(grid.get_cell_at(Coordinate(row, column))).strip()


async def open_schedule(pilot: Pilot[None], username: str = "fran", password: str = "front-pass") -> SchedulePanel:
    await enter_as(pilot, username, password)
    await pilot.press("f12")
    panel = panel_of(pilot)
    grid = panel.query_one(SlotGrid)
    await wait_for(pilot, lambda: grid.row_count > 0)
    await pilot.pause()
    return panel


async def move_to(pilot: Pilot[None], panel: SchedulePanel, provider_id: int, clock: str) -> None:
    """Arrow keys to a provider's column and a time (counted from the grid shown, pressed one by one)."""
    layout = panel.calendar
    assert layout is not None
    hours, minutes = clock.split(":")
    row = layout.minutes.index(int(hours) * 60 + int(minutes))
    column = next(i for i, c in enumerate(layout.columns) if c.provider_id == provider_id)
    grid = panel.query_one(SlotGrid)
    await pilot.press("home", *["left"] * grid.cursor_column, *["right"] * column, *["down"] * row)
    await pilot.pause()
    cell = panel.cell
    assert cell is not None and (cell.column.provider_id, cell.minute) == (provider_id, row * 15 + layout.minutes[0])


async def reload_settled(pilot: Pilot[None], panel: SchedulePanel, calls_before: int, fake: FakeGateway) -> None:
    """Wait until the calendar was fetched again after an action."""
    await wait_for(pilot, lambda: fake.calls.count("get_day_schedule") > calls_before)
    await pilot.pause()
    await pilot.pause()


async def choose_patient(pilot: Pilot[None], typed: str) -> BookAppointmentScreen:
    await wait_for(pilot, lambda: isinstance(pilot.app.screen, BookAppointmentScreen))
    screen = pilot.app.screen
    assert isinstance(screen, BookAppointmentScreen)
    await pilot.press(*typed, "enter")
    results = screen.query_one("#patient-results", DataTable)
    await wait_for(pilot, lambda: results.row_count == 1 and results.has_focus)
    await pilot.press("enter")
    await wait_for(pilot, lambda: screen.patient_id != 0)
    await pilot.pause()
    return screen


async def choose_option(pilot: Pilot[None], select: Select[int], label: str) -> None:
    """Enter opens the list, arrows walk to ``label``, Enter takes it."""
    assert select.has_focus, "the choice should have the keys"
    await pilot.press("enter")
    await pilot.pause()
    overlay = select.query_one(OptionList)
    for _ in range(overlay.option_count):
        option = overlay.get_option_at_index(overlay.highlighted or 0)
        if str(option.prompt) == label:
            break
        await pilot.press("down")
    await pilot.press("enter")
    await pilot.pause()


# -- the day at a glance --------------------------------------------------------------------------


async def test_the_day_shows_providers_blocks_and_patients_with_their_status(fake: FakeGateway) -> None:
    app = PmsApp(fake)
    async with app.run_test(size=SIZE) as pilot:
        panel = await open_schedule(pilot)
        assert app.screen.query_one(ModeBar).query_one("#mode-schedule").has_class("-active")
        assert title(panel) == "Tuesday 11/03/2026 (today)"
        layout = panel.calendar
        assert layout is not None
        assert [c.title for c in layout.columns] == ["Alvarez, S NP", "Lee, A MD", "Patel, R DO"]
        assert (layout.minutes[0], layout.minutes[-1]) == (8 * 60, 16 * 60 + 45)  # the template hours

        def shown(provider_id: int, clock: str) -> str:
            return shown_now(panel, provider_id, clock)

        assert shown(LEE, "08:00") == "X Garcia, Luis 100106"  # checked out
        assert shown(LEE, "09:00") == "N Smith, Jonathan"  # a no-show: its time is free again
        assert shown(LEE, "09:30") == "S Johnson, Maria 100101"
        assert shown(LEE, "10:30") == "A Smith, Emily 100104"
        assert shown(LEE, "10:45") == "Annual physical"  # an appointment's second row names its type
        assert shown(LEE, "12:00").startswith("lunch")
        assert shown(PATEL, "14:00").startswith("time off · dentist")
        assert shown(PATEL, "16:00").startswith("admin")
        assert shown(ALVAREZ, "13:00").startswith("░")  # not working there then
        await move_to(pilot, panel, PATEL, "13:30")
        assert detail(panel) == "Johnson, Maria (MRN 100101) · 13:30-13:45 · Follow-up · scheduled · biopsy results"
        await pilot.press("pagedown")
        await wait_for(pilot, lambda: title(panel) == "Wednesday 11/04/2026")
        await wait_for(pilot, lambda: panel.calendar is not None and panel.calendar.columns[0].day.day == 4)
        assert shown_now(panel, ALVAREZ, "08:00").startswith("time off · vacation")
        await pilot.press("t")
        await wait_for(pilot, lambda: title(panel) == "Tuesday 11/03/2026 (today)")
        await pilot.press("g")
        await pilot.pause()
        await pilot.press("ctrl+a", "ctrl+k", *"11/09/2026", "enter")
        await wait_for(pilot, lambda: title(panel) == "Monday 11/09/2026")


async def test_week_view_shows_one_provider_seven_days(fake: FakeGateway) -> None:
    app = PmsApp(fake)
    async with app.run_test(size=SIZE) as pilot:
        panel = await open_schedule(pilot)
        await move_to(pilot, panel, LEE, "09:30")
        asked = len(fake.requests["get_day_schedule"])
        await pilot.press("w")
        await wait_for(pilot, lambda: panel.calendar is not None and len(panel.calendar.columns) == 7)
        assert title(panel) == "Week of Monday 11/02/2026"
        assert [c.title for c in panel.calendar.columns] == [
            "Mon 11/02", "Tue 11/03", "Wed 11/04", "Thu 11/05", "Fri 11/06", "Sat 11/07", "Sun 11/08"]
        week = fake.requests["get_day_schedule"][asked:]
        assert sorted(str(r[1]) for r in week) == [f"2026-11-0{d}" for d in range(2, 9)]
        assert all(r[2] == [LEE] for r in week)
        assert panel.cell is not None and panel.cell.appointment is not None  # still on the same visit
        assert panel.cell.appointment.patient_name == "Johnson, Maria"
        await pilot.press("pagedown")
        await wait_for(pilot, lambda: title(panel) == "Week of Monday 11/09/2026")
        await pilot.press("w")
        await wait_for(pilot, lambda: panel.calendar is not None and len(panel.calendar.columns) == 3)
        assert title(panel) == "Tuesday 11/10/2026"


# -- booking --------------------------------------------------------------------------------------


async def test_book_a_free_time_with_the_keyboard_only(fake: FakeGateway) -> None:
    app = PmsApp(fake)
    async with app.run_test(size=SIZE) as pilot:
        panel = await open_schedule(pilot)
        await move_to(pilot, panel, LEE, "11:00")
        assert detail(panel) == "Anna Lee, MD · Tue 11/03 11:00 · free"
        await pilot.press("enter")
        screen = await choose_patient(pilot, "garc")
        assert "Garcia, Luis A, MRN 100106" in text_of(screen.query_one("#book-patient", Static))
        await choose_option(pilot, screen.query_one("#book-type", Select), "Follow-up (15 min)")
        assert app.focused is not None and app.focused.id == "book-length"
        await pilot.press("enter", *"knee pain", "enter")
        await wait_for(pilot, lambda: isinstance(app.screen, ShellScreen))
        booked = fake.requests["book_appointment"][-1][0]
        assert (booked.patient_id, booked.provider_id, booked.location_id, booked.appointment_type_id) == (
            6, LEE, MAIN, FOLLOW_UP)
        assert booked.starts_at.ToDatetime(tzinfo=UTC) == datetime(2026, 11, 3, 16, 0, tzinfo=UTC)  # 11:00 EST
        assert (booked.duration_minutes, booked.visit_reason, booked.overbook) == (0, "knee pain", False)
        assert booked.idempotency_key
        await wait_for(pilot, lambda: said(panel).startswith("Booked"))
        assert said(panel) == "Booked: Garcia, Luis (MRN 100106), Tue 11/03 11:00, Follow-up with Anna Lee, MD."
        await wait_for(pilot, lambda: panel.cell is not None and panel.cell.appointment is not None)
        assert panel.cell is not None and panel.cell.appointment is not None
        assert panel.cell.appointment.visit_reason == "knee pain"  # the cursor is on the new appointment


async def test_a_lost_race_says_what_happened_and_books_an_offered_time(fake: FakeGateway) -> None:
    app = PmsApp(fake)
    async with app.run_test(size=SIZE) as pilot:
        panel = await open_schedule(pilot)
        await move_to(pilot, panel, LEE, "11:00")
        await pilot.press("enter")
        screen = await choose_patient(pilot, "johnson ro")
        await choose_option(pilot, screen.query_one("#book-type", Select), "Follow-up (15 min)")
        fake.someone_else_books(LEE, "2026-11-03T11:00")  # another desk is quicker
        await pilot.press("ctrl+s")
        offer = screen.query_one(FreeSlotOffer)
        await wait_for(pilot, lambda: offer.shown)
        assert isinstance(app.screen, BookAppointmentScreen)  # the dialog stays, with what was typed
        assert text_of(offer.query_one("#offer-text", Static)) == (
            "While you were choosing, another booking took that time (11:00 to 11:15), so nothing was booked. "
            "The next free times: Enter takes the highlighted one.")
        times = offer.query_one(OptionList)
        assert [str(times.get_option_at_index(i).prompt) for i in range(times.option_count)] == [
            "Tue 11/03 11:15", "Tue 11/03 11:30", "Tue 11/03 11:45"]
        assert times.has_focus
        await pilot.press("enter")
        await wait_for(pilot, lambda: isinstance(app.screen, ShellScreen))
        first, second = (call[0] for call in fake.requests["book_appointment"][-2:])
        assert second.starts_at.ToDatetime(tzinfo=UTC) == datetime(2026, 11, 3, 16, 15, tzinfo=UTC)
        assert first.idempotency_key != second.idempotency_key  # a different booking, not a retry
        await wait_for(pilot, lambda: said(panel).startswith("Booked"))
        assert "Tue 11/03 11:15" in said(panel)


async def test_outside_the_hours_is_said_and_only_a_manager_may_overbook(fake: FakeGateway) -> None:
    app = PmsApp(fake)
    async with app.run_test(size=SIZE) as pilot:
        panel = await open_schedule(pilot)
        await move_to(pilot, panel, LEE, "12:00")  # lunch
        await pilot.press("enter")
        screen = await choose_patient(pilot, "garc")
        assert not screen.query("#book-overbook")  # the front desk may not overbook
        await choose_option(pilot, screen.query_one("#book-type", Select), "Follow-up (15 min)")
        await pilot.press("ctrl+s")
        message = screen.query_one("#book-message", Static)
        await wait_for(pilot, lambda: "outside the provider's schedule" in text_of(message))
        assert text_of(message).endswith("Escape goes back to the calendar to pick an open time (F finds one).")
        assert isinstance(app.screen, BookAppointmentScreen)


# -- moving and cancelling ------------------------------------------------------------------------


async def test_move_to_another_day_and_provider_then_cancel_with_the_keyboard(fake: FakeGateway) -> None:
    app = PmsApp(fake)
    async with app.run_test(size=SIZE) as pilot:
        panel = await open_schedule(pilot)
        await move_to(pilot, panel, PATEL, "13:30")
        await pilot.press("m")
        await pilot.pause()
        assert said(panel) == ("Moving Johnson, Maria, Tue 11/03 13:30: pick the new time and provider, then Enter "
                               "(Escape leaves it).")
        bindings = {b.binding.action for b in app.screen.active_bindings.values() if b.enabled}
        assert "move_here" in bindings and "book" not in bindings
        await pilot.press("pagedown")
        await wait_for(pilot, lambda: title(panel) == "Wednesday 11/04/2026" and panel.calendar is not None
                       and panel.calendar.columns[0].day.day == 4)
        await move_to(pilot, panel, LEE, "10:00")
        await pilot.press("enter")
        await wait_for(pilot, lambda: said(panel).startswith("Moved"))
        assert said(panel) == "Moved: Johnson, Maria now Wed 11/04 10:00 with Anna Lee, MD."
        moved = fake.appointments[8]
        assert (moved.provider_id, moved.local_start) == (LEE, "2026-11-04T10:00")
        assert fake.requests["reschedule_appointment"][-1][:2] == (8, 1)  # the version shown
        await wait_for(pilot, lambda: panel.cell is not None and panel.cell.appointment is not None)
        assert panel.cell is not None and panel.cell.appointment is not None
        assert panel.cell.appointment.appointment_id == 8
        # Cancel Jonathan's 14:00 on Tuesday: reason "other" needs a note.
        await pilot.press("t")
        await wait_for(pilot, lambda: title(panel) == "Tuesday 11/03/2026 (today)")
        await reload_settled(pilot, panel, 0, fake)
        await move_to(pilot, panel, LEE, "14:00")
        await pilot.press("x")
        await wait_for(pilot, lambda: isinstance(app.screen, CancelAppointmentScreen))
        dialog = app.screen
        await choose_option(pilot, dialog.query_one("#cancel-reason", Select), "Other (say why)")
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: field_error(dialog, "note") == "is required when the reason is other")
        dialog.query_one("#cancel-note", Input).focus()
        await pilot.press(*"moving away", "enter")
        await wait_for(pilot, lambda: isinstance(app.screen, ShellScreen))
        assert fake.appointments[6].status == ap.APPOINTMENT_STATUS_CANCELLED
        assert fake.requests["cancel_appointment"][-1] == (6, 1, ap.CANCEL_REASON_OTHER, "moving away")
        await wait_for(pilot, lambda: said(panel).startswith("Cancelled"))
        assert said(panel) == "Cancelled: Smith, Jonathan, Tue 11/03 14:00. The time is free again."
        await wait_for(pilot, lambda: panel.cell is not None and panel.cell.kind == "available")


async def test_a_move_that_loses_its_race_offers_the_next_free_times(fake: FakeGateway) -> None:
    app = PmsApp(fake)
    async with app.run_test(size=SIZE) as pilot:
        panel = await open_schedule(pilot)
        await move_to(pilot, panel, PATEL, "15:00")  # Emily's rash follow-up
        await pilot.press("m")
        await move_to(pilot, panel, LEE, "15:30")
        fake.someone_else_books(LEE, "2026-11-03T15:30")
        await pilot.press("enter")
        await wait_for(pilot, lambda: len(app.screen_stack) == 3)
        offer = app.screen.query_one(FreeSlotOffer)
        assert "another booking took that time (15:30 to 15:45), so it was not moved" in text_of(
            offer.query_one("#offer-text", Static))
        await pilot.press("enter")  # the first offered time
        await wait_for(pilot, lambda: said(panel).startswith("Moved"))
        assert fake.appointments[9].local_start == "2026-11-03T15:45"


async def test_a_stale_change_reloads_and_says_so(fake: FakeGateway) -> None:
    app = PmsApp(fake)
    async with app.run_test(size=SIZE) as pilot:
        panel = await open_schedule(pilot)
        await move_to(pilot, panel, ALVAREZ, "11:00")
        fake.someone_else_changes(11)
        calls = fake.calls.count("get_day_schedule")
        await pilot.press("c")
        await wait_for(pilot, lambda: said(panel).startswith("Someone else changed this appointment"))
        await reload_settled(pilot, panel, calls, fake)
        assert fake.appointments[11].status == ap.APPOINTMENT_STATUS_SCHEDULED  # nothing was changed
        await pilot.press("c")  # with the version now shown
        await wait_for(pilot, lambda: fake.appointments[11].status == ap.APPOINTMENT_STATUS_CONFIRMED)


# -- the visit's steps ------------------------------------------------------------------------------


async def test_status_steps_from_the_calendar_and_refusals_in_words(fake: FakeGateway) -> None:
    app = PmsApp(fake)
    async with app.run_test(size=SIZE) as pilot:
        panel = await open_schedule(pilot)
        await move_to(pilot, panel, ALVAREZ, "11:00")
        grid = panel.query_one(SlotGrid)
        for key, status, words, mark in (
            ("c", ap.APPOINTMENT_STATUS_CONFIRMED, "Garcia, Luis is confirmed.", "C"),
            ("i", ap.APPOINTMENT_STATUS_ARRIVED, "Garcia, Luis is checked in. $ takes the copay.", "A"),
            ("r", ap.APPOINTMENT_STATUS_ROOMED, "Garcia, Luis is roomed.", "R"),
            ("s", ap.APPOINTMENT_STATUS_SEEN, "Garcia, Luis is seen by the provider.", "S"),
            # Check-out also makes the visit's encounter for the biller.
            ("o", ap.APPOINTMENT_STATUS_CHECKED_OUT,
             "Garcia, Luis is checked out; encounter 6 is on the biller's worklist.", "X"),
        ):
            await pilot.press(key)
            await wait_for(pilot, lambda status=status: fake.appointments[11].status == status)  # type: ignore[misc]
            await wait_for(pilot, lambda words=words: said(panel) == words)  # type: ignore[misc]
            await wait_for(pilot, lambda mark=mark: str(grid.get_cell_at(grid.cursor_coordinate)).startswith(
                f"{mark} Garcia"))  # type: ignore[misc]
        await pilot.press("c")  # the server refuses; its sentence is shown
        await wait_for(pilot, lambda: said(panel) == "An appointment that is checked out cannot become confirmed.")
        # Checking in is for the day of the appointment only.
        await pilot.press("pagedown")
        await wait_for(pilot, lambda: title(panel) == "Wednesday 11/04/2026")
        await reload_settled(pilot, panel, 0, fake)
        await move_to(pilot, panel, LEE, "09:00")
        await pilot.press("i")
        await wait_for(pilot, lambda: said(panel) == "A patient can be checked in on the day of the appointment only.")


async def test_the_appointment_screen_shows_history_and_moves_from_there(fake: FakeGateway) -> None:
    app = PmsApp(fake)
    async with app.run_test(size=SIZE) as pilot:
        panel = await open_schedule(pilot)
        await move_to(pilot, panel, LEE, "10:15")  # Robert, roomed
        await pilot.press("enter")
        await wait_for(pilot, lambda: isinstance(app.screen, AppointmentScreen) and app.screen.appointment is not None)
        screen = app.screen
        history = screen.query_one("#appointment-history", DataTable)
        await wait_for(pilot, lambda: history.row_count == 4)
        assert [str(history.get_row_at(i)[2]) for i in range(4)] == [
            "arrived → roomed", "confirmed → arrived", "scheduled → confirmed", "booked"]
        await pilot.press("s")
        await wait_for(pilot, lambda: history.row_count == 5)
        assert str(history.get_row_at(0)[2]) == "roomed → seen"
        assert "seen" in text_of(screen.query_one("#appointment-title", Static))
        await pilot.press("escape")
        await wait_for(pilot, lambda: isinstance(app.screen, ShellScreen))
        # A booked one can be moved from its screen: M goes back to the calendar to pick the time.
        await move_to(pilot, panel, PATEL, "15:00")
        await pilot.press("enter")
        await wait_for(pilot, lambda: isinstance(app.screen, AppointmentScreen) and app.screen.appointment is not None)
        await pilot.press("m")
        await wait_for(pilot, lambda: said(panel).startswith("Moving Smith, Emily"))


# -- find-slot --------------------------------------------------------------------------------------


async def test_find_slot_lists_what_the_server_found_and_enter_books_one(fake: FakeGateway) -> None:
    app = PmsApp(fake)
    async with app.run_test(size=SIZE) as pilot:
        panel = await open_schedule(pilot)
        await pilot.press("f")
        await wait_for(pilot, lambda: isinstance(app.screen, FindSlotScreen))
        screen = app.screen
        await choose_option(pilot, screen.query_one("#find-type", Select), "Procedure (45 min)")
        await choose_option(pilot, screen.query_one("#find-provider", Select), "Raj Patel, DO")
        assert app.focused is not None and app.focused.id == "find-location"
        await pilot.press("tab")  # Main Street Office, the calendar's location, is chosen already
        assert app.focused is not None and app.focused.id == "find-from"
        await pilot.press("ctrl+a", "ctrl+k", *"11/04/2026", "enter", "enter", *"9", "enter", *"10:30", "enter",
                          *"wed", "enter")
        results = screen.query_one("#find-results", DataTable)
        await wait_for(pilot, lambda: results.row_count > 0)
        asked = fake.requests["find_slots"][-1][0]
        assert (asked.appointment_type_id, list(asked.provider_ids), asked.location_id) == (PROCEDURE, [PATEL], MAIN)
        assert (asked.from_date.year, asked.from_date.month, asked.from_date.day) == (2026, 11, 4)
        assert (asked.earliest_minute, asked.latest_minute, list(asked.weekdays)) == (540, 630, [3])
        rows = [[str(cell) for cell in results.get_row_at(i)] for i in range(results.row_count)]
        assert rows[0] == ["Wed 11/04 09:00", "Raj Patel, DO", "Main Street Office", "45 min"]
        assert all(row[0].startswith("Wed ") and row[1] == "Raj Patel, DO" for row in rows)
        assert results.has_focus
        await pilot.press("down", "enter")  # the second: 09:15
        booking = await choose_patient(pilot, "smith jo")
        assert booking.query_one("#book-type", Select).value == PROCEDURE
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: isinstance(app.screen, ShellScreen))
        booked = fake.requests["book_appointment"][-1][0]
        assert booked.starts_at.ToDatetime(tzinfo=UTC) == datetime(2026, 11, 4, 14, 15, tzinfo=UTC)
        await wait_for(pilot, lambda: said(panel).startswith("Booked"))
        assert title(panel) == "Wednesday 11/04/2026"  # the calendar shows where it went
        await wait_for(pilot, lambda: panel.cell is not None and panel.cell.appointment is not None
                       and panel.cell.appointment.patient_name == "Smith, Jonathan")


async def test_find_slot_marks_what_it_cannot_read(fake: FakeGateway) -> None:
    app = PmsApp(fake)
    async with app.run_test(size=SIZE) as pilot:
        await open_schedule(pilot)
        await pilot.press("f")
        await wait_for(pilot, lambda: isinstance(app.screen, FindSlotScreen))
        screen = app.screen
        screen.query_one("#find-earliest", Input).value = "half past nine"
        screen.query_one("#find-weekdays", Input).value = "Mon Funday"
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert field_error(screen, "earliest_minute") == "type a time as HH:MM, e.g. 08:30 or 2:15 pm"
        assert field_error(screen, "weekdays").startswith("name the days")
        assert "find_slots" not in fake.requests
        screen.query_one("#find-earliest", Input).value = ""
        screen.query_one("#find-weekdays", Input).value = ""
        await pilot.press("ctrl+s")  # no type chosen: the server says so beside the field
        await wait_for(pilot, lambda: "is not an active appointment type" in field_error(screen, "appointment_type_id"))


# -- the flow board ---------------------------------------------------------------------------------


async def test_flow_board_steps_refresh_by_key_and_by_timer(fake: FakeGateway, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(flow_board_screen, "REFRESH_SECONDS", 0.3)
    app = PmsApp(fake)
    async with app.run_test(size=SIZE) as pilot:
        await open_schedule(pilot)
        await pilot.press("b")
        await wait_for(pilot, lambda: isinstance(app.screen, FlowBoardScreen))
        board = app.screen
        table = board.query_one("#board-table", DataTable)
        await wait_for(pilot, lambda: table.row_count == 11)

        def row_of(name: str) -> list[str]:
            for index in range(table.row_count):
                row = [str(cell) for cell in table.get_row_at(index)]
                if row[1] == name:
                    return row
            raise AssertionError(name)

        assert row_of("Smith, Emily")[:6] == ["10:30", "Smith, Emily", "Lee, A", " Annual phys… ", "arrived",
                                              "20 min"]
        assert row_of("Johnson, Robert")[4:] == ["roomed", "23 min", "12 min", "—"]
        assert "as of 10:40" in text_of(board.query_one("#board-title", Static))
        index = next(i for i in range(table.row_count) if str(table.get_row_at(i)[1]) == "Smith, Emily")
        await pilot.press(*["down"] * index, "r")
        await wait_for(pilot, lambda: row_of("Smith, Emily")[4] == "roomed")
        assert text_of(board.query_one("#board-message", Static)) == "Smith, Emily is roomed."
        assert str(table.get_row_at(table.cursor_row)[1]) == "Smith, Emily"  # the cursor stays on her
        # The board refreshes by itself: five minutes later she has been in the room for five minutes.
        fake.schedule_now += timedelta(minutes=5)
        await wait_for(pilot, lambda: row_of("Smith, Emily")[5] == "5 min")
        assert row_of("Smith, Emily")[6] == "20 min"  # waited: arrived 10:20, roomed 10:40
        fake.schedule_now += timedelta(minutes=5)
        await pilot.press("ctrl+r")
        await wait_for(pilot, lambda: row_of("Smith, Emily")[5] == "10 min")
        await pilot.press("escape")
        await wait_for(pilot, lambda: isinstance(app.screen, ShellScreen))


# -- permissions --------------------------------------------------------------------------------------


async def test_read_only_roles_see_the_schedule_without_booking_keys(fake: FakeGateway) -> None:
    fake.add_account("pia", "Pia Provider", ["provider"], "provider-pass")
    app = PmsApp(fake)
    async with app.run_test(size=SIZE) as pilot:
        await enter_as(pilot, "pia", "provider-pass")
        assert app.screen.query_one(ModeBar).mode == "schedule"  # a provider's day is the schedule
        panel = panel_of(pilot)
        await wait_for(pilot, lambda: panel.query_one(SlotGrid).row_count > 0)
        await pilot.pause()
        await move_to(pilot, panel, LEE, "11:00")
        enabled = {b.binding.action for b in app.screen.active_bindings.values() if b.enabled}
        assert "book" not in enabled and "find_slot" in enabled
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, ShellScreen)
        await move_to(pilot, panel, LEE, "09:30")
        enabled = {b.binding.action for b in app.screen.active_bindings.values() if b.enabled}
        assert "open_appointment" in enabled and not enabled & {"step", "cancel_appointment", "move_appointment"}
        await pilot.press("c")
        await pilot.pause()
        assert "change_appointment_status" not in fake.requests


async def test_no_schedule_mode_without_the_permission(fake: FakeGateway) -> None:
    app = PmsApp(fake)
    async with app.run_test(size=SIZE) as pilot:
        notes = collect_notifications(app)
        await enter_as(pilot, "admin", "admin-pass")
        screen = app.screen
        assert not screen.query("#mode-schedule") and not screen.query(SchedulePanel)
        await pilot.press("f12")
        await pilot.pause()
        assert screen.query_one(ModeBar).mode == "admin"
        assert not any(call.startswith(("get_day", "list_loc")) for call in fake.calls)
        assert not notes


async def test_command_palette_finds_a_slot_from_the_front_desk(fake: FakeGateway) -> None:
    app = PmsApp(fake)
    async with app.run_test(size=SIZE) as pilot:
        await enter_as(pilot, "fran", "front-pass")  # Front desk mode: the schedule is not loaded yet
        await pilot.press("ctrl+p")
        await pilot.pause()
        await pilot.press(*"find slot")
        await asyncio.sleep(0.5)  # the palette searches in the background
        await pilot.press("enter")
        await wait_for(pilot, lambda: isinstance(app.screen, FindSlotScreen))
        assert app.screen_stack[1].query_one(ModeBar).mode == "schedule"

"""Recurring series from Schedule mode (U on a free time) against the fake: preview, conflicts, booking, errors.

The fake's day is Tuesday 11/03/2026 at Main Street Office; Dr. Lee works weekdays 08:00-17:00 with lunch at
12:00 (see tests/tui/fake_schedule.py, whose series follow server/scheduling/series.py).
"""

from __future__ import annotations

from datetime import UTC, datetime

from textual.pilot import Pilot
from textual.widgets import DataTable, Input, Select, Static

from client_tui.app import PmsApp
from client_tui.screens.book_series_screen import BookSeriesScreen
from client_tui.screens.shell_screen import ShellScreen
from shared.pms.scheduling.v1 import appointments_pb2 as ap

from .fake_gateway import FakeGateway
from .fake_schedule import FOLLOW_UP, LEE, MAIN
from .helpers import field_error, text_of, wait_for
from .test_schedule import choose_option, move_to, open_schedule, said

SIZE = (80, 24)  # the smallest terminal it must read well on


def rows_of(screen: BookSeriesScreen) -> list[list[str]]:
    table = screen.query_one("#series-table", DataTable)
    return [[str(cell) for cell in table.get_row_at(i)] for i in range(table.row_count)]


def message(screen: BookSeriesScreen) -> str:
    return text_of(screen.query_one("#series-message", Static))


async def open_series(pilot: Pilot[None], clock: str = "11:00", patient: str = "garc") -> BookSeriesScreen:
    """U on Dr. Lee's free time, the patient found inline, the type chosen: the cursor is in the visit reason."""
    panel = await open_schedule(pilot)
    await move_to(pilot, panel, LEE, clock)
    await pilot.press("u")
    await wait_for(pilot, lambda: isinstance(pilot.app.screen, BookSeriesScreen))
    screen = pilot.app.screen
    assert isinstance(screen, BookSeriesScreen)
    await pilot.press(*patient, "enter")
    results = screen.query_one("#patient-results", DataTable)
    await wait_for(pilot, lambda: results.row_count == 1 and results.has_focus)
    await pilot.press("enter")
    await wait_for(pilot, lambda: screen.patient_id != 0)
    await pilot.pause()
    assert not results.display  # the results give their room to the visits once the patient is chosen
    await choose_option(pilot, screen.query_one("#series-type", Select), "Follow-up (15 min)")
    assert pilot.app.focused is not None and pilot.app.focused.id == "series-reason"
    return screen


async def test_book_a_weekly_series_with_the_keyboard_only(fake: FakeGateway) -> None:
    app = PmsApp(fake)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_series(pilot)
        assert text_of(screen.query_one("#series-title", Static)) == (
            "Series: Anna Lee, MD, Main Street Office, from Tue 11/03/2026 11:00"
        )
        assert text_of(screen.query_one("#series-patient", Static)).startswith("Patient: Garcia, Luis A, MRN 100106")
        # Reason, Enter; Repeat stays weekly (Tab past it); every 1 week; 4 visits, Enter previews.
        await pilot.press(*"physio", "enter", "tab", "enter", *"4", "enter")
        await wait_for(pilot, lambda: len(rows_of(screen)) == 4)
        assert rows_of(screen) == [
            [str(n), f"Tue {day} 11:00", "free"]
            for n, day in enumerate(("11/03/2026", "11/10/2026", "11/17/2026", "11/24/2026"), start=1)
        ]
        assert message(screen) == "4 visits, all free: Ctrl+S books them."
        sent = fake.requests["preview_series"][-1][0]
        assert (sent.recurrence.frequency, sent.recurrence.interval, sent.recurrence.count) == (
            ap.FREQUENCY_WEEKLY,
            1,
            4,
        )
        assert not fake.requests.get("book_series")  # a preview books nothing
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: screen.result is not None)
        booked = fake.requests["book_series"][-1][0]
        first = booked.first
        assert (first.patient_id, first.provider_id, first.location_id, first.appointment_type_id) == (
            6,
            LEE,
            MAIN,
            FOLLOW_UP,
        )
        assert first.starts_at.ToDatetime(tzinfo=UTC) == datetime(2026, 11, 3, 16, 0, tzinfo=UTC)  # 11:00 EST
        assert (first.visit_reason, booked.skip_conflicts) == ("physio", False)
        assert booked.idempotency_key
        assert [row[2] for row in rows_of(screen)] == ["booked"] * 4
        assert message(screen) == "Booked 4 of 4 visits for Garcia, Luis A. Escape goes back to the calendar."
        made = [a for a in fake.appointments.values() if a.patient_id == 6 and a.visit_reason == "physio"]
        assert [a.local_start for a in made] == [f"2026-11-{d}T11:00" for d in ("03", "10", "17", "24")]
        await pilot.press("escape")
        await wait_for(pilot, lambda: isinstance(app.screen, ShellScreen))
        panel = app.screen.query_one("SchedulePanel")
        await wait_for(pilot, lambda: said(panel).startswith("Booked a series"))  # type: ignore[arg-type]
        assert said(panel) == "Booked a series of 4 visits, Tue 11/03 11:00 to Tue 11/24 11:00."  # type: ignore[arg-type]


async def test_preview_marks_a_taken_visit_and_book_skips_it_only_once_seen(fake: FakeGateway) -> None:
    app = PmsApp(fake)
    async with app.run_test(size=SIZE) as pilot:
        fake.someone_else_books(LEE, "2026-11-17T11:00")  # the third Tuesday is taken
        screen = await open_series(pilot)
        await pilot.press("tab", "tab", "tab", *"4")  # past Repeat and Every to Visits
        # Booking before any preview: the server refuses the whole series, and the screen shows which visit.
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: len(rows_of(screen)) == 4)
        assert rows_of(screen)[2] == ["3", "Tue 11/17/2026 11:00", "no: the provider is booked then"]
        assert [row[2] for row in rows_of(screen)[:2] + rows_of(screen)[3:]] == ["free"] * 3
        assert message(screen) == (
            "Nothing was booked: 1 of the 4 visits cannot be booked (marked below): Ctrl+S books the 3 free ones and "
            "skips it; or change the series."
        )
        assert screen.result is None and not any(
            a.patient_id == 6 and a.local_start.startswith("2026-11-10") for a in fake.appointments.values()
        )
        # Now the clerk has seen it: Ctrl+S books the free ones and says what it skipped.
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: screen.result is not None)
        assert fake.requests["book_series"][-1][0].skip_conflicts
        assert [row[2] for row in rows_of(screen)] == [
            "booked",
            "booked",
            "skipped: the provider is booked then",
            "booked",
        ]
        assert message(screen) == (
            "Booked 3 of 4 visits for Garcia, Luis A; skipped 1 (marked). Escape goes back to the calendar."
        )
        await pilot.press("escape")
        await wait_for(pilot, lambda: isinstance(app.screen, ShellScreen))
        panel = app.screen.query_one("SchedulePanel")
        await wait_for(pilot, lambda: said(panel).startswith("Booked a series"))  # type: ignore[arg-type]
        assert said(panel).endswith("; 1 skipped (taken or outside the hours).")  # type: ignore[arg-type]


async def test_a_monthly_series_until_a_date_keeps_the_weekday_of_the_month(fake: FakeGateway) -> None:
    app = PmsApp(fake)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_series(pilot)
        screen.query_one("#series-frequency", Select).value = ap.FREQUENCY_MONTHLY
        screen.query_one("#series-until", Input).value = "02/28/2027"
        await pilot.pause()
        assert text_of(screen.query_one("#series-every .form-field--label", Static)) == "Every (months)"
        await pilot.press("ctrl+r")
        await wait_for(pilot, lambda: len(rows_of(screen)) == 4)
        # The first Tuesday of each month.
        assert [row[1] for row in rows_of(screen)] == [
            "Tue 11/03/2026 11:00",
            "Tue 12/01/2026 11:00",
            "Tue 01/05/2027 11:00",
            "Tue 02/02/2027 11:00",
        ]


async def test_bad_input_is_marked_beside_its_field(fake: FakeGateway) -> None:
    app = PmsApp(fake)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_series(pilot)
        # What the screen cannot read is marked before anything is sent.
        screen.query_one("#series-until", Input).value = "next tuesday"
        await pilot.press("ctrl+r")
        await pilot.pause()
        assert field_error(screen, "until") == "type the date as MM/DD/YYYY"
        assert message(screen) == "Please correct the field marked."
        assert not fake.requests.get("preview_series")
        assert app.focused is screen.query_one("#series-until", Input)
        # What the server refuses goes beside its field too: one visit is no series.
        await pilot.press("ctrl+a", "ctrl+k")
        screen.query_one("#series-count", Input).value = "1"
        await pilot.press("ctrl+r")
        await wait_for(pilot, lambda: field_error(screen, "count") != "")
        assert field_error(screen, "count") == "must be 2 to 52"
        assert field_error(screen, "until") == ""
        assert message(screen) == "Please correct the field marked."
        assert app.focused is screen.query_one("#series-count", Input)
        assert rows_of(screen) == []


async def test_u_needs_a_free_time_and_the_right_to_book(fake: FakeGateway) -> None:
    app = PmsApp(fake)
    async with app.run_test(size=SIZE) as pilot:
        panel = await open_schedule(pilot)
        await move_to(pilot, panel, LEE, "09:30")  # a booked time
        await pilot.press("u")
        await pilot.pause()
        assert isinstance(app.screen, ShellScreen)
        await move_to(pilot, panel, LEE, "11:00")
        await pilot.press("u")
        await wait_for(pilot, lambda: isinstance(app.screen, BookSeriesScreen))
        await pilot.press("escape")
        await wait_for(pilot, lambda: isinstance(app.screen, ShellScreen))
        assert not fake.requests.get("book_series")

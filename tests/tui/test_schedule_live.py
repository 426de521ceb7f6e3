"""The calendar stays live: other desks' changes appear without a key, and a watch the server ends is renewed.

The fake sends its own bookings, moves, cancellations and steps to the open watches (tests/tui/fake_schedule.py),
so a booking a test makes through the fake is one made "at another desk".
"""

from __future__ import annotations

from datetime import date

import pytest
from textual.widgets import Static

from client_tui.app import PmsApp
from client_tui.widgets import schedule_panel
from shared.pms.scheduling.v1 import appointments_pb2 as ap

from .fake_gateway import FakeGateway
from .fake_schedule import LEE, MAIN, PATEL, local, stamp
from .helpers import text_of, wait_for
from .test_schedule import SIZE, open_schedule, shown_now

TUESDAY = date(2026, 11, 3)


def watch_label(panel: schedule_panel.SchedulePanel) -> str:
    return text_of(panel.query_one("#schedule-watch", Static))


async def test_a_booking_made_at_another_desk_appears_without_a_key(fake: FakeGateway) -> None:
    app = PmsApp(fake)
    async with app.run_test(size=SIZE) as pilot:
        panel = await open_schedule(pilot)
        await wait_for(pilot, lambda: watch_label(panel) == "● live")
        assert fake.watch_requests == [(MAIN, (TUESDAY,))]
        assert shown_now(panel, LEE, "11:00") == ""
        fetched = fake.calls.count("get_day_schedule")
        # Another desk books Dr. Lee at 11:00 and, in the same burst, moves Patel's 15:00 visit.
        await fake.book_appointment(ap.BookAppointmentRequest(
            patient_id=6, provider_id=LEE, location_id=MAIN, appointment_type_id=1,
            starts_at=stamp(local(TUESDAY, 11)), visit_reason="knee pain"))
        await fake.reschedule_appointment(9, 1, local(TUESDAY, 15, 30))
        await wait_for(pilot, lambda: "Garcia, Luis" in shown_now(panel, LEE, "11:00"))
        assert "Smith, Emily" in shown_now(panel, PATEL, "15:30")
        await pilot.pause(0.3)
        assert fake.calls.count("get_day_schedule") == fetched + 1  # the burst was fetched once


async def test_changes_on_days_not_shown_are_not_fetched(fake: FakeGateway) -> None:
    app = PmsApp(fake)
    async with app.run_test(size=SIZE) as pilot:
        panel = await open_schedule(pilot)
        await wait_for(pilot, lambda: watch_label(panel) == "● live")
        await pilot.press("pagedown")  # Wednesday: the watch follows the day shown
        await wait_for(pilot, lambda: fake.watch_requests[-1] == (MAIN, (date(2026, 11, 4),)))
        await wait_for(pilot, lambda: fake.watches_open == 1)
        fetched = fake.calls.count("get_day_schedule")
        fake.someone_else_books(LEE, "2026-11-03T11:00")  # Tuesday, not on screen
        await pilot.pause(0.4)
        assert fake.calls.count("get_day_schedule") == fetched
        fake.someone_else_books(LEE, "2026-11-04T11:00")
        await wait_for(pilot, lambda: "Garcia, Luis" in shown_now(panel, LEE, "11:00"))
        await pilot.press("w")  # the week: one watch over its seven days
        await wait_for(pilot, lambda: len(fake.watch_requests[-1][1]) == 7)


async def test_the_watch_is_renewed_after_the_server_ends_it(fake: FakeGateway,
                                                             monkeypatch: pytest.MonkeyPatch) -> None:
    # Long enough that a loaded machine still sees the gap (0.3 s was missed under CI load once).
    monkeypatch.setattr(schedule_panel, "WATCH_RETRY_SECONDS", (1.5,))
    app = PmsApp(fake)
    async with app.run_test(size=SIZE) as pilot:
        panel = await open_schedule(pilot)
        await wait_for(pilot, lambda: watch_label(panel) == "● live")
        fetched = fake.calls.count("get_day_schedule")
        fake.end_watches()  # the connection reached its age limit
        await wait_for(pilot, lambda: watch_label(panel) == "○ reconnecting…")
        # While it was down another desk booked: once watching again, the day is fetched anew.
        fake.someone_else_books(LEE, "2026-11-03T11:00")
        await wait_for(pilot, lambda: watch_label(panel) == "● live", 8.0)
        assert len(fake.watch_requests) == 2
        await wait_for(pilot, lambda: "Garcia, Luis" in shown_now(panel, LEE, "11:00"))
        assert fake.calls.count("get_day_schedule") > fetched
        # And the renewed watch carries changes as the first did.
        fake.someone_else_books(LEE, "2026-11-03T11:30")
        await wait_for(pilot, lambda: "Garcia, Luis" in shown_now(panel, LEE, "11:30"))

"""Recalls from Schedule mode (E) against the fake: the due-by filter, adding, closing, booking for a recall.

The fake's recalls (see tests/tui/fake_schedule.py): Maria Johnson's annual physical with Lee due
11/20/2026, Luis Garcia's diabetes follow-up due 12/15/2026, Robert Johnson's physical due 03/01/2027.
"""

from __future__ import annotations

from datetime import date

from textual.pilot import Pilot
from textual.widgets import DataTable, Input, Select, Static

from client_tui.app import PmsApp
from client_tui.screens.find_slot_screen import FindSlotScreen
from client_tui.screens.recalls_screen import AddRecallScreen, CloseRecallScreen, RecallsScreen, end_of_next_month
from client_tui.screens.shell_screen import ShellScreen

from .fake_gateway import FakeGateway
from .fake_schedule import LEE, PHYSICAL
from .helpers import field_error, text_of, wait_for
from .test_schedule import SIZE, open_schedule


def rows_of(table: DataTable[object]) -> list[list[str]]:
    return [[str(cell) for cell in table.get_row_at(i)] for i in range(table.row_count)]


async def open_recalls(pilot: Pilot[None]) -> RecallsScreen:
    await open_schedule(pilot)
    await pilot.press("e")
    await wait_for(pilot, lambda: isinstance(pilot.app.screen, RecallsScreen))
    screen = pilot.app.screen
    assert isinstance(screen, RecallsScreen)
    await wait_for(pilot, lambda: screen.query_one("#recalls-table", DataTable).row_count > 0)
    return screen


def test_end_of_next_month() -> None:
    assert end_of_next_month(date(2026, 11, 3)) == date(2026, 12, 31)
    assert end_of_next_month(date(2026, 12, 31)) == date(2027, 1, 31)
    assert end_of_next_month(date(2027, 1, 15)) == date(2027, 2, 28)


async def test_e_lists_recalls_due_by_end_of_next_month_and_the_filter_widens(fake: FakeGateway) -> None:
    app = PmsApp(fake)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_recalls(pilot)
        assert fake.requests["list_recalls"][-1][0] == date(2026, 12, 31)
        table = screen.query_one("#recalls-table", DataTable)
        rows = rows_of(table)
        assert rows[0] == ["11/20/2026", "Johnson, Maria", rows[0][2], "Annual physical", "Anna Lee, MD", "due"]
        assert [r[1] for r in rows] == ["Johnson, Maria", "Garcia, Luis"]
        assert rows[1][4] == "any"
        due_by = screen.query_one("#recalls-due-by", Input)
        due_by.focus()
        await pilot.press("ctrl+a", "ctrl+k", *"03/31/2027", "enter")
        await wait_for(pilot, lambda: table.row_count == 3)
        assert table.has_focus


async def test_n_adds_a_recall_with_the_servers_field_errors(fake: FakeGateway) -> None:
    app = PmsApp(fake)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_recalls(pilot)
        await pilot.press("n")
        await wait_for(pilot, lambda: isinstance(app.screen, AddRecallScreen))
        form = app.screen
        assert isinstance(form, AddRecallScreen)
        await pilot.press(*"smith jo", "enter")
        results = form.query_one("#patient-results", DataTable)
        await wait_for(pilot, lambda: results.row_count == 1 and results.has_focus)
        await pilot.press("enter")
        await wait_for(pilot, lambda: form.patient_id == 3)
        await pilot.pause()
        assert form.query_one("#recall-due", Input).has_focus
        await pilot.press(*"12/01/2026", "enter", "ctrl+s")  # no reason yet
        await wait_for(pilot, lambda: field_error(form, "reason") == "is required")
        await pilot.press(*"Annual physical", "ctrl+s")
        await wait_for(pilot, lambda: app.screen is screen)
        table = screen.query_one("#recalls-table", DataTable)
        await wait_for(pilot, lambda: table.row_count == 3)
        sent = fake.requests["add_recall"][-1][0]
        assert (sent.patient_id, sent.reason, sent.due_date.month) == (3, "Annual physical", 12)


async def test_d_closes_with_a_note_the_server_requires(fake: FakeGateway) -> None:
    app = PmsApp(fake)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_recalls(pilot)
        await pilot.press("d")
        await wait_for(pilot, lambda: isinstance(app.screen, CloseRecallScreen))
        dialog = app.screen
        await pilot.press("enter")
        await wait_for(pilot, lambda: field_error(dialog, "note").startswith("is required"))
        await pilot.press(*"patient declined", "enter")
        await wait_for(pilot, lambda: app.screen is screen)
        table = screen.query_one("#recalls-table", DataTable)
        await wait_for(pilot, lambda: table.row_count == 1)
        assert fake.requests["close_recall"][-1] == (1, "patient declined")
        assert "1 due" in text_of(screen.query_one("#recalls-message", Static))


async def test_enter_finds_a_time_and_books_it_for_the_recall(fake: FakeGateway) -> None:
    app = PmsApp(fake)
    async with app.run_test(size=SIZE) as pilot:
        await open_recalls(pilot)
        await pilot.press("enter")
        await wait_for(pilot, lambda: isinstance(app.screen, FindSlotScreen))
        finder = app.screen
        assert finder.query_one("#find-type", Select).value == PHYSICAL
        assert finder.query_one("#find-provider", Select).value == LEE
        await pilot.press("ctrl+s")
        results = finder.query_one("#find-results", DataTable)
        await wait_for(pilot, lambda: results.row_count > 0 and results.has_focus)
        await pilot.press("enter")
        await wait_for(pilot, lambda: getattr(app.screen, "patient_id", 0) == 1)
        await pilot.pause()
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: isinstance(app.screen, ShellScreen))
        booked = fake.requests["book_appointment"][-1][0]
        assert (booked.patient_id, booked.recall_id) == (1, 1)
        assert fake.recalls[1].status == "booked"

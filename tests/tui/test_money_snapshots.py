"""What the bank deposit and the day sheet look like with the fake gateway's fixed data, at 100x30.

Update with ``pytest tests/tui/test_money_snapshots.py --snapshot-update`` only after looking at the new pictures
(``tests/tui/__snapshots__/``): a screen that is hard to read is a bug.
"""

from __future__ import annotations

from textual.pilot import Pilot
from textual.widgets import DataTable

from client_tui.app import PmsApp
from client_tui.screens.day_sheet_screen import DaySheetScreen
from client_tui.screens.deposit_screen import DepositScreen
from client_tui.screens.remittances_screen import RemittancesScreen

from .fake_gateway import FakeGateway
from .helpers import enter_as, wait_for
from .test_snapshots import stop_cursor_blinking


async def eras(pilot: Pilot[None], fake: FakeGateway) -> None:
    fake.add_account("bea", "Bea Biller", ["biller"], "biller-pass")
    await enter_as(pilot, "bea", "biller-pass")
    await wait_for(pilot, lambda: pilot.app.screen.query_one("#worklist", DataTable).row_count == 2)
    await pilot.press("c")
    await wait_for(pilot, lambda: pilot.app.screen.query_one("#claims-table", DataTable).row_count == 8)
    await pilot.press("e")
    await wait_for(pilot, lambda: isinstance(pilot.app.screen, RemittancesScreen) and pilot.app.screen.loaded)


def test_deposit(snap_compare, fake: FakeGateway) -> None:  # type: ignore[no-untyped-def]
    """Four items waiting for the bank (a check, cash, a card payment and the Aetna ERA); the check and the ERA
    chosen, their totals by method under the table; the deposit date and bank reference; deposit 1 below."""

    async def choose(pilot: Pilot[None]) -> None:
        await eras(pilot, fake)
        await pilot.press("g")
        await wait_for(pilot, lambda: isinstance(pilot.app.screen, DepositScreen) and pilot.app.screen.loaded)
        await pilot.press("space", "down", "down", "space")
        await pilot.pause()
        stop_cursor_blinking(pilot)

    assert snap_compare(PmsApp(fake), terminal_size=(100, 30), run_before=choose)


def test_day_sheet(snap_compare, fake: FakeGateway) -> None:  # type: ignore[no-untyped-def]
    """Today's open day sheet: every figure for the day and for bill and fran."""

    async def show(pilot: Pilot[None]) -> None:
        await eras(pilot, fake)
        await pilot.press("y")
        await wait_for(pilot, lambda: isinstance(pilot.app.screen, DaySheetScreen)
                       and pilot.app.screen.sheet is not None)
        await pilot.pause()
        stop_cursor_blinking(pilot)

    assert snap_compare(PmsApp(fake), terminal_size=(100, 30), run_before=show)

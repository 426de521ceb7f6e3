"""What the statements screen (T in the claims worklist) looks like with the fake gateway's fixed data, at 100x30.

Update with ``pytest tests/tui/test_statements_snapshots.py --snapshot-update`` only after looking at the new pictures
(``tests/tui/__snapshots__/``): a screen that is hard to read is a bug.
"""

from __future__ import annotations

from textual.pilot import Pilot
from textual.widgets import DataTable

from client_tui.app import PmsApp
from client_tui.screens.statements_screen import StatementsScreen

from .fake_gateway import FakeGateway
from .helpers import enter_as, wait_for
from .test_snapshots import stop_cursor_blinking


def test_statement_run(snap_compare, fake: FakeGateway) -> None:  # type: ignore[no-untyped-def]
    """Today's preview (3 statements, $427.50; 1 account to collections; who is left out), the settings line, run 1
    of 10/04/2026 highlighted with its two printed statements below and the first one's details; the footer's keys."""

    async def show(pilot: Pilot[None]) -> None:
        fake.grant_statement_permissions()
        fake.add_account("bea", "Bea Biller", ["biller"], "biller-pass")
        await enter_as(pilot, "bea", "biller-pass")
        await wait_for(pilot, lambda: pilot.app.screen.query_one("#worklist", DataTable).row_count == 2)
        await pilot.press("c")
        await wait_for(pilot, lambda: pilot.app.screen.query_one("#claims-table", DataTable).row_count == 8)
        await pilot.press("t")
        await wait_for(pilot, lambda: isinstance(pilot.app.screen, StatementsScreen) and pilot.app.screen.loaded
                       and len(pilot.app.screen.statements) == 2)
        await pilot.pause()
        stop_cursor_blinking(pilot)

    assert snap_compare(PmsApp(fake), terminal_size=(100, 30), run_before=show)

"""What the patient's account and an ERA's preview look like with the fake gateway's fixed data, at 100x30.

Update with ``pytest tests/tui/test_payments_snapshots.py --snapshot-update`` only after looking at the new pictures
(``tests/tui/__snapshots__/``): a screen that is hard to read is a bug.
"""

from __future__ import annotations

from pathlib import Path

from textual.pilot import Pilot
from textual.widgets import DataTable, Input

from client_tui.app import PmsApp
from client_tui.screens.patient_account_screen import PatientAccountScreen
from client_tui.screens.remittances_screen import RemittancePreviewScreen, RemittancesScreen

from .fake_gateway import FakeGateway
from .fake_payments import ERA_FILE
from .helpers import enter_as, open_patient, wait_for
from .test_snapshots import stop_cursor_blinking


def test_patient_account(snap_compare, fake: FakeGateway) -> None:  # type: ignore[no-untyped-def]
    """Maria's ledger: two charges, what Aetna paid and wrote off, the coinsurance moved to her, then her $50.00
    check (the $30.00 left kept as credit); the totals and where the check went under it."""

    async def pay_and_show_the_account(pilot: Pilot[None]) -> None:
        await enter_as(pilot, "fran", "front-pass")
        await open_patient(pilot, 1)
        await pilot.press("b")
        await wait_for(pilot, lambda: isinstance(pilot.app.screen, PatientAccountScreen)
                       and pilot.app.screen.ledger is not None)
        await pilot.press("p")
        await pilot.pause()
        await pilot.press(*"50", "ctrl+s")
        await wait_for(pilot, lambda: isinstance(pilot.app.screen, PatientAccountScreen)
                       and pilot.app.screen.query_one("#ledger-table", DataTable).row_count == 6)
        await pilot.pause()
        stop_cursor_blinking(pilot)

    assert snap_compare(PmsApp(fake), terminal_size=(100, 30), run_before=pay_and_show_the_account)


def test_era_preview(snap_compare, fake: FakeGateway, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    """An imported Aetna ERA before posting: two ready claim payments (one all denied) and one exception with its
    reason under the table."""
    era_file = tmp_path / "aetna_1102.835"
    era_file.write_bytes(ERA_FILE)

    async def import_and_preview(pilot: Pilot[None]) -> None:
        fake.add_account("bea", "Bea Biller", ["biller"], "biller-pass")
        await enter_as(pilot, "bea", "biller-pass")
        await wait_for(pilot, lambda: pilot.app.screen.query_one("#worklist", DataTable).row_count == 2)
        await pilot.press("c")
        await wait_for(pilot, lambda: pilot.app.screen.query_one("#claims-table", DataTable).row_count == 8)
        await pilot.press("e")
        await wait_for(pilot, lambda: isinstance(pilot.app.screen, RemittancesScreen) and pilot.app.screen.loaded)
        await pilot.press("i")
        await pilot.pause()
        pilot.app.screen.query_one("#era-path", Input).value = str(era_file)
        await pilot.press("enter")
        await wait_for(pilot, lambda: isinstance(pilot.app.screen, RemittancesScreen)
                       and pilot.app.screen.query_one("#eras-table", DataTable).row_count == 2)
        await pilot.press("enter")
        await wait_for(pilot, lambda: isinstance(pilot.app.screen, RemittancePreviewScreen)
                       and pilot.app.screen.detail is not None)
        await pilot.pause()
        stop_cursor_blinking(pilot)

    assert snap_compare(PmsApp(fake), terminal_size=(100, 30), run_before=import_and_preview)

"""What the Claims screens look like with the fake gateway's fixed data: the claims worklist at 120x40 (a rejected
claim highlighted, its reason under the list), a claim with its findings at 100x30 and the batches written at 100x30.

Update with ``pytest tests/tui/test_claims_snapshots.py --snapshot-update`` only after looking at the new pictures
(``tests/tui/__snapshots__/``): a screen that is hard to read is a bug.
"""

from __future__ import annotations

from textual.pilot import Pilot
from textual.widgets import DataTable

from client_tui.app import PmsApp
from client_tui.screens.batches_screen import BatchesScreen
from client_tui.screens.claim_screen import ClaimScreen

from .fake_gateway import FakeGateway
from .helpers import enter_as, wait_for
from .test_snapshots import stop_cursor_blinking


async def claims_shown(pilot: Pilot[None], fake: FakeGateway) -> DataTable:  # type: ignore[type-arg]
    fake.add_account("bea", "Bea Biller", ["biller"], "biller-pass")
    await enter_as(pilot, "bea", "biller-pass")
    await wait_for(pilot, lambda: pilot.app.screen.query_one("#worklist", DataTable).row_count == 2)
    await pilot.press("c")
    table = pilot.app.screen.query_one("#claims-table", DataTable)
    await wait_for(pilot, lambda: table.row_count == 8)
    return table


def test_claims_worklist(snap_compare, fake: FakeGateway) -> None:  # type: ignore[no-untyped-def]
    """At 120x40: the counts per status with the clean claim rate, the filters, every claim, the rejected one
    highlighted with its reason under the list."""

    async def highlight_the_rejected_claim(pilot: Pilot[None]) -> None:
        table = await claims_shown(pilot, fake)
        table.move_cursor(row=6)
        await pilot.pause()
        stop_cursor_blinking(pilot)

    assert snap_compare(PmsApp(fake), terminal_size=(120, 40), run_before=highlight_the_rejected_claim)


def test_claim_with_findings(snap_compare, fake: FakeGateway) -> None:  # type: ignore[no-untyped-def]
    """At 100x30: the draft claim 1 with the last scrub's errors and warnings, the line it points at marked."""

    async def open_the_draft(pilot: Pilot[None]) -> None:
        await claims_shown(pilot, fake)
        await pilot.press("1", "enter")
        await wait_for(pilot, lambda: isinstance(pilot.app.screen, ClaimScreen) and pilot.app.screen.detail is not None)
        await pilot.pause()

    assert snap_compare(PmsApp(fake), terminal_size=(100, 30), run_before=open_the_draft)


def test_claim_batches(snap_compare, fake: FakeGateway) -> None:  # type: ignore[no-untyped-def]
    """At 100x30: two batches, the newer one still written after a failed delivery (its error in red), the older
    one delivered; the counts per status above them."""

    async def open_the_batches(pilot: Pilot[None]) -> None:
        await claims_shown(pilot, fake)
        fake.batch_limit = 2
        await fake.create_batch()
        fake.deliver_batches()
        stuck = await fake.create_batch()
        fake.batches[stuck.batch_id].delivery_attempts = 3
        fake.batches[stuck.batch_id].last_error = "SFTP: connection refused by clearinghouse.example.com:22"
        await pilot.press("l")
        await wait_for(pilot, lambda: isinstance(pilot.app.screen, BatchesScreen)
                       and pilot.app.screen.query_one("#batches-table", DataTable).row_count == 2)
        await pilot.pause()
        stop_cursor_blinking(pilot)

    assert snap_compare(PmsApp(fake), terminal_size=(100, 30), run_before=open_the_batches)

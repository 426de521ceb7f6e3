"""What Reports mode looks like with the fake gateway's fixed figures, at 120x40.

Update with ``pytest tests/tui/test_reports_snapshots.py --snapshot-update`` only after looking at the new pictures
(``tests/tui/__snapshots__/``): a screen that is hard to read is a bug.
"""

from __future__ import annotations

from textual.pilot import Pilot
from textual.widgets import DataTable, Select

from client_tui.app import PmsApp
from client_tui.screens.custom_report_screen import CustomReportScreen
from client_tui.screens.dashboard_screen import DashboardScreen, KpiTile
from client_tui.screens.report_params_screen import ReportParamsScreen
from client_tui.screens.report_result_screen import ReportResultScreen
from client_tui.widgets.reports_panel import ReportList
from client_tui.widgets.role_picker import RolePicker

from .fake_gateway import FakeGateway
from .helpers import wait_for
from .test_reports import reports_mode
from .test_snapshots import stop_cursor_blinking

SIZE = (120, 40)


async def open_report(pilot: Pilot[None], fake: FakeGateway, option_id: str) -> None:
    panel = await reports_mode(pilot, fake)
    listing = panel.query_one(ReportList)
    listing.highlighted = listing.get_option_index(option_id)
    await pilot.press("enter")
    await wait_for(pilot, lambda: isinstance(pilot.app.screen, ReportParamsScreen))
    await pilot.pause()
    await pilot.press("ctrl+s")
    await wait_for(pilot, lambda: isinstance(pilot.app.screen, ReportResultScreen))
    await pilot.pause()


def test_report_list(snap_compare, fake: FakeGateway) -> None:  # type: ignore[no-untyped-def]
    """Reports mode: the reports by group, then mary's custom report; Collections highlighted and described."""

    async def show(pilot: Pilot[None]) -> None:
        panel = await reports_mode(pilot, fake)
        listing = panel.query_one(ReportList)
        listing.highlighted = listing.get_option_index("r:collections")
        await pilot.pause()

    assert snap_compare(PmsApp(fake), terminal_size=SIZE, run_before=show)


def test_report_parameters(snap_compare, fake: FakeGateway) -> None:  # type: ignore[no-untyped-def]
    """Collections' parameters: this month, and the providers, locations and payers to tick (none: all)."""

    async def show(pilot: Pilot[None]) -> None:
        panel = await reports_mode(pilot, fake)
        listing = panel.query_one(ReportList)
        listing.highlighted = listing.get_option_index("r:collections")
        await pilot.press("enter")
        await wait_for(pilot, lambda: isinstance(pilot.app.screen, ReportParamsScreen))
        await wait_for(pilot, lambda: pilot.app.screen.query_one("#report-payers").option_count > 0)  # type: ignore[attr-defined]
        await pilot.pause()
        stop_cursor_blinking(pilot)

    assert snap_compare(PmsApp(fake), terminal_size=SIZE, run_before=show)


def test_collections_report(snap_compare, fake: FakeGateway) -> None:  # type: ignore[no-untyped-def]
    """Collections for November, sorted by Collected (largest first): money right-aligned, the rates with their
    percent sign, the totals row set apart at the bottom, the notes under the table."""

    async def show(pilot: Pilot[None]) -> None:
        await open_report(pilot, fake, "r:collections")
        pilot.app.screen.query_one(DataTable).move_cursor(column=5)
        await pilot.press("s", "s")
        await pilot.pause()

    assert snap_compare(PmsApp(fake), terminal_size=SIZE, run_before=show)


def test_aging_report_with_chart(snap_compare, fake: FakeGateway) -> None:  # type: ignore[no-untyped-def]
    """A/R aging by payer, with the buckets' totals drawn as bars under the table."""

    async def show(pilot: Pilot[None]) -> None:
        await open_report(pilot, fake, "r:ar_aging_insurance")

    assert snap_compare(PmsApp(fake), terminal_size=SIZE, run_before=show)


def test_dashboard(snap_compare, fake: FakeGateway) -> None:  # type: ignore[no-untyped-def]
    """November against October: eight KPI tiles (days in A/R and the no-show rate missing their goals, in red;
    the clean claim, denial and net collection rates meeting theirs, in green), charges and collections by month,
    and what insurance and patients owe by age."""

    async def show(pilot: Pilot[None]) -> None:
        await reports_mode(pilot, fake)
        await pilot.press("d")
        await wait_for(pilot, lambda: isinstance(pilot.app.screen, DashboardScreen)
                       and len(pilot.app.screen.query(KpiTile)) == 8)
        await pilot.pause()

    assert snap_compare(PmsApp(fake), terminal_size=SIZE, run_before=show)


def test_custom_report_builder(snap_compare, fake: FakeGateway) -> None:  # type: ignore[no-untyped-def]
    """Mary changes her "Charges by payer": charges and visits by primary payer, largest charges first, shared with
    billers; the message line and the Save and Cancel buttons stay on screen under the scrolling fields."""

    async def show(pilot: Pilot[None]) -> None:
        panel = await reports_mode(pilot, fake)
        listing = panel.query_one(ReportList)
        listing.highlighted = listing.get_option_index("c:1")
        await pilot.press("e")
        await wait_for(pilot, lambda: isinstance(pilot.app.screen, CustomReportScreen)
                       and pilot.app.screen.query_one("#custom-sort-by", Select).value == "charges")
        await wait_for(pilot, lambda: pilot.app.screen.query_one(RolePicker).option_count == 5)
        await pilot.pause()
        stop_cursor_blinking(pilot)

    assert snap_compare(PmsApp(fake), terminal_size=SIZE, run_before=show)

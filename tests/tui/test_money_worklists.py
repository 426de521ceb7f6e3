"""The denials and underpayments worklists (D and U on the ERAs), typed with keys, against the fake gateway."""

from __future__ import annotations

from textual.widgets import DataTable, Static

from client_tui.app import PmsApp
from client_tui.gateway import ServerUnavailable
from client_tui.screens.denials_screen import DenialsScreen
from client_tui.screens.remittances_screen import RemittancesScreen
from client_tui.screens.underpayments_screen import UnderpaymentsScreen

from .fake_gateway import FakeGateway
from .helpers import text_of, wait_for
from .test_remittances import SIZE, eras_shown, rows


async def test_denials_list_each_line_with_its_reasons_and_what_to_do(fake: FakeGateway) -> None:
    async with PmsApp(fake).run_test(size=SIZE) as pilot:
        eras = await eras_shown(pilot, fake)
        assert eras.check_action("denials", ()) is True
        await pilot.press("d")
        await wait_for(pilot, lambda: isinstance(pilot.app.screen, DenialsScreen) and pilot.app.screen.loaded)
        screen = pilot.app.screen
        assert isinstance(screen, DenialsScreen)
        table = screen.query_one("#denials-table", DataTable)
        assert rows(table) == [
            ["Smith, Jonathan", "10/12/2026", "99213", "$125.00", "CO-50", "Appeal", "Aetna"],
            ["Johnson, Maria", "10/08/2026", "36415", "$25.00", "CO-16", "Correct+resend", "Blue Cross"],
        ]
        assert text_of(screen.query_one("#denials-totals", Static)) == "2 denied lines · charges $150.00"
        detail = text_of(screen.query_one("#denials-detail", Static))
        assert "Reason CO-50 These are non-covered services" in detail
        assert "Remark N115 This decision was based on a Local Coverage Determination (LCD)." in detail
        await pilot.press("down")
        await wait_for(pilot, lambda: "M51" in text_of(screen.query_one("#denials-detail", Static)))
        assert "claim 4 line 2 · 36415 of 10/08/2026 · Blue Cross" in text_of(
            screen.query_one("#denials-detail", Static))

        await pilot.press("r")
        await wait_for(pilot, lambda: len(fake.requests["list_denials"]) == 2)
        await pilot.press("escape")
        assert pilot.app.screen is eras


async def test_underpayments_show_expected_allowed_and_short_with_the_total(fake: FakeGateway) -> None:
    async with PmsApp(fake).run_test(size=SIZE) as pilot:
        eras = await eras_shown(pilot, fake)
        await pilot.press("u")
        await wait_for(pilot, lambda: isinstance(pilot.app.screen, UnderpaymentsScreen)
                       and pilot.app.screen.answer is not None)
        screen = pilot.app.screen
        assert isinstance(screen, UnderpaymentsScreen)
        assert rows(screen.query_one("#underpayments-table", DataTable)) == [
            ["Johnson, Maria", "08/20/2026", "99213", "$125.00", "$110.00", "$100.00", "$10.00", "Aetna"],
            ["Smith, Jonathan", "09/15/2026", "99214", "$180.00", "$145.00", "$137.50", "$7.50", "UnitedHealthcare"],
        ]
        assert text_of(screen.query_one("#underpayments-totals", Static)) == "2 underpaid lines · short $17.50"
        await pilot.press("escape")
        assert pilot.app.screen is eras


async def test_a_failed_fetch_is_said_on_the_worklist(fake: FakeGateway) -> None:
    async with PmsApp(fake).run_test(size=SIZE) as pilot:
        await eras_shown(pilot, fake)
        fake.fail_on["list_underpayments"] = ServerUnavailable("The server cannot be reached.")
        await pilot.press("u")
        await wait_for(pilot, lambda: isinstance(pilot.app.screen, UnderpaymentsScreen))
        message = pilot.app.screen.query_one("#underpayments-message", Static)
        await wait_for(pilot, lambda: "Could not fetch" in text_of(message))
        assert text_of(message) == "Could not fetch the underpayments: The server cannot be reached."
        await pilot.press("r")
        await wait_for(pilot, lambda: "short $17.50" in text_of(
            pilot.app.screen.query_one("#underpayments-totals", Static)))


async def test_the_money_keys_follow_the_permissions(fake: FakeGateway) -> None:
    async with PmsApp(fake).run_test(size=SIZE) as pilot:
        eras = await eras_shown(pilot, fake)
        assert all(eras.check_action(a, ()) is True for a in ("denials", "underpayments", "deposit", "day_sheet"))
        kept = [p for p in eras.session.permissions if p not in ("deposits.manage", "reports.day_sheet")]
        eras.session.ClearField("permissions")
        eras.session.permissions.extend(kept)
        assert eras.check_action("deposit", ()) is False
        assert eras.check_action("day_sheet", ()) is False
        assert eras.check_action("denials", ()) is True
        await pilot.press("g")
        await pilot.press("y")
        await pilot.pause()
        assert isinstance(pilot.app.screen, RemittancesScreen)
        assert "list_undeposited" not in fake.requests and "get_day_sheet" not in fake.requests

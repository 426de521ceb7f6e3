"""The bank deposit against the real server over mutual TLS, through the TUI with keys: a biller takes a patient's
cash payment at the window, then opens the deposit (G on the ERAs), chooses that payment and deposits it; the server's
deposit comes back with the cash total, the payment leaves the waiting list and the deposit heads the recent ones.
Then the day sheet (Y on the ERAs) shows the cash and the deposit under the biller, and Ctrl+K closes the day."""

from __future__ import annotations

from datetime import date

from textual.widgets import DataTable, Input, Static

from client_tui.app import PmsApp
from client_tui.grpc_gateway import GrpcGateway
from client_tui.screens.confirm_screen import ConfirmScreen
from client_tui.screens.day_sheet_screen import DaySheetScreen
from client_tui.screens.deposit_screen import DepositScreen
from client_tui.screens.patient_account_screen import PatientAccountScreen
from client_tui.screens.remittances_screen import RemittancesScreen
from client_tui.screens.shell_screen import ShellScreen
from client_tui.screens.take_payment_screen import TakePaymentScreen
from tests.builders import a_patient
from tests.support import RunningServer

from .helpers import log_in, open_patient, text_of, wait_for

SIZE = (100, 30)
WAIT = 10


async def test_take_cash_then_deposit_it(server: RunningServer) -> None:
    await server.add_user("tui-dep-desk", ["front_desk"], "front-password-123")
    await server.add_user("tui-dep-biller", ["biller"], "biller-password-123")
    gw = GrpcGateway(await server.enroll("tui-real-dep"))
    await gw.login("tui-dep-desk", "front-password-123")
    patient = (await gw.register_patient(a_patient("Dee", "Depositor", date(1979, 3, 14)))).patient
    await gw.logout()
    await gw.close()

    app = PmsApp(GrpcGateway(await server.enroll("tui-real-dep-2")))
    async with app.run_test(size=SIZE) as pilot:
        await log_in(pilot, "tui-dep-biller", "biller-password-123")
        await wait_for(pilot, lambda: isinstance(app.screen, ShellScreen), WAIT)
        await open_patient(pilot, patient.patient_id)
        await pilot.press("b")
        await wait_for(pilot, lambda: isinstance(app.screen, PatientAccountScreen) and app.screen.ledger is not None,
                       WAIT)
        account = app.screen
        await pilot.press("p")
        await wait_for(pilot, lambda: isinstance(app.screen, TakePaymentScreen), WAIT)
        await pilot.pause()
        await pilot.press(*"30", "ctrl+s")
        await wait_for(pilot, lambda: app.screen is account and "Took" in text_of(
            account.query_one("#account-message", Static)), WAIT)

        # The ERAs' G opens the deposit (the list is pushed straight, as the claims worklist's E does).
        assert app.session is not None
        eras = RemittancesScreen(app.gateway, app.session)
        await app.push_screen(eras)
        await wait_for(pilot, lambda: eras.loaded, WAIT)
        await pilot.press("g")
        await wait_for(pilot, lambda: isinstance(app.screen, DepositScreen) and app.screen.loaded, WAIT)
        screen = app.screen
        assert isinstance(screen, DepositScreen)
        who = "Depositor, Dee"  # the slip names the patient
        row = next(n for n, item in enumerate(screen.items) if item.who == who)
        assert screen.items[row].method == "Cash" and screen.items[row].amount_cents == 3_000
        waiting = screen.query_one("#deposit-waiting", DataTable)
        waiting.move_cursor(row=row)
        await pilot.press("space")
        assert text_of(screen.query_one("#deposit-selection", Static)).endswith("total $30.00")
        # The date is left as shown: the server's today is the deposit's.
        screen.query_one("#deposit-bank-reference", Input).value = "SLIP-TUI-1"
        await pilot.press("ctrl+s")
        message = screen.query_one("#deposit-message", Static)
        await wait_for(pilot, lambda: text_of(message).startswith("Deposit ") or message.has_class("-error"), WAIT)
        assert not message.has_class("-error"), text_of(message)
        assert "bank reference SLIP-TUI-1: 1 item, $30.00 (cash $30.00" in text_of(message)
        await wait_for(pilot, lambda: all(item.who != who for item in screen.items), WAIT)
        await wait_for(pilot, lambda: screen.query_one("#deposit-recent", DataTable).row_count >= 1, WAIT)
        first = [str(c) for c in screen.query_one("#deposit-recent", DataTable).get_row_at(0)]
        assert first[0] == "SLIP-TUI-1" and first[-2] == "$30.00" and first[-1] == "tui-dep-biller"[:len(first[-1])]

        await pilot.press("escape")
        await wait_for(pilot, lambda: app.screen is eras, WAIT)
        await pilot.press("y")
        await wait_for(pilot, lambda: isinstance(app.screen, DaySheetScreen) and app.screen.sheet is not None, WAIT)
        sheet_screen = app.screen
        assert isinstance(sheet_screen, DaySheetScreen) and sheet_screen.sheet is not None
        figures = {str(row[0]): [str(c) for c in row[1:]] for row in (
            sheet_screen.query_one("#day-table", DataTable).get_row_at(i)
            for i in range(sheet_screen.query_one("#day-table", DataTable).row_count))}
        assert figures["Cash"][0] == "$30.00" and figures["Deposits"][0] == "$30.00"
        assert [u.user for u in sheet_screen.sheet.by_user] == ["tui-dep-biller"]
        await pilot.press("ctrl+k")
        await wait_for(pilot, lambda: isinstance(app.screen, ConfirmScreen), WAIT)
        await pilot.press("y")
        state = sheet_screen.query_one("#day-state", Static)
        await wait_for(pilot, lambda: "closed at" in text_of(state) or sheet_screen.query_one(
            "#day-message", Static).has_class("-error"), WAIT)
        assert text_of(state).endswith("by tui-dep-biller: these are the figures stored then."), text_of(
            sheet_screen.query_one("#day-message", Static))

"""A patient's account against the real server over mutual TLS, through the TUI with keys: the front desk takes a
self-pay patient's copay at check-in by check, the server's field violation (no check number) shows beside its
field, then the copay posts and is kept as credit, and the ledger and its totals show it."""

from __future__ import annotations

from datetime import date

from textual.widgets import DataTable, Select, Static

from client_tui.app import PmsApp
from client_tui.grpc_gateway import GrpcGateway
from client_tui.screens.patient_account_screen import PatientAccountScreen
from client_tui.screens.shell_screen import ShellScreen
from client_tui.screens.take_payment_screen import TakePaymentScreen
from shared.pms.payments.v1 import payments_pb2 as pm
from tests.builders import a_patient
from tests.support import RunningServer

from .helpers import field_error, log_in, open_patient, text_of, wait_for

SIZE = (100, 30)
WAIT = 10


async def test_front_desk_takes_a_copay_kept_as_credit(server: RunningServer) -> None:
    await server.add_user("tui-pay-desk", ["front_desk"], "front-password-123")
    gw = GrpcGateway(await server.enroll("tui-real-pay"))
    await gw.login("tui-pay-desk", "front-password-123")
    patient = (await gw.register_patient(a_patient("Sally", "Selfpay", date(1985, 4, 2)))).patient
    await gw.logout()
    await gw.close()

    app = PmsApp(GrpcGateway(await server.enroll("tui-real-pay-2")))
    async with app.run_test(size=SIZE) as pilot:
        await log_in(pilot, "tui-pay-desk", "front-password-123")
        await wait_for(pilot, lambda: isinstance(app.screen, ShellScreen), WAIT)
        await open_patient(pilot, patient.patient_id)
        await pilot.press("b")
        await wait_for(pilot, lambda: isinstance(app.screen, PatientAccountScreen) and app.screen.ledger is not None,
                       WAIT)
        account = app.screen
        assert isinstance(account, PatientAccountScreen)
        assert text_of(account.query_one("#account-totals", Static)) == (
            "With insurance $0.00 · Patient owes $0.00 · Credit $0.00")

        await pilot.press("p")
        await wait_for(pilot, lambda: isinstance(app.screen, TakePaymentScreen), WAIT)
        form = app.screen
        assert isinstance(form, TakePaymentScreen)
        form.query_one("#payment-method", Select).value = pm.PAYMENT_METHOD_CHECK
        await pilot.press(*"25", "ctrl+s")
        await wait_for(pilot, lambda: field_error(form, "payment.check_number") != "", WAIT)
        assert "check" in field_error(form, "payment.check_number")
        form.query_one("#payment-check-number").focus()
        await pilot.press(*"1001", "tab", *"copay", "tab", "space", "ctrl+s")
        await wait_for(pilot, lambda: app.screen is account and "Took" in text_of(
            account.query_one("#account-message", Static)), WAIT)
        assert text_of(account.query_one("#account-message", Static)) == (
            "Took $25.00 by check 1001. Kept as credit: $25.00. Now owes $0.00; credit $25.00.")
        await wait_for(pilot, lambda: account.query_one("#ledger-table", DataTable).row_count >= 1, WAIT)
        assert "Credit $25.00" in text_of(account.query_one("#account-totals", Static))

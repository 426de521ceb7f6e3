"""The patient's account (B on the patient screen) and taking a payment from it, typed with keys, against the fake
gateway."""

from __future__ import annotations

from textual.pilot import Pilot
from textual.widgets import Checkbox, DataTable, Select, Static

from client_tui.app import PmsApp
from client_tui.gateway import ServerUnavailable
from client_tui.screens.patient_account_screen import PatientAccountScreen
from client_tui.screens.patient_screen import PatientScreen
from client_tui.screens.take_payment_screen import TakePaymentScreen
from client_tui.widgets.form_field import FormField
from shared.pms.payments.v1 import payments_pb2 as pm

from .fake_gateway import FakeGateway
from .helpers import enter_as, field_error, open_patient, text_of, wait_for

SIZE = (100, 30)


def rows(table: DataTable) -> list[list[str]]:  # type: ignore[type-arg]
    return [[str(c) for c in table.get_row_at(i)] for i in range(table.row_count)]


def shown(form: TakePaymentScreen, field_name: str) -> bool:
    return next(f for f in form.query(FormField) if f.field_name == field_name).display


async def account_of(pilot: Pilot[None], patient_id: int, entries: int) -> PatientAccountScreen:
    await enter_as(pilot, "fran", "front-pass")
    await open_patient(pilot, patient_id)
    await pilot.press("b")
    await wait_for(pilot, lambda: isinstance(pilot.app.screen, PatientAccountScreen)
                   and pilot.app.screen.ledger is not None)
    screen = pilot.app.screen
    assert isinstance(screen, PatientAccountScreen)
    assert screen.query_one("#ledger-table", DataTable).row_count == entries
    return screen


async def payment_form(pilot: Pilot[None]) -> TakePaymentScreen:
    await pilot.press("p")
    await wait_for(pilot, lambda: isinstance(pilot.app.screen, TakePaymentScreen))
    await pilot.pause()
    form = pilot.app.screen
    assert isinstance(form, TakePaymentScreen)
    return form


async def test_the_account_shows_the_ledger_with_running_balances_and_totals(fake: FakeGateway) -> None:
    async with PmsApp(fake).run_test(size=SIZE) as pilot:
        screen = await account_of(pilot, 1, 5)
        table = screen.query_one("#ledger-table", DataTable)
        assert rows(table)[0] == ["10/09/2026", "Charge", "99213", "10/08/2026", "$125.00", "", "", "$0.00"]
        assert rows(table)[4] == ["10/20/2026", "Moved to patient", "99213", "10/08/2026", "-$20.00", "$20.00", "",
                                  "$20.00"]
        assert text_of(screen.query_one("#account-totals", Static)) == (
            "With insurance $25.00 · Patient owes $20.00 · Credit $0.00")
        await pilot.press("escape")
        assert isinstance(pilot.app.screen, PatientScreen)


async def test_a_payment_with_a_field_error_then_posted_shows_where_the_money_went(fake: FakeGateway) -> None:
    async with PmsApp(fake).run_test(size=SIZE) as pilot:
        screen = await account_of(pilot, 1, 5)
        form = await payment_form(pilot)
        assert "Owes $20.00; credit $0.00" in text_of(form.query_one("#form-intro", Static))
        # Words are no amount: refused here, nothing sent.
        await pilot.press(*"twenty", "ctrl+s")
        assert "type dollars and cents" in field_error(form, "payment.amount_cents")
        assert "post_patient_payment" not in fake.requests
        form.control("payment.amount_cents").value = ""  # type: ignore[attr-defined]
        await pilot.press(*"50")
        form.query_one("#payment-method", Select).value = pm.PAYMENT_METHOD_CHECK
        await pilot.pause()
        assert shown(form, "payment.check_number")  # the check's number is asked for now
        assert not shown(form, "payment.card_reference")
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: "is required for a check payment" in field_error(form,
                                                                                      "payment.check_number"))
        assert "Please correct" in text_of(form.query_one("#form-message", Static))
        form.query_one("#payment-check-number").focus()
        await pilot.press(*"1234", "ctrl+s")
        await wait_for(pilot, lambda: pilot.app.screen is screen and "Took" in text_of(
            screen.query_one("#account-message", Static)))
        await wait_for(pilot, lambda: screen.query_one("#ledger-table", DataTable).row_count == 6)
        assert text_of(screen.query_one("#account-message", Static)) == (
            "Took $50.00 by check 1234. Applied $20.00 to 99213 of 10/08/2026. Kept as credit: $30.00. "
            "Now owes $0.00; credit $30.00.")
        assert text_of(screen.query_one("#account-totals", Static)) == (
            "With insurance $25.00 · Patient owes $0.00 · Credit $30.00")
        first, second = fake.requests["post_patient_payment"]
        assert second[0].check_number == "1234" and second[0].amount_cents == 5_000 and second[2] is False
        assert first[3] != second[3], "a changed payment is sent with a new idempotency key"


async def test_a_copay_at_check_in_is_kept_as_credit(fake: FakeGateway) -> None:
    async with PmsApp(fake).run_test(size=SIZE) as pilot:
        screen = await account_of(pilot, 5, 1)
        form = await payment_form(pilot)
        await pilot.press(*"25", "tab")  # amount, then the note (check number and card reference are hidden)
        assert form.focused is form.query_one("#payment-note")
        await pilot.press(*"copay", "tab", "space")
        assert form.query_one("#keep-as-credit", Checkbox).value
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: pilot.app.screen is screen and "Took" in text_of(
            screen.query_one("#account-message", Static)))
        assert text_of(screen.query_one("#account-message", Static)) == (
            "Took $25.00 by cash. Kept as credit: $25.00. Now owes $180.00; credit $25.00.")
        (payment, _applications, keep, _key), = fake.requests["post_patient_payment"]
        assert keep is True and payment.method == pm.PAYMENT_METHOD_CASH and payment.note == "copay"
        await wait_for(pilot, lambda: "Credit $25.00" in text_of(screen.query_one("#account-totals", Static)))


async def test_a_payment_sent_again_after_the_server_was_away_keeps_its_key(fake: FakeGateway) -> None:
    async with PmsApp(fake).run_test(size=SIZE) as pilot:
        screen = await account_of(pilot, 1, 5)
        form = await payment_form(pilot)
        fake.fail_on["post_patient_payment"] = ServerUnavailable("The server cannot be reached right now.")
        await pilot.press(*"20", "ctrl+s")
        await wait_for(pilot, lambda: "cannot be reached" in text_of(form.query_one("#form-message", Static)))
        assert pilot.app.screen is form
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: pilot.app.screen is screen)
        first, second = fake.requests["post_patient_payment"]
        assert first[3] == second[3], "the same payment resent keeps its idempotency key"


async def test_the_account_key_is_hidden_without_ledger_read(fake: FakeGateway) -> None:
    fake.add_account("dr", "Dee Doctor", ["provider"], "provider-pass")
    async with PmsApp(fake).run_test(size=SIZE) as pilot:
        await enter_as(pilot, "dr", "provider-pass")
        screen = await open_patient(pilot, 1)
        assert screen.check_action("account", ()) is False
        await pilot.press("b")
        await pilot.pause()
        assert pilot.app.screen is screen
        assert "get_patient_ledger" not in fake.calls

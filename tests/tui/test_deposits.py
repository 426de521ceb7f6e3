"""The bank deposit (G on the ERAs) and the day sheet with closing the day (Y on the ERAs), typed with keys, against
the fake gateway."""

from __future__ import annotations

from datetime import date

from textual.pilot import Pilot
from textual.widgets import DataTable, Input, Static

from client_tui.app import PmsApp
from client_tui.gateway import ServerUnavailable
from client_tui.screens.confirm_screen import ConfirmScreen
from client_tui.screens.day_sheet_screen import DaySheetScreen
from client_tui.screens.deposit_screen import DepositScreen
from shared.pms.payments.v1 import payments_pb2 as pm

from .fake_gateway import FakeGateway
from .helpers import text_of, wait_for
from .test_remittances import SIZE, eras_shown, rows


async def deposit_screen(pilot: Pilot[None], fake: FakeGateway) -> DepositScreen:
    await eras_shown(pilot, fake)
    await pilot.press("g")
    await wait_for(pilot, lambda: isinstance(pilot.app.screen, DepositScreen) and pilot.app.screen.loaded)
    screen = pilot.app.screen
    assert isinstance(screen, DepositScreen)
    return screen


async def day_sheet(pilot: Pilot[None], fake: FakeGateway) -> DaySheetScreen:
    await eras_shown(pilot, fake)
    await pilot.press("y")
    await wait_for(pilot, lambda: isinstance(pilot.app.screen, DaySheetScreen) and pilot.app.screen.sheet is not None)
    screen = pilot.app.screen
    assert isinstance(screen, DaySheetScreen)
    return screen


def selection(screen: DepositScreen) -> str:
    return text_of(screen.query_one("#deposit-selection", Static))


async def test_choose_items_and_deposit_them(fake: FakeGateway) -> None:
    async with PmsApp(fake).run_test(size=SIZE) as pilot:
        screen = await deposit_screen(pilot, fake)
        waiting = screen.query_one("#deposit-waiting", DataTable)
        assert rows(waiting) == [
            ["", "Patient 1", "Check", "1187", "11/02/2026", "$20.00"],
            ["", "Patient 5", "Cash", "", "11/03/2026", "$40.00"],
            ["", "Patient 3", "Card", "AUTH88213", "11/03/2026", "$35.00"],
            ["", "Aetna", "ERA", "EFT20261020A", "10/20/2026", "$80.00"],
        ]
        assert text_of(screen.query_one("#deposit-message", Static)) == "4 items waiting: $175.00."
        assert selection(screen) == ("Chosen 0 of 4: cash $0.00 · check $0.00 · card $0.00 · ERAs $0.00 · "
                                     "total $0.00")
        assert screen.check_action("create", ()) is None  # nothing chosen: greyed out
        assert rows(screen.query_one("#deposit-recent", DataTable)) == [
            ["SLIP-1031", "10/31/2026", "3", "$60.00", "$45.00", "$0.00", "$0.00", "$105.00", "bill"]]

        await pilot.press("a")
        assert selection(screen).startswith("Chosen 4 of 4:") and selection(screen).endswith("total $175.00")
        await pilot.press("a")  # all chosen: A drops them all
        assert selection(screen).startswith("Chosen 0 of 4:")
        await pilot.press("space", "space")  # the check, then the cash (the cursor moves down)
        assert rows(waiting)[0][0] == "✓" and rows(waiting)[1][0] == "✓" and rows(waiting)[2][0] == ""
        assert selection(screen) == ("Chosen 2 of 4: cash $40.00 · check $20.00 · card $0.00 · ERAs $0.00 · "
                                     "total $60.00")
        await pilot.press("down", "space")  # the ERA
        assert selection(screen).endswith("ERAs $80.00 · total $140.00")
        assert screen.query_one("#deposit-date", Input).value == "11/03/2026"
        screen.query_one("#deposit-bank-reference", Input).value = "SLIP-1103"

        await pilot.press("ctrl+s")
        message = screen.query_one("#deposit-message", Static)
        await wait_for(pilot, lambda: text_of(message).startswith("Deposit 2"))
        assert text_of(message) == ("Deposit 2 of 11/03/2026, bank reference SLIP-1103: 3 items, $140.00 (cash $40.00, "
                                    "check $20.00, card $0.00, ERAs $80.00).")
        payment_ids, era_ids, day, reference, _note, key = fake.requests["create_deposit"][-1]
        # The date left as shown is not sent: the server's today.
        assert (payment_ids, era_ids, day, reference) == ([403, 401], [1], None, "SLIP-1103")
        assert key
        await wait_for(pilot, lambda: waiting.row_count == 1)
        assert rows(waiting)[0][1:3] == ["Patient 3", "Card"]
        assert rows(screen.query_one("#deposit-recent", DataTable))[0][0] == "SLIP-1103"
        assert selection(screen).startswith("Chosen 0 of 1:")
        assert screen.query_one("#deposit-bank-reference", Input).value == ""


async def test_a_deposit_sent_again_after_a_lost_answer_keeps_its_key(fake: FakeGateway) -> None:
    async with PmsApp(fake).run_test(size=SIZE) as pilot:
        screen = await deposit_screen(pilot, fake)
        await pilot.press("space")
        fake.fail_on["create_deposit"] = ServerUnavailable("The server cannot be reached.")
        await pilot.press("ctrl+s")
        message = screen.query_one("#deposit-message", Static)
        await wait_for(pilot, lambda: "cannot be reached" in text_of(message))
        assert message.has_class("-error") and text_of(message).startswith("Could not deposit:")
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: text_of(message).startswith("Deposit 2"))
        keys = [call[-1] for call in fake.requests["create_deposit"]]
        assert len(keys) == 2 and keys[0] == keys[1]


async def test_a_wrong_deposit_date_is_said_and_nothing_is_sent(fake: FakeGateway) -> None:
    async with PmsApp(fake).run_test(size=SIZE) as pilot:
        screen = await deposit_screen(pilot, fake)
        await pilot.press("space")
        screen.query_one("#deposit-date", Input).value = "tomorrow"
        await pilot.press("ctrl+s")
        message = screen.query_one("#deposit-message", Static)
        await wait_for(pilot, lambda: message.has_class("-error"))
        assert text_of(message).startswith("Deposit date: type the date as")
        assert "create_deposit" not in fake.requests
        screen.query_one("#deposit-date", Input).value = "12/01/2026"  # the future: the server refuses it
        screen.query_one("#deposit-waiting", DataTable).focus()
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: "cannot be in the future" in text_of(message))
        assert text_of(message) == "Could not deposit: deposit date: cannot be in the future"
        assert fake.requests["create_deposit"][-1][2] == date(2026, 12, 1)


async def test_a_payment_taken_waits_for_the_bank(fake: FakeGateway) -> None:
    async with PmsApp(fake).run_test(size=SIZE) as pilot:
        await eras_shown(pilot, fake)  # logged in: the fake takes the payment as bea
        await fake.post_patient_payment(pm.PatientPayment(patient_id=5, method=pm.PAYMENT_METHOD_CHECK,
                                                          amount_cents=1_500, check_number="2002"),
                                        idempotency_key="k1")
        await pilot.press("g")
        await wait_for(pilot, lambda: isinstance(pilot.app.screen, DepositScreen) and pilot.app.screen.loaded)
        waiting = pilot.app.screen.query_one("#deposit-waiting", DataTable)
        assert rows(waiting)[3][1:] == ["Patient 5", "Check", "2002", "11/03/2026", "$15.00"]


async def test_the_day_sheet_by_user_and_closing_the_day(fake: FakeGateway) -> None:
    async with PmsApp(fake).run_test(size=SIZE) as pilot:
        screen = await day_sheet(pilot, fake)
        assert fake.requests["get_day_sheet"][-1] == (None,)  # the server's today
        assert text_of(screen.query_one("#day-state", Static)) == (
            "Day sheet of 11/03/2026 · open: the figures are the ledger's as they are now.")
        table = screen.query_one("#day-table", DataTable)
        assert [str(c.label) for c in table.columns.values()] == ["Figure", "Day", "bill", "fran"]
        figures = {row[0]: row[1:] for row in rows(table)}
        assert figures["Charges"] == ["$485.00", "$485.00", "$0.00"]
        assert figures["Cash"] == ["$40.00", "$0.00", "$40.00"]
        assert figures["Card"] == ["$35.00", "$0.00", "$35.00"]
        assert figures["Refunds"] == ["$5.00", "$5.00", "$0.00"]
        assert figures["Entries"] == ["6", "4", "2"]
        assert screen.check_action("close_day", ()) is True

        screen.query_one("#day-date", Input).focus()  # Ctrl+K closes the day even from the day's input
        await pilot.press("ctrl+k")
        await wait_for(pilot, lambda: isinstance(pilot.app.screen, ConfirmScreen))
        assert "Close 11/03/2026?" in str(pilot.app.screen.query_one("#confirm-question", Static).render())
        await pilot.press("n")
        assert "close_day" not in fake.requests
        await pilot.press("ctrl+k")
        await wait_for(pilot, lambda: isinstance(pilot.app.screen, ConfirmScreen))
        await pilot.press("y")
        await wait_for(pilot, lambda: screen.sheet is not None and screen.sheet.closed)
        assert text_of(screen.query_one("#day-state", Static)) == (
            "Day sheet of 11/03/2026 · closed at 11/03/2026 09:30 by bea: these are the figures stored then.")
        assert text_of(screen.query_one("#day-message", Static)) == "Closed 11/03/2026: its sheet is stored."
        assert screen.check_action("close_day", ()) is None  # closed: greyed out
        (day, key), = fake.requests["close_day"]
        assert day == date(2026, 11, 3) and key


async def test_another_day_typed_shows_its_sheet_closed_by_whom(fake: FakeGateway) -> None:
    async with PmsApp(fake).run_test(size=SIZE) as pilot:
        screen = await day_sheet(pilot, fake)
        day_input = screen.query_one("#day-date", Input)
        day_input.value = "11/02/2026"
        day_input.focus()
        await pilot.press("enter")
        await wait_for(pilot, lambda: screen.sheet is not None and screen.sheet.closed)
        assert text_of(screen.query_one("#day-state", Static)) == (
            "Day sheet of 11/02/2026 · closed at 11/02/2026 18:05 by mary: these are the figures stored then.")
        figures = {row[0]: row[1:] for row in rows(screen.query_one("#day-table", DataTable))}
        assert figures["Check"] == ["$20.00", "$0.00", "$20.00"]
        assert screen.check_action("close_day", ()) is None
        day_input.value = "11/31/2026"
        day_input.focus()
        await pilot.press("enter")
        await wait_for(pilot, lambda: "Day: is not a day on the calendar." in text_of(
            screen.query_one("#day-message", Static)))


async def test_closing_needs_deposits_manage(fake: FakeGateway) -> None:
    async with PmsApp(fake).run_test(size=SIZE) as pilot:
        screen = await day_sheet(pilot, fake)
        kept = [p for p in screen.session.permissions if p != "deposits.manage"]
        screen.session.ClearField("permissions")
        screen.session.permissions.extend(kept)
        assert screen.check_action("close_day", ()) is False
        await pilot.press("ctrl+k")
        await pilot.pause()
        assert pilot.app.screen is screen

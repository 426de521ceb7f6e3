"""A copay at check-in: $ on an appointment in the schedule opens the take-payment form for its patient, kept as
credit, noted "copay" and recorded against the visit; typed with keys, against the fake gateway."""

from __future__ import annotations

from textual.widgets import Checkbox, Input

from client_tui.app import PmsApp
from client_tui.screens.take_payment_screen import TakePaymentScreen
from client_tui.widgets.slot_grid import SlotGrid
from shared.pms.payments.v1 import payments_pb2 as pm
from shared.pms.scheduling.v1 import appointments_pb2 as ap

from .fake_gateway import FakeGateway
from .fake_schedule import ALVAREZ, LEE
from .helpers import enter_as, wait_for
from .test_schedule import SIZE, move_to, open_schedule, panel_of, said


async def test_check_in_then_take_the_copay_kept_as_credit_against_the_visit(fake: FakeGateway) -> None:
    async with PmsApp(fake).run_test(size=SIZE) as pilot:
        panel = await open_schedule(pilot)
        await move_to(pilot, panel, ALVAREZ, "11:00")
        appointment = fake.appointments[11]
        await pilot.press("i")
        await wait_for(pilot, lambda: fake.appointments[11].status == ap.APPOINTMENT_STATUS_ARRIVED)
        await wait_for(pilot, lambda: said(panel) == "Garcia, Luis is checked in. $ takes the copay.")
        await pilot.press("dollar_sign")
        await wait_for(pilot, lambda: isinstance(pilot.app.screen, TakePaymentScreen))
        await pilot.pause()
        form = pilot.app.screen
        assert isinstance(form, TakePaymentScreen)
        assert form.query_one("#keep-as-credit", Checkbox).value
        assert form.query_one("#payment-note", Input).value == "copay"
        await pilot.press(*"25.00", "ctrl+s")
        await wait_for(pilot, lambda: "post_patient_payment" in fake.requests)
        [(payment, applications, keep_as_credit, _key)] = fake.requests["post_patient_payment"]
        assert payment.method == pm.PAYMENT_METHOD_CASH
        assert payment.amount_cents == 2500
        assert payment.patient_id == appointment.patient_id
        assert payment.appointment_id == 11
        assert payment.note == "copay"
        assert keep_as_credit and applications == []
        await wait_for(pilot, lambda: not isinstance(pilot.app.screen, TakePaymentScreen))
        await wait_for(pilot, lambda: "Kept as credit: $25.00." in said(panel))


async def test_no_copay_key_without_the_permission(fake: FakeGateway) -> None:
    fake.add_account("pia", "Pia Provider", ["provider"], "provider-pass")
    app = PmsApp(fake)
    async with app.run_test(size=SIZE) as pilot:
        await enter_as(pilot, "pia", "provider-pass")
        panel = panel_of(pilot)
        await wait_for(pilot, lambda: panel.query_one(SlotGrid).row_count > 0)
        await pilot.pause()
        await move_to(pilot, panel, LEE, "09:30")
        enabled = {b.binding.action for b in app.screen.active_bindings.values() if b.enabled}
        assert "open_appointment" in enabled and "take_copay" not in enabled
        await pilot.press("dollar_sign")
        await pilot.pause()
        assert not isinstance(app.screen, TakePaymentScreen)
        assert "get_patient_ledger" not in fake.calls

"""Take a patient's payment: how they paid, how much, the check number or card reference, a note, and whether to
keep it all as credit (a copay at check-in, before the visit is charged).

Ctrl+S (or Enter in the last field) posts it. The money goes to the oldest balances first; what is left is kept as
credit — the server decides, and the account screen says where it went. The amount is read as dollars and cents;
whether it is allowed, and whether a check number is needed, is the server's to say beside the field. One user
action keeps one idempotency key: sending the same payment again (after the server could not be reached) posts it
once; changing it makes a new key. Opened from the schedule ($ on an appointment) it is a copay: kept as credit,
the note "copay", and the payment names the appointment so it is recorded against the visit.
"""

from __future__ import annotations

import uuid

from textual import on
from textual.app import ComposeResult
from textual.widgets import Checkbox, Input, Select

from client_tui import formatting
from client_tui.form_values import control_id
from client_tui.gateway import FieldViolation, Gateway, GatewayError, RuleBroken
from client_tui.screens.form_screen import RecordFormScreen
from client_tui.typed_values import UnreadableValue, cents_from_dollars
from client_tui.widgets.form_field import FormField, show_violations
from client_tui.workers import gateway_call
from shared.pms.ledger.v1 import ledger_pb2 as lg
from shared.pms.patients.v1 import patients_pb2
from shared.pms.payments.v1 import payments_pb2 as pm

METHODS: list[tuple[str, int]] = [
    ("Cash", pm.PAYMENT_METHOD_CASH),
    ("Check", pm.PAYMENT_METHOD_CHECK),
    ("Card", pm.PAYMENT_METHOD_CARD),
]
METHOD_WORDS = {pm.PAYMENT_METHOD_CASH: "cash", pm.PAYMENT_METHOD_CHECK: "check", pm.PAYMENT_METHOD_CARD: "card"}
METHOD_KEY = "payment.method"
AMOUNT_KEY = "payment.amount_cents"
CHECK_KEY = "payment.check_number"
CARD_KEY = "payment.card_reference"
NOTE_KEY = "payment.note"
CREDIT_KEY = "keep_as_credit"


def payment_summary(answer: pm.PostPatientPaymentResponse) -> str:
    """Where a posted payment went, in one or two sentences."""
    payment, balance = answer.payment, answer.balance
    how = METHOD_WORDS.get(payment.method, "")
    if payment.method == pm.PAYMENT_METHOD_CHECK and payment.check_number:
        how += f" {payment.check_number}"
    parts = [f"Took {formatting.dollars(payment.amount_cents)} by {how}."]
    if payment.applications:
        applied = ", ".join(
            f"{formatting.dollars(a.amount_cents)} to {a.code} of {formatting.calendar_date(a.date_of_service)}"
            for a in payment.applications)
        parts.append(f"Applied {applied}.")
    if payment.unapplied_cents:
        parts.append(f"Kept as credit: {formatting.dollars(payment.unapplied_cents)}.")
    parts.append(f"Now owes {formatting.dollars(balance.patient_due_cents)}; "
                 f"credit {formatting.dollars(balance.unapplied_credit_cents)}.")
    return " ".join(parts)


class TakePaymentScreen(RecordFormScreen[pm.PostPatientPaymentResponse | None]):
    """Dismisses with the server's answer (the payment and the balance after it), or None."""

    CSS_PATH = "take_payment_screen.tcss"
    SUBMIT_LABEL = "Post payment"
    VALUE_PREFIX = ""

    def __init__(
        self, gateway: Gateway, patient: patients_pb2.Patient, ledger: lg.GetPatientLedgerResponse | None,
        appointment_id: int = 0, note: str = "", keep_as_credit: bool = False,
    ) -> None:
        """``ledger`` None: the balances are not shown. ``appointment_id``, ``note`` and ``keep_as_credit`` start the
        form (a copay at check-in)."""
        super().__init__()
        self.gateway = gateway
        self.patient = patient
        self.ledger = ledger
        self.appointment_id = appointment_id
        self.start_note = note
        self.start_keep_as_credit = keep_as_credit
        self.FORM_TITLE = f"Take a payment from {formatting.spoken_name(patient.name)} (MRN {patient.mrn})"
        self.idempotency_key = ""
        self.last_request = b""
        self.started_values = {}
        self.warned_unsaved = False

    def intro(self) -> str:
        if self.ledger is None:
            return "The payment goes to the oldest balances first; what is left is kept as credit."
        return (f"Owes {formatting.dollars(self.ledger.patient_balance_cents)}; credit "
                f"{formatting.dollars(self.ledger.credit_balance_cents)}; with insurance "
                f"{formatting.dollars(self.ledger.insurance_balance_cents)}. The payment goes to the oldest "
                "balances first; what is left is kept as credit.")

    def compose_fields(self) -> ComposeResult:
        methods: Select[int] = Select(METHODS, allow_blank=False, value=pm.PAYMENT_METHOD_CASH,
                                      id=control_id(METHOD_KEY), compact=True)
        yield FormField("Paid by", methods, METHOD_KEY)
        yield self.text(AMOUNT_KEY, "Amount $", placeholder="e.g. 25.00")
        yield self.text(CHECK_KEY, "Check number", max_length=30)
        yield self.text(CARD_KEY, "Card reference", placeholder="the card processor's reference", max_length=60)
        yield self.text(NOTE_KEY, "Note", placeholder="e.g. copay for today's visit", max_length=500)
        yield self.flag(CREDIT_KEY, "Keep as credit",
                        "Keep it all as credit (a copay before the visit is charged)")

    def on_mount(self) -> None:
        super().on_mount()
        self._show_method_fields(pm.PAYMENT_METHOD_CASH)
        self.query_one(f"#{control_id(NOTE_KEY)}", Input).value = self.start_note
        self.query_one(f"#{control_id(CREDIT_KEY)}", Checkbox).value = self.start_keep_as_credit
        self.control(AMOUNT_KEY).focus()

    def _show_method_fields(self, method: object) -> None:
        for key, wanted in ((CHECK_KEY, pm.PAYMENT_METHOD_CHECK), (CARD_KEY, pm.PAYMENT_METHOD_CARD)):
            form_field = next(f for f in self.query(FormField) if f.field_name == key)
            form_field.display = method == wanted

    @on(Select.Changed, f"#{control_id(METHOD_KEY)}")
    def _method_changed(self, event: Select.Changed) -> None:
        self._show_method_fields(event.value)

    def action_cancel(self) -> None:
        values = self.form_values()
        typed = (any(values.get(key) for key in (AMOUNT_KEY, CHECK_KEY, CARD_KEY))
                 or str(values.get(NOTE_KEY) or "") != self.start_note)
        self.leave_unless_unsaved(typed)

    # -- posting -------------------------------------------------------------------
    def submit(self) -> None:
        values = self.form_values()
        try:
            amount = cents_from_dollars(str(values[AMOUNT_KEY]))
        except UnreadableValue as error:
            show_violations(self, [FieldViolation(AMOUNT_KEY, str(error))])
            self.say("Please correct the field marked.")
            return
        method = values[METHOD_KEY]
        payment = pm.PatientPayment(
            patient_id=self.patient.patient_id,
            method=method if isinstance(method, int) else 0,  # type: ignore[arg-type]
            amount_cents=amount,
            # Only the one the method shows is sent.
            check_number=str(values[CHECK_KEY]) if method == pm.PAYMENT_METHOD_CHECK else "",
            card_reference=str(values[CARD_KEY]) if method == pm.PAYMENT_METHOD_CARD else "",
            note=str(values[NOTE_KEY]),
            appointment_id=self.appointment_id,
        )
        keep = bool(values[CREDIT_KEY])
        content = pm.PostPatientPaymentRequest(payment=payment, keep_as_credit=keep).SerializeToString(
            deterministic=True)
        if content != self.last_request:
            # Another payment than the one sent last: a new key (the same one resent keeps its key).
            self.last_request, self.idempotency_key = content, uuid.uuid4().hex
        self.post(payment, keep, self.idempotency_key)

    @gateway_call
    async def post(self, payment: pm.PatientPayment, keep_as_credit: bool, idempotency_key: str) -> None:
        self.say("Posting…", info=True)
        answer = await self.gateway.post_patient_payment(payment, keep_as_credit=keep_as_credit,
                                                         idempotency_key=idempotency_key)
        self.dismiss(answer)

    def show_inline_error(self, error: GatewayError) -> bool:
        if isinstance(error, RuleBroken) and error.reason == "IDEMPOTENCY_KEY_REUSED":
            # Cannot happen from this form (a changed payment gets a new key); say it plainly if it does.
            self.last_request = b""
            self.say("The server refused this as a repeat of another payment; nothing was posted. Ctrl+S tries again.")
            return True
        return super().show_inline_error(error)

"""A payment plan for a guarantor's account (N on the collections screen, ``collections.manage``), for the patient
picked first: the plan covers every patient that guarantor pays for.

Total blank: what the guarantor owes now (the server works it out). The installment is monthly, due on a day of the
month (1 to 28), the first one on or after the start (blank: today). Whatever the server objects to shows under its
field; a guarantor who already has an active plan, or owes nothing, is said in the form.
"""

from __future__ import annotations

from textual.app import ComposeResult
from textual.widgets import Input

from client_tui import formatting
from client_tui.gateway import FieldViolation, Gateway
from client_tui.screens.form_screen import FormScreen
from client_tui.typed_values import UnreadableValue, cents_from_dollars, date_from_text, whole_number
from client_tui.widgets.form_field import FormField, show_violations
from client_tui.workers import gateway_call
from shared.pms.statements.v1 import statements_pb2 as st


class PaymentPlanScreen(FormScreen[st.PaymentPlan | None]):
    """Dismisses with the plan made, or None."""

    FORM_TITLE = "New payment plan"
    SUBMIT_LABEL = "Make plan"

    def __init__(self, gateway: Gateway, patient_id: int, patient_name: str) -> None:
        super().__init__()
        self.gateway = gateway
        self.patient_id = patient_id
        self.patient_name = patient_name
        self.saving = False

    def intro(self) -> str:
        return (f"For the account of {self.patient_name}'s guarantor (every patient they pay for). "
                "Statements then ask for the installment while the plan is current.")

    def compose_fields(self) -> ComposeResult:
        yield FormField("Total", Input(id="plan-total", compact=True, placeholder="blank: what is owed now"),
                        "total_cents")
        yield FormField("Monthly installment", Input(id="plan-installment", compact=True, placeholder="50.00"),
                        "installment_cents")
        yield FormField("Due day of the month", Input(id="plan-due-day", compact=True, restrict=r"\d*",
                                                      max_length=2, placeholder="1 to 28"), "due_day")
        yield FormField("Start", Input(id="plan-start", compact=True, placeholder="MM/DD/YYYY, blank: today"),
                        "start_date", hint="The first installment is due on the first due day on or after it.")
        yield FormField("Note", Input(id="plan-note", compact=True, max_length=500), "note")

    def on_mount(self) -> None:
        super().on_mount()
        self.query_one("#plan-total", Input).focus()

    def read(self) -> st.CreatePaymentPlanRequest | None:
        request = st.CreatePaymentPlanRequest(patient_id=self.patient_id,
                                              note=self.query_one("#plan-note", Input).value.strip())
        problems: list[FieldViolation] = []
        readers = (("total_cents", "#plan-total", cents_from_dollars),
                   ("installment_cents", "#plan-installment", cents_from_dollars),
                   ("due_day", "#plan-due-day", whole_number))
        for key, control, reader in readers:
            try:
                setattr(request, key, reader(self.query_one(control, Input).value))
            except UnreadableValue as error:
                problems.append(FieldViolation(key, str(error)))
        try:
            start = date_from_text(self.query_one("#plan-start", Input).value)
            if start is not None:
                request.start_date.CopyFrom(start)
        except UnreadableValue as error:
            problems.append(FieldViolation("start_date", str(error)))
        if problems:
            show_violations(self, problems)
            return None
        return request

    def submit(self) -> None:
        if self.saving:
            return
        request = self.read()
        if request is not None:
            self.make(request)

    @gateway_call
    async def make(self, request: st.CreatePaymentPlanRequest) -> None:
        self.saving = True
        self.say("Making the plan…", info=True)
        try:
            plan = await self.gateway.create_payment_plan(request)
        finally:
            self.saving = False
        self.dismiss(plan)


def plan_made_sentence(plan: st.PaymentPlan) -> str:
    return (f"Plan {plan.payment_plan_id} for {plan.guarantor_name}: {formatting.dollars(plan.total_cents)} at "
            f"{formatting.dollars(plan.installment_cents)} a month on day {plan.due_day}, first due "
            f"{formatting.calendar_date(plan.next_due_date)}.")

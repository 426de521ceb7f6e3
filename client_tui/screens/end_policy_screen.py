"""End a policy: ask for the last day it covers, then take it out of the billing order."""

from __future__ import annotations

from datetime import date

from textual.app import ComposeResult
from textual.widgets import Input

from client_tui import formatting
from client_tui.gateway import FieldViolation, Gateway
from client_tui.screens.form_screen import FormScreen
from client_tui.typed_values import DATE_HINT, UnreadableValue, calendar_day_from_text
from client_tui.widgets.form_field import FormField, show_violations
from client_tui.workers import gateway_call
from shared.pms.insurance.v1 import insurance_pb2
from shared.pms.patients.v1 import patients_pb2


class EndPolicyScreen(FormScreen[insurance_pb2.Policy | None]):
    """Dismisses with the ended policy, or None."""

    CSS_PATH = "end_policy_screen.tcss"
    FORM_TITLE = "End policy"
    SUBMIT_LABEL = "End policy"

    def __init__(self, gateway: Gateway, patient: patients_pb2.Patient, policy: insurance_pb2.Policy) -> None:
        super().__init__()
        self.gateway = gateway
        self.patient = patient
        self.policy = policy

    def intro(self) -> str:
        member = f", member ID {self.policy.member_id}" if self.policy.member_id else ""
        return (
            f"End {self.policy.payer_name}{member} for {formatting.spoken_name(self.patient.name)}? "
            "The policy stays on file but leaves the billing order."
        )

    def compose_fields(self) -> ComposeResult:
        yield FormField(
            "Termination date",
            Input(formatting.calendar_date(self.policy.termination_date), placeholder=DATE_HINT, id="termination-date"),
            "termination_date",
            hint="The last day the policy covers.",
        )

    def submit(self) -> None:
        text = self.query_one("#termination-date", Input).value
        try:
            last_day = calendar_day_from_text(text)
        except UnreadableValue as error:
            show_violations(self, [FieldViolation("termination_date", str(error))])
            return
        if last_day is None:
            show_violations(self, [FieldViolation("termination_date", f"type the last day it covers ({DATE_HINT})")])
            return
        self.end_policy(last_day)

    @gateway_call
    async def end_policy(self, last_day: date) -> None:
        ended = await self.gateway.end_policy(self.policy.policy_id, last_day, self.policy.version)
        self.dismiss(ended)

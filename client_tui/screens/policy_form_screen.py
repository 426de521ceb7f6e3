"""Add or edit an insurance policy: payer, member, subscriber, dates, benefits, claim settings.

Enter goes payer -> member ID -> effective date -> save; Tab visits every field. The
subscriber's fields show only when the patient is not the subscriber.
"""

from __future__ import annotations

import uuid

from textual import on
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.widgets import Button, Input, Select

from client_tui import formatting
from client_tui.choices import MEDICARE_SECONDARY_TYPES, RELATIONSHIP_SELF, RELATIONSHIPS, priority_name
from client_tui.form_values import (
    FormValues,
    UnreadableField,
    control_id,
    explain,
    read_control,
    reconcile,
    write_control,
)
from client_tui.gateway import FieldViolation, Gateway, GatewayError, StaleRecord
from client_tui.policy_values import LABELS, build_policy, read_policy
from client_tui.screens.form_screen import RecordFormScreen
from client_tui.typed_values import DATE_HINT
from client_tui.widgets.field_group import FieldGroup
from client_tui.widgets.form_field import FormField, show_violations
from client_tui.widgets.payer_picker import PayerPicker, payer_label
from client_tui.workers import gateway_call
from shared.pms.insurance.v1 import insurance_pb2
from shared.pms.patients.v1 import patients_pb2

PAYER_KEY = "policy.payer_id"
PAYER_SEARCH_ID = f"{control_id(PAYER_KEY)}-search"
RELATIONSHIP_KEY = "policy.subscriber_relationship"


def priority_choices(active_count: int) -> list[tuple[str, int]]:
    """Where a new policy goes in the billing order; 0 (the default) is after the active ones."""
    before = [(f"{n} {priority_name(n)}", n) for n in range(1, active_count + 1)]
    last = active_count + 1
    return [*before, (f"{last} {priority_name(last)}" + (" (last)" if active_count else ""), 0)]


class PolicyFormScreen(RecordFormScreen[insurance_pb2.Policy | None]):
    """Dismisses with the saved policy, or None."""

    VALUE_PREFIX = "policy."
    CAPITALS = frozenset(control_id(k) for k in ("policy.subscriber.sex", "policy.subscriber.address.state"))
    CSS_PATH = "policy_form_screen.tcss"
    KEY_FIELDS = (PAYER_SEARCH_ID, control_id("policy.member_id"), control_id("policy.effective_date"))
    INTRO = "Enter: payer, member ID, effective date, then saves. Tab visits every field."

    def __init__(
        self,
        gateway: Gateway,
        patient: patients_pb2.Patient,
        active_policies: int,
        policy: insurance_pb2.Policy | None = None,
    ) -> None:
        super().__init__()
        self.gateway = gateway
        self.patient = patient
        self.active_policies = active_policies
        # The version the user started from (None: adding).
        self.policy = policy
        who = f"{formatting.spoken_name(patient.name)} (MRN {patient.mrn})"
        self.FORM_TITLE = f"Edit policy of {who}" if policy else f"Add a policy for {who}"
        self.SUBMIT_LABEL = "Save changes" if policy else "Add policy"
        self.idempotency_key = uuid.uuid4().hex
        self.started_values: FormValues = {}
        self.warned_unsaved = False

    def compose_fields(self) -> ComposeResult:
        policy = self.policy
        picker = PayerPicker(
            self.gateway,
            input_id=PAYER_SEARCH_ID,
            payer_id=policy.payer_id if policy else 0,
            label=payer_label(policy.payer_name, policy.electronic_payer_id) if policy else "",
            id=control_id(PAYER_KEY),
        )
        relationships: Select[str] = Select(
            [(f"{code} {label}", code) for code, label in RELATIONSHIPS],
            allow_blank=False,
            id=control_id(RELATIONSHIP_KEY),
            compact=True,
        )
        medicare: Select[str] = Select(
            [("—", "")] + [(f"{code} {label}", code) for code, label in MEDICARE_SECONDARY_TYPES],
            allow_blank=False,
            id=control_id("policy.medicare_secondary_type"),
            compact=True,
        )
        with Horizontal(id="policy-form-columns"):
            with Vertical(classes="policy-form-column"):
                with FieldGroup("Payer & member"):
                    yield FormField("Payer", picker, PAYER_KEY)
                    yield self.text("policy.plan_name", "Plan", placeholder="e.g. PPO Gold")
                    yield self.text("policy.member_id", "Member ID")
                    yield self.text("policy.group_number", "Group number")
                    yield FormField("Patient is", relationships, RELATIONSHIP_KEY)
                with FieldGroup("Subscriber (who holds the policy)", id="policy-subscriber"):
                    yield self.text("policy.subscriber.name.last", "Last name")
                    yield self.text("policy.subscriber.name.first", "First name")
                    yield self.text("policy.subscriber.name.middle", "Middle name")
                    yield self.text("policy.subscriber.date_of_birth", "Date of birth", placeholder=DATE_HINT)
                    yield self.text("policy.subscriber.sex", "Sex", placeholder="F, M or U", max_length=1)
                    yield self.text("policy.subscriber.address.line1", "Street")
                    yield self.text("policy.subscriber.address.line2", "Apt, suite")
                    yield self.text("policy.subscriber.address.city", "City")
                    yield self.text("policy.subscriber.address.state", "State", max_length=2)
                    yield self.text("policy.subscriber.address.zip", "ZIP")
            with Vertical(classes="policy-form-column"):
                with FieldGroup("Coverage"):
                    yield self.text("policy.effective_date", "Effective", placeholder=DATE_HINT)
                    yield self.text("policy.termination_date", "Terminates", placeholder="blank while open-ended")
                    if policy is None:
                        order: Select[int] = Select(
                            priority_choices(self.active_policies),
                            allow_blank=False,
                            value=0,
                            id="priority",
                            compact=True,
                        )
                        yield FormField("Billing order", order, "priority")
                with FieldGroup("Benefits"):
                    yield self.text("policy.copay_cents", "Copay $", placeholder="e.g. 25.00")
                    yield self.text("policy.coinsurance_percent", "Coinsurance %", placeholder="0-100")
                    yield self.text("policy.deductible_cents", "Deductible $", placeholder="e.g. 1500.00")
                    yield self.text("policy.benefit_notes", "Benefit notes")
                with FieldGroup("Claims"):
                    yield FormField("Medicare 2nd", medicare, "policy.medicare_secondary_type")
                    yield self.flag("policy.accept_assignment", "Assignment", "Accept assignment")
                    yield self.flag("policy.signature_on_file", "Signature", "Signature on file")

    def on_mount(self) -> None:
        super().on_mount()
        for button in self.query(Button):
            button.compact = True
        self.fill(read_policy(self.policy))
        self.started_values = self.form_values()
        self.query_one(f"#{PAYER_SEARCH_ID}", Input).focus()

    # -- values ----------------------------------------------------------------------
    def fill(self, values: FormValues) -> None:
        for key, value in values.items():
            if key != PAYER_KEY:  # the picker got its payer (with its name) when built
                write_control(self.control(key), value)
        self._show_subscriber(values[RELATIONSHIP_KEY])

    def _show_subscriber(self, relationship: object) -> None:
        self.query_one("#policy-subscriber").set_class(relationship == RELATIONSHIP_SELF, "-hidden")

    @on(Select.Changed, f"#{control_id(RELATIONSHIP_KEY)}")
    def _relationship_changed(self, event: Select.Changed) -> None:
        self._show_subscriber(event.value)

    @on(PayerPicker.Chosen)
    def _payer_chosen(self, event: PayerPicker.Chosen) -> None:
        if event.by_list:
            self.query_one(f"#{control_id('policy.member_id')}", Input).focus()

    # -- saving ----------------------------------------------------------------------
    def submit(self) -> None:
        try:
            policy = build_policy(self.form_values(), self.policy, self.patient.patient_id)
        except UnreadableField as error:
            show_violations(self, [FieldViolation(error.key, error.message)])
            self.say("Please correct the fields marked.")
            return
        if self.policy is None:
            order = self.query_one("#priority", Select).value
            self.add_policy(policy, order if isinstance(order, int) else 0)
        else:
            self.save_changes(policy)

    @gateway_call
    async def add_policy(self, policy: insurance_pb2.Policy, priority: int) -> None:
        self.say("Adding…", info=True)
        added = await self.gateway.add_policy(policy, priority, self.idempotency_key)
        self.dismiss(added)

    @gateway_call
    async def save_changes(self, policy: insurance_pb2.Policy) -> None:
        self.say("Saving…", info=True)
        self.dismiss(await self.gateway.update_policy(policy))

    def show_inline_error(self, error: GatewayError) -> bool:
        if isinstance(error, StaleRecord) and self.policy is not None:
            self.say("Someone else saved this policy first; fetching their version…")
            self.take_their_version(self.policy.policy_id)
            return True
        return super().show_inline_error(error)

    @gateway_call
    async def take_their_version(self, policy_id: int) -> None:
        policies = await self.gateway.list_policies(self.patient.patient_id, include_ended=True)
        latest = next((p for p in policies if p.policy_id == policy_id), None)
        if latest is None:
            self.say("This policy is no longer on file; Escape closes the form.")
            return
        result = reconcile(read_policy(self.policy), read_policy(latest), self.form_values())
        for key, value in result.theirs_taken.items():
            if key == PAYER_KEY:
                self.query_one(PayerPicker).choose(
                    latest.payer_id, payer_label(latest.payer_name, latest.electronic_payer_id)
                )
            else:
                write_control(self.control(key), value)
        self._show_subscriber(read_control(self.control(RELATIONSHIP_KEY)))
        self.policy = latest
        self.say(explain(result, LABELS, "this policy"))

    def action_cancel(self) -> None:
        self.leave_unless_unsaved(self.form_values() != self.started_values)

"""Patient > Insurance: the policies in billing order, then the ended ones; add, edit, end, reorder.

C asks the selected policy's payer about eligibility for today; the line under the table shows that policy's newest
check ("sent … waiting for the payer" until the payer answers, then coverage, plan and figures). The answer comes
later (the server's clearinghouse job): R fetches the checks again.
"""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.widgets import DataTable, Static

from client_tui import formatting
from client_tui.choices import RELATIONSHIP_NAMES, priority_name
from client_tui.eligibility_values import check_line, latest
from client_tui.messages import EligibilityChanged, PatientChanged
from client_tui.screens.end_policy_screen import EndPolicyScreen
from client_tui.screens.policy_form_screen import PolicyFormScreen
from client_tui.widgets.patient_panel import PatientPanel
from client_tui.workers import gateway_call
from shared.pms.insurance.v1 import insurance_pb2
from shared.pms.patients.v1 import patients_pb2

COLUMNS = ("Order", "Payer", "Plan", "Member ID", "Group", "Subscriber", "Covers")
ON_SELECTED = {"edit_policy", "end_policy", "move_up", "move_down", "check_eligibility"}
WRITE_ACTIONS = {"add_policy"} | ON_SELECTED


def order_text(policy: insurance_pb2.Policy) -> Text:
    if policy.ended:
        return Text("ended", style="dim")
    return Text(f"{policy.priority} {priority_name(policy.priority)}", style="bold" if policy.priority == 1 else "")


def covers_text(policy: insurance_pb2.Policy) -> str:
    start = formatting.calendar_date(policy.effective_date)
    end = formatting.calendar_date(policy.termination_date)
    return f"{start} to {end}" if end else f"from {start}" if start else ""


def subscriber_text(policy: insurance_pb2.Policy) -> str:
    relationship = RELATIONSHIP_NAMES.get(policy.subscriber_relationship, policy.subscriber_relationship)
    if policy.HasField("subscriber") and policy.subscriber.name.last:
        return f"{relationship}: {formatting.spoken_name(policy.subscriber.name)}"
    return relationship


class InsurancePanel(PatientPanel):
    DEFAULT_CSS = """
    InsurancePanel > DataTable {
        height: 1fr;
    }
    InsurancePanel > #policy-eligibility {
        height: auto;
        padding: 0 1;
    }
    """

    BINDINGS = [
        Binding("a", "add_policy", "Add policy", tooltip="Add an insurance policy", id="insurance.add"),
        Binding("e", "edit_policy", "Edit", tooltip="Change the selected policy", id="insurance.edit"),
        Binding("t", "end_policy", "End", tooltip="Give the selected policy a termination date", id="insurance.end"),
        Binding("u", "move_up", "Move up", tooltip="Bill the selected policy earlier", id="insurance.move_up"),
        Binding("d", "move_down", "Move down", tooltip="Bill the selected policy later", id="insurance.move_down"),
        Binding("c", "check_eligibility", "Eligibility", tooltip="Ask the payer whether the selected policy covers "
                "today (the answer arrives in a few minutes)", id="insurance.check_eligibility"),
        Binding("r", "reload_eligibility", "Refresh elig.", tooltip="Fetch the eligibility answers again",
                id="insurance.reload_eligibility"),
    ]

    # True from a move until the reloaded record shows: a second move must start from the new order.
    moving = False
    # The patient's eligibility checks as last fetched (None: not yet).
    checks: list[insurance_pb2.EligibilityCheck] | None = None

    def compose(self) -> ComposeResult:
        table: DataTable[str | Text] = DataTable(id="policies-table", cursor_type="row", zebra_stripes=True)
        table.add_columns(*COLUMNS)
        yield table
        yield Static("", id="policy-eligibility", markup=False)
        yield Static("", id="policies-summary", classes="patient-panel--summary", markup=False)

    def focus_main(self) -> None:
        self.query_one(DataTable).focus()

    @property
    def policies(self) -> list[insurance_pb2.Policy]:
        return list(self.record.policies) if self.record is not None else []

    def active_policies(self) -> list[insurance_pb2.Policy]:
        return [p for p in self.policies if not p.ended]

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action in WRITE_ACTIONS and not ("insurance.write" in self.permissions and self.writable()):
            return False
        selected = self.selected_policy()
        if action in ON_SELECTED and selected is None:
            return None
        if selected is not None and selected.ended and action in {"end_policy", "move_up", "move_down",
                                                                  "check_eligibility"}:
            return None
        if action == "move_up" and selected is not None and selected.priority <= 1:
            return None
        if action == "move_down" and selected is not None and selected.priority >= len(self.active_policies()):
            return None
        return True

    def show_record(
        self, record: patients_pb2.GetPatientResponse, select_policy_id: int, select_document_id: int
    ) -> None:
        self.moving = False
        table = self.query_one(DataTable)
        keep_row = table.cursor_row
        table.clear()
        for policy in record.policies:
            table.add_row(
                order_text(policy),
                policy.payer_name,
                policy.plan_name,
                policy.member_id,
                policy.group_number,
                subscriber_text(policy),
                covers_text(policy),
                key=str(policy.policy_id),
            )
        if select_policy_id and str(select_policy_id) in {str(p.policy_id) for p in record.policies}:
            table.move_cursor(row=table.get_row_index(str(select_policy_id)))
        elif table.row_count:
            table.move_cursor(row=min(keep_row, table.row_count - 1))
        active = len(self.active_policies())
        ended = len(record.policies) - active
        summary = f"{active} active polic{'y' if active == 1 else 'ies'} in billing order"
        if ended:
            summary += f", then {ended} ended"
        if not record.policies:
            summary = "No insurance on file."
        self.query_one("#policies-summary", Static).update(summary)
        self.show_eligibility()

    def show_checks(self, checks: list[insurance_pb2.EligibilityCheck]) -> None:
        self.checks = checks
        self.show_eligibility()

    def show_eligibility(self) -> None:
        """The selected policy's newest check, under the table."""
        line = self.query_one("#policy-eligibility", Static)
        policy = self.selected_policy()
        if policy is None or self.checks is None:
            line.update("")
            return
        can_ask = not policy.ended and "insurance.write" in self.permissions and self.writable()
        line.update(check_line(latest(self.checks, policy.policy_id), can_ask))

    def selected_policy(self) -> insurance_pb2.Policy | None:
        table = self.query_one(DataTable)
        if self.record is None or table.row_count == 0:
            return None
        row_key = table.coordinate_to_cell_key(table.cursor_coordinate).row_key
        return next((p for p in self.policies if str(p.policy_id) == row_key.value), None)

    def on_data_table_row_highlighted(self) -> None:
        self.refresh_bindings()
        if self.record is not None:
            self.show_eligibility()

    # -- actions ------------------------------------------------------------------
    def action_add_policy(self) -> None:
        if self.patient is None:
            return
        screen = PolicyFormScreen(self.gateway, self.patient, len(self.active_policies()))
        self.app.push_screen(screen, self._saved)

    def action_edit_policy(self) -> None:
        policy = self.selected_policy()
        if self.patient is not None and policy is not None:
            screen = PolicyFormScreen(self.gateway, self.patient, len(self.active_policies()), policy)
            self.app.push_screen(screen, self._saved)

    def action_end_policy(self) -> None:
        policy = self.selected_policy()
        if self.patient is not None and policy is not None and not policy.ended:
            self.app.push_screen(EndPolicyScreen(self.gateway, self.patient, policy), self._saved)

    def _saved(self, policy: insurance_pb2.Policy | None) -> None:
        if policy is not None:
            self.post_message(PatientChanged(select_policy_id=policy.policy_id))

    def action_move_up(self) -> None:
        self._move(-1)

    def action_move_down(self) -> None:
        self._move(+1)

    def _move(self, step: int) -> None:
        policy = self.selected_policy()
        active = self.active_policies()
        if self.patient is None or policy is None or policy.ended or self.moving:
            return
        order = [p.policy_id for p in active]
        at = order.index(policy.policy_id)
        if not 0 <= at + step < len(order):
            return
        order[at], order[at + step] = order[at + step], order[at]
        self.moving = True
        self.reorder(self.patient.patient_id, order, policy.policy_id)

    def action_check_eligibility(self) -> None:
        policy = self.selected_policy()
        if self.patient is not None and policy is not None and not policy.ended:
            self.ask_eligibility(policy.policy_id)

    @gateway_call
    async def ask_eligibility(self, policy_id: int) -> None:
        asked = await self.gateway.check_eligibility([policy_id])
        if self.checks is not None:
            self.show_checks([*asked, *(c for c in self.checks if c.check_id not in {a.check_id for a in asked})])
        self.post_message(EligibilityChanged())

    def action_reload_eligibility(self) -> None:
        self.post_message(EligibilityChanged())

    @gateway_call
    async def reorder(self, patient_id: int, order: list[int], moved_policy_id: int) -> None:
        try:
            await self.gateway.reorder_policies(patient_id, order)
        finally:
            self.post_message(PatientChanged(select_policy_id=moved_policy_id))

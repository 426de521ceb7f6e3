"""Collections and payment plans (K in the claims worklist, ``collections.manage``).

The top list: the accounts statement runs flagged for collections (past the last notice) and those already sent to
the agency. E saves the agency's file of the flagged ones into a folder (they become sent; one key per export, so a
retry after the server could not be reached gets the same file). The bottom list: the payment plans with their
standing (current, or how many installments missed); N makes one for a patient picked with the search box, C cancels
the highlighted one with a reason, A shows the cancelled ones too. Tab moves between the lists; Ctrl+R fetches again;
Escape goes back.
"""

from __future__ import annotations

import uuid
from pathlib import Path

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.screen import Screen
from textual.widgets import DataTable, Footer, Static

from client_tui import formatting
from client_tui.errors import describe
from client_tui.gateway import Gateway, GatewayError, Progress
from client_tui.screens.payment_plan_screen import PaymentPlanScreen, plan_made_sentence
from client_tui.screens.pick_patient_screen import PickPatientScreen
from client_tui.screens.reason_screen import ReasonScreen
from client_tui.screens.save_to_folder_screen import SaveToFolderScreen
from client_tui.statement_values import (
    COLLECTION_COLUMNS,
    PLAN_COLUMNS,
    collection_row,
    plan_detail,
    plan_row,
    plural,
)
from client_tui.widgets.money_table import fit_columns
from client_tui.widgets.status_line import StatusLine
from client_tui.workers import gateway_call
from shared.pms.auth.v1 import auth_pb2
from shared.pms.statements.v1 import statements_pb2 as st


class CollectionsScreen(Screen[None]):
    CSS_PATH = "collections_screen.tcss"

    BINDINGS = [
        Binding("escape", "back", "Back", tooltip="Back to the claims", id="collections.back"),
        Binding("e", "export", "Agency file", tooltip="Save the flagged accounts as the collection agency's file",
                id="collections.export"),
        Binding("n", "new_plan", "New plan", tooltip="A payment plan for a patient's guarantor",
                id="collections.new_plan"),
        Binding("c", "cancel_plan", "Cancel plan", tooltip="End the highlighted payment plan, with a reason",
                id="collections.cancel_plan"),
        Binding("a", "all_plans", "All plans", tooltip="Show the cancelled plans too (or hide them)",
                id="collections.all_plans"),
        Binding("ctrl+r", "reload", "Reload", tooltip="Fetch the accounts and the plans again",
                id="collections.reload"),
    ]

    def __init__(self, gateway: Gateway, session: auth_pb2.Session) -> None:
        super().__init__()
        self.gateway = gateway
        self.session = session
        self.accounts: list[st.CollectionAccount] = []
        self.plans: list[st.PaymentPlan] = []
        self.include_cancelled = False
        self.loaded = False
        # One key per agency file asked for: kept until the server answers.
        self.export_key = ""

    def compose(self) -> ComposeResult:
        yield StatusLine(self.gateway, self.session)
        yield Static("Accounts for collections", id="collections-title", classes="collections-title", markup=False)
        yield DataTable[str | Text](id="collections-table", cursor_type="row", zebra_stripes=True)
        yield Static("Payment plans", id="plans-title", classes="collections-title", markup=False)
        yield DataTable[str | Text](id="plans-table", cursor_type="row", zebra_stripes=True)
        yield Static("", id="plans-detail", markup=False)
        yield Static("Loading…", id="collections-message", markup=False)
        yield Footer()

    def on_mount(self) -> None:
        self.query_one("#collections-table", DataTable).focus()
        self.load()

    def flagged(self) -> list[st.CollectionAccount]:
        return [a for a in self.accounts if a.status == st.COLLECTION_STATUS_FLAGGED]

    def selected_plan(self) -> st.PaymentPlan | None:
        row = self.query_one("#plans-table", DataTable).cursor_row
        return self.plans[row] if self.plans and 0 <= row < len(self.plans) else None

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "export":
            return True if self.flagged() else None
        if action == "cancel_plan":
            plan = self.selected_plan()
            return True if plan is not None and plan.status == st.PAYMENT_PLAN_STATUS_ACTIVE else None
        return True

    # -- loading ---------------------------------------------------------------------------------------
    @gateway_call
    async def load(self, then_say: str = "") -> None:
        self.accounts = await self.gateway.list_collection_accounts()
        self.plans = await self.gateway.list_payment_plans(include_cancelled=self.include_cancelled)
        self.loaded = True
        self._fill()
        if then_say:
            self.say(then_say)
        else:
            flagged = self.flagged()
            waiting = (f"{plural(len(flagged), 'account')} waiting for the agency: "
                       f"{formatting.dollars(sum(a.balance_cents for a in flagged))} (E saves their file)"
                       if flagged else "No account is waiting for the agency")
            self.say(f"{waiting} · {plural(len(self.plans), 'payment plan')} shown.")

    def _fill(self) -> None:
        accounts = self.query_one("#collections-table", DataTable)
        row = accounts.cursor_row
        fit_columns(accounts, "Guarantor", COLLECTION_COLUMNS, self.size.width)
        for account in self.accounts:
            accounts.add_row(*collection_row(account), key=str(account.collection_account_id))
        if self.accounts:
            accounts.move_cursor(row=max(0, min(row, len(self.accounts) - 1)))
        plans = self.query_one("#plans-table", DataTable)
        row = plans.cursor_row
        fit_columns(plans, "Guarantor", PLAN_COLUMNS, self.size.width)
        for plan in self.plans:
            plans.add_row(*plan_row(plan), key=str(plan.payment_plan_id))
        if self.plans:
            plans.move_cursor(row=max(0, min(row, len(self.plans) - 1)))
        which = "every payment plan" if self.include_cancelled else "active payment plans"
        self.query_one("#plans-title", Static).update(f"Payment plans · {which} · A shows "
                                                      f"{'only the active' if self.include_cancelled else 'all'}")
        self._show_detail()

    def _show_detail(self) -> None:
        plan = self.selected_plan()
        self.query_one("#plans-detail", Static).update(plan_detail(plan) if plan else "")
        self.refresh_bindings()

    def on_resize(self) -> None:
        if self.loaded:
            self._fill()

    @on(DataTable.RowHighlighted, "#plans-table")
    def _plan_highlighted(self, event: DataTable.RowHighlighted) -> None:
        event.stop()
        self._show_detail()

    # -- messages --------------------------------------------------------------------------------------
    def say(self, text: str, error: bool = False) -> None:
        message = self.query_one("#collections-message", Static)
        message.update(text)
        message.set_class(error, "-error")

    def show_inline_error(self, error: GatewayError) -> bool:
        self.say(f"Could not do that: {describe(error)}", error=True)
        return True

    # -- the agency's file -----------------------------------------------------------------------------
    def action_export(self) -> None:
        flagged = self.flagged()
        if not flagged:
            return
        self.export_key = self.export_key or uuid.uuid4().hex
        key = self.export_key
        intro = (f"{plural(len(flagged), 'flagged account')}, "
                 f"{formatting.dollars(sum(a.balance_cents for a in flagged))}, as the collection agency's file. "
                 "They become sent: no more statements go to them.")

        async def save(folder: Path, progress: Progress) -> str:
            saved = await self.gateway.export_collections(folder, idempotency_key=key)
            progress(1, 1)
            self.export_key = ""
            return (f"Saved {saved.path}: {plural(saved.account_count, 'account')}, "
                    f"{formatting.dollars(saved.total_cents)}.")

        def saved(said: str | None) -> None:
            if said:
                self.load(said)

        self.app.push_screen(SaveToFolderScreen("Collection agency file", intro, save), saved)

    # -- payment plans ---------------------------------------------------------------------------------
    def action_new_plan(self) -> None:
        def picked(patient_id: int | None) -> None:
            if patient_id:
                self.open_plan_form(patient_id)

        self.app.push_screen(PickPatientScreen(self.gateway, self.session, "New payment plan · which patient?"),
                             picked)

    @gateway_call
    async def open_plan_form(self, patient_id: int) -> None:
        record = await self.gateway.get_patient(patient_id)

        def made(plan: st.PaymentPlan | None) -> None:
            if plan is not None:
                self.load(plan_made_sentence(plan))

        self.app.push_screen(PaymentPlanScreen(self.gateway, patient_id, formatting.person_name(
            record.patient.name)), made)

    def action_cancel_plan(self) -> None:
        plan = self.selected_plan()
        if plan is None or plan.status != st.PAYMENT_PLAN_STATUS_ACTIVE:
            return
        intro = (f"Cancel plan {plan.payment_plan_id} for {plan.guarantor_name} "
                 f"({formatting.dollars(plan.installment_cents)} a month)? Its account is then dunned like any other.")

        async def cancel(reason: str) -> st.PaymentPlan:
            return await self.gateway.cancel_payment_plan(plan.payment_plan_id, plan.version, reason)

        def cancelled(answer: st.PaymentPlan | None) -> None:
            if answer is not None:
                self.load(f"Cancelled plan {answer.payment_plan_id} ({answer.guarantor_name}).")

        self.app.push_screen(ReasonScreen("Cancel payment plan", intro, "Cancel plan", cancel, max_length=500),
                             cancelled)

    def action_all_plans(self) -> None:
        self.include_cancelled = not self.include_cancelled
        self.load()

    def action_reload(self) -> None:
        self.load()

    def action_back(self) -> None:
        self.dismiss()

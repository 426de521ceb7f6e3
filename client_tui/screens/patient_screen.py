"""One patient: the banner, and tabs for demographics, insurance, documents and history.

F5-F8 switch the tabs (as they switch Admin's tabs in the shell, which is not active here);
Escape goes back to the finder. The screen fetches the record and hands it to every tab;
a tab that saved something asks for a fresh record with ``PatientChanged``. A manager merges
a duplicate into the record (M); a merged record says so and opens the one it went into (O). B opens the patient's
account (ledger, balances, taking a payment) with ``ledger.read``. The patient's
eligibility checks are fetched with the record (and again when a tab asks, ``EligibilityChanged``): the banner
shows the primary policy's newest answer, the Insurance tab the selected policy's newest check.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from functools import partial

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.screen import Screen
from textual.widgets import Footer, TabbedContent, TabPane

from client_tui.commands import ElsewhereCommand
from client_tui.errors import describe
from client_tui.gateway import Gateway, GatewayError, NotFound
from client_tui.messages import EligibilityChanged, PatientChanged
from client_tui.screens.merge_patients_screen import MergePatientsScreen
from client_tui.screens.patient_account_screen import PatientAccountScreen
from client_tui.screens.patient_form_screen import PatientFormScreen
from client_tui.widgets.demographics_panel import DemographicsPanel
from client_tui.widgets.documents_panel import DocumentsPanel
from client_tui.widgets.history_panel import HistoryPanel
from client_tui.widgets.insurance_panel import InsurancePanel
from client_tui.widgets.patient_banner import PatientBanner
from client_tui.widgets.patient_panel import PatientPanel
from client_tui.widgets.status_line import StatusLine
from client_tui.workers import gateway_call
from shared.pms.auth.v1 import auth_pb2
from shared.pms.patients.v1 import patients_pb2


@dataclass(frozen=True)
class PatientTab:
    pane_id: str
    title: str
    key: str
    # Shown when the session holds this permission (the server checks again).
    permission: str


def merged_notice(patient: patients_pb2.Patient) -> str:
    if patient.status != patients_pb2.PATIENT_STATUS_MERGED:
        return ""
    return (
        "This record was merged into another one and is read only: its policies and documents are on the "
        "record that was kept. O opens that record."
    )


# Enough for the newest check of every policy a patient has had.
ELIGIBILITY_LIMIT = 50

PATIENT_TABS = (
    PatientTab("demographics", "Demographics", "f5", "patients.read"),
    PatientTab("insurance", "Insurance", "f6", "patients.read"),
    PatientTab("documents", "Documents", "f7", "documents.read"),
    PatientTab("history", "History", "f8", "patients.read"),
)


class PatientScreen(Screen[None]):
    CSS_PATH = "patient_screen.tcss"

    BINDINGS = [
        Binding("escape", "back", "Back", tooltip="Back to the patient finder", id="patient.back"),
        *(
            Binding(tab.key, f"show_tab('{tab.pane_id}')", tab.title, show=False, id=f"patient.{tab.pane_id}")
            for tab in PATIENT_TABS
        ),
        Binding("ctrl+r", "reload", "Reload", tooltip="Fetch the patient's record again", id="patient.reload"),
        Binding(
            "m",
            "merge",
            "Merge duplicate",
            tooltip="Merge a duplicate into this record: its policies and documents move here",
            id="patient.merge",
        ),
        Binding(
            "b",
            "account",
            "Account",
            tooltip="The patient's ledger and balances; take a payment or a copay there",
            id="patient.account",
        ),
        Binding(
            "o",
            "open_survivor",
            "Open kept record",
            tooltip="Open the record this one was merged into",
            id="patient.open_survivor",
        ),
    ]

    def __init__(self, gateway: Gateway, session: auth_pb2.Session, patient_id: int, tab: str = "") -> None:
        """``tab``: the pane to open on (e.g. "insurance"); the first one when blank."""
        super().__init__()
        self.first_tab = tab
        self.gateway = gateway
        self.session = session
        self.permissions = set(session.permissions)
        self.patient_id = patient_id
        self.record: patients_pb2.GetPatientResponse | None = None
        self.tabs = [tab for tab in PATIENT_TABS if tab.permission in self.permissions]

    def compose(self) -> ComposeResult:
        yield StatusLine(self.gateway, self.session)
        yield PatientBanner(id="patient-banner")
        panels = {
            "demographics": DemographicsPanel,
            "insurance": InsurancePanel,
            "documents": DocumentsPanel,
            "history": HistoryPanel,
        }
        initial = self.first_tab if any(tab.pane_id == self.first_tab for tab in self.tabs) else ""
        with TabbedContent(id="patient-tabs", initial=initial):
            for tab in self.tabs:
                with TabPane(f"{tab.key.upper()} {tab.title}", id=tab.pane_id):
                    yield panels[tab.pane_id](self.gateway, self.permissions, id=f"{tab.pane_id}-panel")
        yield Footer()

    def on_screen_resume(self) -> None:
        # When first shown, and again after logging in anew if the first fetch met an expired session.
        if self.record is None:
            self.load_patient()

    def panels(self) -> list[PatientPanel]:
        return list(self.query(PatientPanel))

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "show_tab":
            return any(tab.pane_id == parameters[0] for tab in self.tabs)
        patient = self.record.patient if self.record is not None else None
        if action == "merge":
            return (
                "patients.merge" in self.permissions
                and patient is not None
                and patient.status != patients_pb2.PATIENT_STATUS_MERGED
            )
        if action == "open_survivor":
            return patient is not None and patient.merged_into_patient_id != 0
        if action == "account":
            if "ledger.read" not in self.permissions:
                return False
            return True if patient is not None else None
        return True

    # -- the record ----------------------------------------------------------------
    @gateway_call
    async def load_patient(self, select_policy_id: int = 0, select_document_id: int = 0) -> None:
        record = await self.gateway.get_patient(self.patient_id)
        first_time = self.record is None
        self.record = record
        banner = self.query_one(PatientBanner)
        banner.show(record.patient, record.policies)
        banner.show_notice(merged_notice(record.patient))
        for panel in self.panels():
            panel.show(record, select_policy_id, select_document_id)
        self.refresh_bindings()
        if first_time:
            self.focus_active_tab()
        self.load_eligibility()

    @gateway_call
    async def load_eligibility(self) -> None:
        checks = await self.gateway.list_eligibility_checks(self.patient_id, limit=ELIGIBILITY_LIMIT)
        self.query_one(PatientBanner).show_eligibility(checks)
        for panel in self.query(InsurancePanel):
            panel.show_checks(checks)

    @on(EligibilityChanged)
    def _fetch_eligibility(self, message: EligibilityChanged) -> None:
        message.stop()
        if self.record is not None:
            self.load_eligibility()

    def show_inline_error(self, error: GatewayError) -> bool:
        if self.record is None:
            # Nothing to show yet: the banner says why instead of a patient.
            sentence = "No such patient." if isinstance(error, NotFound) else describe(error)
            self.query_one(PatientBanner).show_problem(
                f"Could not open this patient: {sentence} Escape goes back; Ctrl+R tries again."
            )
            return True
        return False

    @on(PatientChanged)
    def _fetch_again(self, message: PatientChanged) -> None:
        message.stop()
        self.load_patient(message.select_policy_id, message.select_document_id)

    def action_reload(self) -> None:
        self.load_patient()

    # -- tabs ------------------------------------------------------------------------
    def action_show_tab(self, pane_id: str) -> None:
        if any(tab.pane_id == pane_id for tab in self.tabs):
            self.query_one(TabbedContent).active = pane_id
            self.focus_active_tab()

    def focus_active_tab(self) -> None:
        pane = self.query_one(TabbedContent).active_pane
        if pane is not None:
            self.call_after_refresh(pane.query_one(PatientPanel).focus_main)

    @on(TabbedContent.TabActivated)
    def _tab_activated(self) -> None:
        self.focus_active_tab()

    def commands_elsewhere(self) -> Iterator[ElsewhereCommand]:
        """For the command palette: every tab's actions, from any tab."""
        for tab in self.tabs:
            panel = self.query_one(f"#{tab.pane_id}-panel", PatientPanel)
            for binding in panel.BINDINGS:
                if isinstance(binding, Binding) and panel.check_action(binding.action, ()) is True:
                    yield ElsewhereCommand(f"{tab.title}: ", panel, binding, partial(self.action_show_tab, tab.pane_id))

    # -- actions on the record -----------------------------------------------------
    @on(DemographicsPanel.EditRequested)
    def _edit(self) -> None:
        if self.record is None:
            return

        def saved(patient_id: int | None) -> None:
            if patient_id:
                self.app.notify("Saved the patient's details.")
                self.load_patient()

        self.app.push_screen(PatientFormScreen(self.gateway, self.record.patient), saved)

    def action_merge(self) -> None:
        if self.record is None:
            return

        def merged(merge: patients_pb2.MergeRecord | None) -> None:
            if merge is not None:
                moved = ", ".join(merge.moved) or "nothing"
                self.app.notify(
                    f"MRN {merge.merged_mrn} is merged into MRN {merge.survivor_mrn}. Moved here: {moved}.",
                    title="Records merged",
                )
                self.load_patient()

        self.app.push_screen(MergePatientsScreen(self.gateway, self.session, self.record), merged)

    def action_account(self) -> None:
        if self.record is not None and "ledger.read" in self.permissions:
            self.app.push_screen(PatientAccountScreen(self.gateway, self.session, self.record.patient))

    def action_open_survivor(self) -> None:
        if self.record is not None and self.record.patient.merged_into_patient_id:
            survivor_id = self.record.patient.merged_into_patient_id
            self.app.push_screen(PatientScreen(self.gateway, self.session, survivor_id))

    def action_back(self) -> None:
        self.dismiss()

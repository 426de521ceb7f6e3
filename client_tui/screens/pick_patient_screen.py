"""Which patient a new superbill is for: the front desk's search box and results; Enter picks."""

from __future__ import annotations

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.screen import Screen
from textual.widgets import Footer, Static

from client_tui.gateway import Gateway
from client_tui.widgets.patient_search import PatientResults, PatientSearch
from shared.pms.auth.v1 import auth_pb2


class PickResults(PatientResults):
    BINDINGS = [
        Binding("enter", "select_cursor", "Choose", tooltip="Start a superbill for the highlighted patient",
                id="pick_patient.choose"),
    ]


class PickSearch(PatientSearch):
    RESULTS = PickResults


class PickPatientScreen(Screen[int | None]):
    """Dismisses with the patient's id, or None."""

    CSS_PATH = "pick_patient_screen.tcss"

    BINDINGS = [Binding("escape", "close", "Back", tooltip="Back to the worklist", id="pick_patient.close")]

    def __init__(self, gateway: Gateway, session: auth_pb2.Session, why: str) -> None:
        super().__init__()
        self.gateway = gateway
        self.session = session
        self.why = why

    def compose(self) -> ComposeResult:
        yield Static(self.why, id="pick-title", markup=False)
        yield PickSearch(self.gateway, self.session, id="pick-search")
        yield Footer()

    def on_mount(self) -> None:
        self.query_one(PickSearch).focus_search()

    @on(PatientSearch.Picked)
    def _picked(self, message: PatientSearch.Picked) -> None:
        message.stop()
        self.dismiss(message.patient_id)

    def action_close(self) -> None:
        self.dismiss(None)

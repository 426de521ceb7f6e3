"""Front desk mode: the patient finder, or a plain sentence for roles without access to patient data."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.containers import Vertical
from textual.widgets import Static

from client_tui.gateway import Gateway
from client_tui.widgets.patient_finder import PatientFinder
from shared.pms.auth.v1 import auth_pb2


class FrontDeskPanel(Vertical):
    DEFAULT_CSS = """
    FrontDeskPanel {
        height: 1fr;
    }
    FrontDeskPanel > #front-desk-no-access {
        padding: 1 2;
    }
    """

    def __init__(self, gateway: Gateway, session: auth_pb2.Session, id: str | None = None) -> None:
        super().__init__(id=id)
        self.gateway = gateway
        self.session = session

    @property
    def can_read_patients(self) -> bool:
        return "patients.read" in self.session.permissions

    def compose(self) -> ComposeResult:
        if self.can_read_patients:
            yield PatientFinder(self.gateway, self.session, id="patient-finder")
            return
        roles = ", ".join(self.session.roles) or "no role"
        yield Static(
            f"Your role ({roles}) has no access to patient data, so there is nothing for you in Front desk mode. "
            "Ctrl+P lists what you can do.",
            id="front-desk-no-access",
            markup=False,
        )

    def focus_main(self) -> None:
        if self.can_read_patients:
            self.query_one(PatientFinder).focus_search()

    def refresh_results(self) -> None:
        if self.can_read_patients:
            self.query_one(PatientFinder).refresh_results()

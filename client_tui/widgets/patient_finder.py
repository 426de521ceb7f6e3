"""Front desk: one box to find a patient by name, date of birth, phone, MRN or member ID.

The search itself is ``PatientSearch`` (patient_search.py); the finder opens the patient
picked, registers a new one (Ctrl+N) and, for managers, lists past merges (Ctrl+G).
"""

from __future__ import annotations

from textual.binding import Binding

from client_tui.screens.merge_history_screen import MergeHistoryScreen
from client_tui.screens.patient_form_screen import PatientFormScreen
from client_tui.screens.patient_screen import PatientScreen
from client_tui.widgets.patient_search import SEARCH_BINDINGS, PatientSearch


class PatientFinder(PatientSearch, inherit_bindings=False):
    BINDINGS = [
        Binding(
            "ctrl+n",
            "new_patient",
            "New patient",
            tooltip="Register a patient who is not on file yet",
            id="finder.new_patient",
        ),
        Binding(
            "ctrl+g",
            "merge_history",
            "Merges",
            tooltip="Review past merges of duplicate patient records",
            id="finder.merge_history",
        ),
        *SEARCH_BINDINGS,
        Binding("escape", "to_search", "Search box", show=False),
    ]

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "new_patient":
            return "patients.write" in self.permissions
        if action == "merge_history":
            return "patients.merge" in self.permissions
        return True

    def status_hint(self, count: int) -> str:
        if not count and "patients.write" in self.permissions:
            return ". Ctrl+N registers a new patient."
        return ""

    def pick(self, patient_id: int) -> None:
        self.open_patient(patient_id)

    def open_patient(self, patient_id: int) -> None:
        self.app.push_screen(PatientScreen(self.gateway, self.session, patient_id))

    def action_new_patient(self) -> None:
        def open_registered(patient_id: int | None) -> None:
            if patient_id:
                self.open_patient(patient_id)

        self.app.push_screen(PatientFormScreen(self.gateway), open_registered)

    def action_merge_history(self) -> None:
        self.app.push_screen(MergeHistoryScreen(self.gateway, self.session))

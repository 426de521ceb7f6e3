"""What the tabs of the patient screen have in common: the record they show and the keys' permissions."""

from __future__ import annotations

from textual.containers import Vertical

from client_tui.gateway import Gateway
from shared.pms.patients.v1 import patients_pb2


class PatientPanel(Vertical):
    """One tab of the patient screen. The screen fetches the record and hands it to every tab."""

    DEFAULT_CSS = """
    PatientPanel {
        height: 1fr;
    }
    PatientPanel > .patient-panel--summary {
        height: auto;
        color: $text-muted;
        padding: 0 1;
    }
    """

    def __init__(self, gateway: Gateway, permissions: set[str], id: str | None = None) -> None:
        super().__init__(id=id)
        self.gateway = gateway
        self.permissions = permissions
        self.record: patients_pb2.GetPatientResponse | None = None

    @property
    def patient(self) -> patients_pb2.Patient | None:
        return self.record.patient if self.record is not None else None

    def writable(self) -> bool:
        """A merged record is read only (its data lives on in the survivor)."""
        patient = self.patient
        return patient is not None and patient.status != patients_pb2.PATIENT_STATUS_MERGED

    def show(
        self, record: patients_pb2.GetPatientResponse, select_policy_id: int = 0, select_document_id: int = 0
    ) -> None:
        self.record = record
        self.show_record(record, select_policy_id, select_document_id)
        self.refresh_bindings()

    def show_record(
        self, record: patients_pb2.GetPatientResponse, select_policy_id: int, select_document_id: int
    ) -> None:
        raise NotImplementedError

    def focus_main(self) -> None:
        """Focus the widget the tab's keys start on."""

"""The patient being registered may be on file already: open the existing record, or register anyway."""

from __future__ import annotations

from dataclasses import dataclass

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import DataTable, Footer, Static

from client_tui import formatting
from shared.pms.patients.v1 import patients_pb2

COLUMNS = ("Name", "DOB (age)", "MRN", "Phone")
REASON_WIDTH = 24


@dataclass(frozen=True)
class DuplicateDecision:
    # Set: open this existing patient instead of registering.
    open_patient_id: int = 0
    register_anyway: bool = False


class CandidateTable(DataTable[str | Text]):
    BINDINGS = [
        Binding(
            "enter",
            "select_cursor",
            "Open this one",
            tooltip="It is the same person: open that record",
            id="duplicates.open",
        ),
    ]


class DuplicatePatientsScreen(ModalScreen[DuplicateDecision | None]):
    """Dismisses with the decision, or None to go back to the form."""

    CSS_PATH = "duplicate_patients_screen.tcss"

    BINDINGS = [
        Binding(
            "r",
            "register_anyway",
            "Register anyway",
            tooltip="They are all different people: register the new patient",
            id="duplicates.register_anyway",
        ),
        Binding("escape", "back", "Back to the form", tooltip="Change what was typed", id="duplicates.back"),
    ]

    def __init__(self, candidates: list[patients_pb2.DuplicateCandidate], name_typed: str) -> None:
        super().__init__()
        self.candidates = candidates
        self.name_typed = name_typed

    def compose(self) -> ComposeResult:
        with Vertical(id="duplicates-card"):
            count = len(self.candidates)
            alike = "1 record looks alike" if count == 1 else f"{count} records look alike"
            yield Static(
                f"{self.name_typed} may be on file already: {alike}. Nothing has been registered yet.\n"
                "Enter opens the highlighted record if it is the same person; R registers a new patient "
                "only if it is someone else.",
                id="duplicates-intro",
                markup=False,
            )
            table = CandidateTable(id="duplicates-table", cursor_type="row")
            table.add_columns(*COLUMNS)
            # The reason wraps in its own column, so every column fits 100 characters.
            table.add_column("Why it may be them", width=REASON_WIDTH)
            for candidate in self.candidates:
                found = candidate.patient
                table.add_row(
                    formatting.person_name(found.name, found.preferred_name),
                    formatting.date_with_age(found.date_of_birth),
                    found.mrn,
                    formatting.phone(found.phone),
                    Text(candidate.reason),
                    key=str(found.patient_id),
                    height=None,
                )
            yield table
        yield Footer()

    def on_mount(self) -> None:
        self.query_one("#duplicates-card").border_title = "Possible duplicate"
        self.query_one(CandidateTable).focus()

    @on(DataTable.RowSelected)
    def _open(self, event: DataTable.RowSelected) -> None:
        event.stop()
        if event.row_key.value is not None:
            self.dismiss(DuplicateDecision(open_patient_id=int(event.row_key.value)))

    def action_register_anyway(self) -> None:
        self.dismiss(DuplicateDecision(register_anyway=True))

    def action_back(self) -> None:
        self.dismiss(None)

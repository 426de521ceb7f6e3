"""Patient > History: every change to the record, newest first: when, who, what, before and after."""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.widgets import DataTable, Static

from client_tui import formatting
from client_tui.gateway import Gateway
from client_tui.widgets.patient_panel import PatientPanel
from client_tui.workers import gateway_call
from shared.pms.patients.v1 import patients_pb2

COLUMNS = ("When", "Who", "Action", "Field", "Before → after")
ACTION_WORDS = {
    "registered": "registered",
    "updated": "changed",
    "merged_into": "merged into another record",
    "absorbed": "took in a merged record",
}


def change_text(change: patients_pb2.FieldChange) -> Text:
    text = Text()
    text.append(change.before or "(blank)", style="dim" if not change.before else "red")
    text.append(" → ")
    text.append(change.after or "(blank)", style="dim" if not change.after else "green")
    return text


class HistoryPanel(PatientPanel):
    """Fetched when first shown (the patient screen does not need it to open) and after each change."""

    DEFAULT_CSS = """
    HistoryPanel > DataTable {
        height: 1fr;
    }
    """

    BINDINGS = [
        Binding("ctrl+r", "reload_history", "Reload", tooltip="Fetch the history again", id="history.reload"),
    ]

    def __init__(self, gateway: Gateway, permissions: set[str], id: str | None = None) -> None:
        super().__init__(gateway, permissions, id=id)
        self.loaded = False

    def compose(self) -> ComposeResult:
        table: DataTable[str | Text] = DataTable(id="history-table", cursor_type="row", zebra_stripes=True)
        table.add_columns(*COLUMNS)
        yield table
        yield Static("", id="history-summary", classes="patient-panel--summary", markup=False)

    def focus_main(self) -> None:
        self.query_one(DataTable).focus()

    def on_show(self) -> None:
        if not self.loaded:
            self.action_reload_history()

    def show_record(
        self, record: patients_pb2.GetPatientResponse, select_policy_id: int, select_document_id: int
    ) -> None:
        # The record changed: the history did too. Fetch it now if it is on screen, else when shown.
        self.loaded = False
        if self.is_on_screen:
            self.action_reload_history()

    def action_reload_history(self) -> None:
        if self.patient is not None:
            self.load_history(self.patient.patient_id)

    @gateway_call
    async def load_history(self, patient_id: int) -> None:
        changes = await self.gateway.list_patient_changes(patient_id)
        self.loaded = True
        table = self.query_one(DataTable)
        table.clear()
        for number, change in enumerate(changes):
            when = formatting.moment(change.changed_at)
            action = ACTION_WORDS.get(change.action, change.action)
            fields = list(change.changes) or [patients_pb2.FieldChange()]
            for line, field_change in enumerate(fields):
                first = line == 0
                table.add_row(
                    when if first else "",
                    change.username if first else "",
                    action if first else "",
                    field_change.field,
                    change_text(field_change) if field_change.field else Text(""),
                    key=f"{number}.{line}",
                )
        self.query_one("#history-summary", Static).update(
            f"{len(changes)} change{'' if len(changes) == 1 else 's'}, newest first" if changes else "No changes yet."
        )

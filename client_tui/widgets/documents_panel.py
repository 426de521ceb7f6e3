"""Patient > Documents: scanned cards, IDs and forms; attach a file, export a copy."""

from __future__ import annotations

from pathlib import Path

from textual.app import ComposeResult
from textual.binding import Binding
from textual.widgets import DataTable, Static

from client_tui import formatting
from client_tui.choices import DOCUMENT_TYPE_NAMES
from client_tui.messages import PatientChanged
from client_tui.screens.attach_document_screen import AttachDocumentScreen
from client_tui.screens.export_document_screen import ExportDocumentScreen
from client_tui.widgets.patient_panel import PatientPanel
from shared.pms.documents.v1 import documents_pb2
from shared.pms.patients.v1 import patients_pb2

COLUMNS = ("Date", "Type", "Description", "File", "Size", "Uploaded")


def uploaded_text(document: documents_pb2.DocumentInfo) -> str:
    return " by ".join(part for part in (formatting.moment(document.uploaded_at), document.uploaded_by) if part)


class DocumentsPanel(PatientPanel):
    DEFAULT_CSS = """
    DocumentsPanel > DataTable {
        height: 1fr;
    }
    """

    BINDINGS = [
        Binding("a", "attach", "Attach", tooltip="Attach a scanned file (PDF, PNG or JPEG)", id="documents.attach"),
        Binding(
            "x", "export", "Export", tooltip="Save a copy of the selected document to a file", id="documents.export"
        ),
    ]

    def compose(self) -> ComposeResult:
        table: DataTable[str] = DataTable(id="documents-table", cursor_type="row", zebra_stripes=True)
        table.add_columns(*COLUMNS)
        yield table
        yield Static("", id="documents-summary", classes="patient-panel--summary", markup=False)

    def focus_main(self) -> None:
        self.query_one(DataTable).focus()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "attach":
            return "documents.write" in self.permissions and self.writable()
        if action == "export":
            return True if self.selected_document() is not None else None
        return True

    def show_record(
        self, record: patients_pb2.GetPatientResponse, select_policy_id: int, select_document_id: int
    ) -> None:
        table = self.query_one(DataTable)
        table.clear()
        for document in record.documents:
            table.add_row(
                formatting.calendar_date(document.document_date),
                DOCUMENT_TYPE_NAMES.get(document.document_type, ""),
                document.description,
                document.file_name,
                formatting.file_size(document.size_bytes),
                uploaded_text(document),
                key=str(document.document_id),
            )
        if select_document_id and any(d.document_id == select_document_id for d in record.documents):
            table.move_cursor(row=table.get_row_index(str(select_document_id)))
        count = len(record.documents)
        self.query_one("#documents-summary", Static).update(
            f"{count} document{'' if count == 1 else 's'}" if count else "No documents attached yet."
        )

    def selected_document(self) -> documents_pb2.DocumentInfo | None:
        table = self.query_one(DataTable)
        if self.record is None or table.row_count == 0:
            return None
        row_key = table.coordinate_to_cell_key(table.cursor_coordinate).row_key
        return next((d for d in self.record.documents if str(d.document_id) == row_key.value), None)

    def on_data_table_row_highlighted(self) -> None:
        self.refresh_bindings()

    def action_attach(self) -> None:
        if self.patient is None:
            return

        def attached(document: documents_pb2.DocumentInfo | None) -> None:
            if document is not None:
                self.app.notify(f"Attached {document.file_name}.")
                self.post_message(PatientChanged(select_document_id=document.document_id))

        self.app.push_screen(AttachDocumentScreen(self.gateway, self.patient), attached)

    def action_export(self) -> None:
        document = self.selected_document()
        if document is None:
            return

        def exported(path: Path | None) -> None:
            if path is not None:
                self.app.notify(f"Saved a copy to {path}.")

        self.app.push_screen(ExportDocumentScreen(self.gateway, document), exported)

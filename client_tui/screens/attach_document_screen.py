"""Attach a scanned file to the patient: where it is, what it is, its date; a bar while it goes up."""

from __future__ import annotations

import uuid
from pathlib import Path

from textual.app import ComposeResult
from textual.widgets import Input, ProgressBar, Select

from client_tui import formatting
from client_tui.choices import DOCUMENT_TYPES
from client_tui.gateway import FieldViolation, Gateway, GatewayError, LocalFileError
from client_tui.screens.form_screen import FormScreen
from client_tui.typed_values import DATE_HINT, UnreadableValue, date_from_text
from client_tui.widgets.field_group import FieldGroup
from client_tui.widgets.form_field import FormField, show_violations
from client_tui.workers import gateway_call
from shared.pms.documents.v1 import documents_pb2
from shared.pms.patients.v1 import patients_pb2


class AttachDocumentScreen(FormScreen[documents_pb2.DocumentInfo | None]):
    """Dismisses with the stored document, or None."""

    CSS_PATH = "attach_document_screen.tcss"
    FORM_TITLE = "Attach document"
    SUBMIT_LABEL = "Attach"

    def __init__(self, gateway: Gateway, patient: patients_pb2.Patient) -> None:
        super().__init__()
        self.gateway = gateway
        self.patient = patient
        # One key for this dialog: Attach pressed again after a lost answer stores the file once.
        self.idempotency_key = uuid.uuid4().hex
        self.uploading = False

    def intro(self) -> str:
        return f"For {formatting.spoken_name(self.patient.name)} (MRN {self.patient.mrn}). PDF, PNG or JPEG."

    def compose_fields(self) -> ComposeResult:
        # Compact, so the dialog and its progress bar fit a 30-line terminal.
        with FieldGroup("The file and what it is"):
            # "content" is where the server says what is wrong with the file itself.
            yield FormField(
                "File", Input(placeholder="e.g. ~/scans/card-front.pdf", id="document-path", compact=True), "content"
            )
            document_type: Select[int] = Select(
                DOCUMENT_TYPES, prompt="Choose what it is", id="document-type", compact=True
            )
            yield FormField("Type", document_type, "header.document_type")
            yield FormField(
                "Document date",
                Input(
                    formatting.calendar_date_of(formatting.today()),
                    placeholder=DATE_HINT,
                    id="document-date",
                    compact=True,
                ),
                "header.document_date",
                hint="The date on the document, e.g. when a form was signed.",
            )
            yield FormField("Description", Input(id="document-description", compact=True), "header.description")
        yield ProgressBar(id="upload-progress", show_eta=False)

    def submit(self) -> None:
        if self.uploading:
            return
        path_text = self.query_one("#document-path", Input).value.strip()
        if not path_text:
            show_violations(self, [FieldViolation("content", "type the path of the file to attach")])
            return
        try:
            document_date = date_from_text(self.query_one("#document-date", Input).value)
        except UnreadableValue as error:
            show_violations(self, [FieldViolation("header.document_date", str(error))])
            return
        kind = self.query_one("#document-type", Select).value
        header = documents_pb2.UploadDocumentHeader(
            patient_id=self.patient.patient_id,
            document_type=kind if isinstance(kind, int) else 0,  # type: ignore[arg-type]
            description=self.query_one("#document-description", Input).value.strip(),
            idempotency_key=self.idempotency_key,
        )
        if document_date is not None:
            header.document_date.CopyFrom(document_date)
        self.upload(header, Path(path_text).expanduser())

    @gateway_call
    async def upload(self, header: documents_pb2.UploadDocumentHeader, path: Path) -> None:
        bar = self.query_one("#upload-progress", ProgressBar)
        self.uploading = True
        self.add_class("-busy")
        bar.update(total=None, progress=0)
        self.say(f"Sending {path.name}…", info=True)

        def progress(done: int, total: int) -> None:
            bar.update(total=max(total, 1), progress=done)

        try:
            document = await self.gateway.upload_document(header, path, progress)
        finally:
            self.uploading = False
            self.remove_class("-busy")
        self.dismiss(document)

    def show_inline_error(self, error: GatewayError) -> bool:
        if isinstance(error, LocalFileError):
            show_violations(self, [FieldViolation("content", str(error))])
            self.say("")
            return True
        return super().show_inline_error(error)

"""Save a copy of a patient's document to a file on this workstation (never over an existing one)."""

from __future__ import annotations

import re
from pathlib import Path

from textual.app import ComposeResult
from textual.widgets import Input, ProgressBar

from client_tui import formatting
from client_tui.choices import DOCUMENT_TYPE_NAMES
from client_tui.gateway import FieldViolation, Gateway, GatewayError, LocalFileError
from client_tui.screens.form_screen import FormScreen
from client_tui.widgets.form_field import FormField, show_violations
from client_tui.workers import gateway_call
from shared.pms.documents.v1 import documents_pb2


def default_destination(file_name: str, document_id: int) -> str:
    safe_name = re.sub(r"[^A-Za-z0-9._-]+", "_", file_name).strip("._") or f"document-{document_id}"
    return f"./{safe_name}"


class ExportDocumentScreen(FormScreen[Path | None]):
    """Dismisses with the path written, or None."""

    CSS_PATH = "export_document_screen.tcss"
    FORM_TITLE = "Export document"
    SUBMIT_LABEL = "Save copy"

    def __init__(self, gateway: Gateway, document: documents_pb2.DocumentInfo) -> None:
        super().__init__()
        self.gateway = gateway
        self.document = document
        self.downloading = False

    def intro(self) -> str:
        document = self.document
        kind = DOCUMENT_TYPE_NAMES.get(document.document_type, "Document")
        about = f' "{document.description}"' if document.description else ""
        return f"{kind}{about}: {document.file_name}, {formatting.file_size(document.size_bytes)}."

    def compose_fields(self) -> ComposeResult:
        yield FormField(
            "Save to",
            Input(default_destination(self.document.file_name, self.document.document_id), id="export-path"),
            "destination",
            hint="A new file; an existing one is never replaced.",
        )
        yield ProgressBar(id="download-progress", show_eta=False)

    def submit(self) -> None:
        if self.downloading:
            return
        typed = self.query_one("#export-path", Input).value.strip()
        if not typed:
            show_violations(self, [FieldViolation("destination", "type where to save the copy")])
            return
        self.download(Path(typed).expanduser().resolve())

    @gateway_call
    async def download(self, destination: Path) -> None:
        bar = self.query_one("#download-progress", ProgressBar)
        self.downloading = True
        self.add_class("-busy")
        bar.update(total=None, progress=0)

        def progress(done: int, total: int) -> None:
            bar.update(total=max(total, 1), progress=done)

        try:
            await self.gateway.download_document(self.document.document_id, destination, progress)
        finally:
            self.downloading = False
            self.remove_class("-busy")
        self.dismiss(destination)

    def show_inline_error(self, error: GatewayError) -> bool:
        if isinstance(error, LocalFileError):
            show_violations(self, [FieldViolation("destination", str(error))])
            self.say("")
            return True
        return super().show_inline_error(error)

"""Import an ERA file (835): the path of a file on this workstation; the client reads it and sends its bytes.

Nothing posts on import: the server reads and matches every ERA in the file, and the ERA list shows them to preview.
What is wrong with the file (no 835, does not balance) shows under the path.
"""

from __future__ import annotations

from pathlib import Path

from textual.app import ComposeResult
from textual.widgets import Input

from client_tui.gateway import FieldViolation, Gateway, GatewayError, LocalFileError
from client_tui.screens.form_screen import FormScreen
from client_tui.widgets.form_field import FormField, show_violations
from client_tui.workers import gateway_call
from shared.pms.remittances.v1 import remittances_pb2 as rm


class ImportRemittanceScreen(FormScreen[rm.ImportRemittanceFileResponse | None]):
    """Dismisses with the server's answer (the ERAs read, and which were known already), or None."""

    CSS_PATH = "import_remittance_screen.tcss"
    FORM_TITLE = "Import an ERA file (835)"
    SUBMIT_LABEL = "Import"
    INTRO = ("The 835 file from the clearinghouse or the payer's portal. Importing reads and matches it; nothing "
             "posts until you preview an ERA and press P. The same file imported again changes nothing.")

    def __init__(self, gateway: Gateway) -> None:
        super().__init__()
        self.gateway = gateway

    def compose_fields(self) -> ComposeResult:
        # "content" is where the server says what is wrong with the file itself.
        yield FormField("File", Input(placeholder="e.g. ~/Downloads/aetna_1102.835", id="era-path", compact=True),
                        "content")

    def on_mount(self) -> None:
        super().on_mount()
        self.query_one("#era-path", Input).focus()

    def submit(self) -> None:
        text = self.query_one("#era-path", Input).value.strip()
        if not text:
            show_violations(self, [FieldViolation("content", "type the path of the 835 file")])
            return
        self.import_file(Path(text).expanduser())

    @gateway_call
    async def import_file(self, path: Path) -> None:
        self.say(f"Reading {path.name}…", info=True)
        self.dismiss(await self.gateway.import_remittance_file(path))

    def show_inline_error(self, error: GatewayError) -> bool:
        if isinstance(error, LocalFileError):
            show_violations(self, [FieldViolation("content", str(error))])
            self.say("")
            return True
        return super().show_inline_error(error)

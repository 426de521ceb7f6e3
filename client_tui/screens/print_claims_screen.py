"""Print claims on CMS-1500 forms: a PDF written to a file on this workstation (never over an existing one).

Red form prints only the data, for the pre-printed red OCR forms payers scan; full draws the form too, for plain
paper. The server lays the forms out; this screen only asks where to keep the PDF.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from pathlib import Path

from textual.app import ComposeResult
from textual.widgets import Input, Select

from client_tui.gateway import FieldViolation, Gateway, GatewayError, LocalFileError
from client_tui.screens.form_screen import FormScreen
from client_tui.widgets.form_field import FormField, show_violations
from client_tui.workers import gateway_call
from shared.pms.claims.v1 import claims_pb2 as cl

FORM_MODES: list[tuple[str, int]] = [
    ("Red form (data only, on pre-printed forms)", cl.FORM_MODE_RED_FORM),
    ("Full (the form drawn, on plain paper)", cl.FORM_MODE_FULL),
]


@dataclass(frozen=True)
class PrintedFile:
    path: Path
    pages: int


def write_new_file(path: Path, content: bytes) -> None:
    try:
        with open(path, "xb") as out:  # "x": never replace a file
            out.write(content)
    except FileExistsError:
        raise LocalFileError(f"{path} exists already; choose another name.") from None
    except OSError as exc:
        raise LocalFileError(f"Cannot write {path}: {exc.strerror or exc}.") from None


class PrintClaimsScreen(FormScreen[PrintedFile | None]):
    """Dismisses with the file written and its page count, or None."""

    FORM_TITLE = "Print claim forms"
    SUBMIT_LABEL = "Print to PDF"

    def __init__(self, gateway: Gateway, claim_ids: list[int]) -> None:
        super().__init__()
        self.gateway = gateway
        self.claim_ids = claim_ids
        self.printing = False

    def intro(self) -> str:
        count = len(self.claim_ids)
        which = f"Claim {self.claim_ids[0]}" if count == 1 else f"{count} claims"
        return f"{which} on CMS-1500 forms, as a PDF file to print."

    def compose_fields(self) -> ComposeResult:
        name = f"claim-{self.claim_ids[0]}.pdf" if len(self.claim_ids) == 1 else "claims.pdf"
        yield FormField("Save to", Input(f"./{name}", id="print-path", compact=True), "destination",
                        hint="A new file; an existing one is never replaced.")
        mode: Select[int] = Select(FORM_MODES, value=cl.FORM_MODE_RED_FORM, allow_blank=False, id="print-mode",
                                   compact=True)
        yield FormField("Form", mode, "mode")

    def submit(self) -> None:
        if self.printing:
            return
        typed = self.query_one("#print-path", Input).value.strip()
        if not typed:
            show_violations(self, [FieldViolation("destination", "type where to save the PDF")])
            return
        mode = self.query_one("#print-mode", Select).value
        self.print_forms(Path(typed).expanduser().resolve(), mode if isinstance(mode, int) else cl.FORM_MODE_FULL)

    @gateway_call
    async def print_forms(self, destination: Path, mode: int) -> None:
        if await asyncio.to_thread(destination.exists):
            raise LocalFileError(f"{destination} exists already; choose another name.")
        self.printing = True
        self.say("Printing…", info=True)
        try:
            printed = await self.gateway.print_claims(self.claim_ids, mode)
            await asyncio.to_thread(write_new_file, destination, printed.content)
        finally:
            self.printing = False
        self.dismiss(PrintedFile(destination, printed.pages))

    def show_inline_error(self, error: GatewayError) -> bool:
        if isinstance(error, LocalFileError):
            show_violations(self, [FieldViolation("destination", str(error))])
            self.say("")
            return True
        return super().show_inline_error(error)

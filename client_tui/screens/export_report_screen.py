"""Export a report as CSV or PDF into a folder on this workstation, with a progress bar while the file streams in.

The folder starts as ``~/pms-exports`` (or ``$PMS_EXPORTS``; then the last folder used) and is made when missing;
the file takes the server's name, numbered when one by that name is there already: nothing is ever overwritten.
"""

from __future__ import annotations

import os
from pathlib import Path

from textual.app import ComposeResult
from textual.binding import Binding
from textual.widgets import Input, ProgressBar, Select

from client_tui import formatting
from client_tui.gateway import FieldViolation, Gateway, GatewayError, LocalFileError, ReportTarget
from client_tui.report_values import FORMAT_CHOICES
from client_tui.screens.form_screen import FormScreen
from client_tui.widgets.form_field import FormField, show_violations
from client_tui.workers import gateway_call
from shared.pms.reports.v1 import reports_pb2 as rp

# The folder used last in this run of the program (the next export offers it again).
_last_folder: list[Path] = []


def default_folder() -> Path:
    if _last_folder:
        return _last_folder[-1]
    configured = os.environ.get("PMS_EXPORTS", "").strip()
    return Path(configured).expanduser() if configured else Path.home() / "pms-exports"


class ExportReportScreen(FormScreen[Path | None]):
    """Dismisses with the file written, or None."""

    CSS_PATH = "export_report_screen.tcss"
    FORM_TITLE = "Export report"
    SUBMIT_LABEL = "Export"
    KEY_FIELDS = ("export-folder",)
    BINDINGS = [
        Binding("escape", "cancel", "Cancel", tooltip="Close without exporting", id="form.cancel"),
        Binding("ctrl+s", "submit", "Export", tooltip="Save the file (Enter in Folder does too)", id="form.submit"),
    ]

    def __init__(self, gateway: Gateway, target: ReportTarget, report_filter: rp.ReportFilter, title: str,
                 export_format: int = rp.EXPORT_FORMAT_CSV) -> None:
        super().__init__()
        self.gateway = gateway
        self.target = target
        self.report_filter = report_filter
        self.report_title = title
        self.export_format = export_format
        self.exporting = False
        self.done_bytes = 0
        self.total_bytes = 0

    def intro(self) -> str:
        return f"{self.report_title}: the same figures as on screen, as a file in the folder below."

    def compose_fields(self) -> ComposeResult:
        yield FormField("Format", Select(FORMAT_CHOICES, value=self.export_format, allow_blank=False,
                                         id="export-format", compact=True), "format")
        yield FormField("Folder", Input(str(default_folder()), id="export-folder", compact=True), "folder",
                        hint="Made if missing; a file there already is never replaced.")
        yield ProgressBar(id="export-progress", show_eta=False)

    def on_mount(self) -> None:
        super().on_mount()
        self.query_one("#export-folder", Input).focus()

    def submit(self) -> None:
        if self.exporting:
            return
        typed = self.query_one("#export-folder", Input).value.strip()
        if not typed:
            show_violations(self, [FieldViolation("folder", "type the folder to save the file in")])
            return
        chosen = self.query_one("#export-format", Select).value
        export_format = chosen if isinstance(chosen, int) else rp.EXPORT_FORMAT_CSV
        self.export(Path(typed).expanduser().resolve(), export_format)

    @gateway_call
    async def export(self, folder: Path, export_format: int) -> None:
        bar = self.query_one("#export-progress", ProgressBar)
        self.exporting = True
        self.add_class("-busy")
        bar.update(total=None, progress=0)
        self.say("Exporting…", info=True)

        def progress(done: int, total: int) -> None:
            self.done_bytes, self.total_bytes = done, total
            bar.update(total=max(total, 1), progress=done)

        try:
            path = await self.gateway.export_report(self.target, self.report_filter, export_format, folder, progress)
        finally:
            self.exporting = False
        _last_folder[:] = [folder]
        self.say(f"Saved {path.name} ({formatting.file_size(self.total_bytes)}).", info=True)
        self.dismiss(path)

    def show_inline_error(self, error: GatewayError) -> bool:
        self.remove_class("-busy")
        if isinstance(error, LocalFileError):
            show_violations(self, [FieldViolation("folder", str(error))])
            self.say("")
            return True
        return super().show_inline_error(error)

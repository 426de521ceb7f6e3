"""Export a report as CSV or PDF into a folder on this workstation: the folder dialog of every download (folder,
progress bar, never overwriting; client_tui/screens/save_to_folder_screen.py) with the format to choose."""

from __future__ import annotations

from pathlib import Path

from textual.app import ComposeResult
from textual.binding import Binding
from textual.widgets import Select

from client_tui import formatting
from client_tui.gateway import Gateway, Progress, ReportTarget
from client_tui.report_values import FORMAT_CHOICES
from client_tui.screens.save_to_folder_screen import SaveToFolderScreen
from client_tui.widgets.form_field import FormField
from shared.pms.reports.v1 import reports_pb2 as rp


class ExportReportScreen(SaveToFolderScreen):
    """Dismisses with the sentence saying which file was written, or None."""

    SUBMIT_LABEL = "Export"
    BINDINGS = [
        Binding("escape", "cancel", "Cancel", tooltip="Close without exporting", id="form.cancel"),
        Binding("ctrl+s", "submit", "Export", tooltip="Save the file (Enter in Folder does too)", id="form.submit"),
    ]

    def __init__(self, gateway: Gateway, target: ReportTarget, report_filter: rp.ReportFilter, title: str,
                 export_format: int = rp.EXPORT_FORMAT_CSV) -> None:
        super().__init__("Export report", f"{title}: the same figures as on screen, as a file in the folder below.",
                         self._export)
        self.gateway = gateway
        self.target = target
        self.report_filter = report_filter
        self.export_format = export_format

    def compose_fields(self) -> ComposeResult:
        yield FormField("Format", Select(FORMAT_CHOICES, value=self.export_format, allow_blank=False,
                                         id="export-format", compact=True), "format")
        yield from super().compose_fields()

    async def _export(self, folder: Path, progress: Progress) -> str:
        chosen = self.query_one("#export-format", Select).value
        export_format = chosen if isinstance(chosen, int) else rp.EXPORT_FORMAT_CSV
        path = await self.gateway.export_report(self.target, self.report_filter, export_format, folder, progress)
        total = self.progress_seen[-1][1] if self.progress_seen else 0
        return f"Saved {path} ({formatting.file_size(total)})."

"""Past merges of duplicate patient records (managers): when, by whom, which into which, why, what moved.

Newest first. Enter opens the record that was kept (the survivor); Escape goes back.
"""

from __future__ import annotations

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.screen import Screen
from textual.widgets import DataTable, Footer, Static

from client_tui import formatting
from client_tui.errors import describe
from client_tui.gateway import Gateway, GatewayError
from client_tui.screens.patient_screen import PatientScreen
from client_tui.widgets.status_line import StatusLine
from client_tui.workers import gateway_call
from shared.pms.auth.v1 import auth_pb2
from shared.pms.patients.v1 import patients_pb2

# Fixed widths; the reason takes what is left (at least REASON_MIN_WIDTH) and wraps.
COLUMNS: list[tuple[str, int]] = [("When", 16), ("By", 10), ("Kept ← merged", 15), ("What moved", 14)]
REASON_MIN_WIDTH = 20
INTRO = "Duplicate patient records merged into another, newest first. Enter opens the record that was kept."


def merge_row(merge: patients_pb2.MergeRecord) -> list[str | Text]:
    return [
        formatting.moment(merge.merged_at),
        merge.merged_by,
        f"{merge.survivor_mrn} ← {merge.merged_mrn}",
        Text("\n".join(merge.moved) if merge.moved else "nothing"),
        Text(merge.reason),
    ]


class MergeTable(DataTable[str | Text]):
    BINDINGS = [
        Binding(
            "enter",
            "select_cursor",
            "Open kept record",
            tooltip="Open the record the highlighted merge kept",
            id="merges.open",
        ),
    ]


class MergeHistoryScreen(Screen[None]):
    CSS_PATH = "merge_history_screen.tcss"

    BINDINGS = [
        Binding("escape", "back", "Back", tooltip="Back to the patient finder", id="merges.back"),
        Binding("ctrl+r", "reload", "Reload", tooltip="Fetch the list of merges again", id="merges.reload"),
    ]

    def __init__(self, gateway: Gateway, session: auth_pb2.Session) -> None:
        super().__init__()
        self.gateway = gateway
        self.session = session
        self.merges: list[patients_pb2.MergeRecord] = []

    def compose(self) -> ComposeResult:
        yield StatusLine(self.gateway, self.session)
        yield Static(INTRO, id="merges-intro", markup=False)
        yield MergeTable(id="merges-table", cursor_type="row", zebra_stripes=True)
        yield Static("Loading the merges…", id="merges-summary", markup=False)
        yield Footer()

    def on_mount(self) -> None:
        self.query_one(MergeTable).focus()
        self.load_merges()

    @gateway_call
    async def load_merges(self) -> None:
        merges = await self.gateway.list_merges()
        self.merges = sorted(merges, key=lambda m: (m.merged_at.seconds, m.merge_id), reverse=True)
        self._fill()

    def _fill(self) -> None:
        table = self.query_one(MergeTable)
        table.clear(columns=True)
        fixed = sum(width for _label, width in COLUMNS) + 2 * table.cell_padding * (len(COLUMNS) + 1)
        # The table spans the screen (whose size is known before the table's first layout).
        reason_width = max(REASON_MIN_WIDTH, self.size.width - fixed - 1)  # 1: the scrollbar
        for label, width in COLUMNS:
            table.add_column(label, width=width, key=label)
        table.add_column("Reason", width=reason_width, key="Reason")
        for merge in self.merges:
            table.add_row(*merge_row(merge), key=str(merge.merge_id), height=None)
        count = len(self.merges)
        self.query_one("#merges-summary", Static).update(
            f"{count} merge{'' if count == 1 else 's'}" if count else "No patient records have been merged yet."
        )

    def on_resize(self) -> None:
        if self.merges:
            self._fill()

    def show_inline_error(self, error: GatewayError) -> bool:
        self.query_one("#merges-summary", Static).update(f"Could not list the merges: {describe(error)}")
        return True

    @on(DataTable.RowSelected, "#merges-table")
    def _open_survivor(self, event: DataTable.RowSelected) -> None:
        event.stop()
        merge = next((m for m in self.merges if str(m.merge_id) == event.row_key.value), None)
        if merge is not None:
            self.app.push_screen(PatientScreen(self.gateway, self.session, merge.survivor_patient_id))

    def action_reload(self) -> None:
        self.load_merges()

    def action_back(self) -> None:
        self.dismiss()

"""The 837P batches written, newest first: when, how many claims, the total, and how their delivery to the
clearinghouse went (status, attempts, the last transport error). L in the claims worklist opens it.

The digits pick a status (0 all, 1 written, 2 delivered, 3 accepted, 4 rejected); R fetches the list again; Escape
goes back. It shows no patient data, so IT may read it too (``claims.delivery.read``).
"""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.screen import Screen
from textual.widgets import DataTable, Footer, Static

from client_tui import formatting
from client_tui.errors import describe
from client_tui.gateway import Gateway, GatewayError
from client_tui.widgets.status_line import StatusLine
from client_tui.workers import gateway_call
from shared.pms.auth.v1 import auth_pb2
from shared.pms.claims.v1 import claims_pb2 as cl

# Fixed widths; the last error takes what is left (at least ERROR_MIN_WIDTH) and wraps.
COLUMNS: list[tuple[str, int]] = [("ICN", 9), ("Written", 16), ("Claims", 6), ("Total", 12), ("Status", 9),
                                  ("Tries", 5)]
ERROR_MIN_WIDTH = 20
STATUS_WORDS: dict[int, str] = {
    cl.BATCH_STATUS_WRITTEN: "Written",
    cl.BATCH_STATUS_DELIVERED: "Delivered",
    cl.BATCH_STATUS_ACCEPTED: "Accepted",
    cl.BATCH_STATUS_REJECTED: "Rejected",
}
STATUS_KEYS: dict[str, int] = {"0": 0, "1": cl.BATCH_STATUS_WRITTEN, "2": cl.BATCH_STATUS_DELIVERED,
                               "3": cl.BATCH_STATUS_ACCEPTED, "4": cl.BATCH_STATUS_REJECTED}
STATUS_STYLES = {cl.BATCH_STATUS_REJECTED: "bold red", cl.BATCH_STATUS_ACCEPTED: "green",
                 cl.BATCH_STATUS_WRITTEN: "yellow"}
INTRO = ("The claim files (837P) written, newest first, and how their delivery to the clearinghouse went. "
         "The server's clearinghouse job delivers written files and retries failed ones on its own.")


def batch_row(batch: cl.Batch) -> list[str | Text]:
    return [
        Text(str(batch.interchange_control_number), justify="right"),
        formatting.instant(batch.created_at),
        Text(f"{batch.claim_count:,}", justify="right"),
        Text(formatting.dollars(batch.total_charge_cents), justify="right"),
        Text(STATUS_WORDS.get(batch.batch_status, batch.status), style=STATUS_STYLES.get(batch.batch_status, "")),
        Text(str(batch.delivery_attempts), justify="right"),
        Text(batch.last_error, style="red"),
    ]


def counts_line(answer: cl.ListBatchesResponse) -> str:
    if not answer.counts:
        return "No batches yet."
    return " · ".join(f"{STATUS_WORDS.get(c.status, '?')} {c.count:,}" for c in answer.counts)


class BatchesScreen(Screen[None]):
    CSS_PATH = "batches_screen.tcss"

    BINDINGS = [
        Binding("escape", "back", "Back", tooltip="Back to the claims", id="batches.back"),
        Binding("r,ctrl+r", "reload", "Reload", key_display="R", tooltip="Fetch the batches again",
                id="batches.reload"),
        Binding("0", "status('0')", "Status", key_display="0-4",
                tooltip="0 all, 1 written, 2 delivered, 3 accepted, 4 rejected", id="batches.status"),
        *(Binding(key, f"status('{key}')", STATUS_WORDS[status], show=False) for key, status in STATUS_KEYS.items()
          if key != "0"),
    ]

    def __init__(self, gateway: Gateway, session: auth_pb2.Session) -> None:
        super().__init__()
        self.gateway = gateway
        self.session = session
        self.status = 0
        self.answer: cl.ListBatchesResponse | None = None

    def compose(self) -> ComposeResult:
        yield StatusLine(self.gateway, self.session)
        yield Static(INTRO, id="batches-intro", markup=False)
        yield Static("", id="batches-counts", markup=False)
        yield DataTable[str | Text](id="batches-table", cursor_type="row", zebra_stripes=True)
        yield Static("Loading the batches…", id="batches-summary", markup=False)
        yield Footer()

    def on_mount(self) -> None:
        self.query_one(DataTable).focus()
        self.load()

    @gateway_call
    async def load(self) -> None:
        self.answer = await self.gateway.list_batches(status=self.status)
        self._fill()

    def _fill(self) -> None:
        answer = self.answer
        if answer is None:
            return
        table = self.query_one(DataTable)
        table.clear(columns=True)
        fixed = sum(width for _label, width in COLUMNS) + 2 * table.cell_padding * (len(COLUMNS) + 1)
        error_width = max(ERROR_MIN_WIDTH, self.size.width - fixed - 1)  # 1: the scrollbar
        for label, width in COLUMNS:
            table.add_column(label, width=width, key=label)
        table.add_column("Last error", width=error_width, key="Last error")
        for batch in answer.batches:
            table.add_row(*batch_row(batch), key=str(batch.batch_id), height=None)
        self.query_one("#batches-counts", Static).update(counts_line(answer))
        shown = len(answer.batches)
        which = f" {STATUS_WORDS[self.status].lower()}" if self.status else ""
        if shown:
            summary = f"The newest {shown}{which} batch{'' if shown == 1 else 'es'}."
        elif self.status:
            summary = f"No{which} batches (0 shows every status)."
        else:
            summary = "No batches yet: B in the claims worklist writes the queued claims into one."
        self.query_one("#batches-summary", Static).update(summary)

    def on_resize(self) -> None:
        self._fill()

    def show_inline_error(self, error: GatewayError) -> bool:
        self.query_one("#batches-summary", Static).update(f"Could not list the batches: {describe(error)}")
        return True

    def action_status(self, key: str) -> None:
        self.status = STATUS_KEYS[key]
        self.load()

    def action_reload(self) -> None:
        self.load()

    def action_back(self) -> None:
        self.dismiss()

"""After a cancel or a move: the waiting patients the server says could take the time just freed.

The list is the server's answer (best first); Enter on one opens the booking for that time with the
patient and the entry's type, the booking naming the entry; Escape leaves the time free.
"""

from __future__ import annotations

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import DataTable, Footer, Static

from client_tui import formatting
from client_tui import schedule_values as sv
from shared.pms.scheduling.v1 import appointments_pb2 as ap

OFFERS_INTRO = "These waiting patients could take the time just freed"


class OfferTable(DataTable[str | Text], inherit_bindings=False):
    BINDINGS = [
        Binding("enter", "select_cursor", "Book", tooltip="Book the freed time for the highlighted patient",
                id="offers.book"),
        Binding("up", "cursor_up", "Up", show=False),
        Binding("down", "cursor_down", "Down", show=False),
    ]


class WaitlistOffersScreen(ModalScreen[ap.WaitlistEntry | None]):
    """Dismisses with the entry chosen, or None."""

    CSS_PATH = "waitlist_offers_screen.tcss"

    BINDINGS = [
        Binding("escape", "close", "Leave it free", tooltip="Close; the time stays free", id="offers.close"),
    ]

    def __init__(self, offers: list[ap.WaitlistEntry], setup: sv.ScheduleSetup | None, when: str) -> None:
        super().__init__()
        self.offers = offers
        self.setup = setup
        self.when = when

    def compose(self) -> ComposeResult:
        with Vertical(id="offers-card"):
            yield Static(f"{OFFERS_INTRO} ({self.when}). Enter books the highlighted one; Escape leaves it free.",
                         id="offers-intro", markup=False)
            yield OfferTable(id="offers-table", cursor_type="row")
        yield Footer()

    def on_mount(self) -> None:
        self.query_one("#offers-card").border_title = "Waitlist"
        table = self.query_one(OfferTable)
        for label, width in (("Patient", 22), ("Phone", 14), ("Type", 16), ("Note", 24)):
            table.add_column(label, width=width)
        for index, entry in enumerate(self.offers):
            kind = self.setup.types.get(entry.appointment_type_id) if self.setup else None
            table.add_row(entry.patient_name, formatting.phone(entry.patient_phone), kind.name if kind else "",
                          entry.note, key=str(index))
        table.focus()

    @on(DataTable.RowSelected, "#offers-table")
    def _chosen(self, event: DataTable.RowSelected) -> None:
        event.stop()
        if event.row_key.value is not None:
            self.dismiss(self.offers[int(event.row_key.value)])

    def action_close(self) -> None:
        self.dismiss(None)

"""A move lost its race: what happened, and the next free times the server offered (Enter takes one)."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.screen import ModalScreen
from textual.widgets import Footer

from client_tui.widgets.free_slot_offer import FreeSlotOffer


class SlotTakenScreen(ModalScreen[datetime | None]):
    """Dismisses with the offered time chosen, or None."""

    CSS_PATH = "slot_taken_screen.tcss"

    BINDINGS = [
        Binding("escape", "close", "Back", tooltip="Back to the calendar to pick another time", id="taken.close"),
    ]

    def __init__(self, explanation: str, times: list[datetime], zone: ZoneInfo) -> None:
        super().__init__()
        self.explanation = explanation
        self.times = times
        self.zone = zone

    def compose(self) -> ComposeResult:
        yield FreeSlotOffer(id="taken-offer")
        yield Footer()

    def on_mount(self) -> None:
        self.query_one(FreeSlotOffer).offer(self.explanation, self.times, self.zone)

    @on(FreeSlotOffer.Chosen)
    def _chosen(self, message: FreeSlotOffer.Chosen) -> None:
        message.stop()
        self.dismiss(message.starts_at)

    def action_close(self) -> None:
        self.dismiss(None)

"""After a lost race: what happened in plain words, and the next free times the server offered.

Enter on an offered time posts ``Chosen`` (the dialog books or moves there); without offers the
sentence says what to do instead.
"""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.message import Message
from textual.widgets import OptionList, Static
from textual.widgets.option_list import Option

from client_tui import schedule_values as sv


class OfferedTimes(OptionList, inherit_bindings=False):
    BINDINGS = [
        Binding("enter", "select", "Take this time", tooltip="Use the highlighted free time instead",
                id="offer.take"),
        Binding("up", "cursor_up", "Up", show=False),
        Binding("down", "cursor_down", "Down", show=False),
    ]


class FreeSlotOffer(Vertical):
    DEFAULT_CSS = """
    FreeSlotOffer {
        height: auto;
        display: none;
        border: round $warning;
        border-title-color: $text-warning;
        border-title-style: bold;
        padding: 0 1;
    }
    FreeSlotOffer.-shown {
        display: block;
    }
    FreeSlotOffer > #offer-text {
        height: auto;
    }
    FreeSlotOffer > OfferedTimes, FreeSlotOffer > OfferedTimes:focus {
        height: auto;
        max-height: 5;
        border: none;
        padding: 0;
        margin-top: 1;
    }
    FreeSlotOffer > OfferedTimes.-empty {
        display: none;
    }
    """

    class Chosen(Message):
        def __init__(self, starts_at: datetime) -> None:
            super().__init__()
            self.starts_at = starts_at

    def __init__(self, id: str | None = None) -> None:
        super().__init__(id=id)
        self.times: list[datetime] = []

    def compose(self) -> ComposeResult:
        yield Static("", id="offer-text", markup=False)
        yield OfferedTimes(id="offer-times")

    def on_mount(self) -> None:
        self.border_title = "That time was just taken"

    def offer(self, explanation: str, times: list[datetime], zone: ZoneInfo) -> None:
        self.times = times
        self.query_one("#offer-text", Static).update(explanation)
        choices = self.query_one(OfferedTimes)
        choices.clear_options()
        choices.add_options(Option(sv.slot_text(t, zone), id=str(n)) for n, t in enumerate(times))
        choices.set_class(not times, "-empty")
        self.add_class("-shown")
        if times:
            choices.highlighted = 0
            choices.focus()

    def withdraw(self) -> None:
        self.times = []
        self.remove_class("-shown")

    @property
    def shown(self) -> bool:
        return self.has_class("-shown")

    @on(OptionList.OptionSelected)
    def _chosen(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        if event.option.id is not None:
            self.post_message(self.Chosen(self.times[int(event.option.id)]))


def lost_race_sentence(metadata: dict[str, str], zone: ZoneInfo, done: str) -> str:
    """A SLOT_TAKEN answer in plain words; ``done``: what did not happen ("nothing was booked")."""
    when = sv.conflict_text(metadata, zone)
    taken = f"another booking took that time ({when})" if when else "another booking took that time"
    if sv.offered_slots(metadata):
        return f"While you were choosing, {taken}, so {done}. The next free times: Enter takes the highlighted one."
    return f"While you were choosing, {taken}, so {done}. No free time nearby was offered: pick another time."

"""Choose a payer by typing part of its name or payer ID, then picking from the list below the box."""

from __future__ import annotations

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.message import Message
from textual.timer import Timer
from textual.widgets import Input, OptionList, Static
from textual.widgets.option_list import Option

from client_tui.form_values import Value
from client_tui.gateway import Gateway
from client_tui.workers import gateway_call
from shared.pms.payers.v1 import payers_pb2

SEARCH_DELAY_S = 0.2


def payer_label(name: str, electronic_payer_id: str) -> str:
    return f"{name} ({electronic_payer_id})" if electronic_payer_id else name


class PayerPicker(Vertical):
    DEFAULT_CSS = """
    PayerPicker {
        height: auto;
    }
    PayerPicker > OptionList {
        display: none;
        text-wrap: nowrap;
        text-overflow: ellipsis;
        height: auto;
        max-height: 6;
        border: none;
        padding: 0;
        background: $surface;
    }
    PayerPicker.-listing > OptionList {
        display: block;
    }
    PayerPicker > .payer-picker--none {
        display: none;
        color: $text-warning;
    }
    PayerPicker.-nothing-found > .payer-picker--none {
        display: block;
    }
    """

    BINDINGS = [
        Binding("down", "focus_list", "Payers found", show=False),
    ]

    class Chosen(Message):
        def __init__(self, picker: PayerPicker, by_list: bool) -> None:
            super().__init__()
            self.picker = picker
            # True when picked with Enter in the list (the form then moves on).
            self.by_list = by_list

    def __init__(
        self, gateway: Gateway, input_id: str, payer_id: int = 0, label: str = "", id: str | None = None
    ) -> None:
        super().__init__(id=id)
        self.gateway = gateway
        self.input_id = input_id
        self.payer_id = payer_id
        self.chosen_label = label
        self.labels: dict[int, str] = {payer_id: label} if payer_id else {}
        self.search_timer: Timer | None = None

    def compose(self) -> ComposeResult:
        yield Input(
            self.chosen_label,
            placeholder="Name or payer ID",
            id=self.input_id,
            compact=True,
        )
        yield OptionList(id=f"{self.input_id}-found")
        yield Static("No payer matches; try fewer letters.", classes="payer-picker--none", markup=False)

    # -- the value the form reads ---------------------------------------------------
    @property
    def form_value(self) -> Value:
        return self.payer_id

    def set_form_value(self, value: Value) -> None:
        payer_id = int(value)
        self.choose(payer_id, self.labels.get(payer_id, f"payer {payer_id}" if payer_id else ""))

    def choose(self, payer_id: int, label: str) -> None:
        self.payer_id = payer_id
        self.chosen_label = label
        self.labels[payer_id] = label
        self.query_one(Input).value = label
        self.set_class(False, "-listing")

    # -- searching -------------------------------------------------------------------
    @on(Input.Changed)
    def _typed(self, event: Input.Changed) -> None:
        event.stop()
        if event.value == self.chosen_label:
            return  # the text choose() put there
        self.payer_id = 0  # what is typed no longer names the chosen payer
        if self.search_timer is not None:
            self.search_timer.stop()
        query = event.value.strip()
        if not query:
            self.set_classes("")
            return
        self.search_timer = self.set_timer(SEARCH_DELAY_S, lambda: self.search(query))

    @gateway_call
    async def search(self, query: str) -> None:
        payers = await self.gateway.search_payers(query)
        if self.query_one(Input).value.strip() != query:
            return  # typed on meanwhile; the newer search answers
        found = self.query_one(OptionList)
        found.clear_options()
        found.add_options(Option(self._option_text(p), id=str(p.payer_id)) for p in payers)
        for payer in payers:
            self.labels[payer.payer_id] = payer_label(payer.name, payer.electronic_payer_id)
        if payers:
            found.highlighted = 0
        self.set_class(bool(payers), "-listing")
        self.set_class(not payers, "-nothing-found")

    @staticmethod
    def _option_text(payer: payers_pb2.Payer) -> str:
        return payer_label(payer.name, payer.electronic_payer_id)

    def action_focus_list(self) -> None:
        if self.has_class("-listing"):
            self.query_one(OptionList).focus()

    @on(Input.Submitted)
    def _take_highlighted(self, event: Input.Submitted) -> None:
        # Not stopped: the form moves on to its next field after this.
        found = self.query_one(OptionList)
        if self.payer_id == 0 and self.has_class("-listing") and found.highlighted is not None:
            self._choose_option(found.highlighted, by_list=False)

    @on(OptionList.OptionSelected)
    def _picked(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        self._choose_option(event.option_index, by_list=True)

    def _choose_option(self, index: int, by_list: bool) -> None:
        option = self.query_one(OptionList).get_option_at_index(index)
        payer_id = int(option.id or 0)
        self.choose(payer_id, self.labels.get(payer_id, str(option.prompt)))
        self.post_message(self.Chosen(self, by_list))

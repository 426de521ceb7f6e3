"""The row of modes with their keys, the current one highlighted."""

from __future__ import annotations

from textual import events
from textual.app import ComposeResult
from textual.containers import Horizontal
from textual.message import Message
from textual.reactive import reactive
from textual.widgets import Static


class ModeBar(Horizontal):
    DEFAULT_CSS = """
    ModeBar {
        height: 1;
        background: $boost;
        padding: 0 1;
    }
    ModeBar > .mode {
        width: auto;
        padding: 0 2;
        color: $text-muted;
    }
    ModeBar > .mode.-active {
        background: $primary;
        color: $text;
        text-style: bold;
    }
    """

    mode: reactive[str] = reactive("")

    class Chosen(Message):
        def __init__(self, mode: str) -> None:
            super().__init__()
            self.mode = mode

    def __init__(self, modes: list[tuple[str, str, str]]) -> None:
        """``modes``: (mode id, key, title) in display order."""
        super().__init__()
        self.modes = modes

    def compose(self) -> ComposeResult:
        for mode_id, key, title in self.modes:
            yield Static(f"{key.upper()} {title}", id=f"mode-{mode_id}", classes="mode", markup=False)

    def watch_mode(self, mode: str) -> None:
        for mode_id, _key, _title in self.modes:
            self.query_one(f"#mode-{mode_id}").set_class(mode_id == mode, "-active")

    def on_click(self, event: events.Click) -> None:
        if event.widget is not None and event.widget.id and event.widget.id.startswith("mode-"):
            self.post_message(self.Chosen(event.widget.id.removeprefix("mode-")))

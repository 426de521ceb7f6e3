"""A yes/no question before something that cannot be undone."""

from __future__ import annotations

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, Footer, Static


class ConfirmScreen(ModalScreen[bool]):
    """Dismisses with True only when the user said yes."""

    CSS_PATH = "confirm_screen.tcss"

    BINDINGS = [
        Binding("y", "answer(True)", "Yes", tooltip="Go ahead", id="confirm.yes"),
        Binding("n,escape", "answer(False)", "No", tooltip="Leave things as they are", id="confirm.no"),
    ]

    def __init__(self, title: str, question: str, yes_label: str) -> None:
        super().__init__()
        self.title_text = title
        self.question = question
        self.yes_label = yes_label

    def compose(self) -> ComposeResult:
        with Vertical(id="confirm-card"):
            yield Static(self.question, id="confirm-question", markup=False)
            with Horizontal(id="confirm-buttons"):
                yield Button(f"{self.yes_label} (y)", id="confirm-yes", variant="error")
                # The safe answer has the focus, so a stray Enter changes nothing.
                yield Button("No (n)", id="confirm-no", variant="default")
        yield Footer()

    def on_mount(self) -> None:
        self.query_one("#confirm-card").border_title = self.title_text
        self.query_one("#confirm-no", Button).focus()

    def action_answer(self, yes: bool) -> None:
        self.dismiss(yes)

    @on(Button.Pressed, "#confirm-yes")
    def _yes(self) -> None:
        self.dismiss(True)

    @on(Button.Pressed, "#confirm-no")
    def _no(self) -> None:
        self.dismiss(False)

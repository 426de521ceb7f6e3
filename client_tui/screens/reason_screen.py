"""Ask why, then do something that cannot be undone with that reason: void a statement, cancel a payment plan.

The screen makes the call itself, so the server's objection to the reason shows under the field; it dismisses with
what the call answered, or None (Escape).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Generic, TypeVar

from textual.app import ComposeResult
from textual.widgets import Input

from client_tui.gateway import FieldViolation
from client_tui.screens.form_screen import FormScreen
from client_tui.widgets.form_field import FormField, show_violations
from client_tui.workers import gateway_call

T = TypeVar("T")


class ReasonScreen(FormScreen[T | None], Generic[T]):
    DEFAULT_CSS = """
    ReasonScreen > #form-card {
        width: 76;
    }
    """

    def __init__(self, title: str, intro: str, submit_label: str, act: Callable[[str], Awaitable[T]],
                 max_length: int = 200) -> None:
        super().__init__()
        self.FORM_TITLE = title
        self.SUBMIT_LABEL = submit_label
        self.intro_text = intro
        self.act = act
        self.max_length = max_length
        self.busy = False

    def intro(self) -> str:
        return self.intro_text

    def compose_fields(self) -> ComposeResult:
        yield FormField("Reason", Input(id="reason", compact=True, max_length=self.max_length), "reason",
                        hint="Kept with the record, with your name.")

    def on_mount(self) -> None:
        super().on_mount()
        self.query_one("#reason", Input).focus()

    def submit(self) -> None:
        if self.busy:
            return
        reason = self.query_one("#reason", Input).value.strip()
        if not reason:
            show_violations(self, [FieldViolation("reason", "say why")])
            return
        self.send(reason)

    @gateway_call
    async def send(self, reason: str) -> None:
        self.busy = True
        try:
            answer = await self.act(reason)
        finally:
            self.busy = False
        self.dismiss(answer)

"""Works an ERA exception by hand: the biller types the claim number the payment is for (the server matches and
posts it by its own rules, or says why it still cannot)."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.widgets import Input, Static

from client_tui.gateway import FieldViolation
from client_tui.screens.form_screen import FormScreen
from client_tui.widgets.form_field import FormField, show_violations


class MatchClaimScreen(FormScreen[int | None]):
    """Dismisses with the claim number typed, or None."""

    CSS_PATH = "match_claim_screen.tcss"
    FORM_TITLE = "Match to a claim"
    SUBMIT_LABEL = "Match"

    def __init__(self, what: str) -> None:
        super().__init__()
        self.what = what

    def compose_fields(self) -> ComposeResult:
        yield Static(self.what, id="match-what", markup=False)
        yield FormField("Claim number", Input(placeholder="e.g. 1042", id="match-claim", restrict=r"[0-9]*"),
                        "claim_id")

    def on_mount(self) -> None:
        super().on_mount()
        self.query_one("#match-claim", Input).focus()

    def submit(self) -> None:
        typed = self.query_one("#match-claim", Input).value.strip()
        if not typed.isdigit() or int(typed) <= 0:
            show_violations(self, [FieldViolation("claim_id", "type the claim's number (the Claims view shows it)")])
            return
        self.dismiss(int(typed))

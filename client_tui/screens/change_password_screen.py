"""The logged-in user changes their own password."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.widgets import Input

from client_tui.gateway import Gateway
from client_tui.screens.form_screen import FormScreen
from client_tui.widgets.form_field import FormField
from client_tui.workers import gateway_call


class ChangePasswordScreen(FormScreen[bool]):
    """Dismisses with True once the server accepted the new password."""

    CSS_PATH = "change_password_screen.tcss"
    FORM_TITLE = "Change your password"
    SUBMIT_LABEL = "Change password"

    def __init__(self, gateway: Gateway, required: bool = False) -> None:
        super().__init__()
        self.gateway = gateway
        self.required = required

    def intro(self) -> str:
        if self.required:
            return "Your password was set by an administrator. Choose your own before you go on."
        return ""

    def compose_fields(self) -> ComposeResult:
        yield FormField("Current password", Input(password=True, id="current-password"), "current_password")
        yield FormField("New password", Input(password=True, id="new-password"), "new_password")
        yield FormField("New password again", Input(password=True, id="repeat-password"), "repeat_password")

    def submit(self) -> None:
        new_password = self.query_one("#new-password", Input).value
        if new_password != self.query_one("#repeat-password", Input).value:
            # Only a typing check; what makes a good password is the server's business.
            self.query_one("#repeat-password", Input).focus()
            self.say("The two new passwords differ; type them again.")
            return
        self.change_password(self.query_one("#current-password", Input).value, new_password)

    @gateway_call
    async def change_password(self, current_password: str, new_password: str) -> None:
        await self.gateway.change_password(current_password, new_password)
        self.dismiss(True)

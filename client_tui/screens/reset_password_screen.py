"""Give a user a temporary password (also ends a lockout)."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.widgets import Input

from client_tui.gateway import Gateway
from client_tui.screens.form_screen import FormScreen
from client_tui.widgets.form_field import FormField
from client_tui.workers import gateway_call
from shared.pms.admin.v1 import admin_pb2


class ResetPasswordScreen(FormScreen[admin_pb2.User | None]):
    """Dismisses with the updated user, or None."""

    CSS_PATH = "reset_password_screen.tcss"
    FORM_TITLE = "Reset password"
    SUBMIT_LABEL = "Reset password"

    def __init__(self, gateway: Gateway, user: admin_pb2.User) -> None:
        super().__init__()
        self.gateway = gateway
        self.user = user

    def intro(self) -> str:
        return (
            f"New temporary password for {self.user.display_name} ({self.user.username}). "
            "They must choose their own at their next login; a lockout ends too."
        )

    def compose_fields(self) -> ComposeResult:
        yield FormField("Temporary password", Input(id="new-password"), "new_password")

    def submit(self) -> None:
        self.reset_password(self.query_one("#new-password", Input).value)

    @gateway_call
    async def reset_password(self, new_password: str) -> None:
        self.dismiss(await self.gateway.reset_user_password(self.user.user_id, new_password, self.user.version))

"""Create a user: username, name, roles and a temporary password."""

from __future__ import annotations

import uuid

from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.widgets import Input, SelectionList

from client_tui.gateway import Gateway
from client_tui.screens.form_screen import FormScreen
from client_tui.widgets.form_field import FormField
from client_tui.widgets.role_picker import RolePicker
from client_tui.workers import gateway_call
from shared.pms.admin.v1 import admin_pb2


class AddUserScreen(FormScreen[admin_pb2.User | None]):
    """Dismisses with the new user, or None."""

    CSS_PATH = "add_user_screen.tcss"
    FORM_TITLE = "Add user"
    SUBMIT_LABEL = "Create user"

    def __init__(self, gateway: Gateway) -> None:
        super().__init__()
        self.gateway = gateway
        # One key for this form: pressing Save again after a lost answer cannot create the user twice.
        self.idempotency_key = uuid.uuid4().hex

    def compose_fields(self) -> ComposeResult:
        # Two columns, so the form and its error lines fit a 40-line terminal.
        with Horizontal(id="add-user-columns"):
            with Vertical(id="add-user-identity"):
                yield FormField("Username", Input(id="username", placeholder="e.g. jsmith"), "username")
                yield FormField("Display name", Input(id="display-name", placeholder="e.g. Jane Smith"), "display_name")
                yield FormField(
                    "Temporary password",
                    Input(id="initial-password"),
                    "initial_password",
                    hint="Tell it to the user; they choose their own at first login.",
                )
            yield FormField(
                "Roles",
                RolePicker(self.gateway, id="roles"),
                "roles",
                hint="↑↓ move, Space ticks a role, Ctrl+S creates the user.",
            )

    def submit(self) -> None:
        self.create_user(
            self.query_one("#username", Input).value.strip(),
            self.query_one("#display-name", Input).value.strip(),
            list(self.query_one("#roles", SelectionList).selected),
            self.query_one("#initial-password", Input).value,
        )

    @gateway_call
    async def create_user(self, username: str, display_name: str, roles: list[str], password: str) -> None:
        user = await self.gateway.create_user(username, display_name, roles, password, self.idempotency_key)
        self.dismiss(user)

"""Change which roles a user holds."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.widgets import SelectionList

from client_tui.gateway import Gateway
from client_tui.screens.form_screen import FormScreen
from client_tui.widgets.form_field import FormField
from client_tui.widgets.role_picker import RolePicker
from client_tui.workers import gateway_call
from shared.pms.admin.v1 import admin_pb2


class SetRolesScreen(FormScreen[admin_pb2.User | None]):
    """Dismisses with the updated user, or None."""

    CSS_PATH = "set_roles_screen.tcss"
    FORM_TITLE = "Roles"
    SUBMIT_LABEL = "Save roles"

    def __init__(self, gateway: Gateway, user: admin_pb2.User) -> None:
        super().__init__()
        self.gateway = gateway
        self.user = user

    def intro(self) -> str:
        return f"Roles of {self.user.display_name} ({self.user.username}). ↑↓ move, Space ticks a role, Ctrl+S saves."

    def compose_fields(self) -> ComposeResult:
        yield FormField("Roles", RolePicker(self.gateway, selected=self.user.roles, id="roles"), "roles")

    def submit(self) -> None:
        self.set_roles(list(self.query_one("#roles", SelectionList).selected))

    @gateway_call
    async def set_roles(self, roles: list[str]) -> None:
        self.dismiss(await self.gateway.set_user_roles(self.user.user_id, roles, self.user.version))

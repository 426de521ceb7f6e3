"""Admin > Users: who may log in, with which roles."""

from __future__ import annotations

from collections.abc import Callable

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.widgets import DataTable, Static

from client_tui import formatting
from client_tui.gateway import Gateway
from client_tui.screens.add_user_screen import AddUserScreen
from client_tui.screens.confirm_screen import ConfirmScreen
from client_tui.screens.reset_password_screen import ResetPasswordScreen
from client_tui.screens.set_roles_screen import SetRolesScreen
from client_tui.widgets.admin_tool import AdminTool
from client_tui.workers import gateway_call
from shared.pms.admin.v1 import admin_pb2

COLUMNS = ("Username", "Name", "Roles", "Disabled", "Locked", "TOTP", "Last login")
ACTIONS_ON_SELECTED_USER = {"set_roles", "toggle_disabled", "reset_password"}
MANAGE_ACTIONS = {"add_user"} | ACTIONS_ON_SELECTED_USER


def warning_if(flag: bool, text: str = "yes") -> Text:
    return Text(text, style="bold red") if flag else Text("no", style="dim")


class UsersPanel(AdminTool):
    DEFAULT_CSS = """
    UsersPanel > DataTable {
        height: 1fr;
    }
    UsersPanel > #users-summary {
        height: 1;
        color: $text-muted;
        padding: 0 1;
    }
    """

    BINDINGS = [
        Binding("a", "add_user", "Add user", tooltip="Create a user with a temporary password", id="users.add"),
        Binding("r", "set_roles", "Roles", tooltip="Change the selected user's roles", id="users.roles"),
        Binding(
            "d",
            "toggle_disabled",
            "Disable/enable",
            tooltip="Stop or allow the selected user's logins",
            id="users.disable_enable",
        ),
        Binding(
            "p",
            "reset_password",
            "Reset password",
            tooltip="Give the selected user a temporary password",
            id="users.reset_password",
        ),
        Binding("ctrl+r", "reload", "Reload", tooltip="Fetch the users again", id="users.reload"),
    ]

    def __init__(self, gateway: Gateway, can_manage: bool, id: str | None = None) -> None:
        super().__init__(gateway, id=id)
        self.can_manage = can_manage
        self.users: dict[str, admin_pb2.User] = {}

    def compose(self) -> ComposeResult:
        table: DataTable[str | Text] = DataTable(id="users-table", cursor_type="row", zebra_stripes=True)
        table.add_columns(*COLUMNS)
        yield table
        yield Static("Loading users…", id="users-summary")

    def focus_main(self) -> None:
        self.query_one(DataTable).focus()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action in MANAGE_ACTIONS and not self.can_manage:
            return False
        if action in ACTIONS_ON_SELECTED_USER and self.selected_user() is None:
            return None  # shown, but greyed out until a user is selected
        return True

    @gateway_call
    async def load_users(self, select_user_id: int = 0) -> None:
        users = await self.gateway.list_users(include_disabled=True)
        self.loaded = True
        table = self.query_one(DataTable)
        keep_row = table.cursor_row
        table.clear()
        self.users = {str(user.user_id): user for user in users}
        for user in users:
            table.add_row(
                user.username,
                user.display_name,
                ", ".join(user.roles),
                warning_if(user.disabled),
                warning_if(user.locked, self._locked_text(user)),
                Text("on", style="green") if user.totp_enabled else Text("off", style="dim"),
                formatting.instant(user.last_login_at) or "never",
                key=str(user.user_id),
            )
        if select_user_id and str(select_user_id) in self.users:
            table.move_cursor(row=table.get_row_index(str(select_user_id)))
        elif users:
            table.move_cursor(row=min(keep_row, len(users) - 1))
        self.query_one("#users-summary", Static).update(self._summary(users))
        self.refresh_bindings()

    @staticmethod
    def _locked_text(user: admin_pb2.User) -> str:
        until = formatting.instant(user.locked_until)
        return f"until {until[-5:]}" if until else "yes"

    @staticmethod
    def _summary(users: list[admin_pb2.User]) -> str:
        disabled = sum(u.disabled for u in users)
        locked = sum(u.locked for u in users)
        return f"{len(users)} users · {disabled} disabled · {locked} locked"

    def selected_user(self) -> admin_pb2.User | None:
        table = self.query_one(DataTable)
        if not self.users or table.row_count == 0:
            return None
        row_key = table.coordinate_to_cell_key(table.cursor_coordinate).row_key
        return self.users.get(str(row_key.value))

    def on_data_table_row_highlighted(self) -> None:
        self.refresh_bindings()

    # -- actions ------------------------------------------------------------------
    def reload(self) -> None:
        self.load_users()

    def action_reload(self) -> None:
        self.reload()

    def action_add_user(self) -> None:
        self.app.push_screen(AddUserScreen(self.gateway), self._after_change("Created"))

    def action_set_roles(self) -> None:
        if user := self.selected_user():
            self.app.push_screen(SetRolesScreen(self.gateway, user), self._after_change("Updated roles of"))

    def action_reset_password(self) -> None:
        if user := self.selected_user():
            self.app.push_screen(
                ResetPasswordScreen(self.gateway, user), self._after_change("Set a temporary password for")
            )

    def action_toggle_disabled(self) -> None:
        user = self.selected_user()
        if user is None:
            return
        if user.disabled:
            self.enable_user(user)
            return

        def disable_if_confirmed(confirmed: bool | None) -> None:
            if confirmed:
                self.disable_user(user)

        self.app.push_screen(
            ConfirmScreen(
                "Disable user",
                f"Disable {user.display_name} ({user.username})? They can no longer log in "
                "until someone enables them again.",
                "Disable",
            ),
            disable_if_confirmed,
        )

    @gateway_call
    async def disable_user(self, user: admin_pb2.User) -> None:
        updated = await self.gateway.disable_user(user.user_id, user.version)
        self.app.notify(f"Disabled {updated.username}.")
        self.load_users(select_user_id=updated.user_id)

    @gateway_call
    async def enable_user(self, user: admin_pb2.User) -> None:
        updated = await self.gateway.enable_user(user.user_id, user.version)
        self.app.notify(f"Enabled {updated.username}.")
        self.load_users(select_user_id=updated.user_id)

    def _after_change(self, verb: str) -> Callable[[admin_pb2.User | None], None]:
        def reload_and_say(user: admin_pb2.User | None) -> None:
            if user is not None:
                self.app.notify(f"{verb} {user.username}.")
                self.load_users(select_user_id=user.user_id)

        return reload_and_say

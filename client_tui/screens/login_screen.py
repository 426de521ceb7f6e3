"""The first screen: who is at this workstation."""

from __future__ import annotations

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Center, Vertical, VerticalScroll
from textual.screen import Screen
from textual.widgets import Footer, Static

from client_tui.gateway import Gateway
from client_tui.widgets.login_form import LoginForm
from client_tui.widgets.status_line import StatusLine
from shared.pms.auth.v1 import auth_pb2


class LoginScreen(Screen[auth_pb2.Session]):
    """Dismisses with the new session."""

    CSS_PATH = "login_screen.tcss"
    AUTO_FOCUS = None  # the form focuses the first empty field itself

    # Priority like the app's own Ctrl+Q, so the footer shows this one.
    BINDINGS = [Binding("ctrl+q", "app.quit", "Quit", tooltip="Close the program", id="app.quit", priority=True)]

    def __init__(self, gateway: Gateway, login_hint: str = "") -> None:
        super().__init__()
        self.gateway = gateway
        self.login_hint = login_hint

    def compose(self) -> ComposeResult:
        connection = self.gateway.connection
        yield StatusLine(self.gateway)
        with VerticalScroll(id="login-body"), Center():
            with Vertical(id="login-card"):
                yield Static(connection.practice_name, id="login-practice", markup=False)
                # One line, so the whole card fits an 80x24 terminal.
                yield Static(
                    f"{connection.workstation_name} → {connection.server_address}",
                    id="login-where",
                    markup=False,
                )
                yield LoginForm(self.gateway)
            if self.login_hint:
                yield Static(self.login_hint, id="login-hint", markup=False)
        yield Footer()

    def on_mount(self) -> None:
        self.query_one("#login-card").border_title = "Practice management · Log in"
        if self.login_hint:
            self.query_one("#login-hint").border_title = "Note"

    @on(LoginForm.LoggedIn)
    def _logged_in(self, message: LoginForm.LoggedIn) -> None:
        message.stop()
        self.dismiss(message.session)

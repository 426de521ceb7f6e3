"""Shown on top of whatever was open when the server ended the session.

Everything underneath keeps its state (a half-filled form stays half filled): the same user
logs in again here and carries on. Ctrl+L (the app's log-out key) abandons that work instead.
"""

from __future__ import annotations

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Footer, Static

from client_tui.gateway import Gateway
from client_tui.widgets.login_form import LoginForm
from shared.pms.auth.v1 import auth_pb2


class ReloginScreen(ModalScreen[auth_pb2.Session]):
    """Dismisses with the renewed session."""

    CSS_PATH = "relogin_screen.tcss"
    AUTO_FOCUS = None

    # The app's own Ctrl+L (a priority binding) does the work; this one puts it in the footer.
    BINDINGS = [
        Binding("ctrl+l", "app.log_out", "Log out instead", tooltip="Drop what was open and log out"),
    ]

    def __init__(self, gateway: Gateway, username: str) -> None:
        super().__init__()
        self.gateway = gateway
        self.username = username

    def compose(self) -> ComposeResult:
        with Vertical(id="relogin-card"):
            yield Static(
                "Your session has ended. Log in again to carry on where you were: "
                "nothing you typed is lost. Then repeat your last action.",
                id="relogin-explanation",
            )
            yield LoginForm(self.gateway, username=self.username, username_locked=True)
        yield Footer()

    def on_mount(self) -> None:
        self.query_one("#relogin-card").border_title = "Session ended"

    @on(LoginForm.LoggedIn)
    def _logged_in(self, message: LoginForm.LoggedIn) -> None:
        message.stop()
        self.dismiss(message.session)

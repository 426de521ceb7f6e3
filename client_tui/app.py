"""The PMS terminal client.

``PmsApp`` gets its ``Gateway`` from whoever starts it (the gRPC one from ``pms``, a fake in
widget tests) and owns three things: which screen is showing, the session, and ``show_error``,
the one place where a failed call becomes something the user sees.
"""

from __future__ import annotations

import asyncio
import re

from textual import work
from textual.app import App
from textual.binding import Binding
from textual.dom import DOMNode

from client_tui.commands import KeyCommands
from client_tui.errors import ShowsErrorsInline, describe
from client_tui.gateway import (
    Gateway,
    GatewayError,
    InvalidInput,
    NotFound,
    PermissionDenied,
    RuleBroken,
    ServerError,
    ServerUnavailable,
    SessionExpired,
    StaleRecord,
)
from client_tui.screens.login_screen import LoginScreen
from client_tui.screens.relogin_screen import ReloginScreen
from client_tui.screens.shell_screen import ShellScreen
from client_tui.workers import gateway_call
from shared.pms.auth.v1 import auth_pb2

ERROR_TITLES: list[tuple[type[GatewayError], str]] = [
    (InvalidInput, "Please check the input"),
    (RuleBroken, "Not possible"),
    (StaleRecord, "Changed by someone else"),
    (NotFound, "Not found"),
    (PermissionDenied, "Not allowed"),
    (ServerUnavailable, "Server unreachable"),
    (ServerError, "Server error"),
]


class PmsApp(App[None]):
    TITLE = "PMS"
    COMMANDS = App.COMMANDS | {KeyCommands}
    # On the app and with priority, so they work from inside any open dialog too.
    BINDINGS = [
        Binding("ctrl+q", "quit", "Quit", tooltip="Log out and close the program", show=False, priority=True),
        Binding(
            "ctrl+l",
            "log_out",
            "Log out",
            tooltip="End the session on this workstation",
            id="log_out",
            priority=True,
        ),
    ]

    def __init__(self, gateway: Gateway, login_hint: str = "") -> None:
        super().__init__()
        self.gateway = gateway
        self.login_hint = login_hint
        self.session: auth_pb2.Session | None = None

    def on_mount(self) -> None:
        self.show_login()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "log_out":
            return self.session is not None
        return True

    def get_key_display(self, binding: Binding) -> str:
        # "F2" as printed on the keyboard (and on the mode bar), not "f2".
        display = super().get_key_display(binding)
        return display.upper() if re.fullmatch(r"f\d+", display) else display

    # -- screens --------------------------------------------------------------------
    def show_login(self) -> None:
        self.push_screen(LoginScreen(self.gateway, self.login_hint), self.start_session)

    def start_session(self, session: auth_pb2.Session | None) -> None:
        if session is None:
            return
        self.session = session
        self.push_screen(ShellScreen(self.gateway, session))
        self.refresh_bindings()

    def ask_to_log_in_again(self) -> None:
        if self.session is None or any(isinstance(s, ReloginScreen) for s in self.screen_stack):
            return
        self.push_screen(ReloginScreen(self.gateway, self.session.username), self.resume_session)

    def resume_session(self, session: auth_pb2.Session | None) -> None:
        if session is None:
            return
        self.session = session
        for screen in self.screen_stack:
            if isinstance(screen, ShellScreen):
                screen.session_resumed(session)
        self.notify("Welcome back. Repeat your last action if it did not go through.")

    def action_log_out(self) -> None:
        self.session = None
        # Leave the screens first, so nothing stays on display while the server is told.
        while len(self.screen_stack) > 1:
            self.pop_screen()
        # Not prefilled: the next person at a shared desk is often someone else.
        self.show_login()
        self.end_session_on_server()

    @gateway_call
    async def end_session_on_server(self) -> None:
        await self.gateway.logout()

    async def action_quit(self) -> None:
        if self.session is None:
            self.exit()
            return
        self.session = None
        self.log_out_and_exit()

    @work(exclusive=True, exit_on_error=False)
    async def log_out_and_exit(self) -> None:
        try:
            await asyncio.wait_for(self.gateway.logout(), timeout=3)
        except (GatewayError, TimeoutError):
            pass  # leaving anyway: the server ends an idle session by itself
        finally:
            self.exit()

    # -- the one place failures become messages -------------------------------------
    def show_error(self, error: GatewayError, origin: DOMNode | None = None) -> None:
        if isinstance(error, SessionExpired):
            # Without a session (e.g. logging out) there is nothing to resume.
            self.ask_to_log_in_again()
            return
        node = origin
        while node is not None:
            if isinstance(node, ShowsErrorsInline) and node.show_inline_error(error):
                return
            node = node.parent
        title = next((t for kind, t in ERROR_TITLES if isinstance(error, kind)), "Error")
        mild = isinstance(error, (InvalidInput, RuleBroken, StaleRecord))
        self.notify(describe(error), title=title, severity="warning" if mild else "error", timeout=8)

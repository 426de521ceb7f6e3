"""One line that always says who is logged in, where, and whether the server answers."""

from __future__ import annotations

import asyncio

from textual import work
from textual.app import ComposeResult
from textual.containers import Horizontal
from textual.reactive import reactive
from textual.widgets import Static

from client_tui.gateway import Gateway, GatewayError
from shared.pms.auth.v1 import auth_pb2

STATE_LABELS = {
    "connected": "● connected",
    "connecting": "◌ connecting…",
    "offline": "✕ offline",
}


class StatusLine(Horizontal):
    DEFAULT_CSS = """
    StatusLine {
        height: 1;
        background: $panel;
        color: $foreground;
        padding: 0 1;
    }
    StatusLine > Static {
        width: auto;
        margin-right: 2;
    }
    StatusLine > #status-user {
        text-style: bold;
    }
    StatusLine > .status-muted {
        color: $text-muted;
        /* The least important part gives way first on a narrow terminal. */
        width: 1fr;
        text-wrap: nowrap;
        text-overflow: ellipsis;
    }
    StatusLine > #status-connection {
        /* Docked, so long names never push the connection state off the line. */
        dock: right;
        margin: 0 0 0 2;
        text-style: bold;
    }
    StatusLine.-connected > #status-connection {
        color: $text-success;
    }
    StatusLine.-connecting > #status-connection {
        color: $text-warning;
    }
    StatusLine.-offline > #status-connection {
        color: $text-error;
    }
    """

    state: reactive[str] = reactive("connecting")

    def __init__(self, gateway: Gateway, session: auth_pb2.Session | None = None, poll_seconds: float = 1.0) -> None:
        super().__init__()
        self.gateway = gateway
        self.session = session
        self.poll_seconds = poll_seconds

    def compose(self) -> ComposeResult:
        connection = self.gateway.connection
        yield Static(self._user_text(), id="status-user", markup=False)
        practice = self.session.practice_name if self.session else connection.practice_name
        yield Static(practice, id="status-practice", markup=False)
        # This workstation and the server it talks to.
        yield Static(
            f"{connection.workstation_name} → {connection.server_address}", classes="status-muted", markup=False
        )
        yield Static("", id="status-connection")

    def on_mount(self) -> None:
        self.state = self.gateway.connection.state
        self.watch_connection()

    def show_session(self, session: auth_pb2.Session) -> None:
        self.session = session
        self.query_one("#status-user", Static).update(self._user_text())
        self.query_one("#status-practice", Static).update(session.practice_name)

    def _user_text(self) -> str:
        if self.session is None:
            return "not logged in"
        roles = ", ".join(self.session.roles) or "no roles"
        return f"{self.session.display_name or self.session.username} ({roles})"

    def watch_state(self, state: str) -> None:
        for known in STATE_LABELS:
            self.set_class(state == known, f"-{known}")
        self.query_one("#status-connection", Static).update(STATE_LABELS.get(state, state))

    @work(exclusive=True, group="connection", exit_on_error=False)
    async def watch_connection(self) -> None:
        # One loop instead of a timer: a slow check can never overlap the next one.
        while True:
            try:
                self.state = await self.gateway.check_connection()
            except GatewayError:
                self.state = "offline"
            await asyncio.sleep(self.poll_seconds)

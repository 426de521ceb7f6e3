"""Username, password and (when the account has it) the authenticator code.

Used by the login screen and by the overlay that appears when a session expires. Enter moves
from field to field and submits from the last one. The server decides everything: the form
shows its sentence when it refuses, and asks for a code when it says one is needed.
"""

from __future__ import annotations

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.message import Message
from textual.widgets import Button, Input, Static

from client_tui.errors import describe
from client_tui.gateway import Gateway, GatewayError, InvalidInput, LoginFailed, TotpRequired
from client_tui.widgets.form_field import FormField, clear_field_errors, show_violations
from client_tui.workers import gateway_call
from shared.pms.auth.v1 import auth_pb2


class LoginForm(Vertical):
    DEFAULT_CSS = """
    LoginForm {
        height: auto;
    }
    LoginForm #totp-field {
        display: none;
    }
    LoginForm.-totp #totp-field {
        display: block;
    }
    LoginForm.-totp #password-field {
        display: none;
    }
    LoginForm #login-message {
        height: auto;
        min-height: 1;
        margin-bottom: 1;
    }
    LoginForm #login-message.-error {
        color: $text-error;
        text-style: bold;
    }
    LoginForm #login-message.-info {
        color: $text-accent;
    }
    LoginForm #log-in {
        width: 100%;
    }
    """

    BINDINGS = [
        Binding("escape", "back_to_password", "Back", tooltip="Back to the password", id="login.back"),
    ]

    class LoggedIn(Message):
        """The server accepted the credentials; ``session`` describes who is in."""

        def __init__(self, session: auth_pb2.Session) -> None:
            super().__init__()
            self.session = session

    def __init__(self, gateway: Gateway, username: str = "", username_locked: bool = False) -> None:
        super().__init__()
        self.gateway = gateway
        self.initial_username = username
        self.username_locked = username_locked

    def compose(self) -> ComposeResult:
        username = Input(self.initial_username, id="username", disabled=self.username_locked)
        yield FormField("Username", username, "username")
        password_field = FormField("Password", Input(password=True, id="password"), "password")
        password_field.id = "password-field"
        yield password_field
        code = Input(id="totp-code", placeholder="6 digits", restrict=r"[0-9]*", max_length=6)
        totp_field = FormField(
            "Authenticator code", code, "totp_code", hint="From the authenticator app on your phone."
        )
        totp_field.id = "totp-field"
        yield totp_field
        yield Static("", id="login-message", markup=False)
        yield Button("Log in", id="log-in", variant="primary")

    def on_mount(self) -> None:
        self.query_one("#password" if self.username_locked or self.initial_username else "#username").focus()

    @property
    def asking_for_code(self) -> bool:
        return self.has_class("-totp")

    @on(Input.Submitted, "#username")
    def _username_done(self) -> None:
        self.query_one("#totp-code" if self.asking_for_code else "#password", Input).focus()

    @on(Input.Submitted, "#password, #totp-code")
    @on(Button.Pressed, "#log-in")
    def submit(self) -> None:
        username = self.query_one("#username", Input).value.strip()
        password = self.query_one("#password", Input).value
        code = self.query_one("#totp-code", Input).value if self.asking_for_code else ""
        clear_field_errors(self)
        self._say("Checking…", "-info")
        self.log_in(username, password, code)

    @gateway_call
    async def log_in(self, username: str, password: str, code: str) -> None:
        session = await self.gateway.login(username, password, code)
        self._say("", "")
        self.post_message(self.LoggedIn(session))

    def show_inline_error(self, error: GatewayError) -> bool:
        if isinstance(error, TotpRequired):
            self._ask_for_code(str(error) or "Enter the 6-digit code from your authenticator app.")
        elif isinstance(error, LoginFailed):
            self._say(str(error), "-error")
            # Keep the username; start the secret part again.
            retry = self.query_one("#totp-code" if self.asking_for_code else "#password", Input)
            retry.value = ""
            retry.focus()
        elif isinstance(error, InvalidInput):
            unmatched = show_violations(self, error.violations)
            self._say(describe(InvalidInput(unmatched)) if unmatched else "", "-error")
        else:
            self._say(describe(error), "-error")
        return True

    def _ask_for_code(self, message: str) -> None:
        self.add_class("-totp")
        self.refresh_bindings()
        self._say(message, "-info")
        code = self.query_one("#totp-code", Input)
        code.value = ""
        code.focus()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        return self.asking_for_code if action == "back_to_password" else True

    def action_back_to_password(self) -> None:
        if self.asking_for_code:
            self.remove_class("-totp")
            self.refresh_bindings()
            self._say("", "")
            self.query_one("#password", Input).focus()

    def _say(self, text: str, kind: str) -> None:
        message = self.query_one("#login-message", Static)
        message.update(text)
        message.set_classes(kind)

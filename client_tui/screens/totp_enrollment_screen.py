"""Turn on the authenticator-app second factor: password, then the secret, then a code."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.containers import Vertical
from textual.widgets import Button, Input, Static

from client_tui.gateway import Gateway
from client_tui.screens.form_screen import FormScreen
from client_tui.widgets.form_field import FormField
from client_tui.workers import gateway_call
from shared.pms.auth.v1 import auth_pb2


def grouped(secret: str) -> str:
    """``JBSWY3DPEHPK3PXP`` as ``JBSW Y3DP EHPK 3PXP``: easier to type into a phone."""
    return " ".join(secret[i : i + 4] for i in range(0, len(secret), 4))


class TotpEnrollmentScreen(FormScreen[bool]):
    """Dismisses with True once the server confirmed the first code."""

    CSS_PATH = "totp_enrollment_screen.tcss"
    FORM_TITLE = "Two-factor sign-in"
    SUBMIT_LABEL = "Continue"

    def __init__(self, gateway: Gateway) -> None:
        super().__init__()
        self.gateway = gateway
        self.enrollment: auth_pb2.EnrollTotpResponse | None = None

    def compose_fields(self) -> ComposeResult:
        with Vertical(id="password-step"):
            yield Static("Confirm it is you: type your password.", classes="step-intro")
            yield FormField("Password", Input(password=True, id="current-password"), "current_password")
        with Vertical(id="code-step"):
            yield Static(
                "Add this account to your authenticator app (type the secret, or paste the URI), "
                "then type the 6-digit code it shows.",
                classes="step-intro",
            )
            yield Static("Secret", classes="totp-label")
            yield Static("", id="totp-secret", markup=False)
            yield Static("URI", classes="totp-label")
            yield Static("", id="totp-uri", markup=False)
            code = Input(id="totp-code", placeholder="6 digits", restrict=r"[0-9]*", max_length=6)
            yield FormField("Code from the app", code, "totp_code")

    def submit(self) -> None:
        if self.enrollment is None:
            self.start_enrollment(self.query_one("#current-password", Input).value)
        else:
            self.confirm_code(self.query_one("#totp-code", Input).value)

    @gateway_call
    async def start_enrollment(self, current_password: str) -> None:
        self.enrollment = await self.gateway.enroll_totp(current_password)
        self.query_one("#totp-secret", Static).update(grouped(self.enrollment.secret_base32))
        self.query_one("#totp-uri", Static).update(self.enrollment.provisioning_uri)
        self.query_one("#form-submit", Button).label = "Turn on"
        self.add_class("-confirming")
        self.query_one("#totp-code", Input).focus()

    @gateway_call
    async def confirm_code(self, code: str) -> None:
        await self.gateway.confirm_totp(code)
        self.dismiss(True)

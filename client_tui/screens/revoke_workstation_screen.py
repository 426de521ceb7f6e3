"""Revoke a workstation's certificate: a reason, then a yes."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.widgets import Input

from client_tui.gateway import Gateway
from client_tui.screens.confirm_screen import ConfirmScreen
from client_tui.screens.form_screen import FormScreen
from client_tui.widgets.form_field import FormField
from client_tui.workers import gateway_call
from shared.pms.admin.v1 import admin_pb2


class RevokeWorkstationScreen(FormScreen[admin_pb2.Workstation | None]):
    """Dismisses with the revoked workstation, or None."""

    CSS_PATH = "revoke_workstation_screen.tcss"
    FORM_TITLE = "Revoke workstation"
    SUBMIT_LABEL = "Revoke…"

    def __init__(self, gateway: Gateway, workstation: admin_pb2.Workstation) -> None:
        super().__init__()
        self.gateway = gateway
        self.workstation = workstation

    def intro(self) -> str:
        return (
            f"Workstation {self.workstation.name} (certificate {self.workstation.certificate_serial}) "
            "will be refused from that moment on, also on connections already open."
        )

    def compose_fields(self) -> ComposeResult:
        yield FormField("Reason", Input(id="reason", placeholder="e.g. stolen laptop, replaced PC"), "reason")

    def submit(self) -> None:
        reason = self.query_one("#reason", Input).value.strip()

        def revoke_if_confirmed(confirmed: bool | None) -> None:
            if confirmed:
                self.revoke(reason)

        self.app.push_screen(
            ConfirmScreen(
                "Revoke workstation",
                f"Revoke {self.workstation.name} now? This cannot be undone: the workstation "
                "needs a new enrollment to connect again.",
                "Revoke",
            ),
            revoke_if_confirmed,
        )

    @gateway_call
    async def revoke(self, reason: str) -> None:
        self.dismiss(await self.gateway.revoke_workstation(self.workstation.workstation_id, reason))

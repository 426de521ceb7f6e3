"""Enroll a workstation, then save its one-file bundle where the admin says.

The bundle holds the workstation's private key and the server will not hand it out again,
so the dialog does not let it go unsaved without a second Escape.
"""

from __future__ import annotations

import re
from pathlib import Path

from textual.app import ComposeResult
from textual.containers import Vertical
from textual.widgets import Button, Input, Static

from client_tui import formatting
from client_tui.gateway import Gateway
from client_tui.screens.form_screen import FormScreen
from client_tui.widgets.form_field import FormField
from client_tui.workers import gateway_call
from shared.bundle import write_private_file
from shared.pms.admin.v1 import admin_pb2


def default_bundle_path(workstation_name: str) -> str:
    safe_name = re.sub(r"[^A-Za-z0-9._-]+", "_", workstation_name) or "workstation"
    return f"./{safe_name}.pmsbundle"


class EnrollWorkstationScreen(FormScreen[admin_pb2.Workstation | None]):
    """Dismisses with the enrolled workstation (None if nothing was enrolled)."""

    CSS_PATH = "enroll_workstation_screen.tcss"
    FORM_TITLE = "Enroll workstation"
    SUBMIT_LABEL = "Enroll"

    def __init__(self, gateway: Gateway) -> None:
        super().__init__()
        self.gateway = gateway
        self.enrolled: admin_pb2.EnrollWorkstationResponse | None = None
        self.saved_to: Path | None = None
        self.warned_unsaved = False

    def compose_fields(self) -> ComposeResult:
        with Vertical(id="enroll-step"):
            yield FormField("Name", Input(id="name", placeholder="e.g. FRONT-DESK-3"), "name")
            yield FormField(
                "Certificate lifetime (days)",
                Input(id="lifetime-days", type="integer", placeholder="practice default"),
                "lifetime_days",
                hint="Leave empty for the practice default.",
            )
        with Vertical(id="save-step"):
            yield Static("", id="enrolled-summary", markup=False)
            yield FormField(
                "Save the bundle to",
                Input(id="bundle-path"),
                "bundle_path",
                hint="Readable by you only (mode 0600). It holds the workstation's private key.",
            )

    def submit(self) -> None:
        if self.enrolled is None:
            days = self.query_one("#lifetime-days", Input).value.strip()
            if days and not days.lstrip("-").isdigit():
                self.query_one("#lifetime-days", Input).focus()
                self.say("Type the lifetime as a number of days, or leave it empty.")
                return
            self.enroll(self.query_one("#name", Input).value.strip(), int(days) if days else 0)
        elif self.saved_to is None:
            self.save_bundle(self.query_one("#bundle-path", Input).value.strip())
        else:
            self.dismiss(self.enrolled.workstation)

    @gateway_call
    async def enroll(self, name: str, lifetime_days: int) -> None:
        self.enrolled = await self.gateway.enroll_workstation(name, lifetime_days)
        workstation = self.enrolled.workstation
        self.query_one("#enrolled-summary", Static).update(
            f"Workstation {workstation.name} is enrolled: certificate {workstation.certificate_serial}, "
            f"valid until {formatting.day(workstation.expires_at)}."
        )
        path_input = self.query_one("#bundle-path", Input)
        path_input.value = default_bundle_path(workstation.name)
        self.query_one("#form-submit", Button).label = "Save bundle"
        self.add_class("-saving")
        path_input.focus()

    def save_bundle(self, typed_path: str) -> None:
        assert self.enrolled is not None
        if not typed_path:
            self.say("Type where to save the bundle.")
            return
        path = Path(typed_path).expanduser().resolve()
        try:
            write_private_file(path, self.enrolled.bundle)
        except OSError as error:
            self.say(f"Could not save to {path}: {error.strerror or error}. Try another place.")
            return
        self.saved_to = path
        self.say(
            f"Saved to {path}. Copy it to the workstation and run `pms connect {path.name}` there; "
            "then delete this copy.",
            info=True,
        )
        self.query_one("#form-submit", Button).label = "Done"
        self.query_one("#form-submit", Button).focus()

    def action_cancel(self) -> None:
        if self.enrolled is not None and self.saved_to is None and not self.warned_unsaved:
            self.warned_unsaved = True
            self.say("The bundle is not saved and cannot be fetched again. Escape again to discard it.")
            return
        self.dismiss(self.enrolled.workstation if self.enrolled else None)

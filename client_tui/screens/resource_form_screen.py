"""Add or edit a room or piece of equipment at a location."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.containers import Horizontal

from client_tui.gateway import Gateway
from client_tui.screens.setup_form_screen import SetupFormScreen
from client_tui.setup_values import RESOURCE_KINDS
from client_tui.workers import gateway_call
from shared.pms.scheduling.v1 import setup_pb2 as su


class ResourceFormScreen(SetupFormScreen[su.Resource | None]):
    """Dismisses with the saved resource, or None."""

    CSS_PATH = "resource_form_screen.tcss"
    VALUE_PREFIX = "resource."

    def __init__(self, gateway: Gateway, locations: list[su.Location], resource: su.Resource | None = None) -> None:
        super().__init__(gateway)
        self.locations = locations
        self.resource = resource
        self.FORM_TITLE = "Edit room or equipment" if resource is not None else "Add room or equipment"
        self.SUBMIT_LABEL = "Save" if resource is not None else "Add"

    def compose_fields(self) -> ComposeResult:
        with Horizontal(classes="form-row"):
            yield self.text("resource.name", "Name", "e.g. Exam 1, ECG cart", max_length=60)
            yield self.choice("resource.kind", "Kind", RESOURCE_KINDS)
        with Horizontal(classes="form-row"):
            yield self.choice(
                "resource.location_id", "Location", [(loc.name, loc.location_id) for loc in self.locations]
            )
            if self.resource is not None:
                yield self.flag("resource.active", "Status", "Active")

    def fill(self) -> None:
        r = self.resource
        if r is None:
            return
        self.write(
            {
                "resource.name": r.name,
                "resource.kind": r.kind,
                "resource.location_id": r.location_id,
                "resource.active": r.active,
            }
        )

    def submit(self) -> None:
        values = self.form_values()
        resource = su.Resource()
        if self.resource is not None:
            resource.CopyFrom(self.resource)
        resource.name = str(values["resource.name"])
        resource.kind = int(values["resource.kind"] or 0)  # type: ignore[assignment]
        resource.location_id = int(values["resource.location_id"] or 0)
        resource.active = bool(values.get("resource.active", True))
        self.say("Saving…", info=True)
        self.save(resource)

    @gateway_call
    async def save(self, resource: su.Resource) -> None:
        self.dismiss(await self.gateway.save_resource(resource))

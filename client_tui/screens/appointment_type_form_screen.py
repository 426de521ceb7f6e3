"""Add or edit an appointment type: name, length, calendar color, who it is for, rooms and equipment it holds."""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Horizontal
from textual.widgets import Select, SelectionList

from client_tui.form_values import FormValues, control_id
from client_tui.gateway import Gateway
from client_tui.schedule_values import color_style
from client_tui.screens.setup_form_screen import SetupFormScreen
from client_tui.setup_values import COLORS, ELIGIBILITIES
from client_tui.widgets.form_field import FormField
from client_tui.workers import gateway_call
from shared.pms.scheduling.v1 import setup_pb2 as su

RESOURCES_KEY = "appointment_type.resource_ids"


class AppointmentTypeFormScreen(SetupFormScreen[su.AppointmentType | None]):
    """Dismisses with the saved appointment type, or None."""

    CSS_PATH = "appointment_type_form_screen.tcss"
    VALUE_PREFIX = "appointment_type."

    def __init__(
        self,
        gateway: Gateway,
        resources: list[su.Resource],
        locations: dict[int, su.Location],
        appointment_type: su.AppointmentType | None = None,
    ) -> None:
        super().__init__(gateway)
        self.resources = resources
        self.locations = locations
        self.appointment_type = appointment_type
        self.FORM_TITLE = "Edit appointment type" if appointment_type is not None else "Add appointment type"
        self.SUBMIT_LABEL = "Save" if appointment_type is not None else "Add type"

    def compose_fields(self) -> ComposeResult:
        with Horizontal(classes="form-row"):
            yield self.text("appointment_type.name", "Name", "e.g. Follow-up", max_length=60)
            yield self.text("appointment_type.default_minutes", "Minutes", "5 to 480", max_length=3, restrict=r"[0-9]*")
        with Horizontal(classes="form-row"):
            colors: Select[str] = Select(
                [(Text(f" {c} ", style=color_style(c)), c) for c in COLORS],
                allow_blank=False,
                id=control_id("appointment_type.color"),
                compact=True,
            )
            yield FormField("Color", colors, "appointment_type.color")
            yield self.choice("appointment_type.eligibility", "For patients", ELIGIBILITIES)
            if self.appointment_type is not None:
                yield self.flag("appointment_type.active", "Status", "Active")
        choices: SelectionList[int] = SelectionList(
            *[(self._resource_label(r), r.resource_id) for r in self.resources], id=control_id(RESOURCES_KEY)
        )
        yield FormField("Rooms and equipment it holds (Space ticks; none: nothing held)", choices, RESOURCES_KEY)

    def _resource_label(self, resource: su.Resource) -> str:
        location = self.locations.get(resource.location_id)
        where = location.name if location is not None else "?"
        kind = "room" if resource.kind == su.RESOURCE_KIND_ROOM else "equipment"
        return f"{resource.name} ({kind}, {where})"

    def value_keys(self) -> list[str]:
        return [key for key in super().value_keys() if key != RESOURCES_KEY]

    def form_values(self) -> FormValues:
        values = super().form_values()
        values[RESOURCES_KEY] = ",".join(str(r) for r in sorted(self._picker().selected))
        return values

    def _picker(self) -> SelectionList[int]:
        return self.query_one(f"#{control_id(RESOURCES_KEY)}", SelectionList)

    def fill(self) -> None:
        t = self.appointment_type
        if t is None:
            self.write(
                {
                    "appointment_type.default_minutes": "15",
                    "appointment_type.color": "blue",
                    "appointment_type.eligibility": su.PATIENT_ELIGIBILITY_ANY,
                }
            )
            return
        self.write(
            {
                "appointment_type.name": t.name,
                "appointment_type.default_minutes": str(t.default_minutes),
                "appointment_type.color": t.color or "gray",
                "appointment_type.eligibility": t.eligibility,
                "appointment_type.active": t.active,
            }
        )
        picker = self._picker()
        for resource_id in t.resource_ids:
            picker.select(resource_id)

    def submit(self) -> None:
        values = self.form_values()
        kind = su.AppointmentType()
        if self.appointment_type is not None:
            kind.CopyFrom(self.appointment_type)
        kind.name = str(values["appointment_type.name"])
        minutes = str(values["appointment_type.default_minutes"])
        if not minutes.isdigit():
            self.mark("appointment_type.default_minutes", "type the length in minutes, e.g. 15")
            return
        kind.default_minutes = int(minutes)
        kind.color = str(values["appointment_type.color"])
        kind.eligibility = int(values["appointment_type.eligibility"] or 0)  # type: ignore[assignment]
        kind.active = bool(values.get("appointment_type.active", True))
        kind.ClearField("resource_ids")
        kind.resource_ids.extend(sorted(self._picker().selected))
        self.say("Saving…", info=True)
        self.save(kind)

    @gateway_call
    async def save(self, kind: su.AppointmentType) -> None:
        self.dismiss(await self.gateway.save_appointment_type(kind))

"""Add or edit a location: name, address, phone, place of service and time zone (checked by the server)."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.containers import Horizontal

from client_tui import formatting
from client_tui.gateway import Gateway
from client_tui.screens.setup_form_screen import SetupFormScreen
from client_tui.setup_values import POS_HINT, ZONE_HINT
from client_tui.workers import gateway_call
from shared.pms.common.v1 import contact_pb2
from shared.pms.scheduling.v1 import setup_pb2 as su


class LocationFormScreen(SetupFormScreen[su.Location | None]):
    """Dismisses with the saved location, or None."""

    CSS_PATH = "location_form_screen.tcss"
    VALUE_PREFIX = "location."
    CAPITALS = frozenset({"location-address-state"})

    def __init__(self, gateway: Gateway, location: su.Location | None = None) -> None:
        super().__init__(gateway)
        self.location = location
        self.FORM_TITLE = "Edit location" if location is not None else "Add location"
        self.SUBMIT_LABEL = "Save" if location is not None else "Add location"

    def compose_fields(self) -> ComposeResult:
        with Horizontal(classes="form-row"):
            yield self.text("location.name", "Name", "e.g. Main Street Office", max_length=80)
            yield self.text("location.phone.number", "Phone", "(614) 555-0134", max_length=20)
        with Horizontal(classes="form-row"):
            yield self.text("location.address.line1", "Address", "Street and number", max_length=80)
            yield self.text("location.address.line2", "Address line 2", "Suite, floor", max_length=80)
        with Horizontal(classes="form-row"):
            yield self.text("location.address.city", "City", max_length=60)
            state = self.text("location.address.state", "State", "OH", max_length=2, restrict=r"[A-Za-z]*")
            state.add_class("-state")
            yield state
            zip_code = self.text("location.address.zip", "ZIP", "43215", max_length=10, restrict=r"[0-9-]*")
            zip_code.add_class("-zip")
            yield zip_code
        with Horizontal(classes="form-row"):
            yield self.text("location.place_of_service", "Place of service", POS_HINT, max_length=2, restrict=r"[0-9]*")
            yield self.text("location.time_zone", "Time zone", ZONE_HINT, max_length=60)
        if self.location is not None:
            yield self.flag("location.active", "Status", "Active (offered for booking)")

    def fill(self) -> None:
        loc = self.location
        if loc is None:
            self.write({"location.place_of_service": "11"})
            return
        self.write(
            {
                "location.name": loc.name,
                "location.phone.number": formatting.phone(loc.phone.number),
                "location.address.line1": loc.address.line1,
                "location.address.line2": loc.address.line2,
                "location.address.city": loc.address.city,
                "location.address.state": loc.address.state,
                "location.address.zip": loc.address.zip,
                "location.place_of_service": loc.place_of_service,
                "location.time_zone": loc.time_zone,
                "location.active": loc.active,
            }
        )

    def submit(self) -> None:
        values = self.form_values()
        location = su.Location()
        if self.location is not None:
            location.CopyFrom(self.location)
        location.name = str(values["location.name"])
        location.address.CopyFrom(
            contact_pb2.PostalAddress(
                line1=str(values["location.address.line1"]),
                line2=str(values["location.address.line2"]),
                city=str(values["location.address.city"]),
                state=str(values["location.address.state"]),
                zip=str(values["location.address.zip"]),
            )
        )
        number = str(values["location.phone.number"])
        location.ClearField("phone")
        if number:
            location.phone.CopyFrom(contact_pb2.Phone(type=contact_pb2.PHONE_TYPE_WORK, number=number))
        location.place_of_service = str(values["location.place_of_service"])
        location.time_zone = str(values["location.time_zone"])
        location.active = bool(values.get("location.active", True))
        self.say("Saving…", info=True)
        self.save(location)

    @gateway_call
    async def save(self, location: su.Location) -> None:
        self.dismiss(await self.gateway.save_location(location))

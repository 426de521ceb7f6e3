"""Find free times: a type, a provider (or any), a location (or any), the days, the hours and the weekdays.

The server finds the slots (templates, time off and what is booked); this screen lists them, earliest
first, and Enter on one opens the booking dialog for it. Enter walks the fields and searches from the
last one; Ctrl+S searches from anywhere.
"""

from __future__ import annotations

from datetime import date

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal
from textual.screen import Screen
from textual.widgets import DataTable, Footer, Input, Select, Static

from client_tui import formatting
from client_tui import schedule_values as sv
from client_tui.gateway import FieldViolation, Gateway, GatewayError
from client_tui.screens.book_appointment_screen import BookAppointmentScreen
from client_tui.typed_values import DATE_HINT, UnreadableValue, date_from_text
from client_tui.widgets.field_group import FieldGroup
from client_tui.widgets.form_field import FormField, clear_field_errors, form_error_sentence, show_violations
from client_tui.widgets.status_line import StatusLine
from client_tui.workers import gateway_call
from shared import dates
from shared.pms.auth.v1 import auth_pb2
from shared.pms.scheduling.v1 import appointments_pb2 as ap

SLOT_LIMIT = 50
# The inputs Enter walks through, in order (then it searches).
INPUTS = ("find-from", "find-to", "find-earliest", "find-latest", "find-weekdays")


class SlotResults(DataTable[str | Text], inherit_bindings=False):
    BINDINGS = [
        Binding("enter", "select_cursor", "Book this time", tooltip="Book a patient into the highlighted time",
                id="find.book"),
        Binding("up", "cursor_up", "Up", show=False),
        Binding("down", "cursor_down", "Down", show=False),
        Binding("pageup", "page_up", "Page up", show=False),
        Binding("pagedown", "page_down", "Page down", show=False),
    ]


class FindSlotScreen(Screen[ap.Appointment | None]):
    """Dismisses with the appointment booked from a found time, or None."""

    CSS_PATH = "find_slot_screen.tcss"

    BINDINGS = [
        Binding("escape", "back", "Back", tooltip="Back to the calendar", id="find.back"),
        Binding("ctrl+s", "search", "Search", tooltip="Find free times (Enter in the last field does too)",
                id="find.search"),
    ]

    def __init__(self, gateway: Gateway, session: auth_pb2.Session, setup: sv.ScheduleSetup, location_id: int,
                 provider_id: int, day: date, appointment_type_id: int = 0, patient_id: int = 0,
                 waitlist_entry_id: int = 0, recall_id: int = 0) -> None:
        super().__init__()
        self.gateway = gateway
        self.session = session
        self.setup = setup
        self.location_id = location_id
        self.provider_id = provider_id
        self.day = day
        self.slots: list[ap.Slot] = []
        self.type_id = 0
        # Finding a time for a waiting patient: the booking starts with them and carries the entry.
        self.preset_type_id = appointment_type_id
        self.patient_id = patient_id
        self.waitlist_entry_id = waitlist_entry_id
        self.recall_id = recall_id
        # The calendar's provider is only where the cursor was; a waitlist entry's or recall's is what was asked for.
        asked = waitlist_entry_id or recall_id
        self.preset_provider_id = provider_id if asked and provider_id in setup.providers else 0

    def compose(self) -> ComposeResult:
        yield StatusLine(self.gateway, self.session)
        yield Static("Find a free time", id="find-title", markup=False)
        types = sorted((t for t in self.setup.types.values() if t.active), key=lambda t: t.name)
        providers = sorted((p for p in self.setup.providers.values() if p.active),
                           key=lambda p: (p.last_name, p.first_name))
        locations = sorted((x for x in self.setup.locations.values() if x.active), key=lambda x: x.name)
        with Horizontal(id="find-fields"):
            with FieldGroup("What and who", id="find-who"):
                kinds: Select[int] = Select([(sv.type_label(t), t.appointment_type_id) for t in types],
                                            prompt="Choose the type", id="find-type", compact=True)
                yield FormField("Type", kinds, "appointment_type_id")
                who: Select[int] = Select([("Any provider", 0), *((sv.provider_name(p), p.provider_id)
                                                                   for p in providers)],
                                          value=self.preset_provider_id, allow_blank=False, id="find-provider",
                                          compact=True)
                yield FormField("Provider", who, "provider_ids")
                where: Select[int] = Select([("Any location", 0), *((x.name, x.location_id) for x in locations)],
                                            value=self.location_id if self.location_id in self.setup.locations
                                            else 0, allow_blank=False, id="find-location", compact=True)
                yield FormField("Location", where, "location_id")
            with FieldGroup("When", id="find-when"):
                yield FormField("From", Input(formatting.calendar_date_of(self.day), placeholder=DATE_HINT,
                                              id="find-from", compact=True), "from_date")
                yield FormField("To", Input(placeholder="blank: four weeks on", id="find-to", compact=True),
                                "to_date")
                yield FormField("Earliest start", Input(placeholder="blank: any time", id="find-earliest",
                                                        compact=True), "earliest_minute")
                yield FormField("Latest start", Input(placeholder="blank: any time", id="find-latest",
                                                      compact=True), "latest_minute")
                yield FormField("Weekdays", Input(placeholder=f"{sv.WEEKDAYS_HINT}; blank: any", id="find-weekdays",
                                                  compact=True), "weekdays")
        yield Static("Choose the type, then Ctrl+S (or Enter through the fields) finds free times.",
                     id="find-message", markup=False)
        yield SlotResults(id="find-results", cursor_type="row", zebra_stripes=True)
        yield Footer()

    def on_mount(self) -> None:
        table = self.query_one(SlotResults)
        for label, width in (("When", 16), ("Provider", 22), ("Location", 22), ("Length", 7)):
            table.add_column(label, width=width)
        kinds = self.query_one("#find-type", Select)
        if self.preset_type_id in self.setup.types:
            kinds.value = self.preset_type_id
        kinds.focus()

    # -- walking the fields --------------------------------------------------------------
    @on(Select.Changed)
    def _chosen(self, event: Select.Changed) -> None:
        if not event.select.has_focus_within or event.select.is_blank():
            return
        order = ["find-type", "find-provider", "find-location", INPUTS[0]]
        if event.select.id in order[:-1]:
            self.query_one(f"#{order[order.index(event.select.id) + 1]}").focus()

    @on(Input.Submitted)
    def _next_or_search(self, event: Input.Submitted) -> None:
        event.stop()
        if event.input.id in INPUTS[:-1]:
            self.query_one(f"#{INPUTS[INPUTS.index(event.input.id) + 1]}", Input).focus()
        else:
            self.action_search()

    # -- searching -----------------------------------------------------------------------
    def value(self, control_id: str) -> str:
        return self.query_one(f"#{control_id}", Input).value

    def action_search(self) -> None:
        clear_field_errors(self)
        kind = self.query_one("#find-type", Select).value
        provider = self.query_one("#find-provider", Select).value
        location = self.query_one("#find-location", Select).value
        request = ap.FindSlotsRequest(
            appointment_type_id=kind if isinstance(kind, int) else 0,
            provider_ids=[provider] if isinstance(provider, int) and provider else [],
            location_id=location if isinstance(location, int) else 0,
            limit=SLOT_LIMIT,
        )
        problems: list[FieldViolation] = []
        for control_id, field in (("find-from", "from_date"), ("find-to", "to_date")):
            try:
                typed = date_from_text(self.value(control_id))
            except UnreadableValue as error:
                problems.append(FieldViolation(field, str(error)))
                continue
            if typed is not None:
                getattr(request, field).CopyFrom(typed)
        window: list[int | None] = []
        for control_id, field in (("find-earliest", "earliest_minute"), ("find-latest", "latest_minute")):
            try:
                window.append(sv.minute_of_day_from_text(self.value(control_id)))
            except UnreadableValue as error:
                problems.append(FieldViolation(field, str(error)))
        try:
            request.weekdays.extend(sv.weekdays_from_text(self.value("find-weekdays")))
        except UnreadableValue as error:
            problems.append(FieldViolation("weekdays", str(error)))
        if problems:
            show_violations(self, problems)
            self.say("Please correct the field marked.")
            return
        earliest, latest = window
        if earliest is not None or latest is not None:
            # One end given: the other is the day's edge.
            request.earliest_minute = earliest or 0
            request.latest_minute = 1440 if latest is None else latest
        self.type_id = request.appointment_type_id
        self.say("Searching…", info=True)
        self.find(request)

    @gateway_call
    async def find(self, request: ap.FindSlotsRequest) -> None:
        self.slots = await self.gateway.find_slots(request)
        table = self.query_one(SlotResults)
        table.clear()
        for number, slot in enumerate(self.slots):
            minutes = int((sv.instant(slot.ends_at) - sv.instant(slot.starts_at)).total_seconds() // 60)
            table.add_row(
                sv.local_text_when(slot.local_start),
                self.setup.provider_name(slot.provider_id),
                self.setup.location_name(slot.location_id),
                f"{minutes} min",
                key=str(number),
            )
        first = dates.from_pb(request.from_date) if request.HasField("from_date") else None
        since = f" from {formatting.calendar_date_of(first)}" if first else ""
        if self.slots:
            many = "" if len(self.slots) < SLOT_LIMIT else f" (the first {SLOT_LIMIT})"
            self.say(f"{len(self.slots)} free times{since}{many}, earliest first: Enter on one books it.", info=True)
            table.focus()
        else:
            self.say(f"No free time matches{since}: widen the days, hours or weekdays, or try any provider.")

    @on(DataTable.RowSelected, "#find-results")
    def _slot_picked(self, event: DataTable.RowSelected) -> None:
        event.stop()
        if event.row_key.value is None:
            return
        slot = self.slots[int(event.row_key.value)]

        def booked(appointment: ap.Appointment | None) -> None:
            if appointment is not None:
                self.dismiss(appointment)
            else:
                self.query_one(SlotResults).focus()

        self.app.push_screen(
            BookAppointmentScreen(self.gateway, self.session, self.setup, slot.provider_id, slot.location_id,
                                  sv.instant(slot.starts_at), appointment_type_id=self.type_id,
                                  patient_id=self.patient_id, waitlist_entry_id=self.waitlist_entry_id,
                                  recall_id=self.recall_id),
            booked,
        )

    def action_back(self) -> None:
        self.dismiss(None)

    # -- messages ------------------------------------------------------------------------
    def say(self, text: str, info: bool = False) -> None:
        message = self.query_one("#find-message", Static)
        message.update(text)
        message.set_class(info, "-info")

    def show_inline_error(self, error: GatewayError) -> bool:
        self.say(form_error_sentence(self, error))
        return True

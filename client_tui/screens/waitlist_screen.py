"""The waitlist: patients who want an earlier or any visit of a type, in a date window.

The list is the server's (ListWaitlist, waiting entries). N adds a patient (found with the front
desk's search box, then the type, optionally a provider and location, the dates, days and hours);
D removes the highlighted entry with an optional note; Enter finds a free time for it and books it,
the booking naming the entry so the server marks it booked.
"""

from __future__ import annotations

from datetime import date

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, VerticalScroll
from textual.screen import Screen
from textual.widgets import DataTable, Footer, Input, Select, Static

from client_tui import formatting
from client_tui import schedule_values as sv
from client_tui.errors import describe
from client_tui.gateway import FieldViolation, Gateway, GatewayError
from client_tui.screens.book_appointment_screen import BookingResults
from client_tui.screens.find_slot_screen import FindSlotScreen
from client_tui.screens.form_screen import FormScreen
from client_tui.typed_values import DATE_HINT, UnreadableValue, date_from_text
from client_tui.widgets.field_group import FieldGroup
from client_tui.widgets.form_field import FormField, clear_field_errors, form_error_sentence, show_violations
from client_tui.widgets.patient_search import PatientSearch
from client_tui.widgets.status_line import StatusLine
from client_tui.workers import gateway_call
from shared import dates
from shared.pms.auth.v1 import auth_pb2
from shared.pms.scheduling.v1 import appointments_pb2 as ap

# Fits 100 columns: the phone and the note of the highlighted entry are on the line under the list.
COLUMNS = (("Patient", 17), ("Type", 13), ("Provider / location", 20), ("Dates", 11), ("Days and hours", 19),
           ("Added", 5))
# The inputs Enter walks through on the add form, in order (then it saves).
ADD_INPUTS = ("wait-earliest-date", "wait-latest-date", "wait-weekdays", "wait-earliest-time", "wait-latest-time",
              "wait-note")


def short_date(value: object) -> str:
    day = dates.from_pb(value)  # type: ignore[arg-type]
    return f"{day:%m/%d}" if day is not None else ""


def entry_row(entry: ap.WaitlistEntry, setup: sv.ScheduleSetup) -> list[str | Text]:
    who = setup.provider_name(entry.provider_id) if entry.provider_id else "any"
    where = setup.location_name(entry.location_id) if entry.location_id else "any"
    kind = setup.types.get(entry.appointment_type_id)
    hours = (f"{sv.clock(entry.earliest_minute)}-{sv.clock(entry.latest_minute)}"
             if entry.earliest_minute or entry.latest_minute else "any time")
    days = sv.weekdays_text(list(entry.weekdays)) or "any day"
    added = f"{sv.instant(entry.added_at).astimezone():%m/%d}" if entry.HasField("added_at") else ""
    return [entry.patient_name, kind.name if kind else "", f"{who} / {where}",
            f"{short_date(entry.earliest_date)}-{short_date(entry.latest_date)}", f"{days} {hours}", added]


def entry_detail(entry: ap.WaitlistEntry) -> str:
    parts = [entry.patient_name, formatting.phone(entry.patient_phone) if entry.patient_phone else "", entry.note,
             f"waiting for {formatting.calendar_date(entry.earliest_date)} to "
             f"{formatting.calendar_date(entry.latest_date)}"]
    return " · ".join(p for p in parts if p)


class WaitlistTable(DataTable[str | Text], inherit_bindings=False):
    BINDINGS = [
        Binding("enter", "select_cursor", "Book", tooltip="Find a free time for the highlighted patient and book it",
                id="waitlist.book"),
        Binding("up", "cursor_up", "Up", show=False),
        Binding("down", "cursor_down", "Down", show=False),
        Binding("pageup", "page_up", "Page up", show=False),
        Binding("pagedown", "page_down", "Page down", show=False),
    ]


class WaitlistScreen(Screen[ap.Appointment | None]):
    """Dismisses with an appointment booked from the list, or None."""

    CSS_PATH = "waitlist_screen.tcss"

    BINDINGS = [
        Binding("escape", "back", "Back", tooltip="Back to the calendar", id="waitlist.back"),
        Binding("n", "add", "Add", tooltip="Put a patient on the waitlist", id="waitlist.add"),
        Binding("d", "remove", "Remove", tooltip="Take the highlighted patient off the waitlist",
                id="waitlist.remove"),
        Binding("ctrl+r", "reload", "Reload", tooltip="Fetch the waitlist again", show=False,
                id="waitlist.reload"),
    ]

    def __init__(self, gateway: Gateway, session: auth_pb2.Session, setup: sv.ScheduleSetup, location_id: int,
                 day: date) -> None:
        super().__init__()
        self.gateway = gateway
        self.session = session
        self.setup = setup
        self.location_id = location_id
        self.day = day
        self.entries: list[ap.WaitlistEntry] = []
        self.highlight_id = 0

    def compose(self) -> ComposeResult:
        yield StatusLine(self.gateway, self.session)
        yield Static("Waitlist", id="waitlist-title", markup=False)
        yield Static("Loading the waitlist…", id="waitlist-message", markup=False)
        yield WaitlistTable(id="waitlist-table", cursor_type="row", zebra_stripes=True)
        yield Static("", id="waitlist-detail", markup=False)
        yield Footer()

    def on_mount(self) -> None:
        table = self.query_one(WaitlistTable)
        for label, width in COLUMNS:
            table.add_column(label, width=width)
        table.focus()
        self.load()

    @property
    def writes(self) -> bool:
        return "schedule.write" in self.session.permissions

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "add":
            return self.writes
        if action == "remove":
            return self.writes and self.current() is not None
        return True

    @on(DataTable.RowHighlighted, "#waitlist-table")
    def _highlighted(self, event: DataTable.RowHighlighted) -> None:
        entry = self.current()
        self.query_one("#waitlist-detail", Static).update(entry_detail(entry) if entry is not None else "")
        self.refresh_bindings()

    def current(self) -> ap.WaitlistEntry | None:
        table = self.query_one(WaitlistTable)
        if not self.entries or not 0 <= table.cursor_row < len(self.entries):
            return None
        return self.entries[table.cursor_row]

    @gateway_call
    async def load(self) -> None:
        self.entries = await self.gateway.list_waitlist()
        table = self.query_one(WaitlistTable)
        table.clear()
        for index, entry in enumerate(self.entries):
            table.add_row(*entry_row(entry, self.setup), key=str(index))
        wanted = next((i for i, e in enumerate(self.entries) if e.waitlist_entry_id == self.highlight_id), 0)
        if self.entries:
            table.move_cursor(row=wanted)
        self.highlight_id = 0
        if not self.entries:
            self.query_one("#waitlist-detail", Static).update("")
            self.say("Nobody is waiting. N puts a patient on the waitlist.", info=True)
        elif not self.query_one("#waitlist-message", Static).has_class("-keep"):
            self.say(f"{len(self.entries)} waiting. Enter finds a time and books it; N adds, D removes.", info=True)
        self.query_one("#waitlist-message", Static).remove_class("-keep")
        self.refresh_bindings()

    def action_reload(self) -> None:
        self.load()

    def action_back(self) -> None:
        self.dismiss(None)

    def action_add(self) -> None:
        def added(entry: ap.WaitlistEntry | None) -> None:
            if entry is not None:
                self.highlight_id = entry.waitlist_entry_id
                self.say(f"{entry.patient_name} is on the waitlist.", info=True, keep=True)
                self.load()
            self.query_one(WaitlistTable).focus()

        self.app.push_screen(AddWaitlistScreen(self.gateway, self.session, self.setup), added)

    def action_remove(self) -> None:
        entry = self.current()
        if entry is None:
            return

        def removed(done: ap.WaitlistEntry | None) -> None:
            if done is not None:
                self.say(f"{done.patient_name} is off the waitlist.", info=True, keep=True)
                self.load()
            self.query_one(WaitlistTable).focus()

        self.app.push_screen(RemoveWaitlistScreen(self.gateway, entry), removed)

    @on(DataTable.RowSelected, "#waitlist-table")
    def _book(self, event: DataTable.RowSelected) -> None:
        event.stop()
        entry = self.current()
        if entry is None or not self.writes:
            return
        first = dates.from_pb(entry.earliest_date) or self.day
        screen = FindSlotScreen(
            self.gateway, self.session, self.setup, entry.location_id, entry.provider_id, max(first, self.day),
            appointment_type_id=entry.appointment_type_id, patient_id=entry.patient_id,
            waitlist_entry_id=entry.waitlist_entry_id,
        )

        def booked(appointment: ap.Appointment | None) -> None:
            if appointment is not None:
                self.dismiss(appointment)
            else:
                self.query_one(WaitlistTable).focus()

        self.app.push_screen(screen, booked)

    def say(self, text: str, info: bool = False, keep: bool = False) -> None:
        message = self.query_one("#waitlist-message", Static)
        message.update(text)
        message.set_class(info, "-info")
        # A sentence about what was just done outlasts the reload it causes.
        message.set_class(keep, "-keep")

    def show_inline_error(self, error: GatewayError) -> bool:
        self.say(describe(error))
        return True


class WaitlistSearch(PatientSearch):
    RESULTS = BookingResults


class AddWaitlistScreen(Screen[ap.WaitlistEntry | None]):
    """Dismisses with the entry added, or None."""

    CSS_PATH = "waitlist_screen.tcss"

    BINDINGS = [
        Binding("escape", "close", "Back", tooltip="Back to the waitlist without adding", id="waitlist_add.close"),
        Binding("ctrl+s", "save", "Add", tooltip="Put the patient on the waitlist (Enter in the note does too)",
                id="waitlist_add.save"),
    ]

    def __init__(self, gateway: Gateway, session: auth_pb2.Session, setup: sv.ScheduleSetup) -> None:
        super().__init__()
        self.gateway = gateway
        self.session = session
        self.setup = setup
        self.patient_id = 0

    def compose(self) -> ComposeResult:
        yield Static("Add to the waitlist", id="wait-title", markup=False)
        types = sorted((t for t in self.setup.types.values() if t.active), key=lambda t: t.name)
        providers = sorted((p for p in self.setup.providers.values() if p.active),
                           key=lambda p: (p.last_name, p.first_name))
        locations = sorted((x for x in self.setup.locations.values() if x.active), key=lambda x: x.name)
        with VerticalScroll(id="wait-body", can_focus=False):
            yield WaitlistSearch(self.gateway, self.session, id="wait-search")
            yield Static("", id="wait-patient", markup=False)
            with Horizontal(id="wait-fields"):
                with FieldGroup("What and who", id="wait-who"):
                    kinds: Select[int] = Select([(sv.type_label(t), t.appointment_type_id) for t in types],
                                                prompt="Choose the type", id="wait-type", compact=True)
                    yield FormField("Type", kinds, "appointment_type_id")
                    who: Select[int] = Select([("Any provider", 0), *((sv.provider_name(p), p.provider_id)
                                                                       for p in providers)],
                                              value=0, allow_blank=False, id="wait-provider", compact=True)
                    yield FormField("Provider", who, "provider_id")
                    where: Select[int] = Select([("Any location", 0), *((x.name, x.location_id) for x in locations)],
                                                value=0, allow_blank=False, id="wait-location", compact=True)
                    yield FormField("Location", where, "location_id")
                with FieldGroup("When", id="wait-when"):
                    yield FormField("Earliest date", Input(placeholder=DATE_HINT, id="wait-earliest-date",
                                                           compact=True), "earliest_date")
                    yield FormField("Latest date", Input(placeholder=DATE_HINT, id="wait-latest-date",
                                                         compact=True), "latest_date")
                    yield FormField("Weekdays", Input(placeholder=f"{sv.WEEKDAYS_HINT}; blank: any",
                                                      id="wait-weekdays", compact=True), "weekdays")
                    yield FormField("From time", Input(placeholder="blank: any time", id="wait-earliest-time",
                                                       compact=True), "earliest_minute")
                    yield FormField("To time", Input(placeholder="blank: any time", id="wait-latest-time",
                                                     compact=True), "latest_minute")
            yield FormField("Note", Input(placeholder="e.g. can come at short notice", id="wait-note",
                                          compact=True, max_length=200), "note")
        yield Static("", id="wait-message", markup=False)
        yield Footer()

    def on_mount(self) -> None:
        self.query_one("#patient-search", Input).border_title = "Find the patient"
        self.show_patient("")
        self.query_one(WaitlistSearch).focus_search()

    def show_patient(self, line: str) -> None:
        shown = self.query_one("#wait-patient", Static)
        shown.update(f"Patient: {line}" if line else
                     "No patient chosen yet: type above, Enter goes to the results, Enter chooses.")
        shown.set_class(not line, "-missing")

    @on(PatientSearch.Picked)
    def _picked(self, message: PatientSearch.Picked) -> None:
        message.stop()
        self.load_patient(message.patient_id)

    @gateway_call
    async def load_patient(self, patient_id: int) -> None:
        patient = (await self.gateway.get_patient(patient_id)).patient
        self.patient_id = patient_id
        self.show_patient(f"{formatting.person_name(patient.name, patient.preferred_name)}, MRN {patient.mrn}, "
                          f"born {formatting.date_with_age(patient.date_of_birth)}")
        self.query_one("#wait-type", Select).focus()

    @on(Select.Changed)
    def _chosen(self, event: Select.Changed) -> None:
        if not event.select.has_focus_within or event.select.is_blank():
            return
        order = ["wait-type", "wait-provider", "wait-location", ADD_INPUTS[0]]
        if event.select.id in order[:-1]:
            self.query_one(f"#{order[order.index(event.select.id) + 1]}").focus()

    @on(Input.Submitted)
    def _next_or_save(self, event: Input.Submitted) -> None:
        if event.input.id not in ADD_INPUTS:
            return
        event.stop()
        index = ADD_INPUTS.index(event.input.id)
        if index + 1 < len(ADD_INPUTS):
            self.query_one(f"#{ADD_INPUTS[index + 1]}").focus()
        else:
            self.action_save()

    def value(self, control_id: str) -> str:
        return self.query_one(f"#{control_id}", Input).value

    def action_close(self) -> None:
        self.dismiss(None)

    def action_save(self) -> None:
        clear_field_errors(self)
        self.say("")
        if not self.patient_id:
            self.say("Choose the patient first: type part of the name above, Enter, then Enter on the patient.")
            self.query_one(WaitlistSearch).focus_search()
            return
        entry = ap.WaitlistEntry(patient_id=self.patient_id, note=self.value("wait-note").strip())
        kind, who, where = (self.query_one(f"#{i}", Select).value for i in ("wait-type", "wait-provider",
                                                                           "wait-location"))
        entry.appointment_type_id = kind if isinstance(kind, int) else 0
        entry.provider_id = who if isinstance(who, int) else 0
        entry.location_id = where if isinstance(where, int) else 0
        problems: list[FieldViolation] = []
        # Only what cannot be sent is checked here; whether the entry makes sense is the server's answer.
        for control, name, setter in (
            ("wait-earliest-date", "earliest_date", lambda v: entry.earliest_date.CopyFrom(v)),
            ("wait-latest-date", "latest_date", lambda v: entry.latest_date.CopyFrom(v)),
        ):
            try:
                typed = date_from_text(self.value(control))
                if typed is not None:
                    setter(typed)
            except UnreadableValue as error:
                problems.append(FieldViolation(name, str(error)))
        try:
            entry.weekdays.extend(sv.weekdays_from_text(self.value("wait-weekdays")))
        except UnreadableValue as error:
            problems.append(FieldViolation("weekdays", str(error)))
        for control, name in (("wait-earliest-time", "earliest_minute"), ("wait-latest-time", "latest_minute")):
            try:
                setattr(entry, name, sv.minute_of_day_from_text(self.value(control)) or 0)
            except UnreadableValue as error:
                problems.append(FieldViolation(name, str(error)))
        if problems:
            show_violations(self, problems)
            return
        self.add(entry)

    @gateway_call
    async def add(self, entry: ap.WaitlistEntry) -> None:
        self.dismiss(await self.gateway.add_to_waitlist(entry))

    def say(self, text: str) -> None:
        self.query_one("#wait-message", Static).update(text)

    def show_inline_error(self, error: GatewayError) -> bool:
        self.say(form_error_sentence(self, error))
        return True


class RemoveWaitlistScreen(FormScreen[ap.WaitlistEntry | None], inherit_bindings=False):
    """Dismisses with the removed entry, or None."""

    FORM_TITLE = "Remove from the waitlist"
    SUBMIT_LABEL = "Remove"
    BINDINGS = [
        Binding("escape", "cancel", "Keep", tooltip="Close; the patient stays on the waitlist", id="form.cancel"),
        Binding("ctrl+s", "submit", "Remove", tooltip="Take the patient off the waitlist (Enter in the note does "
                "too)", id="form.submit"),
    ]

    def __init__(self, gateway: Gateway, entry: ap.WaitlistEntry) -> None:
        super().__init__()
        self.gateway = gateway
        self.entry = entry

    def intro(self) -> str:
        return f"Take {self.entry.patient_name} off the waitlist?"

    def compose_fields(self) -> ComposeResult:
        yield FormField("Note", Input(placeholder="optional, e.g. booked elsewhere", id="wait-remove-note",
                                      max_length=200), "note")

    def on_mount(self) -> None:
        super().on_mount()
        self.query_one("#wait-remove-note", Input).focus()

    def submit(self) -> None:
        self.take_off(self.query_one("#wait-remove-note", Input).value.strip())

    @gateway_call
    async def take_off(self, note: str) -> None:
        self.dismiss(await self.gateway.remove_from_waitlist(self.entry.waitlist_entry_id, note))

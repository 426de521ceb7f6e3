"""Recalls: patients due back (an annual physical, a six-month follow-up), due on or before a date.

The list is the server's (ListRecalls) for the due-by date typed above it, end of next month at
first. N adds a recall (patient found with the front desk's search box, due date, reason, optionally
a provider and type, a note); D closes the highlighted one with a note saying why; Enter finds a free
time and books it, the booking naming the recall so the server marks it booked.
"""

from __future__ import annotations

from datetime import date, timedelta

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
from client_tui.screens.find_slot_screen import FindSlotScreen
from client_tui.screens.form_screen import FormScreen
from client_tui.screens.waitlist_screen import WaitlistSearch
from client_tui.typed_values import DATE_HINT, UnreadableValue, calendar_day_from_text, date_from_text
from client_tui.widgets.field_group import FieldGroup
from client_tui.widgets.form_field import FormField, clear_field_errors, form_error_sentence, show_violations
from client_tui.widgets.patient_search import PatientSearch
from client_tui.widgets.status_line import StatusLine
from client_tui.workers import gateway_call
from shared.pms.auth.v1 import auth_pb2
from shared.pms.scheduling.v1 import appointments_pb2 as ap

COLUMNS = (("Due", 10), ("Patient", 18), ("Phone", 14), ("Reason", 22), ("Provider", 16), ("Status", 6))


def end_of_next_month(day: date) -> date:
    after_next = day.month + 2  # the month after next, counted on from this year's January as 1
    first = date(day.year + (after_next - 1) // 12, (after_next - 1) % 12 + 1, 1)
    return first - timedelta(days=1)


def recall_row(recall: ap.Recall, setup: sv.ScheduleSetup) -> list[str | Text]:
    who = setup.provider_name(recall.provider_id) if recall.provider_id else "any"
    return [formatting.calendar_date(recall.due_date), recall.patient_name, formatting.phone(recall.patient_phone),
            recall.reason, who, recall.status]


class RecallTable(DataTable[str | Text], inherit_bindings=False):
    BINDINGS = [
        Binding("enter", "select_cursor", "Book", tooltip="Find a free time for the highlighted recall and book it",
                id="recalls.book"),
        Binding("up", "cursor_up", "Up", show=False),
        Binding("down", "cursor_down", "Down", show=False),
        Binding("pageup", "page_up", "Page up", show=False),
        Binding("pagedown", "page_down", "Page down", show=False),
    ]


class RecallsScreen(Screen[ap.Appointment | None]):
    """Dismisses with an appointment booked for a recall, or None."""

    CSS_PATH = "recalls_screen.tcss"

    BINDINGS = [
        Binding("escape", "back", "Back", tooltip="Back to the calendar", id="recalls.back"),
        Binding("n", "add", "Add", tooltip="Add a recall for a patient", id="recalls.add"),
        Binding("d", "close_recall", "Close", tooltip="Close the highlighted recall unbooked, saying why",
                id="recalls.close"),
        Binding("ctrl+r", "reload", "Reload", tooltip="Fetch the recalls again", show=False, id="recalls.reload"),
    ]

    def __init__(self, gateway: Gateway, session: auth_pb2.Session, setup: sv.ScheduleSetup, location_id: int,
                 day: date) -> None:
        super().__init__()
        self.gateway = gateway
        self.session = session
        self.setup = setup
        self.location_id = location_id
        self.day = day
        self.recalls: list[ap.Recall] = []

    def compose(self) -> ComposeResult:
        yield StatusLine(self.gateway, self.session)
        with Horizontal(id="recalls-bar"):
            yield Static("Recalls due by", id="recalls-title", markup=False)
            yield Input(formatting.calendar_date_of(end_of_next_month(self.day)), placeholder=DATE_HINT,
                        id="recalls-due-by", compact=True)
        yield Static("Loading the recalls…", id="recalls-message", markup=False)
        yield RecallTable(id="recalls-table", cursor_type="row", zebra_stripes=True)
        yield Footer()

    def on_mount(self) -> None:
        table = self.query_one(RecallTable)
        for label, width in COLUMNS:
            table.add_column(label, width=width)
        table.focus()
        self.action_reload()

    @property
    def writes(self) -> bool:
        return "schedule.write" in self.session.permissions

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "add":
            return self.writes
        if action == "close_recall":
            return self.writes and self.current() is not None
        return True

    def current(self) -> ap.Recall | None:
        table = self.query_one(RecallTable)
        if not self.recalls or not 0 <= table.cursor_row < len(self.recalls):
            return None
        return self.recalls[table.cursor_row]

    @on(Input.Submitted, "#recalls-due-by")
    def _due_by_entered(self, event: Input.Submitted) -> None:
        event.stop()
        self.action_reload()
        self.query_one(RecallTable).focus()

    def action_reload(self) -> None:
        try:
            due_by = calendar_day_from_text(self.query_one("#recalls-due-by", Input).value)
        except UnreadableValue as error:
            self.say(f"Due by: {error}")
            return
        self.load(due_by)

    @gateway_call
    async def load(self, due_by: date | None) -> None:
        self.recalls = await self.gateway.list_recalls(due_by=due_by)
        table = self.query_one(RecallTable)
        table.clear()
        for index, recall in enumerate(self.recalls):
            table.add_row(*recall_row(recall, self.setup), key=str(index))
        until = f" by {formatting.calendar_date_of(due_by)}" if due_by else ""
        self.say(f"{len(self.recalls)} due{until}. Enter finds a time and books it; N adds, D closes."
                 if self.recalls else f"No recall is due{until}. N adds one.", info=True)
        self.refresh_bindings()

    def action_back(self) -> None:
        self.dismiss(None)

    def action_add(self) -> None:
        def added(recall: ap.Recall | None) -> None:
            if recall is not None:
                self.action_reload()
            self.query_one(RecallTable).focus()

        self.app.push_screen(AddRecallScreen(self.gateway, self.session, self.setup), added)

    def action_close_recall(self) -> None:
        recall = self.current()
        if recall is None:
            return

        def closed(done: ap.Recall | None) -> None:
            if done is not None:
                self.action_reload()
            self.query_one(RecallTable).focus()

        self.app.push_screen(CloseRecallScreen(self.gateway, recall), closed)

    @on(DataTable.RowSelected, "#recalls-table")
    def _book(self, event: DataTable.RowSelected) -> None:
        event.stop()
        recall = self.current()
        if recall is None or not self.writes:
            return
        screen = FindSlotScreen(
            self.gateway, self.session, self.setup, self.location_id, recall.provider_id, self.day,
            appointment_type_id=recall.appointment_type_id, patient_id=recall.patient_id, recall_id=recall.recall_id,
        )

        def booked(appointment: ap.Appointment | None) -> None:
            if appointment is not None:
                self.dismiss(appointment)
            else:
                self.query_one(RecallTable).focus()

        self.app.push_screen(screen, booked)

    def say(self, text: str, info: bool = False) -> None:
        message = self.query_one("#recalls-message", Static)
        message.update(text)
        message.set_class(info, "-info")

    def show_inline_error(self, error: GatewayError) -> bool:
        self.say(describe(error))
        return True


class AddRecallScreen(Screen[ap.Recall | None]):
    """Dismisses with the recall added, or None."""

    CSS_PATH = "recalls_screen.tcss"

    BINDINGS = [
        Binding("escape", "close", "Back", tooltip="Back to the recalls without adding", id="recall_add.close"),
        Binding("ctrl+s", "save", "Add", tooltip="Add the recall (Enter in the note does too)", id="recall_add.save"),
    ]

    def __init__(self, gateway: Gateway, session: auth_pb2.Session, setup: sv.ScheduleSetup) -> None:
        super().__init__()
        self.gateway = gateway
        self.session = session
        self.setup = setup
        self.patient_id = 0

    def compose(self) -> ComposeResult:
        yield Static("Add a recall", id="recall-title", markup=False)
        types = sorted((t for t in self.setup.types.values() if t.active), key=lambda t: t.name)
        providers = sorted((p for p in self.setup.providers.values() if p.active),
                           key=lambda p: (p.last_name, p.first_name))
        with VerticalScroll(id="recall-body", can_focus=False):
            yield WaitlistSearch(self.gateway, self.session, id="recall-search")
            yield Static("", id="recall-patient", markup=False)
            with FieldGroup("Recall", id="recall-fields"):
                yield FormField("Due date", Input(placeholder=DATE_HINT, id="recall-due", compact=True), "due_date")
                yield FormField("Reason", Input(placeholder="e.g. Annual physical", id="recall-reason", compact=True,
                                                max_length=200), "reason")
                who: Select[int] = Select([("Any provider", 0), *((sv.provider_name(p), p.provider_id)
                                                                   for p in providers)],
                                          value=0, allow_blank=False, id="recall-provider", compact=True)
                yield FormField("Provider", who, "provider_id")
                kinds: Select[int] = Select([("Any type", 0), *((sv.type_label(t), t.appointment_type_id)
                                                                for t in types)],
                                            value=0, allow_blank=False, id="recall-type", compact=True)
                yield FormField("Type", kinds, "appointment_type_id")
                yield FormField("Note", Input(placeholder="optional", id="recall-note", compact=True,
                                              max_length=200), "note")
        yield Static("", id="recall-message", markup=False)
        yield Footer()

    def on_mount(self) -> None:
        self.query_one("#patient-search", Input).border_title = "Find the patient"
        self.show_patient("")
        self.query_one(WaitlistSearch).focus_search()

    def show_patient(self, line: str) -> None:
        shown = self.query_one("#recall-patient", Static)
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
        self.show_patient(f"{formatting.person_name(patient.name, patient.preferred_name)}, MRN {patient.mrn}")
        self.query_one("#recall-due", Input).focus()

    @on(Input.Submitted, "#recall-due")
    def _due_entered(self, event: Input.Submitted) -> None:
        event.stop()
        self.query_one("#recall-reason", Input).focus()

    @on(Input.Submitted, "#recall-reason")
    def _reason_entered(self, event: Input.Submitted) -> None:
        event.stop()
        self.query_one("#recall-provider", Select).focus()

    @on(Input.Submitted, "#recall-note")
    def _note_entered(self, event: Input.Submitted) -> None:
        event.stop()
        self.action_save()

    def action_close(self) -> None:
        self.dismiss(None)

    def action_save(self) -> None:
        clear_field_errors(self)
        self.say("")
        if not self.patient_id:
            self.say("Choose the patient first: type part of the name above, Enter, then Enter on the patient.")
            self.query_one(WaitlistSearch).focus_search()
            return
        who, kind = (self.query_one(f"#{i}", Select).value for i in ("recall-provider", "recall-type"))
        recall = ap.Recall(
            patient_id=self.patient_id,
            reason=self.query_one("#recall-reason", Input).value.strip(),
            note=self.query_one("#recall-note", Input).value.strip(),
            provider_id=who if isinstance(who, int) else 0,
            appointment_type_id=kind if isinstance(kind, int) else 0,
        )
        try:
            due = date_from_text(self.query_one("#recall-due", Input).value)
        except UnreadableValue as error:
            show_violations(self, [FieldViolation("due_date", str(error))])
            return
        if due is not None:
            recall.due_date.CopyFrom(due)
        self.add(recall)

    @gateway_call
    async def add(self, recall: ap.Recall) -> None:
        self.dismiss(await self.gateway.add_recall(recall))

    def say(self, text: str) -> None:
        self.query_one("#recall-message", Static).update(text)

    def show_inline_error(self, error: GatewayError) -> bool:
        self.say(form_error_sentence(self, error))
        return True


class CloseRecallScreen(FormScreen[ap.Recall | None], inherit_bindings=False):
    """Dismisses with the closed recall, or None."""

    FORM_TITLE = "Close the recall"
    SUBMIT_LABEL = "Close recall"
    BINDINGS = [
        Binding("escape", "cancel", "Keep", tooltip="Close this dialog; the recall stays due", id="form.cancel"),
        Binding("ctrl+s", "submit", "Close recall", tooltip="Close the recall unbooked (Enter in the note does too)",
                id="form.submit"),
    ]

    def __init__(self, gateway: Gateway, recall: ap.Recall) -> None:
        super().__init__()
        self.gateway = gateway
        self.recall = recall

    def intro(self) -> str:
        return (f"Close {self.recall.patient_name}'s recall ({self.recall.reason}, due "
                f"{formatting.calendar_date(self.recall.due_date)}) without booking?")

    def compose_fields(self) -> ComposeResult:
        yield FormField("Why", Input(placeholder="e.g. patient declined, moved away", id="recall-close-note",
                                     max_length=200), "note")

    def on_mount(self) -> None:
        super().on_mount()
        self.query_one("#recall-close-note", Input).focus()

    def submit(self) -> None:
        self.close_it(self.query_one("#recall-close-note", Input).value.strip())

    @gateway_call
    async def close_it(self, note: str) -> None:
        self.dismiss(await self.gateway.close_recall(self.recall.recall_id, note))



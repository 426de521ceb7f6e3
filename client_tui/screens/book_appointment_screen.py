"""Book a patient into a time picked on the calendar (or offered by find-slot).

The patient is found with the front desk's search box, inline; then the appointment type, a
length when it differs from the type's, and the visit reason. Enter walks: search -> results ->
Enter on the patient -> type -> length -> reason -> book. Whether the time can be booked is the
server's answer: a lost race (SLOT_TAKEN) is said in words with the time that was taken, and the
next free times it offers are listed; Enter books one of them. Outside the template, a user who may
overbook ticks Overbook and books again.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from zoneinfo import ZoneInfo

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.screen import Screen
from textual.widgets import Checkbox, Footer, Input, Select, Static

from client_tui import formatting
from client_tui import schedule_values as sv
from client_tui.errors import describe
from client_tui.gateway import FieldViolation, Gateway, GatewayError, InvalidInput, RuleBroken
from client_tui.typed_values import UnreadableValue, whole_number
from client_tui.widgets.field_group import FieldGroup
from client_tui.widgets.form_field import FormField, clear_field_errors, form_error_sentence, show_violations
from client_tui.widgets.free_slot_offer import FreeSlotOffer, lost_race_sentence
from client_tui.widgets.patient_search import PatientResults, PatientSearch
from client_tui.workers import gateway_call
from shared.pms.auth.v1 import auth_pb2
from shared.pms.scheduling.v1 import appointments_pb2 as ap
from shared.pms.scheduling.v1 import setup_pb2


class BookingResults(PatientResults, inherit_bindings=False):
    BINDINGS = [
        Binding("enter", "select_cursor", "Choose", tooltip="Book the highlighted patient", id="book.choose"),
    ]


class BookingSearch(PatientSearch):
    RESULTS = BookingResults


class BookAppointmentScreen(Screen[ap.Appointment | None]):
    """Dismisses with the booked appointment, or None."""

    CSS_PATH = "book_appointment_screen.tcss"

    BINDINGS = [
        Binding("escape", "close", "Back", tooltip="Back to the calendar without booking", id="book.close"),
        Binding("ctrl+s", "book", "Book", tooltip="Book the appointment (Enter in the visit reason does too)",
                id="book.book"),
    ]

    def __init__(
        self,
        gateway: Gateway,
        session: auth_pb2.Session,
        setup: sv.ScheduleSetup,
        provider_id: int,
        location_id: int,
        starts_at: datetime,
        appointment_type_id: int = 0,
        patient_id: int = 0,
        waitlist_entry_id: int = 0,
        recall_id: int = 0,
    ) -> None:
        super().__init__()
        self.gateway = gateway
        self.session = session
        self.setup = setup
        self.provider_id = provider_id
        self.location_id = location_id
        self.starts_at = starts_at
        self.preset_type_id = appointment_type_id
        self.patient_id = 0
        self.patient_line = ""
        # Booked from the waitlist or for a recall: the server marks that entry booked with this appointment.
        self.preset_patient_id = patient_id
        self.waitlist_entry_id = waitlist_entry_id
        self.recall_id = recall_id
        # One key per distinct request: a retry of the same booking books once, a changed one is new.
        self.last_request: bytes = b""
        self.idempotency_key = ""

    @property
    def zone(self) -> ZoneInfo:
        return self.setup.zone(self.location_id)

    @property
    def may_overbook(self) -> bool:
        return "schedule.overbook" in self.session.permissions

    def compose(self) -> ComposeResult:
        yield Static("", id="book-title", markup=False)
        with VerticalScroll(id="book-body", can_focus=False):
            yield BookingSearch(self.gateway, self.session, id="book-search")
            yield Static("", id="book-patient", markup=False)
            with FieldGroup("Appointment", id="book-fields"):
                types: Select[int] = Select(
                    [(sv.type_label(t), t.appointment_type_id) for t in self.active_types()],
                    prompt="Choose the appointment type",
                    id="book-type",
                    compact=True,
                )
                yield FormField("Type", types, "appointment_type_id")
                yield FormField(
                    "Length (min)",
                    Input(placeholder="blank: the type's length", id="book-length", compact=True, restrict=r"\d*"),
                    "duration_minutes",
                )
                yield FormField(
                    "Visit reason",
                    Input(placeholder="why the patient comes, e.g. cough for two weeks", id="book-reason",
                          compact=True, max_length=200),
                    "visit_reason",
                )
                if self.may_overbook:
                    yield FormField(
                        "Overbook",
                        Checkbox("book even if the time is taken or outside the hours", id="book-overbook",
                                 compact=True),
                        "overbook",
                    )
            yield FreeSlotOffer(id="book-offer")
        yield Static("", id="book-message", markup=False)
        yield Footer()

    def active_types(self) -> list[setup_pb2.AppointmentType]:
        return sorted((t for t in self.setup.types.values() if t.active), key=lambda t: t.name)

    def on_mount(self) -> None:
        self.show_title()
        search = self.query_one("#patient-search", Input)
        search.border_title = "Find the patient"
        if self.preset_type_id in self.setup.types:
            self.query_one("#book-type", Select).value = self.preset_type_id
        self.show_patient()
        self.query_one(BookingSearch).focus_search()
        if self.preset_patient_id:
            self.load_patient(self.preset_patient_id)

    def show_title(self) -> None:
        local = self.starts_at.astimezone(self.zone)
        self.query_one("#book-title", Static).update(
            f"Book {self.setup.provider_name(self.provider_id)} at {self.setup.location_name(self.location_id)}, "
            f"{sv.long_day(local.date())} {local:%H:%M}"
        )

    def show_patient(self) -> None:
        line = self.query_one("#book-patient", Static)
        if self.patient_id:
            line.update(f"Patient: {self.patient_line}")
            line.remove_class("-missing")
        else:
            line.update("No patient chosen yet: type above, Enter goes to the results, Enter chooses.")
            line.add_class("-missing")

    # -- choosing ----------------------------------------------------------------------
    @on(PatientSearch.Picked)
    def _picked(self, message: PatientSearch.Picked) -> None:
        message.stop()
        self.load_patient(message.patient_id)

    @gateway_call
    async def load_patient(self, patient_id: int) -> None:
        record = await self.gateway.get_patient(patient_id)
        day_start = sv.local_instant(self.starts_at.astimezone(self.zone).date(), 0, self.zone)
        coming = await self.gateway.list_patient_appointments(patient_id, from_time=day_start)
        patient = record.patient
        self.patient_id = patient_id
        self.patient_line = (
            f"{formatting.person_name(patient.name, patient.preferred_name)}, MRN {patient.mrn}, "
            f"born {formatting.date_with_age(patient.date_of_birth)}"
        )
        if coming:
            shown = ", ".join(
                f"{sv.local_text_when(a.local_start)} {a.appointment_type_name} with "
                f"{self.setup.provider_name(a.provider_id)}" for a in coming[:2]
            )
            more = f" and {len(coming) - 2} more" if len(coming) > 2 else ""
            self.patient_line += f". Visits from this day on: {shown}{more}"
        self.show_patient()
        self.query_one("#book-type", Select).focus()

    @on(Select.Changed, "#book-type")
    def _type_chosen(self, event: Select.Changed) -> None:
        if event.select.has_focus_within and not event.select.is_blank():
            self.query_one("#book-length", Input).focus()

    @on(Input.Submitted, "#book-length")
    def _length_entered(self, event: Input.Submitted) -> None:
        event.stop()
        self.query_one("#book-reason", Input).focus()

    @on(Input.Submitted, "#book-reason")
    def _reason_entered(self, event: Input.Submitted) -> None:
        event.stop()
        self.action_book()

    @on(FreeSlotOffer.Chosen)
    def _offer_taken(self, message: FreeSlotOffer.Chosen) -> None:
        message.stop()
        self.starts_at = message.starts_at
        self.show_title()
        self.action_book()

    # -- booking -----------------------------------------------------------------------
    def action_close(self) -> None:
        self.dismiss(None)

    def action_book(self) -> None:
        clear_field_errors(self)
        self.say("")
        if not self.patient_id:
            self.say("Choose the patient first: type part of the name above, Enter, then Enter on the patient.")
            self.query_one(BookingSearch).focus_search()
            return
        try:
            minutes = whole_number(self.query_one("#book-length", Input).value)
        except UnreadableValue as error:
            show_violations(self, [FieldViolation("duration_minutes", str(error))])
            return
        kind = self.query_one("#book-type", Select).value
        overbook = self.may_overbook and self.query_one("#book-overbook", Checkbox).value
        request = ap.BookAppointmentRequest(
            patient_id=self.patient_id,
            provider_id=self.provider_id,
            location_id=self.location_id,
            appointment_type_id=kind if isinstance(kind, int) else 0,
            starts_at=sv.timestamp(self.starts_at),
            duration_minutes=minutes,
            visit_reason=self.query_one("#book-reason", Input).value.strip(),
            overbook=overbook,
            waitlist_entry_id=self.waitlist_entry_id,
            recall_id=self.recall_id,
        )
        content = request.SerializeToString(deterministic=True)
        if content != self.last_request:
            self.last_request, self.idempotency_key = content, uuid.uuid4().hex
        request.idempotency_key = self.idempotency_key
        self.query_one(FreeSlotOffer).withdraw()
        self.book(request)

    @gateway_call
    async def book(self, request: ap.BookAppointmentRequest) -> None:
        self.dismiss(await self.gateway.book_appointment(request))

    # -- what went wrong ---------------------------------------------------------------
    def say(self, text: str) -> None:
        self.query_one("#book-message", Static).update(text)

    def show_inline_error(self, error: GatewayError) -> bool:
        if isinstance(error, InvalidInput):
            self.say(form_error_sentence(self, error))
        elif isinstance(error, RuleBroken) and error.reason == "SLOT_TAKEN":
            self.query_one(FreeSlotOffer).offer(
                lost_race_sentence(error.metadata, self.zone, "nothing was booked"),
                sv.offered_slots(error.metadata),
                self.zone,
            )
        elif isinstance(error, RuleBroken) and error.reason == "OUTSIDE_TEMPLATE":
            then = (
                " Tick Overbook and press Ctrl+S to book it anyway."
                if self.may_overbook
                else " Escape goes back to the calendar to pick an open time (F finds one)."
            )
            self.say(describe(error) + then)
        else:
            self.say(describe(error))
        return True

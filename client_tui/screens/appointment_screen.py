"""One appointment: what, when, who, its status, and its history (booked, moved, each step, cancelled).

The visit's keys work here as on the calendar (C/I/R/S/O/N, X cancels); M goes back to the calendar
to pick the new time; P opens the patient. A change someone else made meanwhile is fetched and said.
"""

from __future__ import annotations

from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.screen import Screen
from textual.widgets import DataTable, Footer, Static

from client_tui import schedule_values as sv
from client_tui.appointment_steps import CANCEL_BINDING, STEP_ACTIONS, STEP_BINDINGS, AppointmentSteps
from client_tui.errors import describe
from client_tui.gateway import Gateway, GatewayError, StaleRecord
from client_tui.screens.patient_screen import PatientScreen
from client_tui.widgets.status_line import StatusLine
from client_tui.workers import gateway_call
from shared.pms.auth.v1 import auth_pb2
from shared.pms.scheduling.v1 import appointments_pb2 as ap

STALE = (
    "Someone else changed this appointment meanwhile, so nothing was changed. It is shown as it is now: "
    "repeat the step if it still applies."
)


def event_text(event: ap.AppointmentEvent, setup: sv.ScheduleSetup, location_id: int) -> str:
    """One history line in words."""
    if event.kind == "booked":
        text = "booked"
    elif event.kind == "moved":
        where = setup.provider_name(event.previous_provider_id)
        if event.previous_location_id and event.previous_location_id != location_id:
            where += f", {setup.location_name(event.previous_location_id)}"
        zone = setup.zone(event.previous_location_id or location_id)
        text = f"moved from {sv.slot_text(sv.instant(event.previous_starts_at), zone)} ({where})"
    elif event.kind == "cancelled":
        text = "cancelled"
    else:
        before = sv.STATUS_NAMES.get(event.from_status, "")
        text = f"{before} → {sv.STATUS_NAMES.get(event.to_status, '')}" if before else \
            sv.STATUS_NAMES.get(event.to_status, event.kind)
    return f"{text}: {event.note}" if event.note else text


class AppointmentScreen(Screen[ap.Appointment | None], AppointmentSteps):
    """Dismisses with the appointment to move (M), or None."""

    CSS_PATH = "appointment_screen.tcss"

    BINDINGS = [
        Binding("escape", "back", "Back", tooltip="Back to the calendar", id="appointment.back"),
        Binding("m", "move", "Move", tooltip="Back to the calendar to pick a new time or provider",
                id="appointment.move"),
        *STEP_BINDINGS,
        CANCEL_BINDING,
        Binding("p", "open_patient", "Patient", tooltip="Open the patient's record", id="appointment.patient"),
        Binding("ctrl+r", "reload", "Reload", tooltip="Fetch the appointment again", id="appointment.reload"),
    ]

    def __init__(self, gateway: Gateway, session: auth_pb2.Session, setup: sv.ScheduleSetup,
                 appointment_id: int) -> None:
        super().__init__()
        self.gateway = gateway
        self.session = session
        self.setup = setup
        self.appointment_id = appointment_id
        self.appointment: ap.Appointment | None = None

    def compose(self) -> ComposeResult:
        yield StatusLine(self.gateway, self.session)
        yield Static("", id="appointment-title", markup=False)
        yield Static("", id="appointment-details")
        yield Static("History", id="appointment-history-title", markup=False)
        history: DataTable[str | Text] = DataTable(id="appointment-history", cursor_type="row", zebra_stripes=True)
        yield history
        yield Static("", id="appointment-message", markup=False)
        yield Footer()

    def on_mount(self) -> None:
        table = self.query_one("#appointment-history", DataTable)
        table.add_column("When", width=16)
        table.add_column("Who", width=12)
        table.add_column("What", width=60)
        self.load()

    @gateway_call
    async def load(self) -> None:
        answer = await self.gateway.get_appointment(self.appointment_id)
        self.appointment = answer.appointment
        self.show(answer)
        self.refresh_bindings()

    def show(self, answer: ap.GetAppointmentResponse) -> None:
        a = answer.appointment
        zone = self.setup.zone(a.location_id)
        self.query_one("#appointment-title", Static).update(
            f"{a.patient_name} (MRN {a.patient_mrn}) · {sv.local_text_when(a.local_start)} · "
            f"{sv.STATUS_NAMES.get(a.status, '')}"
        )
        facts = Table(box=None, show_header=False, pad_edge=False, padding=(0, 1), expand=True)
        facts.add_column(width=14, style="dim", no_wrap=True)
        facts.add_column(ratio=1, overflow="fold")
        start = sv.parse_local(a.local_start)
        facts.add_row("Patient", f"{a.patient_name}, MRN {a.patient_mrn}")
        facts.add_row(
            "When",
            f"{sv.long_day(start.date())}, {sv.local_clock(a.local_start)} to {sv.local_clock(a.local_end)} "
            f"({sv.length_minutes(a)} min)",
        )
        facts.add_row("With", f"{self.setup.provider_name(a.provider_id)} at {self.setup.location_name(a.location_id)}")
        facts.add_row("Type", Text.assemble((f" {a.appointment_type_name} ", sv.color_style(a.color))))
        status = sv.STATUS_NAMES.get(a.status, "")
        if a.status_changed_at.seconds:
            status += f" since {sv.slot_text(sv.instant(a.status_changed_at), zone)}"
        facts.add_row("Status", status)
        if a.status in sv.RELEASED and a.cancel_reason:
            reason = sv.CANCEL_REASON_NAMES.get(a.cancel_reason, "")
            facts.add_row("Reason", f"{reason}: {a.cancel_note}" if a.cancel_note else reason)
        facts.add_row("Visit reason", a.visit_reason or Text("—", style="dim"))
        if a.note:
            facts.add_row("Note", a.note)
        if a.overbooked:
            facts.add_row("Overbooked", "yes: booked over another appointment or outside the hours")
        self.query_one("#appointment-details", Static).update(facts)
        table = self.query_one("#appointment-history", DataTable)
        table.clear()
        for event in reversed(answer.history):
            at = sv.instant(event.at).astimezone(zone)
            table.add_row(f"{at:%m/%d/%Y %H:%M}", event.username, event_text(event, self.setup, a.location_id))

    # -- keys ----------------------------------------------------------------------------
    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action in STEP_ACTIONS or action == "move":
            return self.check_step(action)
        if action == "open_patient":
            return "patients.read" in self.session.permissions and self.appointment is not None
        return True

    def step_target(self) -> ap.Appointment | None:
        return self.appointment

    def step_done(self, appointment: ap.Appointment, said: str) -> None:
        self.load()
        self.say(said, info=True)

    def action_back(self) -> None:
        self.dismiss(None)

    def action_move(self) -> None:
        if self.appointment is not None:
            self.dismiss(self.appointment)

    def action_open_patient(self) -> None:
        if self.appointment is not None:
            self.app.push_screen(PatientScreen(self.gateway, self.session, self.appointment.patient_id))

    def action_reload(self) -> None:
        self.say("")
        self.load()

    def say(self, text: str, info: bool = False) -> None:
        message = self.query_one("#appointment-message", Static)
        message.update(text)
        message.set_class(info, "-info")

    def show_inline_error(self, error: GatewayError) -> bool:
        if isinstance(error, StaleRecord):
            self.load()
            self.say(STALE)
        else:
            self.say(describe(error))
        return True

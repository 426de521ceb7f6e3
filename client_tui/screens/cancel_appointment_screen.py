"""Cancel an appointment: why (patient, provider, weather, practice, other with a note), then the time is free.

A no-show is not a cancellation here: it is a status step (N on the calendar). If someone changed
the appointment meanwhile, the dialog fetches it again, says so, and Ctrl+S cancels it as it is now.
"""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.widgets import Button, Input, Select

from client_tui import schedule_values as sv
from client_tui.gateway import Gateway, GatewayError, StaleRecord
from client_tui.screens.form_screen import FormScreen
from client_tui.widgets.form_field import FormField, form_error_sentence
from client_tui.workers import gateway_call
from shared.pms.scheduling.v1 import appointments_pb2 as ap


class CancelAppointmentScreen(FormScreen[ap.CancelAppointmentResponse | None], inherit_bindings=False):
    """Dismisses with the server's answer (the cancelled appointment and the waitlist's offers), or None."""

    CSS_PATH = "cancel_appointment_screen.tcss"
    FORM_TITLE = "Cancel appointment"
    SUBMIT_LABEL = "Cancel appointment"
    # "Cancel" and "Save" would read backwards here: the keys say what they do to the appointment.
    BINDINGS = [
        Binding("escape", "cancel", "Keep it", tooltip="Close; the appointment stays as it is", id="form.cancel"),
        Binding("ctrl+s", "submit", "Cancel appt", tooltip="Cancel the appointment (Enter in the note does too)",
                id="form.submit"),
    ]

    def __init__(self, gateway: Gateway, appointment: ap.Appointment) -> None:
        super().__init__()
        self.gateway = gateway
        self.appointment = appointment

    def intro(self) -> str:
        return f"Cancel {sv.appointment_line(self.appointment)}? The time becomes free for others."

    def compose_fields(self) -> ComposeResult:
        reasons: Select[int] = Select(
            sv.CANCEL_REASONS, value=ap.CANCEL_REASON_PATIENT, allow_blank=False, id="cancel-reason"
        )
        yield FormField("Reason", reasons, "reason")
        yield FormField(
            "Note",
            Input(placeholder="e.g. will call back to rebook", id="cancel-note", max_length=200),
            "note",
            hint="Required when the reason is Other.",
        )

    def on_mount(self) -> None:
        super().on_mount()
        self.query_one("#form-cancel", Button).label = "Keep it"
        self.query_one("#cancel-reason", Select).focus()

    def submit(self) -> None:
        reason = self.query_one("#cancel-reason", Select).value
        note = self.query_one("#cancel-note", Input).value.strip()
        self.cancel(self.appointment.appointment_id, self.appointment.version, int(str(reason)), note)

    @gateway_call
    async def cancel(self, appointment_id: int, version: int, reason: int, note: str) -> None:
        self.dismiss(await self.gateway.cancel_appointment(appointment_id, version, reason, note))

    @gateway_call
    async def reload(self) -> None:
        self.appointment = (await self.gateway.get_appointment(self.appointment.appointment_id)).appointment
        status = sv.STATUS_NAMES.get(self.appointment.status, "")
        self.say(
            "Someone else changed this appointment meanwhile, so it was not cancelled. It is now "
            f"{sv.local_text_when(self.appointment.local_start)}, {status}. "
            "Ctrl+S cancels it as it is now; Escape leaves it.",
        )

    def show_inline_error(self, error: GatewayError) -> bool:
        if isinstance(error, StaleRecord):
            self.reload()
            return True
        self.say(form_error_sentence(self, error))
        return True

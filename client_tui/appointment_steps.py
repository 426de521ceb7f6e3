"""The keys for an appointment's next step, shared by the calendar, the flow board and the appointment screen.

Each key asks the server for one status (confirmed, arrived, roomed, seen, checked out, no-show) or
opens the cancel dialog; whether the step is allowed now is the server's to say (its sentence is
shown). The host names the appointment the keys act on and shows what changed.
"""

from __future__ import annotations

from textual.binding import Binding
from textual.dom import DOMNode

from client_tui import schedule_values as sv
from client_tui.errors import describe
from client_tui.gateway import Gateway, GatewayError, SessionExpired
from client_tui.screens.book_appointment_screen import BookAppointmentScreen
from client_tui.screens.cancel_appointment_screen import CancelAppointmentScreen
from client_tui.screens.waitlist_offers_screen import WaitlistOffersScreen
from client_tui.workers import gateway_call
from shared.pms.auth.v1 import auth_pb2
from shared.pms.scheduling.v1 import appointments_pb2 as ap

STEPS: dict[str, int] = {
    "confirmed": ap.APPOINTMENT_STATUS_CONFIRMED,
    "arrived": ap.APPOINTMENT_STATUS_ARRIVED,
    "roomed": ap.APPOINTMENT_STATUS_ROOMED,
    "seen": ap.APPOINTMENT_STATUS_SEEN,
    "checked_out": ap.APPOINTMENT_STATUS_CHECKED_OUT,
    "no_show": ap.APPOINTMENT_STATUS_NO_SHOW,
}
STEP_DONE = {
    "confirmed": "confirmed",
    "arrived": "checked in",
    "roomed": "roomed",
    "seen": "seen by the provider",
    "checked_out": "checked out",
    "no_show": "marked a no-show",
}

CANCEL_BINDING = Binding(
    "x", "cancel_appointment", "Cancel appt", tooltip="Cancel the appointment, with the reason", id="appointment.cancel"
)
STEP_BINDINGS = [
    Binding("c", "step('confirmed')", "Confirm", tooltip="The patient confirmed the appointment",
            id="appointment.confirm"),
    Binding("i", "step('arrived')", "Check in", tooltip="The patient is here (on the day only)",
            id="appointment.check_in"),
    Binding("r", "step('roomed')", "Room", tooltip="The patient is in an exam room", id="appointment.room"),
    Binding("s", "step('seen')", "Seen", tooltip="The provider has seen the patient", id="appointment.seen"),
    Binding("o", "step('checked_out')", "Check out", tooltip="The patient has left (checked out)",
            id="appointment.check_out"),
    Binding("n", "step('no_show')", "No-show", tooltip="The patient did not come (once the time has come)",
            id="appointment.no_show"),
]
STEP_ACTIONS = frozenset({"step", "cancel_appointment"})


class AppointmentSteps(DOMNode):
    """Mixed into a widget or screen (after the Textual class, which names the CSS type) that has ``gateway``,
    ``session`` and ``setup``."""

    gateway: Gateway
    session: auth_pb2.Session

    @property
    def can_write_schedule(self) -> bool:
        return "schedule.write" in self.session.permissions

    def step_target(self) -> ap.Appointment | None:
        """The appointment the keys act on now (None: nothing chosen)."""
        raise NotImplementedError

    def step_done(self, appointment: ap.Appointment, said: str) -> None:
        """The server changed ``appointment``: show it, and say ``said``."""
        raise NotImplementedError

    def check_step(self, action: str) -> bool | None:
        """For the host's ``check_action``: hidden without the permission or an appointment."""
        return self.can_write_schedule and self.step_target() is not None

    def action_step(self, step: str) -> None:
        appointment = self.step_target()
        if appointment is not None and step in STEPS:
            self.change_status(appointment.appointment_id, appointment.version, step)

    @gateway_call
    async def change_status(self, appointment_id: int, version: int, step: str) -> None:
        changed = await self.gateway.change_appointment_status(appointment_id, version, STEPS[step])
        said = f"{changed.patient_name} is {STEP_DONE[step]}."
        if step == "checked_out" and "encounters.checkout" in self.session.permissions:
            said = await self._encounter_at_check_out(changed, said)
        self.step_done(changed, said)

    async def _encounter_at_check_out(self, appointment: ap.Appointment, said: str) -> str:
        """Check-out makes the visit's encounter for the biller; the check-out stands even if that fails."""
        try:
            made = await self.gateway.create_encounter_from_appointment(appointment.appointment_id)
        except SessionExpired:
            raise
        except GatewayError as error:
            return f"{said} The encounter was not made: {describe(error)}"
        number = made.encounter.encounter_id
        if made.created:
            return f"{appointment.patient_name} is checked out; encounter {number} is on the biller's worklist."
        return f"{appointment.patient_name} is checked out; encounter {number} was made before."

    def action_cancel_appointment(self) -> None:
        appointment = self.step_target()
        if appointment is None:
            return

        def cancelled(answer: ap.CancelAppointmentResponse | None) -> None:
            if answer is not None:
                changed = answer.appointment
                when = sv.local_text_when(changed.local_start)
                self.step_done(changed, f"Cancelled: {changed.patient_name}, {when}. The time is free again.")
                if answer.waitlist_offers:
                    self.offer_freed_time(changed, list(answer.waitlist_offers))

        self.app.push_screen(CancelAppointmentScreen(self.gateway, appointment), cancelled)

    def offer_freed_time(self, freed: ap.Appointment, offers: list[ap.WaitlistEntry]) -> None:
        """The server named waiting patients for the time ``freed`` held: Enter on one books it for them."""
        # Every host keeps the practice's set-up as ``setup`` (the calendar's may not be loaded yet).
        setup: sv.ScheduleSetup | None = getattr(self, "setup", None)
        when = sv.local_text_when(freed.local_start)

        def chosen(entry: ap.WaitlistEntry | None) -> None:
            if entry is None or setup is None:
                return

            def booked(appointment: ap.Appointment | None) -> None:
                if appointment is not None:
                    self.step_done(appointment, f"Booked from the waitlist: {appointment.patient_name}, "
                                                f"{sv.local_text_when(appointment.local_start)}.")

            self.app.push_screen(
                BookAppointmentScreen(self.gateway, self.session, setup, freed.provider_id, freed.location_id,
                                      sv.instant(freed.starts_at), appointment_type_id=entry.appointment_type_id,
                                      patient_id=entry.patient_id, waitlist_entry_id=entry.waitlist_entry_id),
                booked,
            )

        self.app.push_screen(WaitlistOffersScreen(offers, setup, when), chosen)

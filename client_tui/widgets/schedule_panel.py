"""Schedule mode: one location's day with a column per provider, or one provider's week.

The grid shows what the server sends (template blocks, time off, appointments); the keys act on
the highlighted cell: Enter books a free time or opens an appointment, U books a recurring series from a
free time (every N weeks or months, previewed first), M moves one (pick the new
time and provider, Enter), X cancels, C/I/R/S/O/N take the visit's steps, $ takes the copay (kept as credit against
the visit). PgUp/PgDn go a day (a week) back and forth, T to today, G to a date, W between day and week, L picks
the location, P the provider of the week, F finds free slots, B opens the flow board, A the waitlist, E the recalls;
V asks the payers about the insurance of tomorrow's patients (eligibility, in bulk, after a yes). What
is allowed is the server's answer, said in words on the message line. The calendar is fetched again when the mode comes
forward, after every change made here, and with Ctrl+R.

Other desks' changes arrive live: while the calendar is up the panel watches the location and the
days shown (WatchSchedule) and fetches them again when one of them changes (a burst is one fetch).
The server ends a watch when its connection grows old or it restarts: the panel watches again after
a short pause (longer each time, capped), fetches what is shown (changes may have been missed), and
says "live" or "reconnecting" in the top bar. A minute's reload stays as the safety net while the
watch is down; while it is live, a fetch every five minutes catches what the watch does not carry
(a manager's changes to the hours or time off).
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Sequence
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.widgets import Select, Static

from client_tui import schedule_values as sv
from client_tui.appointment_steps import CANCEL_BINDING, STEP_ACTIONS, STEP_BINDINGS, AppointmentSteps
from client_tui.calendar_layout import CELL_KIND_NAMES, Cell, Column, Layout, column_data, lay_out
from client_tui.errors import describe
from client_tui.gateway import Gateway, GatewayError, RuleBroken, ServerUnavailable, StaleRecord
from client_tui.screens.appointment_screen import AppointmentScreen
from client_tui.screens.book_appointment_screen import BookAppointmentScreen
from client_tui.screens.book_series_screen import BookSeriesScreen
from client_tui.screens.confirm_screen import ConfirmScreen
from client_tui.screens.find_slot_screen import FindSlotScreen
from client_tui.screens.flow_board_screen import FlowBoardScreen
from client_tui.screens.go_to_date_screen import GoToDateScreen
from client_tui.screens.recalls_screen import RecallsScreen
from client_tui.screens.slot_taken_screen import SlotTakenScreen
from client_tui.screens.take_payment_screen import TakePaymentScreen, payment_summary
from client_tui.screens.waitlist_screen import WaitlistScreen
from client_tui.widgets.free_slot_offer import lost_race_sentence
from client_tui.widgets.slot_grid import SlotGrid
from client_tui.workers import gateway_call
from shared import dates
from shared.pms.auth.v1 import auth_pb2
from shared.pms.payments.v1 import payments_pb2 as pm
from shared.pms.scheduling.v1 import appointments_pb2 as ap

REFRESH_SECONDS = 60.0
# While the watch is live the periodic fetch is only for what it does not carry (hours, time off).
LIVE_REFRESH_SECONDS = 300.0
# Changes arriving together (a series, a busy minute) are fetched once, this long after the first.
WATCH_DEBOUNCE_SECONDS = 0.2
# Pauses before watching again after the server ended the watch: 1 s, then 2 s, then every 5 s.
WATCH_RETRY_SECONDS = (1.0, 2.0, 5.0)
WATCH_STATES = {"live": "● live", "reconnecting": "○ reconnecting…", "": ""}
# The keys the footer leaves out for room; the bar says them.
BAR_KEYS = "G date · L location · Ctrl+R reload"
WEEK_BAR_KEYS = "G date · L location · P provider · Ctrl+R reload"
STALE = (
    "Someone else changed this appointment meanwhile, so nothing was changed. The calendar now shows it as it "
    "is: look again, and repeat the step if it still applies."
)


class SchedulePanel(Vertical, AppointmentSteps):
    DEFAULT_CSS = """
    SchedulePanel {
        height: 1fr;
    }
    SchedulePanel > #schedule-bar {
        height: 1;
        background: $boost;
    }
    SchedulePanel #schedule-location {
        width: 24;
    }
    SchedulePanel #schedule-provider {
        width: 22;
        display: none;
    }
    SchedulePanel.-week #schedule-provider {
        display: block;
    }
    SchedulePanel #schedule-title {
        width: auto;
        padding: 0 1;
        text-style: bold;
        text-wrap: nowrap;
    }
    SchedulePanel #schedule-keys {
        /* What is left of the line; the hint gives way first on a narrow terminal. */
        width: 1fr;
        padding: 0 1;
        color: $text-muted;
        text-align: right;
        text-wrap: nowrap;
        text-overflow: ellipsis;
    }
    SchedulePanel #schedule-watch {
        width: auto;
        padding: 0 1 0 0;
        color: $text-success;
        text-wrap: nowrap;
    }
    SchedulePanel #schedule-watch.-reconnecting {
        color: $text-warning;
    }
    SchedulePanel > #schedule-detail {
        height: 1;
        padding: 0 1;
        text-wrap: nowrap;
        text-overflow: ellipsis;
    }
    SchedulePanel > #schedule-message {
        height: auto;
        padding: 0 1;
        display: none;
        text-style: bold;
        color: $text-error;
    }
    SchedulePanel > #schedule-message.-shown {
        display: block;
    }
    SchedulePanel > #schedule-message.-info {
        color: $text-success;
    }
    SchedulePanel > #schedule-message.-moving {
        color: $text-warning;
    }
    SchedulePanel > #schedule-legend {
        height: 1;
        padding: 0 1;
        color: $text-muted;
        text-wrap: nowrap;
        text-overflow: ellipsis;
    }
    """

    BINDINGS = [
        Binding("enter", "book", "Book", tooltip="Book a patient into the highlighted time", id="schedule.book"),
        Binding("u", "book_series", "Series", tooltip="Book a recurring series from the highlighted time: every N "
                "weeks or months", id="schedule.book_series"),
        Binding("enter", "open_appointment", "Open", tooltip="The highlighted appointment: details, history, steps",
                id="schedule.open"),
        Binding("enter", "move_here", "Move here", tooltip="Move the appointment to the highlighted time and provider",
                id="schedule.move_here"),
        Binding("escape", "stop_moving", "Stop moving", tooltip="Leave the appointment where it was",
                id="schedule.stop_moving"),
        Binding("m", "move_appointment", "Move", tooltip="Pick a new time or provider for the appointment",
                id="appointment.move"),
        *STEP_BINDINGS,
        CANCEL_BINDING,
        Binding("dollar_sign", "take_copay", "Copay", tooltip="Take the patient's copay for this visit, kept as credit",
                id="appointment.take_copay"),
        Binding("pageup", "shift_days(-1)", "Prev day", tooltip="The day before", id="schedule.previous_day"),
        Binding("pagedown", "shift_days(1)", "Next day", tooltip="The day after", id="schedule.next_day"),
        Binding("pageup", "shift_days(-7)", "Prev week", tooltip="The week before", id="schedule.previous_week"),
        Binding("pagedown", "shift_days(7)", "Next week", tooltip="The week after", id="schedule.next_week"),
        Binding("t", "today", "Today", tooltip="Back to today", id="schedule.today"),
        Binding("w", "show_view('week')", "Week", tooltip="The highlighted provider's week", id="schedule.week"),
        Binding("w", "show_view('day')", "Day", tooltip="Every provider on the highlighted day", id="schedule.day"),
        Binding("f", "find_slot", "Find slot", tooltip="Find free times for a type, provider, days and hours",
                id="schedule.find_slot"),
        Binding("b", "flow_board", "Flow board", tooltip="Today's patients at this location and their wait times",
                id="schedule.flow_board"),
        Binding("a", "waitlist", "Waitlist", tooltip="Patients waiting for a time: add, remove, book",
                id="schedule.waitlist"),
        Binding("e", "recalls", "Recalls", tooltip="Patients due back (recalls): add, close, book",
                id="schedule.recalls"),
        Binding("g", "go_to_date", "Go to date", tooltip="Show another day", show=False, id="schedule.go_to_date"),
        Binding("l", "choose_location", "Location", tooltip="Show another location", show=False,
                id="schedule.location"),
        Binding("p", "choose_provider", "Provider", tooltip="Show another provider's week", show=False,
                id="schedule.provider"),
        Binding("ctrl+r", "reload", "Reload", tooltip="Fetch the schedule again", show=False, id="schedule.reload"),
        Binding("v", "check_tomorrow", "Tomorrow's eligibility", tooltip="Ask the payers whether tomorrow's "
                "patients' insurance covers the visit (answers arrive in a few minutes)", show=False,
                id="schedule.check_tomorrow"),
    ]

    def __init__(self, gateway: Gateway, session: auth_pb2.Session, id: str | None = None) -> None:
        super().__init__(id=id)
        self.gateway = gateway
        self.session = session
        self.setup: sv.ScheduleSetup | None = None
        self.location_id = 0
        self.day = date.today()
        self.view = "day"
        self.week_provider_id = 0
        self.calendar: Layout | None = None
        self.cell: Cell | None = None
        self.moving: ap.Appointment | None = None
        # Where the cursor goes after the next load: an appointment, or a (column, minute).
        self.target_appointment_id = 0
        self.target_place: tuple[Column, int] | None = None
        self.pending_move: tuple[ap.Appointment, int, int] | None = None
        self.was_shown = False
        self.keys_offered: tuple[bool, bool, str, bool] | None = None
        # An action asked for before the practice's set-up was loaded (from the command palette).
        self.after_setup: str = ""
        # The live watch: what it covers (location, days), its state, and a fetch waiting for a burst to end.
        self.watched: tuple[int, tuple[date, ...]] | None = None
        self.watch_state = ""
        self.watch_reload_pending = False
        self.loaded_at = 0.0

    def compose(self) -> ComposeResult:
        with Horizontal(id="schedule-bar"):
            locations: Select[int] = Select([], prompt="Location", id="schedule-location", compact=True)
            yield locations
            providers: Select[int] = Select([], prompt="Provider", id="schedule-provider", compact=True)
            yield providers
            yield Static("", id="schedule-title", markup=False)
            yield Static(BAR_KEYS, id="schedule-keys", markup=False)
            yield Static("", id="schedule-watch", markup=False)
        yield Static("Loading the schedule…", id="schedule-detail", markup=False)
        yield Static("", id="schedule-message", markup=False)
        yield SlotGrid(id="schedule-grid")
        yield Static(f"{sv.MARK_LEGEND} · ░ not working here", id="schedule-legend", markup=False)

    # -- showing -------------------------------------------------------------------------
    def on_mount(self) -> None:
        # Other desks book too: a calendar left open stays close to the truth.
        self.set_interval(REFRESH_SECONDS, self._refresh_if_in_sight)

    def _refresh_if_in_sight(self) -> None:
        if self.watch_state == "live" and time.monotonic() - self.loaded_at < LIVE_REFRESH_SECONDS - 1:
            return
        if self.in_sight:
            self.load_schedule()

    @property
    def in_sight(self) -> bool:
        return self.calendar is not None and self.display and self.screen.is_current

    def shown(self) -> None:
        """The mode came forward: load what is missing (or fetch again), then the keys go to the grid."""
        self.was_shown = True
        if self.setup is None:
            self.load_setup()
        else:
            self.load_schedule()
        self.call_after_refresh(self.query_one(SlotGrid).focus)

    def load_what_is_missing(self) -> None:
        """After logging in anew: a first load that met an expired session runs now."""
        if not self.was_shown:
            return
        if self.setup is None:
            self.load_setup()
        elif self.calendar is None:
            self.load_schedule()

    @property
    def zone(self) -> ZoneInfo:
        return self.setup.zone(self.location_id) if self.setup else sv.zone_of("")

    @gateway_call
    async def load_setup(self) -> None:
        locations, providers, types = await asyncio.gather(
            self.gateway.list_locations(),
            self.gateway.list_providers(include_inactive=True),
            self.gateway.list_appointment_types(),
        )
        self.setup = sv.ScheduleSetup(
            {x.location_id: x for x in locations},
            {p.provider_id: p for p in providers},
            {t.appointment_type_id: t for t in types},
        )
        if not locations:
            self.say("No location is set up yet. A manager sets up locations, providers and their hours first.")
            self.query_one("#schedule-detail", Static).update("")
            return
        active_providers = sorted((p for p in providers if p.active), key=lambda p: (p.last_name, p.first_name))
        self.week_provider_id = active_providers[0].provider_id if active_providers else 0
        self.location_id = locations[0].location_id
        self.day = sv.today_at(locations[0].time_zone)
        with self.prevent(Select.Changed):
            location_select = self.query_one("#schedule-location", Select)
            location_select.set_options((x.name, x.location_id) for x in locations)
            location_select.value = self.location_id
            provider_select = self.query_one("#schedule-provider", Select)
            provider_select.set_options((sv.provider_name(p), p.provider_id) for p in active_providers)
            if self.week_provider_id:
                provider_select.value = self.week_provider_id
        self.load_schedule()
        if self.after_setup:
            self.call_later(self.run_action, self.after_setup)
            self.after_setup = ""

    def load_schedule(self) -> None:
        if self.setup is None or not self.location_id:
            return
        self.show_title()
        self.loaded_at = time.monotonic()
        self.fetch_schedule(self.location_id, self.day, self.view, self.week_provider_id)
        self.keep_watching()

    # -- the live watch ------------------------------------------------------------------
    def shown_days(self) -> tuple[date, ...]:
        return tuple(sv.week_of(self.day)) if self.view == "week" else (self.day,)

    def keep_watching(self) -> None:
        """Watch the location and days on screen; a new location or days replace the watch (one at a time)."""
        wanted = (self.location_id, self.shown_days())
        if wanted != self.watched:
            self.watched = wanted
            self.follow_calendar(*wanted)

    @gateway_call
    async def follow_calendar(self, location_id: int, days: Sequence[date]) -> None:
        """Runs while the panel lives (a second call replaces it). A lost stream is watched again after a pause;
        any other failure (the session ended, the role) goes to the one place that says it, and the watch stops
        until the calendar is fetched next."""
        attempt = 0
        first = True
        try:
            while True:
                try:
                    async for change in self.gateway.watch_schedule(location_id, days):
                        if change.kind == "watching":
                            attempt = 0
                            self.show_watch_state("live")
                            if not first:
                                self.reload_soon()  # changes made while the watch was down were missed
                            first = False
                        elif change.kind == "resync" or self.shows_change(change):
                            self.reload_soon()
                except ServerUnavailable:
                    pass
                self.show_watch_state("reconnecting")
                await asyncio.sleep(WATCH_RETRY_SECONDS[min(attempt, len(WATCH_RETRY_SECONDS) - 1)])
                attempt += 1
        except GatewayError:
            self.show_watch_state("")
            self.watched = None
            raise

    def shows_change(self, change: ap.WatchScheduleResponse) -> bool:
        if change.location_id and change.location_id != self.location_id:
            return False
        day = dates.from_pb(change.date) if change.HasField("date") else None
        return day is None or day in self.shown_days()

    def reload_soon(self) -> None:
        if self.watch_reload_pending:
            return
        self.watch_reload_pending = True
        self.set_timer(WATCH_DEBOUNCE_SECONDS, self._reload_from_watch)

    def _reload_from_watch(self) -> None:
        self.watch_reload_pending = False
        if self.in_sight:
            self.load_schedule()
        elif self.calendar is not None:
            # Behind a dialog or another mode: fetched when it comes forward (or by the minute's safety net).
            self.loaded_at = 0.0

    def show_watch_state(self, state: str) -> None:
        self.watch_state = state
        label = self.query_one("#schedule-watch", Static)
        label.update(WATCH_STATES[state])
        label.set_class(state == "reconnecting", "-reconnecting")

    @gateway_call
    async def fetch_schedule(self, location_id: int, day: date, view: str, provider_id: int) -> None:
        assert self.setup is not None
        zone = self.setup.zone(location_id)
        if view == "week":
            days = sv.week_of(day)
            answers = await asyncio.gather(
                *(self.gateway.get_day_schedule(location_id, d, [provider_id], include_cancelled=True) for d in days)
            )
            data = [column_data(Column(provider_id, d, sv.short_day(d)), a, zone) for d, a in zip(days, answers,
                                                                                                  strict=True)]
        else:
            answer = await self.gateway.get_day_schedule(location_id, day, include_cancelled=True)
            data = [
                column_data(Column(p, day, sv.provider_column(self.setup.providers.get(p))), answer, zone)
                for p in answer.provider_ids
            ]
        self.show_layout(lay_out(data, zone))

    def show_layout(self, shown: Layout) -> None:
        grid = self.query_one(SlotGrid)
        keep: tuple[int, int] | None = (grid.cursor_row, grid.cursor_column) if self.calendar is not None else None
        if self.target_appointment_id:
            keep = shown.find(self.target_appointment_id) or keep
        elif self.target_place is not None:
            column, minute = self.target_place
            keep = shown.find_time(column, minute) or keep
        self.target_appointment_id, self.target_place = 0, None
        self.calendar = shown
        grid.show_layout(shown, keep)
        if not shown.columns:
            where = self.setup.location_name(self.location_id) if self.setup else ""
            self.query_one("#schedule-detail", Static).update(
                f"No provider works at {where} on {sv.long_day(self.day)}. PgUp/PgDn, T or G show another day."
            )

    def show_title(self) -> None:
        today = sv.today_at(self.setup.locations[self.location_id].time_zone) if self.setup else None
        if self.view == "week":
            monday = sv.week_of(self.day)[0]
            title = f"Week of {sv.long_day(monday)}"
        else:
            title = sv.long_day(self.day) + (" (today)" if self.day == today else "")
        self.query_one("#schedule-title", Static).update(title)
        self.query_one("#schedule-keys", Static).update(WEEK_BAR_KEYS if self.view == "week" else BAR_KEYS)
        self.set_class(self.view == "week", "-week")

    @on(SlotGrid.Moved)
    def _moved(self, message: SlotGrid.Moved) -> None:
        message.stop()
        self.cell = message.cell
        self.query_one("#schedule-detail", Static).update(self.describe_cell(message.cell))
        # The footer is rebuilt only when the keys on offer change (an arrow key should feel instant).
        offer = (
            message.cell is None,
            message.cell is not None and message.cell.appointment is not None,
            self.view,
            self.moving is not None,
        )
        if offer != self.keys_offered:
            self.keys_offered = offer
            self.refresh_bindings()

    def describe_cell(self, cell: Cell | None) -> str:
        if cell is None or self.setup is None:
            return ""
        who = self.setup.provider_name(cell.column.provider_id)
        when = f"{sv.short_day(cell.column.day)} {sv.clock(cell.minute)}"
        appointment = cell.appointment
        if appointment is not None:
            parts = [
                f"{appointment.patient_name} (MRN {appointment.patient_mrn})",
                f"{sv.local_clock(appointment.local_start)}-{sv.local_clock(appointment.local_end)}",
                appointment.appointment_type_name,
                sv.STATUS_NAMES.get(appointment.status, ""),
            ]
            if self.view == "week":
                parts.insert(1, sv.short_day(cell.column.day))
            if appointment.visit_reason:
                parts.append(appointment.visit_reason)
            if appointment.overbooked:
                parts.append("overbooked")
            if len(cell.appointments) > 1:
                parts.append(f"{len(cell.appointments) - 1} more booked at this time")
            return " · ".join(p for p in parts if p)
        text = f"{who} · {when} · {CELL_KIND_NAMES.get(cell.kind, cell.kind)}"
        if cell.kind == "closed":
            text = f"{who} · {when} · not working here then"
        if cell.note:
            text += f" ({cell.note})"
        for gone in cell.released:
            text += f" · {sv.STATUS_NAMES.get(gone.status, '')}: {gone.patient_name}"
        return text

    # -- messages ------------------------------------------------------------------------
    def say(self, text: str, kind: str = "error") -> None:
        message = self.query_one("#schedule-message", Static)
        message.update(text)
        message.set_class(bool(text), "-shown")
        message.set_class(kind == "info", "-info")
        message.set_class(kind == "moving", "-moving")

    def show_inline_error(self, error: GatewayError) -> bool:
        if isinstance(error, StaleRecord):
            self.moving = self.pending_move = None
            self.load_schedule()
            self.say(STALE)
        elif isinstance(error, RuleBroken) and error.reason == "SLOT_TAKEN" and self.pending_move is not None:
            self.offer_other_times(error)
        else:
            self.pending_move = None
            if isinstance(error, RuleBroken) and error.reason == "NOT_MOVABLE":
                self.moving = None
            self.say(describe(error))
        self.refresh_bindings()
        return True

    # -- keys ----------------------------------------------------------------------------
    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        cell, moving = self.cell, self.moving is not None
        booked = cell is not None and cell.appointment is not None
        if action in ("book", "book_series"):
            return self.can_write_schedule and not moving and cell is not None and not booked
        if action == "open_appointment":
            return not moving and booked
        if action == "move_here":
            return moving and cell is not None
        if action == "stop_moving":
            return moving
        if action == "move_appointment" or action in STEP_ACTIONS:
            return not moving and self.check_step(action)
        if action == "shift_days":
            return (abs(int(str(parameters[0]))) == 7) == (self.view == "week")
        if action == "show_view":
            return parameters[0] != self.view
        if action == "choose_provider":
            return self.view == "week"
        if action == "check_tomorrow":
            return "insurance.write" in self.session.permissions
        if action == "take_copay":
            return not moving and self.can_take_copay and booked
        return True

    @property
    def can_take_copay(self) -> bool:
        return "payments.post" in self.session.permissions

    def step_target(self) -> ap.Appointment | None:
        return self.cell.appointment if self.cell is not None else None

    def step_done(self, appointment: ap.Appointment, said: str) -> None:
        self.target_appointment_id = appointment.appointment_id if appointment.status not in sv.RELEASED else 0
        self.load_schedule()
        if appointment.status == ap.APPOINTMENT_STATUS_ARRIVED and self.can_take_copay:
            said += " $ takes the copay."
        self.say(said, "info")

    def action_take_copay(self) -> None:
        appointment = self.step_target()
        if appointment is not None and self.moving is None and self.can_take_copay:
            self.open_copay(appointment)

    @gateway_call
    async def open_copay(self, appointment: ap.Appointment) -> None:
        """The take-payment form for the appointment's patient: kept as credit, noted "copay", against the visit."""
        patient = (await self.gateway.get_patient(appointment.patient_id)).patient
        ledger = (await self.gateway.get_patient_ledger(appointment.patient_id)
                  if "ledger.read" in self.session.permissions else None)
        appointment_id = appointment.appointment_id

        def taken(answer: pm.PostPatientPaymentResponse | None) -> None:
            self.focus_grid()
            if answer is not None:
                self.say(payment_summary(answer), "info")

        self.app.push_screen(TakePaymentScreen(self.gateway, patient, ledger, appointment_id=appointment_id,
                                               note="copay", keep_as_credit=True), taken)

    def action_book(self) -> None:
        cell = self.cell
        if cell is None or self.setup is None:
            return
        screen = BookAppointmentScreen(
            self.gateway, self.session, self.setup, cell.column.provider_id, self.location_id,
            cell.starts_at(self.zone),
        )
        self.app.push_screen(screen, self._booked)

    def action_book_series(self) -> None:
        cell = self.cell
        if cell is None or self.setup is None:
            return
        screen = BookSeriesScreen(
            self.gateway, self.session, self.setup, cell.column.provider_id, self.location_id,
            cell.starts_at(self.zone),
        )
        self.app.push_screen(screen, self._series_booked)

    def _series_booked(self, result: ap.BookSeriesResponse | None) -> None:
        made = [o for o in result.occurrences if o.appointment_id] if result is not None else []
        if not made:
            self.focus_grid()
            return
        # The cursor goes to the first visit booked, on its day.
        self.day = sv.parse_local(made[0].local_start).date()
        self.target_appointment_id = made[0].appointment_id
        self.load_schedule()
        self.focus_grid()
        assert result is not None
        skipped = len(result.occurrences) - len(made)
        last = sv.local_text_when(made[-1].local_start)
        self.say(f"Booked a series of {len(made)} visits, {sv.local_text_when(made[0].local_start)} to {last}"
                 + (f"; {skipped} skipped (taken or outside the hours)." if skipped else "."), "info")

    def _booked(self, appointment: ap.Appointment | None) -> None:
        if appointment is None:
            self.focus_grid()
            return
        self.show_appointment(appointment)
        self.say(f"Booked: {sv.appointment_line(appointment)} with "
                 f"{self.setup.provider_name(appointment.provider_id) if self.setup else ''}.", "info")

    def show_appointment(self, appointment: ap.Appointment) -> None:
        """Go to where ``appointment`` is (its location and day) and highlight it."""
        self.location_id = appointment.location_id
        self.day = sv.parse_local(appointment.local_start).date()
        if self.view == "week":
            self.week_provider_id = appointment.provider_id
        self.target_appointment_id = appointment.appointment_id
        with self.prevent(Select.Changed):
            self.query_one("#schedule-location", Select).value = appointment.location_id
            if self.view == "week":
                self.query_one("#schedule-provider", Select).value = appointment.provider_id
        self.load_schedule()
        self.focus_grid()

    def action_open_appointment(self) -> None:
        appointment = self.step_target()
        if appointment is None or self.setup is None:
            return

        def back(to_move: ap.Appointment | None) -> None:
            self.target_appointment_id = appointment.appointment_id
            self.load_schedule()
            self.focus_grid()
            if to_move is not None:
                self.start_moving(to_move)

        self.app.push_screen(AppointmentScreen(self.gateway, self.session, self.setup, appointment.appointment_id),
                             back)

    def action_move_appointment(self) -> None:
        appointment = self.step_target()
        if appointment is not None:
            self.start_moving(appointment)

    def start_moving(self, appointment: ap.Appointment) -> None:
        self.moving = appointment
        self.say(
            f"Moving {appointment.patient_name}, {sv.local_text_when(appointment.local_start)}: pick the new time "
            "and provider, then Enter (Escape leaves it).",
            "moving",
        )
        self.refresh_bindings()

    def action_stop_moving(self) -> None:
        self.moving = self.pending_move = None
        self.say("The appointment stays where it was.", "info")
        self.refresh_bindings()

    def action_move_here(self) -> None:
        cell, moving = self.cell, self.moving
        if cell is None or moving is None:
            return
        self.move(moving, cell.column.provider_id, self.location_id, cell.starts_at(self.zone))

    def move(self, appointment: ap.Appointment, provider_id: int, location_id: int, starts_at: datetime) -> None:
        self.pending_move = (appointment, provider_id, location_id)
        self.reschedule(appointment, provider_id, location_id, starts_at)

    @gateway_call
    async def reschedule(
        self, appointment: ap.Appointment, provider_id: int, location_id: int, starts_at: datetime
    ) -> None:
        answer = await self.gateway.reschedule_appointment(
            appointment.appointment_id, appointment.version, starts_at, provider_id=provider_id,
            location_id=location_id,
        )
        moved = answer.appointment
        if answer.waitlist_offers:
            # ``appointment`` is as it was before the move: the time it left.
            self.offer_freed_time(appointment, list(answer.waitlist_offers))
        self.moving = self.pending_move = None
        self.show_appointment(moved)
        self.say(
            f"Moved: {moved.patient_name} now {sv.local_text_when(moved.local_start)} with "
            f"{self.setup.provider_name(moved.provider_id) if self.setup else ''}.",
            "info",
        )
        self.refresh_bindings()

    def offer_other_times(self, error: RuleBroken) -> None:
        assert self.pending_move is not None
        appointment, provider_id, location_id = self.pending_move
        zone = self.setup.zone(location_id) if self.setup else self.zone
        times = sv.offered_slots(error.metadata)
        explanation = lost_race_sentence(error.metadata, zone, "it was not moved")

        def chosen(starts_at: datetime | None) -> None:
            if starts_at is not None:
                self.move(appointment, provider_id, location_id, starts_at)
            else:
                self.say("That time was taken, so the appointment was not moved: pick another time and press Enter, "
                         "or Escape to leave it where it was.", "moving")

        self.app.push_screen(SlotTakenScreen(explanation, times, zone), chosen)
        self.load_schedule()

    def action_shift_days(self, days: int) -> None:
        self.day += timedelta(days=days)
        self.load_schedule()

    def action_today(self) -> None:
        if self.setup is not None and self.location_id:
            self.day = sv.today_at(self.setup.locations[self.location_id].time_zone)
            self.load_schedule()

    def action_go_to_date(self) -> None:
        def go(day: date | None) -> None:
            if day is not None:
                self.day = day
                self.load_schedule()
            self.focus_grid()

        self.app.push_screen(GoToDateScreen(self.day), go)

    def action_show_view(self, view: str) -> None:
        cell = self.cell
        if view == "week" and cell is not None:
            self.week_provider_id = cell.column.provider_id
            with self.prevent(Select.Changed):
                self.query_one("#schedule-provider", Select).value = cell.column.provider_id
        if cell is not None:
            self.day = cell.column.day
            self.target_place = (Column(cell.column.provider_id, cell.column.day, ""), cell.minute)
        self.view = view
        self.load_schedule()

    def action_find_slot(self) -> None:
        if self.setup is None:
            self.after_setup = "find_slot"
            return
        provider_id = self.cell.column.provider_id if self.cell is not None else 0
        screen = FindSlotScreen(self.gateway, self.session, self.setup, self.location_id, provider_id, self.day)
        self.app.push_screen(screen, self._booked)

    def action_waitlist(self) -> None:
        if self.setup is None:
            self.after_setup = "waitlist"
            return

        def back(appointment: ap.Appointment | None) -> None:
            if appointment is None:
                self.load_schedule()
                self.focus_grid()
            else:
                self._booked(appointment)

        self.app.push_screen(WaitlistScreen(self.gateway, self.session, self.setup, self.location_id, self.day), back)

    def action_recalls(self) -> None:
        if self.setup is None:
            self.after_setup = "recalls"
            return

        def back(appointment: ap.Appointment | None) -> None:
            if appointment is None:
                self.load_schedule()
                self.focus_grid()
            else:
                self._booked(appointment)

        self.app.push_screen(RecallsScreen(self.gateway, self.session, self.setup, self.location_id, self.day), back)

    def action_flow_board(self) -> None:
        if self.setup is None:
            self.after_setup = "flow_board"
            return
        if not self.location_id:
            return

        def back(to_move: ap.Appointment | None) -> None:
            self.load_schedule()
            self.focus_grid()
            if to_move is not None:
                self.start_moving(to_move)

        self.app.push_screen(FlowBoardScreen(self.gateway, self.session, self.setup, self.location_id), back)

    def action_check_tomorrow(self) -> None:
        if "insurance.write" not in self.session.permissions:
            return

        def answered(yes: bool | None) -> None:
            self.focus_grid()
            if yes:
                self.say("Asking the payers about tomorrow's patients…", "info")
                self.check_tomorrow()

        question = (
            "Ask the payers whether the insurance of every patient booked for tomorrow covers the visit? "
            "The answers arrive over the next minutes; each patient's Insurance tab and banner show them."
        )
        self.app.push_screen(ConfirmScreen("Tomorrow's eligibility", question, "Check"), answered)

    @gateway_call
    async def check_tomorrow(self) -> None:
        checks = await self.gateway.check_tomorrows_eligibility()
        count = len(checks)
        if count == 0:
            self.say("No eligibility inquiries to send for tomorrow: no booked patient has active insurance "
                     "left to check.", "info")
        else:
            patients = len({c.patient_id for c in checks})
            self.say(f"Sent {count} eligibility inquir{'y' if count == 1 else 'ies'} for tomorrow's "
                     f"{patients} patient{'' if patients == 1 else 's'}; the answers arrive over the next "
                     "minutes.", "info")

    def action_choose_location(self) -> None:
        chooser = self.query_one("#schedule-location", Select)
        chooser.focus()
        chooser.expanded = True

    def action_choose_provider(self) -> None:
        chooser = self.query_one("#schedule-provider", Select)
        chooser.focus()
        chooser.expanded = True

    @on(Select.Changed, "#schedule-location")
    def _location_chosen(self, event: Select.Changed) -> None:
        event.stop()
        if isinstance(event.value, int) and event.value != self.location_id:
            self.location_id = event.value
            self.load_schedule()
        self.focus_grid()

    @on(Select.Changed, "#schedule-provider")
    def _provider_chosen(self, event: Select.Changed) -> None:
        event.stop()
        if isinstance(event.value, int) and event.value != self.week_provider_id:
            self.week_provider_id = event.value
            self.load_schedule()
        self.focus_grid()

    def action_reload(self) -> None:
        if self.setup is None:
            self.load_setup()
        else:
            self.load_schedule()

    def focus_grid(self) -> None:
        self.call_after_refresh(self.query_one(SlotGrid).focus)

"""The flow board: today's patients at one location, where each one is in the visit, and for how long.

Refreshed every 30 seconds and with Ctrl+R. The visit's keys work on the highlighted patient (I
checks in, R rooms, S seen, O checks out, C confirms, N no-show, X cancels); Enter opens the
appointment. Minutes are the server's, as of the time in the title.
"""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.screen import Screen
from textual.widgets import DataTable, Footer, Static

from client_tui import schedule_values as sv
from client_tui.appointment_steps import CANCEL_BINDING, STEP_ACTIONS, STEP_BINDINGS, AppointmentSteps
from client_tui.errors import describe
from client_tui.gateway import Gateway, GatewayError, StaleRecord
from client_tui.screens.appointment_screen import AppointmentScreen
from client_tui.widgets.slot_grid import clip
from client_tui.widgets.status_line import StatusLine
from client_tui.workers import gateway_call
from shared.pms.auth.v1 import auth_pb2
from shared.pms.scheduling.v1 import appointments_pb2 as ap

REFRESH_SECONDS = 30.0
COLUMNS = [("Time", 5), ("Patient", 18), ("Provider", 12), ("Type", 14), ("Status", 11), ("In status", 9),
           ("Waited", 7), ("Visit", 7)]
STATUS_STYLES = {
    ap.APPOINTMENT_STATUS_SCHEDULED: "",
    ap.APPOINTMENT_STATUS_CONFIRMED: "",
    ap.APPOINTMENT_STATUS_ARRIVED: "bold yellow",
    ap.APPOINTMENT_STATUS_ROOMED: "bold cyan",
    ap.APPOINTMENT_STATUS_SEEN: "bold green",
    ap.APPOINTMENT_STATUS_CHECKED_OUT: "dim",
    ap.APPOINTMENT_STATUS_NO_SHOW: "red",
}
# The patient is in the building: how long in this status is worth a look.
IN_THE_BUILDING = frozenset({ap.APPOINTMENT_STATUS_ARRIVED, ap.APPOINTMENT_STATUS_ROOMED, ap.APPOINTMENT_STATUS_SEEN})
STALE = (
    "Someone else changed this visit meanwhile, so nothing was changed. The board is fresh again: look, then repeat."
)


def minutes_text(minutes: int, shown: bool) -> str | Text:
    return f"{minutes} min" if shown else Text("—", style="dim")


def board_row(entry: ap.FlowEntry, setup: sv.ScheduleSetup) -> list[str | Text]:
    a = entry.appointment
    done = a.status in (ap.APPOINTMENT_STATUS_CHECKED_OUT, ap.APPOINTMENT_STATUS_NO_SHOW)
    provider = setup.providers.get(a.provider_id)
    who = f"{provider.last_name}, {provider.first_name[:1]}" if provider is not None else "?"
    return [
        Text(sv.local_clock(a.local_start), style="dim" if done else ""),
        Text(a.patient_name[:18], style="dim" if done else ""),
        who[:12],
        Text(f" {clip(a.appointment_type_name, 12)} ".ljust(14), style=sv.color_style(a.color)),
        Text(sv.STATUS_NAMES.get(a.status, ""), style=STATUS_STYLES.get(a.status, "")),
        minutes_text(entry.minutes_in_status, a.status in IN_THE_BUILDING),
        minutes_text(entry.waiting_room_minutes, entry.roomed_at.seconds != 0),
        minutes_text(entry.visit_minutes, entry.checked_out_at.seconds != 0),
    ]


class BoardTable(DataTable[str | Text], inherit_bindings=False):
    """Enter opens the highlighted visit (named in the footer, unlike a plain table's Enter)."""

    BINDINGS = [
        Binding("enter", "select_cursor", "Open", tooltip="The highlighted visit: details, history, steps",
                id="board.open"),
        Binding("up", "cursor_up", "Up", show=False),
        Binding("down", "cursor_down", "Down", show=False),
        Binding("pageup", "page_up", "Page up", show=False),
        Binding("pagedown", "page_down", "Page down", show=False),
        Binding("home", "scroll_top", "First", show=False),
        Binding("end", "scroll_bottom", "Last", show=False),
    ]


class FlowBoardScreen(Screen[ap.Appointment | None], AppointmentSteps):
    """Dismisses with an appointment to move (M on its screen), or None."""

    CSS_PATH = "flow_board_screen.tcss"

    BINDINGS = [
        Binding("escape", "back", "Back", tooltip="Back to the calendar", id="board.back"),
        *STEP_BINDINGS,
        CANCEL_BINDING,
        Binding("ctrl+r", "refresh_board", "Refresh", tooltip="Fetch the board now (it refreshes every 30 s too)",
                id="board.refresh"),
    ]

    def __init__(self, gateway: Gateway, session: auth_pb2.Session, setup: sv.ScheduleSetup, location_id: int
                 ) -> None:
        super().__init__()
        self.gateway = gateway
        self.session = session
        self.setup = setup
        self.location_id = location_id
        self.entries: dict[int, ap.FlowEntry] = {}

    def compose(self) -> ComposeResult:
        yield StatusLine(self.gateway, self.session)
        yield Static(f"Flow board · {self.setup.location_name(self.location_id)}", id="board-title", markup=False)
        yield BoardTable(id="board-table", cursor_type="row", zebra_stripes=True)
        yield Static("", id="board-message", markup=False)
        yield Footer()

    def on_mount(self) -> None:
        table = self.query_one("#board-table", DataTable)
        for label, width in COLUMNS:
            table.add_column(label, width=width, key=label)
        self.action_refresh_board()
        self.set_interval(REFRESH_SECONDS, self.action_refresh_board)

    def action_refresh_board(self) -> None:
        self.refresh_board()

    @gateway_call
    async def refresh_board(self) -> None:
        answer = await self.gateway.get_flow_board(self.location_id)
        zone = sv.zone_of(answer.time_zone)
        as_of = sv.instant(answer.as_of).astimezone(zone)
        self.query_one("#board-title", Static).update(
            f"Flow board · {self.setup.location_name(self.location_id)} · {sv.long_day(as_of.date())} · "
            f"as of {as_of:%H:%M} · refreshes every {REFRESH_SECONDS:.0f} s"
        )
        table = self.query_one("#board-table", DataTable)
        keep = self.highlighted_id()
        self.entries = {e.appointment.appointment_id: e for e in answer.entries}
        table.clear()
        for entry in answer.entries:
            table.add_row(*board_row(entry, self.setup), key=str(entry.appointment.appointment_id))
        if keep in self.entries:
            table.move_cursor(row=table.get_row_index(str(keep)))
        if not answer.entries:
            self.say("Nobody is booked here today.", info=True)
        self.refresh_bindings()

    def highlighted_id(self) -> int:
        table = self.query_one("#board-table", DataTable)
        if not table.row_count:
            return 0
        key = table.coordinate_to_cell_key(table.cursor_coordinate).row_key.value
        return int(key) if key else 0

    def on_data_table_row_selected(self, event: DataTable.RowSelected) -> None:
        event.stop()
        self.action_open_appointment()

    # -- keys ----------------------------------------------------------------------------
    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action in STEP_ACTIONS:
            return self.check_step(action)
        return True

    def step_target(self) -> ap.Appointment | None:
        entry = self.entries.get(self.highlighted_id())
        return entry.appointment if entry is not None else None

    def step_done(self, appointment: ap.Appointment, said: str) -> None:
        self.refresh_board()
        self.say(said, info=True)

    def action_open_appointment(self) -> None:
        appointment = self.step_target()
        if appointment is None:
            return

        def back(to_move: ap.Appointment | None) -> None:
            if to_move is not None:
                self.dismiss(to_move)
            else:
                self.refresh_board()

        self.app.push_screen(AppointmentScreen(self.gateway, self.session, self.setup, appointment.appointment_id),
                             back)

    def action_back(self) -> None:
        self.dismiss(None)

    def say(self, text: str, info: bool = False) -> None:
        message = self.query_one("#board-message", Static)
        message.update(text)
        message.set_class(info, "-info")

    def show_inline_error(self, error: GatewayError) -> bool:
        if isinstance(error, StaleRecord):
            self.refresh_board()
            self.say(STALE)
        else:
            self.say(describe(error))
        return True

"""A provider's time off the template (vacation, holiday, half day, meeting) with the practice-wide closures."""

from __future__ import annotations

from datetime import timedelta

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.screen import Screen
from textual.widgets import DataTable, Footer, Static

from client_tui import formatting
from client_tui.errors import describe
from client_tui.gateway import Gateway, GatewayError
from client_tui.schedule_values import provider_name
from client_tui.screens.add_exception_screen import AddExceptionScreen
from client_tui.screens.confirm_screen import ConfirmScreen
from client_tui.setup_values import EXCEPTION_KIND_WORDS, exception_dates, exception_times
from client_tui.workers import gateway_call
from shared.pms.scheduling.v1 import setup_pb2 as su

COLUMNS = (("Kind", 8), ("Dates", 21), ("Times", 11), ("For", 14), ("Note", 14))
# Exceptions that ended longer ago than this are not listed.
PAST_DAYS = 30


def fit(text: str, width: int) -> str:
    return text if len(text) <= width else text[: width - 1] + "…"


class ExceptionTable(DataTable[str | Text], inherit_bindings=False):
    BINDINGS = [
        Binding("up", "cursor_up", "Up", show=False),
        Binding("down", "cursor_down", "Down", show=False),
        Binding("pageup", "page_up", "Page up", show=False),
        Binding("pagedown", "page_down", "Page down", show=False),
    ]


class ExceptionsScreen(Screen[None]):
    CSS_PATH = "exceptions_screen.tcss"

    BINDINGS = [
        Binding("escape", "back", "Back", tooltip="Back to the setup lists", id="exceptions.back"),
        Binding("a", "add", "Add time off", tooltip="Vacation, holiday, half day, meeting", id="exceptions.add"),
        Binding("d", "remove", "Remove", tooltip="Remove the highlighted time off", id="exceptions.remove"),
        Binding("ctrl+r", "reload", "Reload", tooltip="Fetch the list again", id="exceptions.reload"),
    ]

    def __init__(self, gateway: Gateway, provider: su.Provider, can_manage: bool) -> None:
        super().__init__()
        self.gateway = gateway
        self.provider = provider
        self.can_manage = can_manage
        self.exceptions: list[su.ScheduleException] = []

    def compose(self) -> ComposeResult:
        yield Static(f"Time off · {provider_name(self.provider)}", id="exceptions-title", markup=False)
        yield Static("Loading…", id="exceptions-message", markup=False)
        yield ExceptionTable(id="exceptions-table", cursor_type="row", zebra_stripes=True)
        yield Footer()

    def on_mount(self) -> None:
        table = self.query_one(ExceptionTable)
        for label, width in COLUMNS:
            table.add_column(label, width=width)
        table.focus()
        self.load()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "add":
            return self.can_manage
        if action == "remove":
            return self.can_manage and self.current() is not None
        return True

    def current(self) -> su.ScheduleException | None:
        table = self.query_one(ExceptionTable)
        if not self.exceptions or not 0 <= table.cursor_row < len(self.exceptions):
            return None
        return self.exceptions[table.cursor_row]

    @gateway_call
    async def load(self, select_id: int = 0) -> None:
        since = formatting.today() - timedelta(days=PAST_DAYS)
        self.exceptions = await self.gateway.list_exceptions(self.provider.provider_id, from_date=since)
        table = self.query_one(ExceptionTable)
        table.clear()
        for exception in self.exceptions:
            table.add_row(
                EXCEPTION_KIND_WORDS.get(exception.kind, "?"),
                exception_dates(exception),
                exception_times(exception),
                self.provider.last_name if exception.provider_id else Text("whole practice", style="bold"),
                fit(exception.note, COLUMNS[4][1]),
                key=str(exception.exception_id),
            )
            if exception.exception_id == select_id:
                table.move_cursor(row=table.row_count - 1)
        since_text = formatting.calendar_date_of(since)
        keys = " A adds, D removes." if self.can_manage else ""
        count = f"{len(self.exceptions)} {'entry' if len(self.exceptions) == 1 else 'entries'}"
        self.say(
            f"{count} from {since_text} on.{keys}" if self.exceptions else f"No time off from {since_text} on.{keys}",
            info=True,
        )
        self.refresh_bindings()

    @on(DataTable.RowHighlighted, "#exceptions-table")
    def _highlighted(self) -> None:
        self.refresh_bindings()

    def action_reload(self) -> None:
        self.load()

    def action_back(self) -> None:
        self.dismiss(None)

    def action_add(self) -> None:
        def added(exception: su.ScheduleException | None) -> None:
            if exception is not None:
                self.app.notify(
                    f"Added {EXCEPTION_KIND_WORDS.get(exception.kind, 'time off')} {exception_dates(exception)}."
                )
                self.load(select_id=exception.exception_id)
            self.query_one(ExceptionTable).focus()

        self.app.push_screen(AddExceptionScreen(self.gateway, self.provider), added)

    def action_remove(self) -> None:
        exception = self.current()
        if exception is None:
            return
        whose = "the whole practice" if not exception.provider_id else provider_name(self.provider)
        question = (
            f"Remove the {EXCEPTION_KIND_WORDS.get(exception.kind, 'time off')} of {whose} on "
            f"{exception_dates(exception)} ({exception_times(exception)})? That time becomes bookable "
            "again where the template allows."
        )

        def remove_if_confirmed(yes: bool | None) -> None:
            if yes:
                self.remove_from_schedule(exception)
            self.query_one(ExceptionTable).focus()

        self.app.push_screen(ConfirmScreen("Remove time off", question, "Remove"), remove_if_confirmed)

    @gateway_call
    async def remove_from_schedule(self, exception: su.ScheduleException) -> None:
        await self.gateway.remove_exception(exception.exception_id)
        self.app.notify(f"Removed the time off on {exception_dates(exception)}.")
        self.load()

    def say(self, text: str, info: bool = False) -> None:
        message = self.query_one("#exceptions-message", Static)
        message.update(text)
        message.set_class(info, "-info")

    def show_inline_error(self, error: GatewayError) -> bool:
        self.say(describe(error))
        return True

"""A business day's sheet: charges, patient payments by method, insurance, adjustments, write-offs, refunds and
deposits, for the whole day and for each user who posted; and closing the day. Y on the ERAs opens it
(``reports.day_sheet``).

The day is the server's today unless another is typed (Enter shows it; blank: today). An open day's figures are the
ledger's as they are now; a closed day's are the sheet stored when it was closed, and the line above the table says
when and by whom. Ctrl+K closes the shown day (``deposits.manage``) after asking once: its sheet is stored and never
changes, and what is posted for it afterwards lands on the next open day. Every figure is the server's.
"""

from __future__ import annotations

import uuid
from datetime import date

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal
from textual.screen import Screen
from textual.widgets import DataTable, Footer, Input, Label, Static

from client_tui import formatting
from client_tui.errors import describe
from client_tui.gateway import Gateway, GatewayError
from client_tui.screens.confirm_screen import ConfirmScreen
from client_tui.typed_values import UnreadableValue, calendar_day_from_text
from client_tui.widgets.status_line import StatusLine
from client_tui.workers import gateway_call
from shared import dates
from shared.pms.auth.v1 import auth_pb2
from shared.pms.deposits.v1 import deposits_pb2 as dp

FIGURES: list[tuple[str, str]] = [
    ("Charges", "charges_cents"),
    ("Charges reversed", "charge_reversals_cents"),
    ("Cash", "cash_cents"),
    ("Check", "check_cents"),
    ("Card", "card_cents"),
    ("Payments reversed", "payment_reversals_cents"),
    ("Insurance payments", "insurance_payments_cents"),
    ("Contractual", "contractual_cents"),
    ("Write-offs", "write_offs_cents"),
    ("Refunds", "refunds_cents"),
    ("Deposits", "deposits_cents"),
    ("Entries", "entry_count"),
]
FIGURE_WIDTH = 20
AMOUNT_WIDTH = 11


def figure(totals: dp.DayTotals, field: str, bold: bool = False) -> Text:
    value = getattr(totals, field)
    text = str(value) if field == "entry_count" else formatting.dollars(value)
    return Text(text, justify="right", style="bold" if bold else "")


def state_line(sheet: dp.DaySheet) -> str:
    day = formatting.calendar_date(sheet.business_date)
    if sheet.closed:
        return (f"Day sheet of {day} · closed at {formatting.moment(sheet.closed_at)} by {sheet.closed_by}: "
                "these are the figures stored then.")
    return f"Day sheet of {day} · open: the figures are the ledger's as they are now."


def close_question(day: date) -> str:
    return (f"Close {formatting.calendar_date_of(day)}? Its sheet is stored as it is now and never changes; "
            "anything posted for this day afterwards lands on the next open day.")


class DaySheetScreen(Screen[None]):
    CSS_PATH = "day_sheet_screen.tcss"

    BINDINGS = [
        Binding("escape", "back", "Back", tooltip="Back to the ERAs", id="day.back"),
        # Priority: the day's input would take Ctrl+K as "delete to the end".
        Binding("ctrl+k", "close_day", "Close day", tooltip="Close the day shown: its sheet is stored (asks first)",
                id="day.close", priority=True),
        Binding("ctrl+r", "reload", "Reload", tooltip="Fetch the day sheet again", id="day.reload"),
    ]

    def __init__(self, gateway: Gateway, session: auth_pb2.Session) -> None:
        super().__init__()
        self.gateway = gateway
        self.session = session
        self.sheet: dp.DaySheet | None = None
        self.close_key: tuple[date, str] | None = None

    def compose(self) -> ComposeResult:
        yield StatusLine(self.gateway, self.session)
        with Horizontal(id="day-pick"):
            yield Label("Day", classes="day-label")
            yield Input(formatting.calendar_date_of(formatting.today()), id="day-date", compact=True, max_length=10,
                        tooltip="MM/DD/YYYY; Enter shows that day")
            yield Static("Enter shows the day typed.", id="day-hint", markup=False)
        yield Static("Loading the day sheet…", id="day-state", markup=False)
        yield DataTable[str | Text](id="day-table", cursor_type="row", zebra_stripes=True)
        yield Static("", id="day-message", markup=False)
        yield Footer()

    def on_mount(self) -> None:
        self.query_one(DataTable).focus()
        self.load(None)  # the server's today (the practice's time zone)

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "close_day":
            if "deposits.manage" not in self.session.permissions:
                return False
            return True if self.sheet is not None and not self.sheet.closed else None
        return True

    @gateway_call
    async def load(self, day: date | None, then_say: str = "") -> None:
        self.sheet = await self.gateway.get_day_sheet(day)
        self._fill()
        self.say(then_say)

    def _fill(self) -> None:
        sheet = self.sheet
        if sheet is None:
            return
        self.query_one("#day-date", Input).value = formatting.calendar_date(sheet.business_date)
        state = self.query_one("#day-state", Static)
        state.update(state_line(sheet))
        state.set_class(sheet.closed, "-closed")
        table = self.query_one(DataTable)
        table.clear(columns=True)
        table.add_column("Figure", width=FIGURE_WIDTH, key="figure")
        table.add_column("Day", width=AMOUNT_WIDTH, key="day")
        for user in sheet.by_user:
            table.add_column(user.user, width=AMOUNT_WIDTH, key=f"user-{user.user}")
        for label, field in FIGURES:
            table.add_row(label, figure(sheet.totals, field, bold=True),
                          *(figure(user.totals, field) for user in sheet.by_user), key=field)
        self.refresh_bindings()

    def say(self, text: str, error: bool = False) -> None:
        message = self.query_one("#day-message", Static)
        message.update(text)
        message.set_class(error, "-error")

    def show_inline_error(self, error: GatewayError) -> bool:
        self.say(describe(error), error=True)
        return True

    def shown_day(self) -> date | None:
        return dates.from_pb(self.sheet.business_date) if self.sheet is not None else None

    # -- actions -----------------------------------------------------------------------
    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        try:
            day = calendar_day_from_text(event.value)
        except UnreadableValue as error:
            self.say(f"Day: {error}.", error=True)
            return
        self.query_one(DataTable).focus()
        self.load(day)

    def action_close_day(self) -> None:
        day = self.shown_day()
        if "deposits.manage" not in self.session.permissions or day is None or self.sheet is None \
                or self.sheet.closed:
            return

        def answered(yes: bool | None) -> None:
            if yes:
                if self.close_key is None or self.close_key[0] != day:
                    # One key per day closed: closing the same day again after a lost answer closes it once.
                    self.close_key = (day, uuid.uuid4().hex)
                self.close(day, self.close_key[1])

        self.app.push_screen(ConfirmScreen("Close day", close_question(day), "Close day"), answered)

    @gateway_call
    async def close(self, day: date, idempotency_key: str) -> None:
        self.say("Closing…")
        self.sheet = await self.gateway.close_day(day, idempotency_key=idempotency_key)
        self._fill()
        self.say(f"Closed {formatting.calendar_date_of(day)}: its sheet is stored.")

    def action_reload(self) -> None:
        self.load(self.shown_day())

    def action_back(self) -> None:
        self.dismiss()

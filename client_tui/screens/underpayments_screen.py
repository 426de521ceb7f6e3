"""Services a payer allowed less for than its contract says, oldest first: U on the ERAs opens it
(``remittances.post``).

One row per service line: patient, date of service, code, charge, the contract's allowed amount, what the payer
allowed (paid + patient share), how much short, and the payer; the total short (the server's) under it. R fetches
again; Escape goes back.
"""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.screen import Screen
from textual.widgets import DataTable, Footer, Static

from client_tui import formatting
from client_tui.errors import describe
from client_tui.gateway import Gateway, GatewayError
from client_tui.widgets.money_table import fit_columns, money, plural
from client_tui.widgets.status_line import StatusLine
from client_tui.workers import gateway_call
from shared.pms.auth.v1 import auth_pb2
from shared.pms.remittances.v1 import remittances_pb2 as rm

# Fixed widths; the patient takes what is left.
COLUMNS: list[tuple[str, int]] = [("DOS", 10), ("Code", 5), ("Charge", 10), ("Expected", 10), ("Allowed", 10),
                                  ("Short", 9), ("Payer", 12)]
INTRO = ("Services the payers allowed less for than their contracts say, oldest first: money to ask for. Expected "
         "is the contract's allowed amount; Allowed is what the payer paid plus the patient's share.")


def underpayment_row(line: rm.Underpayment) -> list[str | Text]:
    return [
        line.patient_name,
        formatting.calendar_date(line.date_of_service),
        line.code,
        money(line.charge_cents),
        money(line.expected_allowed_cents),
        money(line.allowed_cents),
        Text(formatting.dollars(line.short_cents), justify="right", style="bold"),
        line.payer_name,
    ]


def underpayments_total(answer: rm.ListUnderpaymentsResponse) -> str:
    if not answer.underpayments:
        return "No underpaid services."
    return (f"{plural(len(answer.underpayments), 'underpaid line')} · short "
            f"{formatting.dollars(answer.total_short_cents)}")


class UnderpaymentsScreen(Screen[None]):
    CSS_PATH = "underpayments_screen.tcss"

    BINDINGS = [
        Binding("escape", "back", "Back", tooltip="Back to the ERAs", id="underpayments.back"),
        Binding("r,ctrl+r", "reload", "Reload", key_display="R", tooltip="Fetch the underpayments again",
                id="underpayments.reload"),
    ]

    def __init__(self, gateway: Gateway, session: auth_pb2.Session) -> None:
        super().__init__()
        self.gateway = gateway
        self.session = session
        self.answer: rm.ListUnderpaymentsResponse | None = None

    def compose(self) -> ComposeResult:
        yield StatusLine(self.gateway, self.session)
        yield Static(INTRO, id="underpayments-intro", markup=False)
        yield DataTable[str | Text](id="underpayments-table", cursor_type="row", zebra_stripes=True)
        yield Static("", id="underpayments-totals", markup=False)
        yield Static("Loading the underpayments…", id="underpayments-message", markup=False)
        yield Footer()

    def on_mount(self) -> None:
        self.query_one(DataTable).focus()
        self.load()

    @gateway_call
    async def load(self) -> None:
        self.answer = await self.gateway.list_underpayments()
        self._fill()
        self.query_one("#underpayments-totals", Static).update(underpayments_total(self.answer))
        count = len(self.answer.underpayments)
        self.say(f"The oldest {plural(count, 'underpaid line')} first." if count else "")

    def _fill(self) -> None:
        if self.answer is None:
            return
        table = self.query_one(DataTable)
        row = table.cursor_row
        fit_columns(table, "Patient", COLUMNS, self.size.width)
        for line in self.answer.underpayments:
            table.add_row(*underpayment_row(line), key=str(line.underpayment_id))
        if self.answer.underpayments:
            table.move_cursor(row=min(max(row, 0), len(self.answer.underpayments) - 1))

    def on_resize(self) -> None:
        self._fill()

    def say(self, text: str, error: bool = False) -> None:
        message = self.query_one("#underpayments-message", Static)
        message.update(text)
        message.set_class(error, "-error")

    def show_inline_error(self, error: GatewayError) -> bool:
        self.say(f"Could not fetch the underpayments: {describe(error)}", error=True)
        return True

    def action_reload(self) -> None:
        self.load()

    def action_back(self) -> None:
        self.dismiss()

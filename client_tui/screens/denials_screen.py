"""Denied services waiting for the biller, oldest first: D on the ERAs opens it (``remittances.post``).

One row per denied service line: patient, date of service, code, charge, the payer's reason codes, the suggested
action and the payer. The highlighted line's reasons and remarks show in full under the table, and the line under
that says how many lines and how much charge wait. R fetches again; Escape goes back. Which line is denied, why,
and what to do about it is the server's to say.
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
COLUMNS: list[tuple[str, int]] = [("DOS", 10), ("Code", 5), ("Charge", 10), ("Reasons", 12), ("Action", 14),
                                  ("Payer", 12)]
ACTION_WORDS = {"correct_and_resubmit": "Correct+resend", "appeal": "Appeal", "write_off": "Write off",
                "bill_patient": "Bill patient"}
INTRO = ("Services the payers denied, oldest first, with the reasons and what to do next. The highlighted line's "
         "reasons and remarks show in full below.")


def reason_codes(texts: list[str]) -> str:
    """"CO-50 These are…" → "CO-50"; several joined by commas."""
    return ", ".join(text.split(" ", 1)[0] for text in texts)


def denial_row(denial: rm.Denial) -> list[str | Text]:
    return [
        denial.patient_name,
        formatting.calendar_date(denial.date_of_service),
        denial.code,
        money(denial.charge_cents),
        reason_codes(list(denial.reasons)),
        ACTION_WORDS.get(denial.suggested_action, denial.suggested_action.replace("_", " ")),
        denial.payer_name,
    ]


def denial_detail(denial: rm.Denial) -> str:
    lines = [f"{denial.patient_name} · claim {denial.claim_id} line {denial.line_number} · {denial.code} of "
             f"{formatting.calendar_date(denial.date_of_service)} · {denial.payer_name}"]
    lines += [f"Reason {text}" for text in denial.reasons]
    lines += [f"Remark {text}" for text in denial.remarks]
    return "\n".join(lines)


def denials_total(denials: list[rm.Denial]) -> str:
    if not denials:
        return "No denied services waiting."
    return (f"{plural(len(denials), 'denied line')} · charges "
            f"{formatting.dollars(sum(d.charge_cents for d in denials))}")


class DenialsScreen(Screen[None]):
    CSS_PATH = "denials_screen.tcss"

    BINDINGS = [
        Binding("escape", "back", "Back", tooltip="Back to the ERAs", id="denials.back"),
        Binding("r,ctrl+r", "reload", "Reload", key_display="R", tooltip="Fetch the denials again",
                id="denials.reload"),
    ]

    def __init__(self, gateway: Gateway, session: auth_pb2.Session) -> None:
        super().__init__()
        self.gateway = gateway
        self.session = session
        self.denials: list[rm.Denial] = []
        self.loaded = False

    def compose(self) -> ComposeResult:
        yield StatusLine(self.gateway, self.session)
        yield Static(INTRO, id="denials-intro", markup=False)
        yield DataTable[str | Text](id="denials-table", cursor_type="row", zebra_stripes=True)
        yield Static("", id="denials-detail", markup=False)
        yield Static("", id="denials-totals", markup=False)
        yield Static("Loading the denials…", id="denials-message", markup=False)
        yield Footer()

    def on_mount(self) -> None:
        self.query_one(DataTable).focus()
        self.load()

    @gateway_call
    async def load(self) -> None:
        self.denials = await self.gateway.list_denials()
        self.loaded = True
        self._fill()
        self.query_one("#denials-totals", Static).update(denials_total(self.denials))
        self.say(f"The oldest {plural(len(self.denials), 'denied line')} first." if self.denials else "")

    def _fill(self) -> None:
        table = self.query_one(DataTable)
        row = table.cursor_row
        fit_columns(table, "Patient", COLUMNS, self.size.width)
        for denial in self.denials:
            table.add_row(*denial_row(denial), key=str(denial.denial_id))
        if self.denials:
            table.move_cursor(row=min(max(row, 0), len(self.denials) - 1))
        self._show_detail()

    def _show_detail(self) -> None:
        table = self.query_one(DataTable)
        detail = self.query_one("#denials-detail", Static)
        if self.denials and 0 <= table.cursor_row < len(self.denials):
            detail.update(denial_detail(self.denials[table.cursor_row]))
        else:
            detail.update("")

    def on_resize(self) -> None:
        if self.loaded:
            self._fill()

    def on_data_table_row_highlighted(self) -> None:
        self._show_detail()

    def say(self, text: str, error: bool = False) -> None:
        message = self.query_one("#denials-message", Static)
        message.update(text)
        message.set_class(error, "-error")

    def show_inline_error(self, error: GatewayError) -> bool:
        self.say(f"Could not fetch the denials: {describe(error)}", error=True)
        return True

    def action_reload(self) -> None:
        self.load()

    def action_back(self) -> None:
        self.dismiss()

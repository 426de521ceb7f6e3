"""A patient's account: the ledger line by line with the running balance, the totals, and taking a payment.

B on the patient screen opens it (with ``ledger.read``). Every row is an entry that changed what the account owes,
oldest first: a charge, what insurance paid or wrote off, what moved to the patient, a payment, a credit applied.
P takes a payment (``payments.post``): at the window, by mail, or a copay at check-in kept as credit; after it the
ledger is fetched again and the line under it says where the money went. Ctrl+R fetches again; Escape goes back.
The balances are the server's: nothing is added up here.
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
from client_tui.screens.take_payment_screen import TakePaymentScreen, payment_summary
from client_tui.widgets.status_line import StatusLine
from client_tui.workers import gateway_call
from shared.pms.auth.v1 import auth_pb2
from shared.pms.ledger.v1 import ledger_pb2 as lg
from shared.pms.patients.v1 import patients_pb2
from shared.pms.payments.v1 import payments_pb2 as pm

# Fixed widths, so 100 columns show every one without scrolling sideways.
COLUMNS: list[tuple[str, int]] = [("Date", 10), ("What", 16), ("Code", 5), ("DOS", 10), ("Insurance", 10),
                                  ("Patient", 10), ("Credit", 9), ("Owes", 10)]
KIND_WORDS = {
    "charge": "Charge",
    "charge_reversal": "Charge reversed",
    "patient_payment": "Patient paid",
    "payment_reversal": "Payment reversed",
    "credit_application": "Credit applied",
    "refund": "Refund owed",
    "write_off": "Write-off",
    "insurance_payment": "Insurance paid",
    "transfer": "Moved to patient",
}


def change(cents: int) -> Text:
    """A signed change; blank when the row did not touch that column."""
    return Text(formatting.dollars(cents) if cents else "", justify="right")


def ledger_row(row: lg.PatientLedgerRow) -> list[str | Text]:
    return [
        formatting.calendar_date(row.business_date),
        KIND_WORDS.get(row.kind, row.kind.replace("_", " ")),
        row.code,
        formatting.calendar_date(row.date_of_service),
        change(row.insurance_cents),
        change(row.patient_cents),
        change(row.credit_cents),
        Text(formatting.dollars(row.patient_balance_cents), justify="right",
             style="bold" if row.patient_balance_cents > 0 else ""),
    ]


def totals_line(ledger: lg.GetPatientLedgerResponse) -> str:
    return (f"With insurance {formatting.dollars(ledger.insurance_balance_cents)} · "
            f"Patient owes {formatting.dollars(ledger.patient_balance_cents)} · "
            f"Credit {formatting.dollars(ledger.credit_balance_cents)}")


class PatientAccountScreen(Screen[None]):
    CSS_PATH = "patient_account_screen.tcss"

    BINDINGS = [
        Binding("escape", "back", "Back", tooltip="Back to the patient", id="account.back"),
        Binding("p", "take_payment", "Take payment",
                tooltip="Take a payment or a copay: cash, check or card; applied oldest first or kept as credit",
                id="account.take_payment"),
        Binding("ctrl+r", "reload", "Reload", tooltip="Fetch the ledger again", id="account.reload"),
    ]

    def __init__(self, gateway: Gateway, session: auth_pb2.Session, patient: patients_pb2.Patient) -> None:
        super().__init__()
        self.gateway = gateway
        self.session = session
        self.permissions = set(session.permissions)
        self.patient = patient
        self.ledger: lg.GetPatientLedgerResponse | None = None

    def compose(self) -> ComposeResult:
        yield StatusLine(self.gateway, self.session)
        name = formatting.person_name(self.patient.name)
        yield Static(f"Account of {name} · MRN {self.patient.mrn}", id="account-title", markup=False)
        yield DataTable[str | Text](id="ledger-table", cursor_type="row", zebra_stripes=True)
        yield Static("", id="account-totals", markup=False)
        yield Static("Loading the ledger…", id="account-message", markup=False)
        yield Footer()

    def on_mount(self) -> None:
        table = self.query_one(DataTable)
        for label, width in COLUMNS:
            table.add_column(label, width=width, key=label)
        table.focus()
        self.load()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "take_payment":
            if "payments.post" not in self.permissions:
                return False
            return True if self.ledger is not None else None
        return True

    @gateway_call
    async def load(self, then_say: str = "") -> None:
        ledger = await self.gateway.get_patient_ledger(self.patient.patient_id)
        self.ledger = ledger
        table = self.query_one(DataTable)
        table.clear()
        for row in ledger.rows:
            table.add_row(*ledger_row(row), key=str(row.entry_id))
        if ledger.rows:
            table.move_cursor(row=len(ledger.rows) - 1)
        self.query_one("#account-totals", Static).update(totals_line(ledger))
        if then_say:
            self.say(then_say)
        elif ledger.rows:
            self.say(f"{len(ledger.rows)} entr{'y' if len(ledger.rows) == 1 else 'ies'}, oldest first.")
        else:
            self.say("Nothing on this account yet.")
        self.refresh_bindings()

    def say(self, text: str, error: bool = False) -> None:
        message = self.query_one("#account-message", Static)
        message.update(text)
        message.set_class(error, "-error")

    def show_inline_error(self, error: GatewayError) -> bool:
        self.say(f"Could not fetch the ledger: {describe(error)}", error=True)
        return True

    def action_take_payment(self) -> None:
        if "payments.post" not in self.permissions or self.ledger is None:
            return

        def taken(answer: pm.PostPatientPaymentResponse | None) -> None:
            if answer is not None:
                self.load(payment_summary(answer))
            self.query_one(DataTable).focus()

        self.app.push_screen(TakePaymentScreen(self.gateway, self.patient, self.ledger), taken)

    def action_reload(self) -> None:
        self.load()

    def action_back(self) -> None:
        self.dismiss()

"""The bank deposit: what is waiting (patient payments with their method and check number or card reference, posted
ERAs), chosen item by item, deposited as one. G on the ERAs opens it (``deposits.manage``).

Space chooses or drops the highlighted item; A chooses every one (or drops them all when all are chosen). The line
under the table adds up the choice by method, the way the deposit slip lists it. The deposit date (today unless
typed; left as shown, the server's today) and the bank's slip or transaction reference go under it; Ctrl+S deposits,
once: one user action keeps one idempotency key, so sending the same deposit again after the server could not be
reached deposits it once. What may be deposited (not reversed, not in another deposit, an ERA posted) is the
server's to say. The newest deposits are listed at the bottom. Ctrl+R fetches again; Escape goes back.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal
from textual.screen import Screen
from textual.widgets import DataTable, Footer, Input, Label, Static

from client_tui import formatting
from client_tui.errors import describe
from client_tui.gateway import Gateway, GatewayError, InvalidInput
from client_tui.typed_values import UnreadableValue, calendar_day_from_text
from client_tui.widgets.money_table import fit_columns, money, plural
from client_tui.widgets.status_line import StatusLine
from client_tui.workers import gateway_call
from shared.pms.auth.v1 import auth_pb2
from shared.pms.deposits.v1 import deposits_pb2 as dp
from shared.pms.payments.v1 import payments_pb2 as pm

# Fixed widths; "From" (the patient or the payer) takes what is left.
WAITING_COLUMNS: list[tuple[str, int]] = [("Method", 6), ("Reference", 16), ("Received", 10), ("Amount", 10)]
RECENT_COLUMNS: list[tuple[str, int]] = [("Date", 10), ("Items", 5), ("Cash", 9), ("Check", 9), ("Card", 9),
                                         ("ERAs", 10), ("Total", 10), ("By", 8)]
METHOD_WORDS = {pm.PAYMENT_METHOD_CASH: "Cash", pm.PAYMENT_METHOD_CHECK: "Check", pm.PAYMENT_METHOD_CARD: "Card"}
INTRO = "Waiting for the bank. Space chooses an item, A all of them; Ctrl+S deposits the chosen ones."


@dataclass(frozen=True)
class Waiting:
    """One row of the waiting list: a patient payment or a posted ERA."""

    key: str
    kind: int
    item_id: int
    who: str
    method: str
    reference: str
    received: str
    amount_cents: int


def waiting_items(answer: dp.ListUndepositedResponse) -> list[Waiting]:
    items = [
        Waiting(f"p{p.payment_id}", dp.DEPOSIT_ITEM_KIND_PATIENT_PAYMENT, p.payment_id,
                # The list carries the patient's number only (no name).
                p.patient_name or f"Patient {p.patient_id}", METHOD_WORDS.get(p.method, "?"),
                p.check_number or p.card_reference, formatting.calendar_date(p.received_on), p.amount_cents)
        for p in answer.payments
    ]
    items += [
        Waiting(f"r{r.remittance_id}", dp.DEPOSIT_ITEM_KIND_REMITTANCE, r.remittance_id, r.payer_name, "ERA",
                r.trace_number, formatting.calendar_date(r.payment_date), r.amount_cents)
        for r in answer.remittances
    ]
    return items


def selection_line(items: list[Waiting], chosen: set[str]) -> str:
    picked = [item for item in items if item.key in chosen]
    by = {word: sum(i.amount_cents for i in picked if i.method == word) for word in ("Cash", "Check", "Card", "ERA")}
    return (f"Chosen {len(picked)} of {len(items)}: cash {formatting.dollars(by['Cash'])} · check "
            f"{formatting.dollars(by['Check'])} · card {formatting.dollars(by['Card'])} · ERAs "
            f"{formatting.dollars(by['ERA'])} · total {formatting.dollars(sum(i.amount_cents for i in picked))}")


def deposit_sentence(deposit: dp.Deposit) -> str:
    slip = f", bank reference {deposit.bank_reference}" if deposit.bank_reference else ""
    return (f"Deposit {deposit.deposit_id} of {formatting.calendar_date(deposit.deposit_date)}{slip}: "
            f"{plural(deposit.item_count, 'item')}, {formatting.dollars(deposit.total_cents)} (cash "
            f"{formatting.dollars(deposit.cash_cents)}, check {formatting.dollars(deposit.check_cents)}, card "
            f"{formatting.dollars(deposit.card_cents)}, ERAs {formatting.dollars(deposit.remittance_cents)}).")


def recent_row(deposit: dp.Deposit) -> list[str | Text]:
    return [
        deposit.bank_reference or "—",
        formatting.calendar_date(deposit.deposit_date),
        Text(str(deposit.item_count), justify="right"),
        money(deposit.cash_cents),
        money(deposit.check_cents),
        money(deposit.card_cents),
        money(deposit.remittance_cents),
        Text(formatting.dollars(deposit.total_cents), justify="right", style="bold"),
        deposit.created_by,
    ]


class DepositScreen(Screen[None]):
    CSS_PATH = "deposit_screen.tcss"

    BINDINGS = [
        Binding("escape", "back", "Back", tooltip="Back to the ERAs", id="deposit.back"),
        Binding("space", "choose", "Choose", tooltip="Choose or drop the highlighted item", id="deposit.toggle"),
        Binding("a", "choose_all", "All", tooltip="Choose every waiting item (or drop them all)",
                id="deposit.choose_all"),
        Binding("ctrl+s", "create", "Deposit", tooltip="Deposit the chosen items as one bank deposit",
                id="deposit.create"),
        Binding("ctrl+r", "reload", "Reload", tooltip="Fetch what is waiting and the deposits again",
                id="deposit.reload"),
    ]

    def __init__(self, gateway: Gateway, session: auth_pb2.Session) -> None:
        super().__init__()
        self.gateway = gateway
        self.session = session
        self.items: list[Waiting] = []
        self.chosen: set[str] = set()
        self.deposits: list[dp.Deposit] = []
        self.loaded = False
        self.depositing = False
        self.idempotency_key = ""
        self.last_request: tuple[object, ...] = ()
        # Left as shown, the date is not sent: the server's today (the practice's time zone) is the deposit's.
        self.default_day = formatting.calendar_date_of(formatting.today())

    def compose(self) -> ComposeResult:
        yield StatusLine(self.gateway, self.session)
        yield Static(INTRO, id="deposit-intro", markup=False)
        yield DataTable[str | Text](id="deposit-waiting", cursor_type="row", zebra_stripes=True)
        yield Static("", id="deposit-selection", markup=False)
        with Horizontal(id="deposit-form"):
            yield Label("Deposit date", classes="deposit-label")
            yield Input(self.default_day, id="deposit-date", compact=True, max_length=10,
                        tooltip="MM/DD/YYYY; today unless typed")
            yield Label("Bank reference", classes="deposit-label")
            yield Input(placeholder="the deposit slip or bank transaction number", id="deposit-bank-reference",
                        compact=True, max_length=60)
        yield Static("Loading what is waiting…", id="deposit-message", markup=False)
        yield Static("Recent deposits", id="deposit-recent-title", markup=False)
        yield DataTable[str | Text](id="deposit-recent", cursor_type="row", zebra_stripes=True)
        yield Footer()

    def on_mount(self) -> None:
        self.query_one("#deposit-waiting", DataTable).focus()
        self.load()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action in ("choose", "choose_all"):
            return True if self.items else None
        if action == "create":
            return True if self.chosen else None
        return True

    @gateway_call
    async def load(self, then_say: str = "") -> None:
        answer = await self.gateway.list_undeposited()
        self.deposits = await self.gateway.list_deposits(limit=20)
        self.items = waiting_items(answer)
        self.chosen &= {item.key for item in self.items}
        self.loaded = True
        self._fill()
        if then_say:
            self.say(then_say)
        elif self.items:
            self.say(f"{plural(len(self.items), 'item')} waiting: {formatting.dollars(answer.total_cents)}.")
        else:
            self.say("Nothing is waiting for the bank.")

    def _fill(self) -> None:
        table = self.query_one("#deposit-waiting", DataTable)
        row = table.cursor_row
        # The mark first, then "From" with what the fixed columns leave.
        table.clear(columns=True)
        table.add_column("✓", width=1, key="✓")
        fixed = sum(w for _l, w in WAITING_COLUMNS) + 1 + 2 * table.cell_padding * (len(WAITING_COLUMNS) + 2)
        table.add_column("From", width=max(14, self.size.width - fixed - 1), key="From")
        for label, width in WAITING_COLUMNS:
            table.add_column(label, width=width, key=label)
        for item in self.items:
            table.add_row(*self._row(item), key=item.key)
        if self.items:
            table.move_cursor(row=min(max(row, 0), len(self.items) - 1))
        recent = self.query_one("#deposit-recent", DataTable)
        fit_columns(recent, "Bank reference", RECENT_COLUMNS, self.size.width)
        for deposit in self.deposits:
            recent.add_row(*recent_row(deposit), key=str(deposit.deposit_id))
        self._show_selection()

    def _row(self, item: Waiting) -> list[str | Text]:
        return [
            Text("✓" if item.key in self.chosen else "", style="bold green"),
            item.who,
            item.method,
            item.reference,
            item.received,
            money(item.amount_cents),
        ]

    def _show_selection(self) -> None:
        self.query_one("#deposit-selection", Static).update(selection_line(self.items, self.chosen))
        self.refresh_bindings()

    def on_resize(self) -> None:
        if self.loaded:
            self._fill()

    def say(self, text: str, error: bool = False) -> None:
        message = self.query_one("#deposit-message", Static)
        message.update(text)
        message.set_class(error, "-error")

    def show_inline_error(self, error: GatewayError) -> bool:
        what = "Could not deposit" if self.depositing else "Could not fetch what is waiting"
        self.depositing = False
        self.say(f"{what}: {describe(error)}", error=True)
        if isinstance(error, InvalidInput) and any(v.field == "deposit_date" for v in error.violations):
            self.query_one("#deposit-date", Input).focus()
        return True

    # -- actions -----------------------------------------------------------------------
    def action_choose(self) -> None:
        table = self.query_one("#deposit-waiting", DataTable)
        if not self.items or not 0 <= table.cursor_row < len(self.items):
            return
        item = self.items[table.cursor_row]
        self.chosen ^= {item.key}
        table.update_cell(item.key, "✓", self._row(item)[0])
        if table.cursor_row < len(self.items) - 1:
            table.move_cursor(row=table.cursor_row + 1)
        self._show_selection()

    def action_choose_all(self) -> None:
        every = {item.key for item in self.items}
        self.chosen = set() if self.chosen == every else every
        table = self.query_one("#deposit-waiting", DataTable)
        for item in self.items:
            table.update_cell(item.key, "✓", self._row(item)[0])
        self._show_selection()

    def action_create(self) -> None:
        picked = [item for item in self.items if item.key in self.chosen]
        if not picked:
            self.say("Choose the items to deposit first (Space, or A for all).", error=True)
            return
        typed = self.query_one("#deposit-date", Input).value
        try:
            day = None if typed.strip() == self.default_day else calendar_day_from_text(typed)
        except UnreadableValue as error:
            self.say(f"Deposit date: {error}.", error=True)
            self.query_one("#deposit-date", Input).focus()
            return
        reference = self.query_one("#deposit-bank-reference", Input).value.strip()
        payment_ids = [i.item_id for i in picked if i.kind == dp.DEPOSIT_ITEM_KIND_PATIENT_PAYMENT]
        remittance_ids = [i.item_id for i in picked if i.kind == dp.DEPOSIT_ITEM_KIND_REMITTANCE]
        request = (tuple(payment_ids), tuple(remittance_ids), day, reference)
        if request != self.last_request:
            # Another deposit than the one sent last: a new key (the same one resent keeps its key).
            self.last_request, self.idempotency_key = request, uuid.uuid4().hex
        self.create(payment_ids, remittance_ids, day, reference, self.idempotency_key)

    @gateway_call
    async def create(self, payment_ids: list[int], remittance_ids: list[int], day: date | None, reference: str,
                     idempotency_key: str) -> None:
        self.say("Depositing…")
        self.depositing = True
        deposit = await self.gateway.create_deposit(
            payment_ids, remittance_ids, deposit_date=day, bank_reference=reference, idempotency_key=idempotency_key)
        self.depositing = False
        self.chosen.clear()
        self.last_request = ()
        self.query_one("#deposit-bank-reference", Input).value = ""
        self.query_one("#deposit-waiting", DataTable).focus()
        self.load(deposit_sentence(deposit))

    def action_reload(self) -> None:
        self.load()

    def action_back(self) -> None:
        self.dismiss()

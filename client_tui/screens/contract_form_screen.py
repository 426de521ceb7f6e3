"""Add or edit a payer contract: the payer, a name, the dates it covers, the percentage of the Medicare fee that
prices codes without a rate (with the Medicare locality), and rates imported from a CSV file (code,modifier,allowed).

Every check is the server's (overlapping contracts, codes no release lists, a percentage without its locality);
its violations land beside the fields, a rate's (``rates[3].code``) as the CSV's line number. A save over a
version someone else saved meanwhile is refused; their version is fetched, what only they changed comes into the
form, and Ctrl+S saves the rest over it. A biller sees the contract read only.
"""

from __future__ import annotations

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.containers import Horizontal
from textual.widgets import Button, DataTable, Input, Static

from client_tui import formatting
from client_tui.form_values import FormValues, control_id, explain, reconcile, write_control
from client_tui.gateway import FieldViolation, Gateway, GatewayError, InvalidInput, StaleRecord
from client_tui.pricing_values import (
    CsvProblem,
    CsvRow,
    percent_from_text,
    percent_text,
    rates_from_rows,
    read_csv_file,
)
from client_tui.screens.import_fees_screen import by_line
from client_tui.screens.setup_form_screen import SetupFormScreen
from client_tui.typed_values import DATE_HINT, UnreadableValue, date_from_text
from client_tui.widgets.form_field import FormField, form_error_sentence
from client_tui.widgets.payer_picker import PayerPicker
from client_tui.workers import gateway_call
from shared import dates
from shared.pms.pricing.v1 import pricing_pb2 as pr

PAYER_SEARCH_ID = "contract-payer-search"
LABELS = {
    "payer_id": "the payer",
    "name": "the name",
    "effective_from": "the first day",
    "effective_to": "the last day",
    "medicare_percent": "the Medicare percentage",
    "medicare_contractor": "the Medicare contractor",
    "medicare_locality": "the Medicare locality",
    "rate_count": "the rates",
}


def contract_values(contract: pr.Contract | None) -> FormValues:
    """The form's values for ``contract`` (and the rates' count, to tell whether someone else changed them)."""
    if contract is None:
        return {"payer_id": 0, "name": "", "effective_from": "", "effective_to": "", "medicare_percent": "",
                "medicare_contractor": "", "medicare_locality": "", "rates": "", "rate_count": 0}
    return {
        "payer_id": contract.payer_id,
        "name": contract.name,
        "effective_from": formatting.calendar_date(contract.effective_from),
        "effective_to": formatting.calendar_date(contract.effective_to) if dates.is_set(contract.effective_to) else "",
        "medicare_percent": percent_text(contract.medicare_percent),
        "medicare_contractor": contract.medicare_contractor,
        "medicare_locality": contract.medicare_locality,
        "rates": "",
        "rate_count": len(contract.rates),
    }


class ContractFormScreen(SetupFormScreen[pr.Contract | None]):
    """Dismisses with the saved contract, or None."""

    CSS_PATH = "contract_form_screen.tcss"

    def __init__(self, gateway: Gateway, contract: pr.Contract | None, can_manage: bool = True) -> None:
        super().__init__(gateway)
        # The version the edit started from (None: adding).
        self.contract = contract
        self.can_manage = can_manage
        self.rows: list[CsvRow] = []
        if not can_manage:
            self.FORM_TITLE = "Payer contract (read only)"
        else:
            self.FORM_TITLE = "Edit payer contract" if contract is not None else "Add a payer contract"
        self.SUBMIT_LABEL = "Save" if contract is not None else "Add contract"

    def intro(self) -> str:
        if self.contract is None:
            return "Codes with a rate are expected at the rate; the others at the percentage of the Medicare fee."
        count = len(self.contract.rates)
        return (f"{self.contract.payer_name} · {self.contract.name} · version {self.contract.version} · "
                f"{count} rate{'' if count == 1 else 's'} on file.")

    def compose_fields(self) -> ComposeResult:
        contract = self.contract
        picker = PayerPicker(self.gateway, input_id=PAYER_SEARCH_ID, payer_id=contract.payer_id if contract else 0,
                             label=contract.payer_name if contract else "", id=control_id("payer_id"))
        with Horizontal(classes="form-row"):
            yield FormField("Payer", picker, "payer_id")
            yield self.text("name", "Contract name", "e.g. 2026 commercial", max_length=100)
        with Horizontal(classes="form-row"):
            yield self.text("effective_from", "First day", DATE_HINT, max_length=10)
            yield self.text("effective_to", "Last day", "blank while it runs", max_length=10)
        with Horizontal(classes="form-row"):
            yield self.text("medicare_percent", "% of Medicare", "e.g. 115.00", max_length=8)
            yield self.text("medicare_contractor", "Contractor", "5 digits", max_length=5, restrict=r"[0-9]*")
            yield self.text("medicare_locality", "Locality", "2 digits", max_length=2, restrict=r"[0-9]*")
        if self.can_manage:
            keep = f"blank keeps the {len(contract.rates)} on file" if contract is not None else "blank: no rates"
            yield FormField("Rates CSV file (code,modifier,allowed)",
                            Input(placeholder="/path/to/rates.csv", id=control_id("rates"), compact=True), "rates",
                            hint=f"Allowed per unit in dollars; a file replaces all the rates ({keep}).")
        if contract is not None and contract.rates:
            yield Static("Rates on file (allowed per unit)", classes="contract-rates-label", markup=False)
            rates: DataTable[str | Text] = DataTable(id="contract-rates", cursor_type="row", zebra_stripes=True)
            rates.add_columns("Code", "Mod", "Allowed")
            for rate in contract.rates:
                rates.add_row(rate.code, rate.modifier, Text(formatting.dollars(rate.allowed_cents), justify="right"))
            yield rates

    def fill(self) -> None:
        keys = {f.field_name for f in self.query(FormField)}
        self.write({k: v for k, v in contract_values(self.contract).items() if k in keys and k != "payer_id"})
        self.query_one(f"#{PAYER_SEARCH_ID}", Input).cursor_position = 0  # a long payer name shows its start

    def form_values(self) -> FormValues:
        values = super().form_values()
        values["rate_count"] = len(self.contract.rates) if self.contract is not None else 0
        return values

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        return self.can_manage if action == "submit" else True

    def on_mount(self) -> None:
        super().on_mount()
        if not self.can_manage:
            for form_field in self.query(FormField):
                form_field.control.disabled = True
            self.query_one("#form-submit", Button).display = False
            self.say("Your role reads contracts; a manager changes them. Escape closes.", info=True)
            self.query_one("#form-cancel", Button).focus()
        else:
            self.query_one(f"#{PAYER_SEARCH_ID}", Input).focus()

    @on(PayerPicker.Chosen)
    def _payer_chosen(self, event: PayerPicker.Chosen) -> None:
        if event.by_list:
            self.control("name").focus()

    # -- saving ----------------------------------------------------------------------
    def action_submit(self) -> None:
        if self.can_manage:
            super().action_submit()

    def submit(self) -> None:
        values = self.form_values()
        contract = pr.Contract()
        if self.contract is not None:
            contract.CopyFrom(self.contract)
        contract.payer_id = int(values["payer_id"])
        contract.name = str(values["name"])
        try:
            first = date_from_text(str(values["effective_from"]))
        except UnreadableValue as error:
            self.mark("effective_from", str(error))
            return
        try:
            last = date_from_text(str(values["effective_to"]))
        except UnreadableValue as error:
            self.mark("effective_to", str(error))
            return
        contract.ClearField("effective_from")
        contract.ClearField("effective_to")
        if first is not None:
            contract.effective_from.CopyFrom(first)
        if last is not None:
            contract.effective_to.CopyFrom(last)
        try:
            contract.medicare_percent = percent_from_text(str(values["medicare_percent"]))
        except UnreadableValue as error:
            self.mark("medicare_percent", str(error))
            return
        contract.medicare_contractor = str(values["medicare_contractor"])
        contract.medicare_locality = str(values["medicare_locality"])
        self.rows = []
        if str(values.get("rates", "")):
            try:
                self.rows = read_csv_file(str(values["rates"]), "allowed")
            except CsvProblem as problem:
                self.mark("rates", str(problem))
                return
            del contract.rates[:]
            contract.rates.extend(rates_from_rows(self.rows))
        self.say("Saving…", info=True)
        self.save(contract)

    @gateway_call
    async def save(self, contract: pr.Contract) -> None:
        if contract.contract_id:
            self.dismiss(await self.gateway.update_contract(contract))
        else:
            self.dismiss(await self.gateway.create_contract(contract))

    def show_inline_error(self, error: GatewayError) -> bool:
        if isinstance(error, StaleRecord) and self.contract is not None:
            self.say("Someone else saved this contract first; fetching their version…")
            self.take_their_version(self.contract.contract_id)
            return True
        if isinstance(error, InvalidInput):
            violations = error.violations
            if not self.rows:  # rates kept from the contract: the server's row numbers are its rates'
                violations = [v if not v.field.startswith("rates[") else
                              FieldViolation("rates", f"a rate on file ({v.field}): {v.description}")
                              for v in violations]
            error = InvalidInput(by_line(violations, self.rows, "rates", "rates"))
        self.say(form_error_sentence(self, error, "Not saved: please correct what is marked."))
        return True

    @gateway_call
    async def take_their_version(self, contract_id: int) -> None:
        theirs = await self.gateway.get_contract(contract_id)
        mine = self.form_values()
        result = reconcile(contract_values(self.contract), contract_values(theirs), mine)
        for key, value in result.theirs_taken.items():
            if key == "payer_id":
                self.query_one(PayerPicker).choose(theirs.payer_id, theirs.payer_name)
            elif key not in ("rate_count", "rates"):
                write_control(self.control(key), value)
        self.contract = theirs  # the next save goes over their version
        self.query_one("#form-intro", Static).update(self.intro())
        self.say(explain(result, LABELS, "this contract"))



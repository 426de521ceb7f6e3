"""Admin > Fees: the practice's fee schedule and its payer contracts.

Two lists (←/→ or 1-2 switch): the fees in effect on a date, filtered by code prefix (/ types the filter, Enter
fetches); the payer contracts (payer, name, dates, percentage of Medicare, rates). A manager imports a fee schedule
CSV (I) and adds (A) or edits (Enter) a contract; a biller reads both lists (the server refuses the rest anyway).
"""

from __future__ import annotations

from datetime import date

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.widgets import ContentSwitcher, DataTable, Input, Static

from client_tui import formatting
from client_tui.gateway import Gateway
from client_tui.pricing_values import contract_short_name, percent_words
from client_tui.screens.contract_form_screen import ContractFormScreen
from client_tui.screens.import_fees_screen import ImportFeesScreen
from client_tui.typed_values import UnreadableValue, calendar_day_from_text
from client_tui.widgets.admin_tool import AdminTool
from client_tui.widgets.schedule_setup_panel import SetupTable, fit
from client_tui.workers import gateway_call
from shared import dates
from shared.pms.pricing.v1 import pricing_pb2 as pr

SECTIONS = (("schedule", "Fee schedule"), ("contracts", "Payer contracts"))
SECTION_IDS = [sid for sid, _title in SECTIONS]
FEE_COLUMNS = (("Code", 7), ("Mod", 4), ("Fee", 12), ("Since", 10))
CONTRACT_COLUMNS = (("Payer", 28), ("Contract", 24), ("From", 10), ("To", 10), ("% Medicare", 10), ("Rates", 6))
# The list shows this many fees; a narrower prefix finds the rest.
FEE_LIMIT = 500


class FeeTable(DataTable[str | Text], inherit_bindings=False):
    """The fees in effect: up/down move (a fee is changed by importing a schedule from a date on, not one by one)."""

    BINDINGS = [
        Binding("up", "cursor_up", "Up", show=False),
        Binding("down", "cursor_down", "Down", show=False),
        Binding("pageup", "page_up", "Page up", show=False),
        Binding("pagedown", "page_down", "Page down", show=False),
        Binding("home", "scroll_top", "First", show=False),
        Binding("end", "scroll_bottom", "Last", show=False),
    ]


def money_cell(cents: int) -> Text:
    return Text(formatting.dollars(cents), justify="right")


class FeesPanel(AdminTool):
    DEFAULT_CSS = """
    FeesPanel > #fees-sections {
        height: 1;
        padding: 0 1;
        background: $boost;
    }
    FeesPanel > ContentSwitcher {
        height: 1fr;
    }
    FeesPanel #fees-schedule, FeesPanel #fees-contracts {
        height: 1fr;
    }
    FeesPanel #fees-filter {
        height: 1;
        padding: 0 1;
        margin-bottom: 1;
    }
    FeesPanel .fees-label {
        width: auto;
        margin-right: 1;
        color: $text-muted;
        text-style: bold;
    }
    FeesPanel #fees-on {
        width: 12;
        margin-right: 2;
    }
    FeesPanel #fees-prefix {
        width: 10;
        margin-right: 2;
    }
    FeesPanel #fees-filter-hint {
        width: 1fr;
        color: $text-muted;
    }
    FeesPanel SetupTable, FeesPanel FeeTable {
        height: 1fr;
    }
    FeesPanel > #fees-summary {
        height: 1;
        color: $text-muted;
        padding: 0 1;
        text-wrap: nowrap;
        text-overflow: ellipsis;
    }
    """

    BINDINGS = [
        Binding("left", "section(-1)", "Other list", key_display="←→",
                tooltip="Fee schedule or payer contracts (1-2 too)", id="fees.section"),
        Binding("right", "section(1)", "Next list", show=False),
        Binding("1", "show_section('schedule')", "Fee schedule", show=False),
        Binding("2", "show_section('contracts')", "Payer contracts", show=False),
        Binding("slash", "filter", "Filter", key_display="/", tooltip="Type the date and code prefix of the fees shown",
                id="fees.filter"),
        Binding("i", "import_fees", "Import fees", tooltip="Set fees from a CSV file (code,modifier,fee)",
                id="fees.import"),
        Binding("a", "add_contract", "Add contract", tooltip="Enter a payer's contract", id="fees.add_contract"),
        Binding("e", "edit_contract", "Edit", tooltip="Change the highlighted contract (Enter too)",
                id="fees.edit_contract", show=False),
        Binding("ctrl+r", "reload", "Reload", tooltip="Fetch the lists again", id="fees.reload"),
    ]

    def __init__(self, gateway: Gateway, can_manage: bool, id: str | None = None) -> None:
        super().__init__(gateway, id=id)
        self.can_manage = can_manage
        self.section = "schedule"
        self.fees: list[pr.Fee] = []
        self.contracts: list[pr.ContractSummary] = []
        self.on_date: date = formatting.today()
        self.prefix = ""

    def compose(self) -> ComposeResult:
        yield Static(self._bar(), id="fees-sections")
        with ContentSwitcher(initial="fees-schedule"):
            with Vertical(id="fees-schedule"):
                with Horizontal(id="fees-filter"):
                    yield Static("In effect on", classes="fees-label", markup=False)
                    yield Input(formatting.calendar_date_of(self.on_date), placeholder="MM/DD/YYYY", id="fees-on",
                                compact=True, select_on_focus=True)
                    yield Static("Code", classes="fees-label", markup=False)
                    yield Input(placeholder="prefix", id="fees-prefix", compact=True, select_on_focus=True)
                    yield Static("Enter fetches", id="fees-filter-hint", markup=False)
                table = FeeTable(id="fees-table", cursor_type="row", zebra_stripes=True)
                for label, width in FEE_COLUMNS:
                    table.add_column(label, width=width)
                yield table
            with Vertical(id="fees-contracts"):
                contracts = SetupTable(id="contracts-table", cursor_type="row", zebra_stripes=True)
                for label, width in CONTRACT_COLUMNS:
                    contracts.add_column(label, width=width)
                yield contracts
        yield Static("Loading…", id="fees-summary", markup=False)

    def _bar(self) -> Text:
        bar = Text()
        for number, (sid, title) in enumerate(SECTIONS, 1):
            bar.append(f" {number} {title} ", style="bold reverse" if sid == self.section else "")
        if not self.can_manage:
            bar.append("   read only: your role looks up fees and contracts", style="italic")
        return bar

    def focus_main(self) -> None:
        self.query_one("#fees-table" if self.section == "schedule" else "#contracts-table").focus()

    # -- which list -----------------------------------------------------------------------
    def action_section(self, step: int) -> None:
        index = (SECTION_IDS.index(self.section) + step) % len(SECTION_IDS)
        self.action_show_section(SECTION_IDS[index])

    def action_show_section(self, section: str) -> None:
        self.section = section
        self.query_one(ContentSwitcher).current = f"fees-{section}"
        self.query_one("#fees-sections", Static).update(self._bar())
        self._summarize()
        self.focus_main()
        self.refresh_bindings()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action in {"filter", "import_fees"}:
            return self.section == "schedule" and (action == "filter" or self.can_manage)
        if action == "add_contract":
            return self.section == "contracts" and self.can_manage
        if action == "edit_contract":
            if self.section != "contracts":
                return False
            return None if self.selected_contract() is None else True
        return True

    # -- data -----------------------------------------------------------------------------
    def reload(self) -> None:
        self.load_all()

    def action_reload(self) -> None:
        self.reload()

    @gateway_call
    async def load_all(self) -> None:
        self.fees = await self.gateway.list_fees(self.prefix, self.on_date, limit=FEE_LIMIT)
        self.contracts = await self.gateway.list_contracts()
        self.loaded = True
        self._fill_fees()
        self._fill_contracts()

    @gateway_call
    async def load_fees(self) -> None:
        self.fees = await self.gateway.list_fees(self.prefix, self.on_date, limit=FEE_LIMIT)
        self._fill_fees()

    @gateway_call
    async def load_contracts(self, select: int = 0) -> None:
        self.contracts = await self.gateway.list_contracts()
        self._fill_contracts(select)

    def _fill_fees(self) -> None:
        table = self.query_one("#fees-table", FeeTable)
        table.clear()
        for fee in self.fees:
            table.add_row(fee.code, fee.modifier or "", money_cell(fee.fee_cents),
                          formatting.calendar_date(fee.effective_from))
        self._summarize()

    def _fill_contracts(self, select: int = 0) -> None:
        table = self.query_one("#contracts-table", SetupTable)
        keep = table.cursor_row
        table.clear()
        widths = [w for _label, w in CONTRACT_COLUMNS]
        for c in self.contracts:
            cells = [fit(c.payer_name, widths[0]), fit(contract_short_name(c.payer_name, c.name), widths[1]),
                     formatting.calendar_date(c.effective_from),
                     formatting.calendar_date(c.effective_to) if dates.is_set(c.effective_to) else "open",
                     percent_words(c.medicare_percent), str(c.rate_count)]
            table.add_row(*cells, key=str(c.contract_id))
        ids = [c.contract_id for c in self.contracts]
        if select in ids:
            table.move_cursor(row=ids.index(select))
        elif ids:
            table.move_cursor(row=min(keep, len(ids) - 1))
        self._summarize()
        self.refresh_bindings()

    def _summarize(self) -> None:
        text = ""
        if self.section == "schedule" and self.loaded:
            count = len(self.fees)
            what = f" starting {self.prefix}" if self.prefix else ""
            text = f"{count} fee{'' if count == 1 else 's'}{what} in effect on " \
                   f"{formatting.calendar_date_of(self.on_date)}"
            if count >= FEE_LIMIT:
                text += f" (the first {FEE_LIMIT}: type a code prefix)"
            if self.can_manage:
                text += " · I imports a CSV (code,modifier,fee)"
        elif self.section == "contracts" and self.loaded:
            count = len(self.contracts)
            text = f"{count} contract{'' if count == 1 else 's'}"
            if self.can_manage:
                text += " · A adds one, Enter edits the highlighted one"
        self.query_one("#fees-summary", Static).update(text)

    def selected_contract(self) -> pr.ContractSummary | None:
        table = self.query_one("#contracts-table", SetupTable)
        if not self.contracts or table.row_count == 0 or not 0 <= table.cursor_row < len(self.contracts):
            return None
        return self.contracts[table.cursor_row]

    @on(DataTable.RowHighlighted)
    def _highlighted(self) -> None:
        self.refresh_bindings()

    # -- the filter -------------------------------------------------------------------------
    def action_filter(self) -> None:
        self.query_one("#fees-prefix", Input).focus()

    @on(Input.Submitted, "#fees-on, #fees-prefix")
    def _filter_entered(self, event: Input.Submitted) -> None:
        event.stop()
        try:
            day = calendar_day_from_text(self.query_one("#fees-on", Input).value)
        except UnreadableValue as error:
            self.query_one("#fees-on", Input).add_class("-invalid")
            self.query_one("#fees-summary", Static).update(f"In effect on: {error}")
            return
        self.query_one("#fees-on", Input).remove_class("-invalid")
        self.on_date = day or formatting.today()
        self.prefix = self.query_one("#fees-prefix", Input).value.strip().upper()
        self.query_one("#fees-table").focus()
        self.load_fees()

    # -- actions ---------------------------------------------------------------------------------
    def action_import_fees(self) -> None:
        if self.can_manage:
            self.app.push_screen(ImportFeesScreen(self.gateway), self._fees_imported)

    def _fees_imported(self, result: tuple[int, date] | None) -> None:
        if result is not None:
            count, effective = result
            self.app.notify(f"Set {count} fee{'' if count == 1 else 's'} from "
                            f"{formatting.calendar_date_of(effective)} on.")
            # Show what was set: the fees in effect on its first day.
            self.on_date, self.prefix = effective, ""
            self.query_one("#fees-on", Input).value = formatting.calendar_date_of(effective)
            self.query_one("#fees-prefix", Input).value = ""
            self.load_fees()
        self.focus_main()

    @on(DataTable.RowSelected, "#contracts-table")
    def _contract_chosen(self, event: DataTable.RowSelected) -> None:
        event.stop()
        self.action_edit_contract()

    def action_add_contract(self) -> None:
        if self.can_manage:
            self.app.push_screen(ContractFormScreen(self.gateway, None, self.can_manage), self._contract_saved)

    def action_edit_contract(self) -> None:
        chosen = self.selected_contract()
        if chosen is not None:
            self.open_contract(chosen.contract_id)

    @gateway_call
    async def open_contract(self, contract_id: int) -> None:
        contract = await self.gateway.get_contract(contract_id)
        self.app.push_screen(ContractFormScreen(self.gateway, contract, self.can_manage), self._contract_saved)

    def _contract_saved(self, contract: pr.Contract | None) -> None:
        if contract is not None:
            self.app.notify(f"Saved the contract {contract.payer_name} · {contract.name}.")
            self.load_contracts(contract.contract_id)
        self.focus_main()

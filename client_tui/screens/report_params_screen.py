"""A report's parameters: only the filters the report takes (dates, providers, locations, payers, aging basis).

The dates start at this month (left as shown, they are not sent: the server's this month, in the practice's time
zone, is the report's); no provider, location or payer ticked means all of them. Ctrl+S (or Enter in the last
date) runs the report here, so what the server says about a field (``filter.to``) shows under that field; the form
closes with the table and the filter it was run with.
"""

from __future__ import annotations

from datetime import date

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal
from textual.widgets import Input, Select, SelectionList
from textual.widgets.selection_list import Selection

from client_tui import formatting
from client_tui.gateway import FieldViolation, Gateway, ReportTarget
from client_tui.report_values import AGING_BASIS_CHOICES, month_range, report_filter
from client_tui.schedule_values import provider_column
from client_tui.screens.form_screen import FormScreen
from client_tui.typed_values import UnreadableValue, calendar_day_from_text
from client_tui.widgets.form_field import FormField, show_violations
from client_tui.widgets.payer_picker import payer_label
from client_tui.workers import gateway_call
from shared.pms.reports.v1 import reports_pb2 as rp

# What a custom report takes (aging is the aging reports' own).
CUSTOM_FILTERS = ("dates", "providers", "locations", "payers")

RunResult = tuple[rp.ReportTable, rp.ReportFilter]


class PickList(SelectionList[int]):
    DEFAULT_CSS = """
    PickList {
        height: auto;
        max-height: 6;
        border: tall $border-blurred;
    }
    PickList:focus {
        border: tall $border;
    }
    """


class ReportParamsScreen(FormScreen[RunResult | None]):
    """Dismisses with the table run and its filter, or None."""

    CSS_PATH = "report_params_screen.tcss"
    SUBMIT_LABEL = "Run"
    BINDINGS = [
        Binding("escape", "cancel", "Cancel", tooltip="Close without running", id="form.cancel"),
        Binding("ctrl+s", "submit", "Run", tooltip="Run the report (Enter in To does too)", id="form.submit"),
    ]
    # Enter in From goes to To, and in To runs the report (Tab reaches the lists).
    KEY_FIELDS = ("report-from", "report-to")

    def __init__(self, gateway: Gateway, target: ReportTarget, title: str, description: str,
                 filters: tuple[str, ...] | list[str], start_with: rp.ReportFilter | None = None) -> None:
        super().__init__()
        self.gateway = gateway
        self.target = target
        self.report_title = title
        self.description = description
        self.filters = tuple(filters)
        self.start_with = start_with or rp.ReportFilter()
        self.FORM_TITLE = f"Run: {title}"
        self.running = False
        self.default_dates = self._starting_dates()

    def _starting_dates(self) -> tuple[str, str]:
        flt = self.start_with
        start, end = month_range(formatting.today())
        if flt.HasField("from") or flt.HasField("to"):
            start_pb, end_pb = getattr(flt, "from"), flt.to
            return formatting.calendar_date(start_pb), formatting.calendar_date(end_pb)
        return formatting.calendar_date_of(start), formatting.calendar_date_of(end)

    def compose_fields(self) -> ComposeResult:
        if "dates" in self.filters:
            start, end = self._starting_dates()
            with Horizontal(id="report-dates"):
                yield FormField("From (MM/DD/YYYY)", Input(start, placeholder="MM/DD/YYYY", id="report-from",
                                                           compact=True, max_length=10), "filter.from")
                yield FormField("To", Input(end, placeholder="MM/DD/YYYY", id="report-to", compact=True,
                                            max_length=10), "filter.to")
        if "aging_basis" in self.filters:
            basis = self.start_with.aging_basis or rp.AGING_BASIS_DATE_OF_SERVICE
            yield FormField("Age balances from", Select(AGING_BASIS_CHOICES, value=basis, allow_blank=False,
                                                        id="report-aging-basis", compact=True), "filter.aging_basis")
        if "providers" in self.filters:
            yield FormField("Providers (Space ticks; none ticked: all)", PickList(id="report-providers"),
                            "filter.provider_ids")
        if "locations" in self.filters:
            yield FormField("Locations (none ticked: all)", PickList(id="report-locations"), "filter.location_ids")
        if "payers" in self.filters:
            yield FormField("Payers (none ticked: all)", PickList(id="report-payers"), "filter.payer_ids")

    def on_mount(self) -> None:
        super().on_mount()
        if any(f in self.filters for f in ("providers", "locations", "payers")):
            self.load_choices()
        controls = self.field_controls()
        if controls:
            controls[0].focus()
        else:
            self.query_one("#form-submit").focus()

    @gateway_call
    async def load_choices(self) -> None:
        flt = self.start_with
        if "providers" in self.filters:
            providers = await self.gateway.list_providers()
            self._fill("#report-providers", [(provider_column(p), p.provider_id) for p in providers],
                       set(flt.provider_ids))
        if "locations" in self.filters:
            locations = await self.gateway.list_locations()
            self._fill("#report-locations", [(loc.name, loc.location_id) for loc in locations],
                       set(flt.location_ids))
        if "payers" in self.filters:
            payers = await self.gateway.search_payers("", limit=500)
            self._fill("#report-payers", [(payer_label(p.name, p.electronic_payer_id), p.payer_id) for p in payers],
                       set(flt.payer_ids))

    def _fill(self, selector: str, choices: list[tuple[str, int]], ticked: set[int]) -> None:
        picker = self.query_one(selector, PickList)
        picker.clear_options()
        picker.add_options([Selection(label, value, value in ticked) for label, value in choices])

    def _ticked(self, selector: str) -> list[int]:
        found = self.query(selector)
        return list(found.first(PickList).selected) if found else []

    def _day(self, selector: str, field: str, bad: list[FieldViolation]) -> date | None:
        found = self.query(selector)
        if not found:
            return None
        try:
            return calendar_day_from_text(found.first(Input).value)
        except UnreadableValue as error:
            bad.append(FieldViolation(field, str(error)))
            return None

    def chosen_filter(self) -> rp.ReportFilter | None:
        bad: list[FieldViolation] = []
        start = self._day("#report-from", "filter.from", bad)
        end = self._day("#report-to", "filter.to", bad)
        if not self.start_with.HasField("from") and not self.start_with.HasField("to") and self.query("#report-from") \
                and (self.query_one("#report-from", Input).value.strip(),
                     self.query_one("#report-to", Input).value.strip()) == self.default_dates:
            start = end = None
        if bad:
            show_violations(self, bad)
            self.say("Please correct the dates marked.")
            return None
        basis = self.query("#report-aging-basis")
        aging = basis.first(Select).value if basis else 0
        return report_filter(start, end, self._ticked("#report-providers"), self._ticked("#report-locations"),
                             self._ticked("#report-payers"), aging if isinstance(aging, int) else 0)

    def submit(self) -> None:
        if self.running:
            return
        flt = self.chosen_filter()
        if flt is not None:
            self.run_report(flt)

    @gateway_call
    async def run_report(self, flt: rp.ReportFilter) -> None:
        self.running = True
        self.say("Running…", info=True)
        try:
            table = await self.gateway.run_report(self.target, flt)
        finally:
            self.running = False
        self.dismiss((table, flt))


"""One report's result: the server's table with its columns formatted by kind, the totals row set apart at the bottom,
the notes under it, and for aging reports the buckets as a bar chart.

S sorts by the column under the cursor (again: the other way); the totals row stays last. E exports the report as
CSV or PDF into a folder (a progress bar while it streams), F changes the parameters and runs it again, Ctrl+R runs it
again as it is, C shows or hides the chart.
"""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.screen import Screen
from textual.widgets import DataTable, Footer, Static

from client_tui import formatting
from client_tui.errors import describe
from client_tui.gateway import Gateway, GatewayError, ReportTarget
from client_tui.report_values import aging_totals, cell, column_width, is_aging, sorted_rows
from client_tui.screens.export_report_screen import ExportReportScreen
from client_tui.screens.report_params_screen import ReportParamsScreen, RunResult
from client_tui.widgets.money_table import plural
from client_tui.widgets.report_charts import AgingChart
from client_tui.widgets.status_line import StatusLine
from client_tui.workers import gateway_call
from shared.pms.auth.v1 import auth_pb2
from shared.pms.reports.v1 import reports_pb2 as rp

TOTALS_KEY = "totals"
TOTALS_STYLE = "bold reverse"


class ReportResultScreen(Screen[None]):
    CSS_PATH = "report_result_screen.tcss"

    BINDINGS = [
        Binding("escape", "back", "Back", tooltip="Back to the list of reports", id="result.back"),
        Binding("s", "sort", "Sort", tooltip="Sort by the column under the cursor; again for the other way",
                id="result.sort"),
        Binding("e", "export", "Export", tooltip="Save the report as a CSV or PDF file", id="result.export"),
        Binding("f", "change_filter", "Parameters", tooltip="Change the dates and filters and run it again",
                id="result.filter"),
        Binding("c", "toggle_chart", "Chart", tooltip="Show or hide the chart of the aging buckets",
                id="result.chart"),
        Binding("ctrl+r", "rerun", "Run again", tooltip="Run the report again with the same parameters",
                id="result.rerun"),
    ]

    def __init__(self, gateway: Gateway, session: auth_pb2.Session, target: ReportTarget, table: rp.ReportTable,
                 report_filter: rp.ReportFilter, description: str = "", filters: tuple[str, ...] = ()) -> None:
        super().__init__()
        self.gateway = gateway
        self.session = session
        self.target = target
        self.table = table
        self.report_filter = report_filter
        self.description = description
        self.filters = filters
        self.sort_column = -1
        self.descending = False
        self.rows: list[rp.Row] = list(table.rows)

    def compose(self) -> ComposeResult:
        yield StatusLine(self.gateway, self.session)
        yield Static("", id="result-title", markup=False)
        yield Static("", id="result-subtitle", markup=False)
        yield DataTable[Text](id="result-table", cursor_type="cell", zebra_stripes=True)
        yield Static("", id="result-notes", markup=False)
        yield AgingChart(id="result-chart")
        yield Static("", id="result-message", markup=False)
        yield Footer()

    def on_mount(self) -> None:
        self.show_table(self.table)
        self.query_one(DataTable).focus()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "toggle_chart":
            return is_aging(self.table)
        if action == "change_filter":
            return bool(self.filters)
        return True

    # -- the table ---------------------------------------------------------------------------
    def show_table(self, table: rp.ReportTable) -> None:
        self.table = table
        self.rows = list(table.rows)
        if self.sort_column >= len(table.columns):
            self.sort_column = -1
        if self.sort_column >= 0:
            self.rows = sorted_rows(self.rows, self.sort_column, self.descending)
        self.query_one("#result-title", Static).update(table.title)
        generated = formatting.moment(table.generated_at)
        subtitle = f"{table.subtitle} · {plural(len(table.rows), 'row')}"
        self.query_one("#result-subtitle", Static).update(f"{subtitle} · run {generated}" if generated else subtitle)
        notes = self.query_one("#result-notes", Static)
        notes.update("\n".join(f"• {note}" for note in table.notes))
        notes.display = bool(table.notes)
        self._fill(keep_cursor=False)
        chart = self.query_one(AgingChart)
        chart.display = is_aging(table)
        if chart.display:
            buckets = aging_totals(table)
            chart.show_buckets(f"{table.title}: owed by age (days)", [label for label, _ in buckets],
                               [("Owed", [cents for _, cents in buckets])])
        self.refresh_bindings()

    def _fill(self, keep_cursor: bool = True) -> None:
        data = self.query_one(DataTable)
        cursor = data.cursor_coordinate
        data.clear(columns=True)
        for index, column in enumerate(self.table.columns):
            arrow = (" ▼" if self.descending else " ▲") if index == self.sort_column else ""
            label = Text(column.title + arrow, justify="right" if cell(column, rp.Value()).justify == "right"
                         else "left")
            data.add_column(label, width=column_width(column, self.table), key=f"c{index}")
        for number, row in enumerate(self.rows):
            data.add_row(*self._cells(row), key=f"r{number}")
        if self.table.HasField("totals") and self.table.totals.values:
            data.add_row(*self._cells(self.table.totals, TOTALS_STYLE), key=TOTALS_KEY)
        if keep_cursor and data.row_count:
            data.move_cursor(row=min(cursor.row, data.row_count - 1), column=cursor.column)
        if not self.rows:
            self.say("Nothing to show for these parameters.")

    def _cells(self, row: rp.Row, style: str = "") -> list[Text]:
        columns = self.table.columns
        return [cell(columns[i], row.values[i] if i < len(row.values) else rp.Value(), style)
                for i in range(len(columns))]

    def say(self, text: str, error: bool = False) -> None:
        message = self.query_one("#result-message", Static)
        message.update(text)
        message.set_class(error, "-error")

    def show_inline_error(self, error: GatewayError) -> bool:
        self.say(describe(error), error=True)
        return True

    # -- actions -----------------------------------------------------------------------------
    def action_sort(self) -> None:
        data = self.query_one(DataTable)
        column = data.cursor_coordinate.column
        if not 0 <= column < len(self.table.columns):
            return
        self.descending = not self.descending if column == self.sort_column else False
        self.sort_column = column
        self.rows = sorted_rows(list(self.table.rows), column, self.descending)
        self._fill()
        way = "down" if self.descending else "up"
        self.say(f"Sorted by {self.table.columns[column].title}, {way} (S again reverses); the totals stay last.")

    def action_toggle_chart(self) -> None:
        if is_aging(self.table):
            chart = self.query_one(AgingChart)
            chart.display = not chart.display

    def action_export(self) -> None:
        def saved(said: str | None) -> None:
            if said is not None:
                self.say(said)

        self.app.push_screen(ExportReportScreen(self.gateway, self.target, self.report_filter, self.table.title),
                             saved)

    def action_change_filter(self) -> None:
        if not self.filters:
            return

        def ran(result: RunResult | None) -> None:
            if result is not None:
                self.report_filter = result[1]
                self.show_table(result[0])
                self.say("Run again with the new parameters.")

        self.app.push_screen(ReportParamsScreen(self.gateway, self.target, self.table.title, self.description,
                                                self.filters, self.report_filter), ran)

    def action_rerun(self) -> None:
        self.say("Running…")
        self.rerun()

    @gateway_call
    async def rerun(self) -> None:
        self.show_table(await self.gateway.run_report(self.target, self.report_filter))
        self.say("Run again: these are the figures as they are now.")

    def action_back(self) -> None:
        self.dismiss()

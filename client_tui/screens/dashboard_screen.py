"""The practice's dashboard: each KPI this month against last month and its goal (green when met, red when missed),
a year of monthly trends and what is owed by age, insurance beside patient. Every figure is the server's.

P and N step to the previous and next month; T cycles the trend between charges and collections, A/R, and days in
A/R; Ctrl+R fetches it again.
"""

from __future__ import annotations

from datetime import date

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Grid, Horizontal
from textual.screen import Screen
from textual.widgets import Footer, Static

from client_tui import formatting
from client_tui.errors import describe
from client_tui.gateway import Gateway, GatewayError
from client_tui.report_values import goal_words, kpi_change, kpi_value, month_label
from client_tui.widgets.report_charts import AgingChart, TrendChart
from client_tui.widgets.status_line import StatusLine
from client_tui.workers import gateway_call
from shared import dates
from shared.pms.auth.v1 import auth_pb2
from shared.pms.reports.v1 import reports_pb2 as rp

TRENDS = ("money", "ar", "days")


def add_months(day: date, months: int) -> date:
    year, month = divmod(day.year * 12 + day.month - 1 + months, 12)
    return date(year, month + 1, 1)


def tile_text(kpi: rp.Kpi) -> Text:
    text = Text()
    judged = kpi.has_goal and not kpi.this_month_missing
    verdict = ("bold green" if kpi.meets_goal else "bold red") if judged else "dim"
    if kpi.this_month_missing:
        text.append("no figure yet", style="dim")
    else:
        text.append(kpi_value(kpi, kpi.this_month), style=verdict if judged else "bold")
    last = "no figure" if kpi.last_month_missing else kpi_value(kpi, kpi.last_month)
    text.append(f"\nlast month {last}")
    text.append(f"\n{kpi_change(kpi)}", style="dim")
    text.append(f"\n{goal_words(kpi)}", style=verdict)
    return text


class KpiTile(Static):
    DEFAULT_CSS = """
    KpiTile {
        height: 6;
        border: round $border-blurred;
        border-title-style: bold;
        border-title-color: $text;
        padding: 0 1;
    }
    KpiTile.-met {
        border: round $success;
    }
    KpiTile.-missed {
        border: round $error;
    }
    """

    def show(self, kpi: rp.Kpi) -> None:
        self.border_title = kpi.title
        self.update(tile_text(kpi))
        judged = kpi.has_goal and not kpi.this_month_missing
        self.set_class(judged and kpi.meets_goal, "-met")
        self.set_class(judged and not kpi.meets_goal, "-missed")


class DashboardScreen(Screen[None]):
    CSS_PATH = "dashboard_screen.tcss"

    BINDINGS = [
        Binding("escape", "back", "Back", tooltip="Back to the list of reports", id="dashboard.back"),
        Binding("p", "month(-1)", "Previous month", tooltip="The month before the one shown", id="dashboard.previous"),
        Binding("n", "month(1)", "Next month", tooltip="The month after the one shown", id="dashboard.next"),
        Binding("t", "next_trend", "Trend", tooltip="Charges and collections, A/R, or days in A/R",
                id="dashboard.trend"),
        Binding("ctrl+r", "reload", "Reload", tooltip="Fetch the dashboard again", id="dashboard.reload"),
    ]

    def __init__(self, gateway: Gateway, session: auth_pb2.Session) -> None:
        super().__init__()
        self.gateway = gateway
        self.session = session
        self.this_month = formatting.today().replace(day=1)
        self.month = self.this_month
        self.trend = "money"
        self.dashboard: rp.GetDashboardResponse | None = None

    def compose(self) -> ComposeResult:
        yield StatusLine(self.gateway, self.session)
        yield Static("Loading the dashboard…", id="dashboard-title", markup=False)
        yield Grid(id="dashboard-kpis")
        with Horizontal(id="dashboard-charts"):
            yield TrendChart(id="dashboard-trend")
            yield AgingChart(id="dashboard-aging")
        yield Static("", id="dashboard-message", markup=False)
        yield Footer()

    def on_mount(self) -> None:
        self.load()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "month" and parameters == (1,):
            return True if self.month < self.this_month else None
        return True

    @gateway_call
    async def load(self) -> None:
        # This month: the server's (the practice's time zone); another one is named.
        self.dashboard = await self.gateway.get_dashboard(None if self.month == self.this_month else self.month)
        self.say("")
        await self._show()

    async def _show(self) -> None:
        board = self.dashboard
        if board is None:
            return
        shown = dates.from_pb(board.trend[-1].month) if board.trend else self.month
        if shown is not None:
            self.month = shown.replace(day=1)
        when = formatting.moment(board.generated_at)
        self.query_one("#dashboard-title", Static).update(
            f"Dashboard · {self.month:%B %Y} against {add_months(self.month, -1):%B %Y}"
            + (f" · as of {when}" if when else ""))
        grid = self.query_one("#dashboard-kpis", Grid)
        tiles = list(grid.query(KpiTile))
        if len(tiles) != len(board.kpis):
            await grid.remove_children()
            tiles = [KpiTile(id=f"kpi-{k.key}", markup=False) for k in board.kpis]
            await grid.mount_all(tiles)
        for tile, kpi in zip(tiles, board.kpis, strict=True):
            tile.show(kpi)
        self._draw_trend()
        aging = self.query_one(AgingChart)
        aging.show_buckets("Owed by age (days)", [b.label for b in board.aging],
                           [("Insurance", [b.insurance_cents for b in board.aging]),
                            ("Patient", [b.patient_cents for b in board.aging])])
        self.refresh_bindings()

    def _draw_trend(self) -> None:
        board = self.dashboard
        if board is None:
            return
        months = [month_label(d) if (d := dates.from_pb(p.month)) else "" for p in board.trend]
        chart = self.query_one(TrendChart)
        if self.trend == "money":
            chart.show_lines("Charges and collections by month", months,
                             [("Charges", [p.charges_cents for p in board.trend]),
                              ("Collections", [p.collections_cents for p in board.trend])])
        elif self.trend == "ar":
            chart.show_lines("A/R at each month's end", months, [("A/R", [p.ar_cents for p in board.trend])])
        else:
            chart.show_lines("Days in A/R at each month's end (goal < 35)", months,
                             [("Days in A/R", [p.days_in_ar_tenths for p in board.trend])], money=False)

    def say(self, text: str, error: bool = False) -> None:
        message = self.query_one("#dashboard-message", Static)
        message.update(text)
        message.set_class(error, "-error")

    def show_inline_error(self, error: GatewayError) -> bool:
        self.say(describe(error), error=True)
        return True

    # -- actions -------------------------------------------------------------------------
    def action_month(self, step: int) -> None:
        wanted = add_months(self.month, step)
        if wanted > self.this_month:
            return
        self.month = wanted
        self.say(f"Loading {wanted:%B %Y}…")
        self.load()

    def action_next_trend(self) -> None:
        self.trend = TRENDS[(TRENDS.index(self.trend) + 1) % len(TRENDS)]
        self._draw_trend()

    def action_reload(self) -> None:
        self.load()

    def action_back(self) -> None:
        self.dismiss()

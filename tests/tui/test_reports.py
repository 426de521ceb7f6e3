"""Reports mode (Ctrl+E), typed with keys against the fake gateway: the grouped list, a report's parameters and its
result (formatted columns, the totals row, sorting), a field error from the server, exporting with a progress bar,
the dashboard's KPIs, and custom reports built, refused and deleted."""

from __future__ import annotations

from pathlib import Path

from textual.pilot import Pilot
from textual.widgets import DataTable, Input, ProgressBar, Select, SelectionList, Static

from client_tui.app import PmsApp
from client_tui.gateway import PermissionDenied
from client_tui.screens.confirm_screen import ConfirmScreen
from client_tui.screens.custom_report_screen import CustomReportScreen
from client_tui.screens.dashboard_screen import DashboardScreen, KpiTile
from client_tui.screens.export_report_screen import ExportReportScreen
from client_tui.screens.report_params_screen import ReportParamsScreen
from client_tui.screens.report_result_screen import TOTALS_KEY, ReportResultScreen
from client_tui.widgets.report_charts import AgingChart
from client_tui.widgets.reports_panel import ReportList, ReportsPanel
from shared.pms.reports.v1 import reports_pb2 as rp

from .fake_gateway import FakeGateway
from .helpers import enter_as, field_error, text_of, wait_for

SIZE = (120, 40)


async def reports_mode(pilot: Pilot[None], fake: FakeGateway, user: str = "mary",
                       password: str = "manager-pass") -> ReportsPanel:
    fake.grant_report_permissions()
    await enter_as(pilot, user, password)
    await pilot.press("ctrl+e")
    panel = pilot.app.screen.query_one(ReportsPanel)
    await wait_for(pilot, lambda: panel.loaded)
    await pilot.pause()
    return panel


def listed(panel: ReportsPanel) -> list[str]:
    listing = panel.query_one(ReportList)
    return [str(listing.get_option_at_index(i).prompt).strip() for i in range(listing.option_count)]


async def highlight(pilot: Pilot[None], panel: ReportsPanel, option_id: str) -> None:
    listing = panel.query_one(ReportList)
    listing.highlighted = listing.get_option_index(option_id)
    await pilot.pause()


async def run_from_list(pilot: Pilot[None], panel: ReportsPanel, option_id: str) -> ReportResultScreen:
    await highlight(pilot, panel, option_id)
    await pilot.press("enter")
    await wait_for(pilot, lambda: isinstance(pilot.app.screen, ReportParamsScreen))
    await pilot.pause()
    await pilot.press("ctrl+s")
    await wait_for(pilot, lambda: isinstance(pilot.app.screen, ReportResultScreen))
    screen = pilot.app.screen
    assert isinstance(screen, ReportResultScreen)
    await pilot.pause()
    return screen


def shown_rows(screen: ReportResultScreen) -> list[list[str]]:
    data = screen.query_one(DataTable)
    return [[str(c) for c in data.get_row_at(i)] for i in range(data.row_count)]


async def test_the_list_is_grouped_with_descriptions(fake: FakeGateway) -> None:
    async with PmsApp(fake).run_test(size=SIZE) as pilot:
        panel = await reports_mode(pilot, fake)
        assert listed(panel) == [
            "Receivables", "A/R aging: insurance", "Days in A/R", "Money", "Collections", "Claims",
            "Denial rate by payer", "Appointments", "No-shows and cancellations by patient",
            "Custom reports", "Charges by payer"]
        # The first report is highlighted (group headers are skipped) and described.
        description = panel.query_one("#reports-description", Static)
        assert text_of(description).startswith("What each payer owes, by age of the balance.")
        assert "Filters: providers, locations, payers, aging basis." in text_of(description)
        await pilot.press("down")
        assert text_of(description).startswith("How many days of charges are still owed")
        await highlight(pilot, panel, "c:1")
        assert text_of(description).startswith("Custom report by mary; shared with biller.")
        # Mary owns it: she may change and delete it.
        assert panel.check_action("edit_custom", ()) is True and panel.check_action("delete_custom", ()) is True


async def test_a_provider_sees_no_patient_reports_and_cannot_build_any(fake: FakeGateway) -> None:
    fake.add_account("doc", "Dr Doc", ["provider"], "provider-pass")
    async with PmsApp(fake).run_test(size=SIZE) as pilot:
        panel = await reports_mode(pilot, fake, "doc", "provider-pass")
        assert "No-shows and cancellations by patient" not in listed(panel)
        assert "Custom reports" not in listed(panel)  # mary's is shared with billers only
        assert panel.check_action("new_custom", ()) is False


async def test_run_a_report_sort_it_and_keep_the_totals_last(fake: FakeGateway) -> None:
    async with PmsApp(fake).run_test(size=SIZE) as pilot:
        panel = await reports_mode(pilot, fake)
        await highlight(pilot, panel, "r:collections")
        await pilot.press("enter")
        await wait_for(pilot, lambda: isinstance(pilot.app.screen, ReportParamsScreen))
        params = pilot.app.screen
        # This month by default; only the filters the report takes.
        assert params.query_one("#report-from", Input).value == "11/01/2026"
        assert params.query_one("#report-to", Input).value == "11/30/2026"
        assert not params.query("#report-aging-basis")
        await wait_for(pilot, lambda: params.query_one("#report-providers", SelectionList).option_count == 4)
        await pilot.press("enter", "enter")  # From, then To runs it
        await wait_for(pilot, lambda: isinstance(pilot.app.screen, ReportResultScreen))
        screen = pilot.app.screen
        assert isinstance(screen, ReportResultScreen)
        await pilot.pause()
        _target, sent = fake.report_requests["run_report"][-1]
        # Left as shown, the dates are not sent: the server's this month is the report's.
        assert not sent.HasField("from") and not sent.HasField("to") and not sent.provider_ids
        assert text_of(screen.query_one("#result-title", Static)) == "Collections"
        assert shown_rows(screen) == [
            ["Lee, Anna", "$4,850.00", "$960.00", "$2,625.00", "$410.00", "$3,035.00", "78.61%"],
            ["Patel, Raj", "$3,125.00", "$580.00", "$1,710.00", "$225.00", "$1,935.00", "76.03%"],
            ["(not on a visit)", "$0.00", "$0.00", "$0.00", "$65.00", "$65.00", "—"],
            ["Total", "$7,975.00", "$1,540.00", "$4,335.00", "$700.00", "$5,035.00", "—"],
        ]
        data = screen.query_one(DataTable)
        totals = data.get_row(TOTALS_KEY)
        assert all("bold" in str(c.style) and "reverse" in str(c.style) for c in totals)
        assert all(c.justify == "right" for c in data.get_row_at(0)[1:])
        assert "Net collection: collected / (charges - contractual)." in text_of(screen.query_one("#result-notes",
                                                                                                   Static))
        assert not screen.query_one(AgingChart).display  # no chart for this one

        data.move_cursor(column=5)  # Collected
        await pilot.press("s")
        assert [r[0] for r in shown_rows(screen)] == ["(not on a visit)", "Patel, Raj", "Lee, Anna", "Total"]
        assert str(data.columns[data.ordered_columns[5].key].label) == "Collected ▲"
        await pilot.press("s")
        assert [r[0] for r in shown_rows(screen)] == ["Lee, Anna", "Patel, Raj", "(not on a visit)", "Total"]
        assert "Sorted by Collected, down" in text_of(screen.query_one("#result-message", Static))
        data.move_cursor(column=6)  # the rate: the empty one goes last whichever way
        await pilot.press("s", "s")
        assert [r[0] for r in shown_rows(screen)] == ["Lee, Anna", "Patel, Raj", "(not on a visit)", "Total"]

        # F: other parameters (one provider) run it again in place.
        await pilot.press("f")
        await wait_for(pilot, lambda: isinstance(pilot.app.screen, ReportParamsScreen))
        params = pilot.app.screen
        providers = params.query_one("#report-providers", SelectionList)
        await wait_for(pilot, lambda: providers.option_count == 4)
        providers.select(2)
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: pilot.app.screen is screen)
        await pilot.pause()
        assert [r[0] for r in shown_rows(screen)] == ["Patel, Raj", "Total"]
        assert list(fake.report_requests["run_report"][-1][1].provider_ids) == [2]

        await pilot.press("escape")
        assert pilot.app.screen.query_one(ReportsPanel) is panel


async def test_the_servers_field_error_shows_under_the_field(fake: FakeGateway) -> None:
    async with PmsApp(fake).run_test(size=SIZE) as pilot:
        panel = await reports_mode(pilot, fake)
        await highlight(pilot, panel, "r:collections")
        await pilot.press("enter")
        await wait_for(pilot, lambda: isinstance(pilot.app.screen, ReportParamsScreen))
        params = pilot.app.screen
        params.query_one("#report-from", Input).value = "11/30/2026"
        params.query_one("#report-to", Input).value = "11/01/2026"
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: field_error(params, "filter.to") != "")
        assert field_error(params, "filter.to") == "must be on or after the start date"
        assert isinstance(pilot.app.screen, ReportParamsScreen)
        # A date that cannot be read is caught before asking.
        params.query_one("#report-from", Input).value = "13/45/2026"
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert field_error(params, "filter.from") != ""


async def test_an_aging_report_takes_its_basis_and_draws_its_buckets(fake: FakeGateway) -> None:
    async with PmsApp(fake).run_test(size=SIZE) as pilot:
        panel = await reports_mode(pilot, fake)
        await highlight(pilot, panel, "r:ar_aging_insurance")
        await pilot.press("enter")
        await wait_for(pilot, lambda: isinstance(pilot.app.screen, ReportParamsScreen))
        params = pilot.app.screen
        assert not params.query("#report-from")  # aging is as of today: no dates
        params.query_one("#report-aging-basis", Select).value = rp.AGING_BASIS_DATE_BILLED
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: isinstance(pilot.app.screen, ReportResultScreen))
        screen = pilot.app.screen
        assert isinstance(screen, ReportResultScreen)
        await pilot.pause()
        assert fake.report_requests["run_report"][-1][1].aging_basis == rp.AGING_BASIS_DATE_BILLED
        assert shown_rows(screen)[-1] == ["Total", "$4,340.00", "$1,250.00", "$480.00", "$125.00", "$505.00",
                                          "$6,700.00"]
        chart = screen.query_one(AgingChart)
        assert chart.display
        await pilot.press("c")
        assert not chart.display


async def test_export_streams_into_a_new_file_with_a_progress_bar(fake: FakeGateway, tmp_path: Path) -> None:
    async with PmsApp(fake).run_test(size=SIZE) as pilot:
        panel = await reports_mode(pilot, fake)
        result = await run_from_list(pilot, panel, "r:collections")
        await pilot.press("e")
        await wait_for(pilot, lambda: isinstance(pilot.app.screen, ExportReportScreen))
        form = pilot.app.screen
        assert isinstance(form, ExportReportScreen)
        assert form.query_one("#save-folder", Input).value.endswith("pms-exports")
        folder = tmp_path / "exports"
        form.query_one("#save-folder", Input).value = str(folder)
        (folder).mkdir()
        (folder / "collections.csv").write_text("someone else's")  # never overwritten
        bar = form.query_one("#save-progress", ProgressBar)
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: pilot.app.screen is result)
        written = folder / "collections-2.csv"
        assert written.read_text().splitlines()[0] == ("Provider,Charges,Contractual,Insurance paid,Patient paid,"
                                                      "Collected,Net collection")
        assert written.read_text().splitlines()[-1] == ('Total,"$7,975.00","$1,540.00","$4,335.00",$700.00,'
                                                        '"$5,035.00",—')
        assert (folder / "collections.csv").read_text() == "someone else's"
        # The bar followed the chunks to the end.
        assert len(fake.export_progress) > 3 and fake.export_progress[-1][0] == fake.export_progress[-1][1]
        assert bar.total == bar.progress == fake.export_progress[-1][1]
        assert text_of(result.query_one("#result-message", Static)).startswith(f"Saved {written} (")

        # PDF this time; the folder used last is offered again.
        await pilot.press("e")
        await wait_for(pilot, lambda: isinstance(pilot.app.screen, ExportReportScreen))
        form = pilot.app.screen
        assert form.query_one("#save-folder", Input).value == str(folder.resolve())
        form.query_one("#export-format", Select).value = rp.EXPORT_FORMAT_PDF
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: pilot.app.screen is result)
        assert (folder / "collections.pdf").read_bytes().startswith(b"%PDF")


async def test_the_dashboard_shows_kpis_against_goals(fake: FakeGateway) -> None:
    async with PmsApp(fake).run_test(size=SIZE) as pilot:
        await reports_mode(pilot, fake)
        await pilot.press("d")
        await wait_for(pilot, lambda: isinstance(pilot.app.screen, DashboardScreen)
                       and len(pilot.app.screen.query(KpiTile)) == 8)
        screen = pilot.app.screen
        await pilot.pause()
        tiles = {t.id: t for t in screen.query(KpiTile)}
        days = tiles["kpi-days_in_ar"]
        assert str(days.render()).splitlines() == ["38.4", "last month 36.2", "▲ 2.2", "goal < 35.0 · missed"]
        assert days.has_class("-missed") and days.border_title == "Days in A/R"
        clean = tiles["kpi-clean_claim_rate"]
        assert str(clean.render()).splitlines() == ["96.10%", "last month 94.20%", "▲ 1.90 pts", "goal ≥ 95.00% · met"]
        assert clean.has_class("-met")
        charges = tiles["kpi-charges"]
        assert str(charges.render()).splitlines()[0] == "$7,975.00" and not charges.has_class("-met", "-missed")
        assert "November 2026 against October 2026" in text_of(screen.query_one("#dashboard-title", Static))
        # This month is the newest: N is greyed out until P went back.
        assert screen.check_action("month", (1,)) is None
        await pilot.press("p")
        await wait_for(pilot, lambda: fake.report_requests["get_dashboard"][-1] != (None,))
        assert fake.report_requests["get_dashboard"][-1][0].isoformat() == "2026-10-01"
        await pilot.press("t", "t")
        assert screen.trend == "days"


async def test_build_a_custom_report_then_delete_it(fake: FakeGateway) -> None:
    async with PmsApp(fake).run_test(size=SIZE) as pilot:
        panel = await reports_mode(pilot, fake)
        await pilot.press("n")
        await wait_for(pilot, lambda: isinstance(pilot.app.screen, CustomReportScreen))
        form = pilot.app.screen
        measures = form.query_one("#custom-measures", SelectionList)
        await wait_for(pilot, lambda: measures.option_count == 3)
        await pilot.press(*"Visits by month")
        await pilot.press("ctrl+s")  # no measure ticked: the server says so under Measures
        await wait_for(pilot, lambda: field_error(form, "definition.measures") != "")
        assert field_error(form, "definition.measures") == "choose at least one measure"
        measures.select("visits")
        form.query_one("#custom-dimensions", SelectionList).select("month")
        await pilot.pause()
        sort_by = form.query_one("#custom-sort-by", Select)
        sort_by.value = "month"
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: pilot.app.screen is not form)
        await wait_for(pilot, lambda: "Visits by month" in listed(panel))
        saved = fake.custom_reports[2]
        assert list(saved.definition.measures) == ["visits"] and list(saved.definition.dimensions) == ["month"]
        assert saved.definition.sort_by == "month" and saved.owner == "mary"
        assert panel.highlighted_id() == "c:2"
        assert "Saved the custom report" in text_of(panel.query_one("#reports-message", Static))

        # Run it: the dates, providers, locations and payers of any custom report.
        result = await run_from_list(pilot, panel, "c:2")
        assert shown_rows(result)[-1] == ["Total", "$2,835.00", "—"]
        await pilot.press("escape")

        await pilot.press("delete")
        await wait_for(pilot, lambda: isinstance(pilot.app.screen, ConfirmScreen))
        await pilot.press("y")
        await wait_for(pilot, lambda: "Visits by month" not in listed(panel))
        assert 2 not in fake.custom_reports


async def test_someone_elses_report_is_run_not_changed(fake: FakeGateway) -> None:
    fake.add_account("rob", "Rob Manager", ["manager"], "manager-pass")
    async with PmsApp(fake).run_test(size=SIZE) as pilot:
        panel = await reports_mode(pilot, fake, "rob", "manager-pass")
        assert "Custom reports" not in listed(panel)  # mary's is shared with billers only
        fake.custom_reports[1].definition.shared_with_roles.append("manager")
        await pilot.press("ctrl+r")
        await wait_for(pilot, lambda: "Custom reports" in listed(panel))
        assert listed(panel)[-1] == "Charges by payer  (by mary)"
        await highlight(pilot, panel, "c:1")
        assert panel.check_action("delete_custom", ()) is None  # not his: greyed out
        assert panel.check_action("edit_custom", ()) is None


async def test_a_refusal_reads_as_a_sentence(fake: FakeGateway) -> None:
    async with PmsApp(fake).run_test(size=SIZE) as pilot:
        panel = await reports_mode(pilot, fake)
        await highlight(pilot, panel, "c:1")
        await pilot.press("e")
        await wait_for(pilot, lambda: isinstance(pilot.app.screen, CustomReportScreen))
        form = pilot.app.screen
        dimensions = form.query_one("#custom-dimensions", SelectionList)
        await wait_for(pilot, lambda: dimensions.option_count == 3)
        assert form.query_one("#custom-title", Input).value == "Charges by payer"
        assert list(form.query_one("#custom-measures", SelectionList).selected) == ["charges", "visits"]
        assert form.query_one("#custom-sort-by", Select).value == "charges"
        fake.report_fail_on["save_custom_report"] = PermissionDenied(
            "The Patient dimension names patients; your role may not use it.")
        dimensions.select("patient")
        await pilot.press("ctrl+s")
        message = form.query_one("#form-message", Static)
        await wait_for(pilot, lambda: text_of(message) != "" and text_of(message) != "Saving…")
        assert text_of(message) == "The Patient dimension names patients; your role may not use it."
        assert pilot.app.screen is form


async def test_every_action_is_in_the_command_palette(fake: FakeGateway) -> None:
    async with PmsApp(fake).run_test(size=SIZE) as pilot:
        await reports_mode(pilot, fake)
        await pilot.press("f2")  # from another mode, the palette still offers the dashboard
        shell = pilot.app.screen
        offered = {f"{c.prefix}{c.binding.description}" for c in shell.commands_elsewhere()}  # type: ignore[attr-defined]
        assert {"Reports: Dashboard", "Reports: New custom"} <= offered
        await pilot.press("ctrl+p")
        await pilot.pause()
        await pilot.press(*"dashboard")
        await pilot.pause(0.3)
        await pilot.press("enter")
        await wait_for(pilot, lambda: isinstance(pilot.app.screen, DashboardScreen))


def test_a_kpi_without_a_figure_is_neither_met_nor_missed() -> None:
    from client_tui.screens.dashboard_screen import tile_text
    from shared.pms.reports.v1 import reports_pb2 as rp
    kpi = rp.Kpi(key="denial_rate", title="Denial rate", kind=rp.COLUMN_KIND_PERCENT, scale=2, has_goal=True,
                 goal=500, lower_is_better=True, this_month_missing=True, last_month=420)
    shown = tile_text(kpi).plain
    assert shown.splitlines() == ["no figure yet", "last month 4.20%", "", "goal < 5.00%"]

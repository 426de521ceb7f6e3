"""Admin > Fees (Ctrl+F) against the fake gateway, keys only, at 80x24: the fee schedule with a CSV import, payer
contracts added and edited (with a stale version), and a biller's read-only view."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from textual.pilot import Pilot
from textual.widgets import Button, DataTable, Input, OptionList, Static

from client_tui.app import PmsApp
from client_tui.screens.contract_form_screen import ContractFormScreen
from client_tui.screens.import_fees_screen import ImportFeesScreen
from client_tui.widgets.fees_panel import FeesPanel
from shared import dates
from shared.pms.pricing.v1 import pricing_pb2 as pr

from .fake_gateway import FakeGateway
from .helpers import collect_notifications, enter_as, field_error, text_of, wait_for

SIZE = (80, 24)


async def open_fees(pilot: Pilot[None], username: str = "mary", password: str = "manager-pass") -> FeesPanel:
    await enter_as(pilot, username, password)
    await pilot.press("ctrl+f")
    panel = pilot.app.screen.query_one(FeesPanel)
    await wait_for(pilot, lambda: panel.loaded and panel.query_one("#fees-table", DataTable).row_count > 0)
    await pilot.pause()
    return panel


def fee_rows(panel: FeesPanel) -> list[list[str]]:
    table = panel.query_one("#fees-table", DataTable)
    return [[str(cell) for cell in table.get_row_at(i)] for i in range(table.row_count)]


async def test_the_fee_schedule_lists_fees_in_effect_on_a_date_by_code_prefix(fake: FakeGateway) -> None:
    app = PmsApp(fake)
    async with app.run_test(size=SIZE) as pilot:
        panel = await open_fees(pilot)
        assert ["99213", "", "$125.00", "01/01/2026"] in fee_rows(panel)
        assert "6 fees in effect on 11/03/2026" in text_of(panel.query_one("#fees-summary", Static))
        # / types the filter: the code prefix, then Shift+Tab to the date; Enter fetches.
        await pilot.press("slash", *"9921", "enter")
        await wait_for(pilot, lambda: len(fee_rows(panel)) == 3)
        await pilot.press("slash", "shift+tab", *"01/15/2027", "enter")
        await wait_for(pilot, lambda: ["99213", "", "$130.00", "01/01/2027"] in fee_rows(panel))
        assert fake.requests["list_fees"][-1][:2] == ("9921", date(2027, 1, 15))


async def test_a_manager_imports_a_fee_schedule_csv(fake: FakeGateway, tmp_path: Path) -> None:
    csv = tmp_path / "fees.csv"
    csv.write_text("code,modifier,fee\n99213,,140.00\n99214,25,\"$1,205.5\"\n\n36415,,12\n")
    app = PmsApp(fake)
    notes = collect_notifications(app)
    async with app.run_test(size=SIZE) as pilot:
        panel = await open_fees(pilot)
        await pilot.press("i")
        await wait_for(pilot, lambda: isinstance(app.screen, ImportFeesScreen))
        await pilot.press(*str(csv), "enter", *"02/01/2027", "enter")
        await wait_for(pilot, lambda: not isinstance(app.screen, ImportFeesScreen))
        effective, sent = fake.requests["set_fees"][-1]
        assert effective.isoformat() == "2027-02-01"
        assert [(f.code, f.modifier, f.fee_cents) for f in sent] == [
            ("99213", "", 14_000), ("99214", "25", 120_550), ("36415", "", 1_200)]
        assert "Set 3 fees from 02/01/2027 on." in notes
        # The list shows the fees in effect on the new date.
        await wait_for(pilot, lambda: ["99213", "", "$140.00", "02/01/2027"] in fee_rows(panel))
        assert panel.query_one("#fees-on", Input).value == "02/01/2027"


async def test_the_servers_objections_name_the_csv_line(fake: FakeGateway, tmp_path: Path) -> None:
    csv = tmp_path / "fees.csv"
    csv.write_text("code,modifier,fee\n99213,,140.00\n99999,,10.00\n")
    app = PmsApp(fake)
    async with app.run_test(size=SIZE) as pilot:
        await open_fees(pilot)
        await pilot.press("i")
        await wait_for(pilot, lambda: isinstance(app.screen, ImportFeesScreen))
        screen = app.screen
        # A fee that cannot be read is caught before anything is sent, with its line.
        bad = tmp_path / "bad.csv"
        bad.write_text("99213,,140.00\n99214,,12x\n")
        await pilot.press(*str(bad), "ctrl+s")
        await wait_for(pilot, lambda: "line 2" in field_error(screen, "file"))
        assert "\"12x\" is not dollars and cents" in field_error(screen, "file")
        assert "set_fees" not in fake.requests
        # The server's fees[1].code is line 3 of the file (the header is line 1).
        screen.query_one("#file", Input).value = str(csv)
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: "line 3 (99999): code: 99999 is in no CPT" in field_error(screen, "file"))
        assert isinstance(app.screen, ImportFeesScreen)
        assert "Nothing was set" in text_of(screen.query_one("#form-message", Static))


async def test_a_manager_adds_a_contract_with_rates_from_a_csv(fake: FakeGateway, tmp_path: Path) -> None:
    rates = tmp_path / "rates.csv"
    rates.write_text("99213,,92.00\n99214,,131.50\n")
    app = PmsApp(fake)
    async with app.run_test(size=SIZE) as pilot:
        panel = await open_fees(pilot)
        await pilot.press("2")
        contracts = panel.query_one("#contracts-table", DataTable)
        assert contracts.has_focus and contracts.row_count == 2
        assert [str(c) for c in contracts.get_row_at(0)] == ["Aetna", "2026 commercial", "01/01/2026", "open", "—",
                                                              "3"]
        await pilot.press("a")
        await wait_for(pilot, lambda: isinstance(app.screen, ContractFormScreen))
        screen = app.screen
        await pilot.press(*"cigna")
        await wait_for(pilot, lambda: screen.query_one("#contract-payer-search-found", OptionList).option_count == 1)
        await pilot.press("enter", *"2027 open access", "enter", *"01/01/2027", "enter", "enter", *"115", "enter",
                          *"15202", "enter", *"00", "enter", *str(rates), "enter")
        await wait_for(pilot, lambda: not isinstance(app.screen, ContractFormScreen))
        sent: pr.Contract = fake.requests["create_contract"][-1][0]
        assert (sent.payer_id, sent.name, sent.medicare_percent, sent.medicare_contractor,
                sent.medicare_locality) == (5, "2027 open access", 11_500, "15202", "00")
        assert dates.is_set(sent.effective_from) and not dates.is_set(sent.effective_to)
        assert [(r.code, r.modifier, r.allowed_cents) for r in sent.rates] == [("99213", "", 9_200),
                                                                                ("99214", "", 13_150)]
        await wait_for(pilot, lambda: contracts.row_count == 3)
        assert contracts.cursor_row == 2  # Cigna's new one, after its ended one
        assert [str(c) for c in contracts.get_row_at(2)][1:] == ["2027 open access", "01/01/2027", "open", "115%", "2"]


async def test_a_contract_edited_meanwhile_takes_their_changes_and_saves_over_them(fake: FakeGateway) -> None:
    app = PmsApp(fake)
    async with app.run_test(size=SIZE) as pilot:
        await open_fees(pilot)
        await pilot.press("2", "enter")
        await wait_for(pilot, lambda: isinstance(app.screen, ContractFormScreen))
        screen = app.screen
        assert "3 rates on file" in text_of(screen.query_one("#form-intro", Static))
        fake.someone_else_edits_contract(1)
        screen.query_one("#effective-to", Input).focus()
        await pilot.press(*"12/31/2026", "ctrl+s")
        await wait_for(pilot, lambda: "Someone else saved this contract" in text_of(
            screen.query_one("#form-message", Static)) and "their values are now in the form" in text_of(
            screen.query_one("#form-message", Static)))
        assert screen.query_one("#name", Input).value == "2026 commercial (amended)"
        assert screen.query_one("#effective-to", Input).value == "12/31/2026"
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: not isinstance(app.screen, ContractFormScreen))
        sent: pr.Contract = fake.requests["update_contract"][-1][0]
        assert (sent.version, sent.name, len(sent.rates)) == (2, "2026 commercial (amended)", 3)
        assert dates.from_pb(sent.effective_to).isoformat() == "2026-12-31"  # type: ignore[union-attr]


async def test_a_biller_reads_fees_and_contracts_but_changes_nothing(fake: FakeGateway) -> None:
    fake.add_account("bea", "Bea Biller", ["biller"], "biller-pass")
    app = PmsApp(fake)
    async with app.run_test(size=SIZE) as pilot:
        panel = await open_fees(pilot, "bea", "biller-pass")
        assert "read only" in text_of(panel.query_one("#fees-sections", Static))
        assert panel.check_action("import_fees", ()) is False
        await pilot.press("i")
        await pilot.pause()
        assert not isinstance(app.screen, ImportFeesScreen)
        await pilot.press("2")
        assert panel.check_action("add_contract", ()) is False
        await pilot.press("enter")
        await wait_for(pilot, lambda: isinstance(app.screen, ContractFormScreen))
        screen = app.screen
        assert not screen.query_one("#form-submit", Button).display
        assert screen.query_one("#name", Input).disabled
        await pilot.press("ctrl+s", "escape")
        await wait_for(pilot, lambda: not isinstance(app.screen, ContractFormScreen))
        assert "update_contract" not in fake.requests and "set_fees" not in fake.requests

"""ERAs in Billing mode (E in the claims worklist): import a file, preview it, post it, typed with keys, against the
fake gateway."""

from __future__ import annotations

from pathlib import Path

from textual.pilot import Pilot
from textual.widgets import DataTable, Input, Static

from client_tui.app import PmsApp
from client_tui.screens.confirm_screen import ConfirmScreen
from client_tui.screens.import_remittance_screen import ImportRemittanceScreen
from client_tui.screens.match_claim_screen import MatchClaimScreen
from client_tui.screens.remittances_screen import RemittancePreviewScreen, RemittancesScreen
from client_tui.widgets.claims_panel import ClaimsPanel

from .fake_gateway import FakeGateway
from .fake_payments import ERA_FILE
from .helpers import enter_as, field_error, text_of, wait_for

SIZE = (100, 30)


def rows(table: DataTable) -> list[list[str]]:  # type: ignore[type-arg]
    return [[str(c) for c in table.get_row_at(i)] for i in range(table.row_count)]


async def claims_view(pilot: Pilot[None], fake: FakeGateway, role: str = "biller") -> ClaimsPanel:
    fake.add_account("bea", "Bea Biller", [role], "biller-pass")
    await enter_as(pilot, "bea", "biller-pass")
    await wait_for(pilot, lambda: pilot.app.screen.query_one("#worklist", DataTable).row_count == 2)
    await pilot.press("c")
    claims = pilot.app.screen.query_one(ClaimsPanel)
    await wait_for(pilot, lambda: claims.query_one("#claims-table", DataTable).row_count == 8)
    return claims


async def eras_shown(pilot: Pilot[None], fake: FakeGateway) -> RemittancesScreen:
    await claims_view(pilot, fake)
    await pilot.press("e")
    await wait_for(pilot, lambda: isinstance(pilot.app.screen, RemittancesScreen) and pilot.app.screen.loaded)
    screen = pilot.app.screen
    assert isinstance(screen, RemittancesScreen)
    return screen


async def import_file(pilot: Pilot[None], path: Path) -> ImportRemittanceScreen:
    await pilot.press("i")
    await wait_for(pilot, lambda: isinstance(pilot.app.screen, ImportRemittanceScreen))
    form = pilot.app.screen
    assert isinstance(form, ImportRemittanceScreen)
    form.query_one("#era-path", Input).value = str(path)
    await pilot.press("enter")
    return form


async def test_import_preview_and_post_an_era(fake: FakeGateway, tmp_path: Path) -> None:
    era_file = tmp_path / "aetna_1102.835"
    era_file.write_bytes(ERA_FILE)
    async with PmsApp(fake).run_test(size=SIZE) as pilot:
        screen = await eras_shown(pilot, fake)
        table = screen.query_one("#eras-table", DataTable)
        assert rows(table) == [["Aetna", "EFT20261020A", "10/20/2026", "$80.00", "Posted", "1", ""]]
        assert screen.check_action("post", ()) is None  # posted already: greyed out

        await import_file(pilot, era_file)
        await wait_for(pilot, lambda: pilot.app.screen is screen and table.row_count == 2)
        message = screen.query_one("#eras-message", Static)
        await wait_for(pilot, lambda: "Imported" in text_of(message))
        assert text_of(message) == ("Imported ERA EFT20261102B from Aetna ($150.00): 3 claim payments, 1 exception. "
                                    "Enter previews it.")
        assert fake.requests["import_remittance_file"][-1] == (era_file,)
        assert rows(table)[0] == ["Aetna", "EFT20261102B", "11/02/2026", "$150.00", "Imported", "3", "1"]
        assert table.cursor_row == 0

        await pilot.press("enter")
        await wait_for(pilot, lambda: isinstance(pilot.app.screen, RemittancePreviewScreen)
                       and pilot.app.screen.detail is not None)
        preview = pilot.app.screen
        assert isinstance(preview, RemittancePreviewScreen)
        claims = rows(preview.query_one("#era-claims", DataTable))
        assert claims[0] == ["Johnson, Maria", "10/08/2026", "4", "$150.00", "$45.00", "$20.00", "", "Ready"]
        assert claims[1] == ["Smith, Jonathan", "10/12/2026", "3", "$0.00", "$0.00", "$0.00", "$125.00", "Ready"]
        assert claims[2][2] == "—" and claims[2][-1] == "Exception"
        exceptions = text_of(preview.query_one("#era-exceptions", Static))
        assert "PMS-CL999, Doe, Jane, 10/02/2026: No claim we sent has the control number PMS-CL999." in exceptions
        assert "Paid $150.00 · Contractual $45.00 · To patients $20.00 · Denied $125.00" in text_of(
            preview.query_one("#era-header", Static))

        await pilot.press("p")
        await wait_for(pilot, lambda: isinstance(pilot.app.screen, ConfirmScreen))
        assert "2 claim payments post to the ledger. 1 exception stays" in str(
            pilot.app.screen.query_one("#confirm-question", Static).render())
        await pilot.press("n")  # nothing posts on No
        assert "post_remittance" not in fake.requests
        await pilot.press("p")
        await wait_for(pilot, lambda: isinstance(pilot.app.screen, ConfirmScreen))
        await pilot.press("y")
        said = preview.query_one("#era-message", Static)
        await wait_for(pilot, lambda: "Posted" in text_of(said))
        assert text_of(said) == ("Posted 2 claim payments of ERA EFT20261102B (Aetna). 1 exception not posted: it "
                                 "waits for one-by-one work.")
        await wait_for(pilot, lambda: rows(preview.query_one("#era-claims", DataTable))[0][-1] == "Posted")
        assert preview.check_action("post", ()) is None
        assert fake.requests["post_remittance"] == [(2,)]

        # The exception, worked by hand: a claim that does not fit is refused with the reason, the right one posts.
        claims_table = preview.query_one("#era-claims", DataTable)
        claims_table.move_cursor(row=0)
        await pilot.pause()
        assert preview.check_action("match", ()) is None  # not an exception
        claims_table.move_cursor(row=2)
        await pilot.pause()
        await pilot.press("m")
        await wait_for(pilot, lambda: isinstance(pilot.app.screen, MatchClaimScreen))
        await pilot.press("4", "enter")
        await wait_for(pilot, lambda: "Could not match it" in text_of(said))
        assert "matches no single line of claim 4" in text_of(said)
        claims_table.move_cursor(row=2)
        await pilot.pause()
        await pilot.press("m")
        await wait_for(pilot, lambda: isinstance(pilot.app.screen, MatchClaimScreen))
        await pilot.press("9", "enter")
        await wait_for(pilot, lambda: "Posted the claim payment to claim 9." in text_of(said))
        await wait_for(pilot, lambda: rows(preview.query_one("#era-claims", DataTable))[2][-1] == "Posted")
        assert fake.requests["resolve_remittance_exception"] == [(2, 3, 4), (2, 3, 9)]

        await pilot.press("escape")
        await wait_for(pilot, lambda: pilot.app.screen is screen and rows(table)[0][4] == "Posted")


async def test_a_file_that_is_no_835_or_cannot_be_read_is_said_under_the_path(
    fake: FakeGateway, tmp_path: Path
) -> None:
    not_an_era = tmp_path / "notes.txt"
    not_an_era.write_text("hello")
    async with PmsApp(fake).run_test(size=SIZE) as pilot:
        screen = await eras_shown(pilot, fake)
        form = await import_file(pilot, not_an_era)
        await wait_for(pilot, lambda: "not a valid 835" in field_error(form, "content"))
        form.query_one("#era-path", Input).value = str(tmp_path / "missing.835")
        await pilot.press("enter")
        await wait_for(pilot, lambda: "Cannot read" in field_error(form, "content"))
        await pilot.press("escape")
        assert pilot.app.screen is screen
        assert screen.query_one("#eras-table", DataTable).row_count == 1


async def test_the_same_file_imported_again_changes_nothing(fake: FakeGateway, tmp_path: Path) -> None:
    era_file = tmp_path / "aetna_1102.835"
    era_file.write_bytes(ERA_FILE)
    async with PmsApp(fake).run_test(size=SIZE) as pilot:
        screen = await eras_shown(pilot, fake)
        await import_file(pilot, era_file)
        await wait_for(pilot, lambda: pilot.app.screen is screen and "Imported" in text_of(
            screen.query_one("#eras-message", Static)))
        await import_file(pilot, era_file)
        await wait_for(pilot, lambda: pilot.app.screen is screen and "imported before" in text_of(
            screen.query_one("#eras-message", Static)))
        assert screen.query_one("#eras-table", DataTable).row_count == 2


async def test_the_eras_key_is_hidden_without_remittances_post(fake: FakeGateway) -> None:
    async with PmsApp(fake).run_test(size=SIZE) as pilot:
        claims = await claims_view(pilot, fake)
        assert claims.check_action("remittances", ()) is True
        # A session without the permission: the key is hidden and does nothing.
        claims.session.ClearField("permissions")
        assert claims.check_action("remittances", ()) is False
        await pilot.press("e")
        await pilot.pause()
        assert not isinstance(pilot.app.screen, RemittancesScreen)

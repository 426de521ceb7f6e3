"""Patient statements (T in the claims worklist) and collections with payment plans (K), typed with keys, against the
fake gateway: the preview's counts and totals, a run (once per key), the print file and vendor CSV saved with the
progress bar full, emails, a reprint, a void with its reason, the settings with the server's objection beside its
field, the agency's file, and a payment plan made and cancelled."""

from __future__ import annotations

from pathlib import Path

from textual.pilot import Pilot
from textual.widgets import DataTable, Input, ProgressBar, Static

from client_tui.app import PmsApp
from client_tui.gateway import ServerUnavailable
from client_tui.screens.collections_screen import CollectionsScreen
from client_tui.screens.confirm_screen import ConfirmScreen
from client_tui.screens.payment_plan_screen import PaymentPlanScreen
from client_tui.screens.pick_patient_screen import PickPatientScreen
from client_tui.screens.reason_screen import ReasonScreen
from client_tui.screens.save_to_folder_screen import SaveToFolderScreen
from client_tui.screens.statement_settings_screen import StatementSettingsScreen
from client_tui.screens.statements_screen import StatementsScreen
from client_tui.widgets.claims_panel import ClaimsPanel
from shared.pms.statements.v1 import statements_pb2 as st

from .fake_gateway import FakeGateway
from .helpers import enter_as, field_error, text_of, wait_for
from .test_remittances import SIZE, rows


async def claims_view(pilot: Pilot[None], fake: FakeGateway, role: str = "biller") -> ClaimsPanel:
    fake.grant_statement_permissions()
    fake.add_account("bea", "Bea Biller", [role], "biller-pass")
    await enter_as(pilot, "bea", "biller-pass")
    if role == "biller":
        await wait_for(pilot, lambda: pilot.app.screen.query_one("#worklist", DataTable).row_count == 2)
    else:
        await pilot.press("f3")
        await wait_for(pilot, lambda: pilot.app.screen.query_one("#worklist", DataTable).row_count == 2)
    await pilot.press("c")
    claims = pilot.app.screen.query_one(ClaimsPanel)
    await wait_for(pilot, lambda: claims.query_one("#claims-table", DataTable).row_count == 8)
    return claims


async def statements_shown(pilot: Pilot[None], fake: FakeGateway, role: str = "biller") -> StatementsScreen:
    await claims_view(pilot, fake, role)
    await pilot.press("t")
    await wait_for(pilot, lambda: isinstance(pilot.app.screen, StatementsScreen) and pilot.app.screen.loaded
                   and pilot.app.screen.statements_of != 0)
    screen = pilot.app.screen
    assert isinstance(screen, StatementsScreen)
    return screen


async def collections_shown(pilot: Pilot[None], fake: FakeGateway) -> CollectionsScreen:
    await claims_view(pilot, fake)
    await pilot.press("k")
    await wait_for(pilot, lambda: isinstance(pilot.app.screen, CollectionsScreen) and pilot.app.screen.loaded)
    screen = pilot.app.screen
    assert isinstance(screen, CollectionsScreen)
    return screen


def message(screen: StatementsScreen | CollectionsScreen) -> str:
    which = "#statements-message" if isinstance(screen, StatementsScreen) else "#collections-message"
    return text_of(screen.query_one(which, Static))


async def save_into(pilot: Pilot[None], folder: Path) -> tuple[SaveToFolderScreen, ProgressBar]:
    """In the save dialog just opened: type the folder, Ctrl+S; the dialog and its progress bar, once closed."""
    await wait_for(pilot, lambda: isinstance(pilot.app.screen, SaveToFolderScreen))
    dialog = pilot.app.screen
    assert isinstance(dialog, SaveToFolderScreen)
    bar = dialog.query_one("#save-progress", ProgressBar)
    dialog.query_one("#save-folder", Input).value = str(folder)
    await pilot.press("ctrl+s")
    await wait_for(pilot, lambda: pilot.app.screen is not dialog)
    return dialog, bar


async def test_the_preview_shows_counts_and_totals_and_the_runs(fake: FakeGateway) -> None:
    async with PmsApp(fake).run_test(size=SIZE) as pilot:
        screen = await statements_shown(pilot, fake)
        assert text_of(screen.query_one("#statements-preview", Static)).splitlines() == [
            "A run today (11/03/2026) makes 3 statements: $427.50 due in all.",
            "By mail 2 · by email 1.",
            "1 account past the last notice goes to collections instead: $180.00.",
            "Not billed this time: 2 below the threshold · 1 billed within the cycle.",
            "Visits still with insurance are shown on the statements as pending, never as due.",
        ]
        assert text_of(screen.query_one("#statements-settings", Static)) == (
            "Threshold $5.00 · a statement every 30 days · due in 21 days · 4 notices before collections")
        assert rows(screen.query_one("#statements-runs", DataTable)) == [
            ["1", "10/04/2026", "2", "2", "0", "$270.00", "0", "bill"]]
        assert [r[:2] + r[3:] for r in rows(screen.query_one("#statements-table", DataTable))] == [
            ["Maria Johnson", "100001", "$90.00", "$0.00", "Mail", "Printed"],
            ["Luis Garcia", "100006", "$180.00", "$0.00", "Mail", "Printed"],
        ]
        assert text_of(screen.query_one("#statements-of", Static)) == "Statements of run 1 · 2 statements · $270.00 due"
        assert screen.check_action("run", ()) is True
        assert screen.check_action("settings", ()) is False  # a biller: the manager's


async def test_run_after_a_yes_then_the_run_and_its_statements_show(fake: FakeGateway) -> None:
    async with PmsApp(fake).run_test(size=SIZE) as pilot:
        screen = await statements_shown(pilot, fake)
        await pilot.press("r")
        await wait_for(pilot, lambda: isinstance(pilot.app.screen, ConfirmScreen))
        question = text_of(pilot.app.screen.query_one("#confirm-question", Static))
        assert question.startswith("Make today's statements (11/03/2026)?\nA run today (11/03/2026) makes 3")
        await pilot.press("n")
        assert "run_statements" not in fake.requests

        # The answer is lost once: the same run is asked again with the same key, and made once.
        fake.fail_on["run_statements"] = ServerUnavailable("The server cannot be reached right now.")
        await pilot.press("r")
        await wait_for(pilot, lambda: isinstance(pilot.app.screen, ConfirmScreen))
        await pilot.press("y")
        await wait_for(pilot, lambda: "cannot be reached" in message(screen))
        assert message(screen).startswith("Could not run the statements:")
        await pilot.press("r")
        await wait_for(pilot, lambda: isinstance(pilot.app.screen, ConfirmScreen))
        await pilot.press("y")
        await wait_for(pilot, lambda: message(screen).startswith("Run 2"))
        assert message(screen) == ("Run 2 of 11/03/2026: 3 statements, $427.50 due (2 by mail, 1 by email); "
                                   "1 account flagged for collections.")
        keys = [call[0] for call in fake.requests["run_statements"]]
        assert len(keys) == 2 and keys[0] == keys[1] and keys[0]

        await wait_for(pilot, lambda: screen.statements_of == 2)
        assert rows(screen.query_one("#statements-runs", DataTable))[0][:3] == ["2", "11/03/2026", "3"]
        assert [(r[0], r[2], r[3], r[4], r[5]) for r in rows(screen.query_one("#statements-table", DataTable))] == [
            ("Maria Johnson", "1", "$125.00", "$80.00", "Mail"),
            ("Thanh Nguyen", "2", "$202.50", "$0.00", "Email"),
            ("Jonathan Smith", "1", "$100.00", "$0.00", "Mail"),
        ]
        assert text_of(screen.query_one("#statements-preview", Static)).startswith(
            "A run today (11/03/2026) makes no statement.")
        assert screen.check_action("run", ()) is None  # nothing to make: greyed out

        # A new run asked for later gets a new key.
        screen.run_key = ""
        await pilot.press("r")
        assert not isinstance(pilot.app.screen, ConfirmScreen)


async def test_the_print_file_and_vendor_csv_are_saved_with_the_progress_bar_full(
        fake: FakeGateway, tmp_path: Path) -> None:
    async with PmsApp(fake).run_test(size=SIZE) as pilot:
        screen = await statements_shown(pilot, fake)
        await pilot.press("r")
        await wait_for(pilot, lambda: isinstance(pilot.app.screen, ConfirmScreen))
        await pilot.press("y")
        await wait_for(pilot, lambda: screen.statements_of == 2)

        await pilot.press("p")
        dialog, bar = await save_into(pilot, tmp_path / "mail")
        assert bar.percentage == 1.0
        seen = dialog.progress_seen
        assert len(seen) > 2 and seen[0][1] == 0 and seen[-1][0] == seen[-1][1] > 0
        written = tmp_path / "mail" / "statements-run-2.pdf"
        assert message(screen) == f"Saved {written} (2 statements)."
        assert written.read_bytes().startswith(b"%PDF-1.4")
        assert fake.requests["export_statement_run"][-1][:2] == (2, st.EXPORT_FORMAT_PDF)
        await wait_for(pilot, lambda: [r[6] for r in rows(screen.query_one("#statements-table", DataTable))] == [
            "Printed", "Not sent", "Printed"])

        # Nothing left to mail: the server says so in the dialog, which stays open.
        await pilot.press("v")
        await wait_for(pilot, lambda: isinstance(pilot.app.screen, SaveToFolderScreen))
        dialog = pilot.app.screen
        dialog.query_one("#save-folder", Input).value = str(tmp_path / "mail")
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: "already printed or exported" in text_of(dialog.query_one("#form-message",
                                                                                               Static)))
        assert pilot.app.screen is dialog
        await pilot.press("escape")


async def test_the_vendor_csv_and_the_emails(fake: FakeGateway, tmp_path: Path) -> None:
    async with PmsApp(fake).run_test(size=SIZE) as pilot:
        screen = await statements_shown(pilot, fake)
        await pilot.press("r")
        await wait_for(pilot, lambda: isinstance(pilot.app.screen, ConfirmScreen))
        await pilot.press("y")
        await wait_for(pilot, lambda: screen.statements_of == 2)
        await pilot.press("v")
        await save_into(pilot, tmp_path)
        csv_file = tmp_path / "statements-run-2.csv"
        assert csv_file.read_text().splitlines()[1:] == ["100001,Maria Johnson,12500", "100003,Jonathan Smith,10000"]

        await pilot.press("m")
        await wait_for(pilot, lambda: isinstance(pilot.app.screen, ConfirmScreen))
        await pilot.press("y")
        await wait_for(pilot, lambda: message(screen).startswith("Emailed"))
        assert message(screen) == "Emailed 1 statement."
        (run_id, key), = fake.requests["send_statement_emails"]
        assert run_id == 2 and key
        await wait_for(pilot, lambda: rows(screen.query_one("#statements-table", DataTable))[1][6] == "Emailed")


async def test_reprint_writes_the_statement_as_sent_without_overwriting(fake: FakeGateway, tmp_path: Path) -> None:
    async with PmsApp(fake).run_test(size=SIZE) as pilot:
        screen = await statements_shown(pilot, fake)
        (tmp_path / "statement-2.pdf").write_bytes(b"someone else's")
        screen.query_one("#statements-table", DataTable).focus()
        await pilot.press("down", "d")  # Luis Garcia, statement 2
        _dialog, bar = await save_into(pilot, tmp_path)
        assert bar.percentage == 1.0
        assert (tmp_path / "statement-2.pdf").read_bytes() == b"someone else's"
        again = tmp_path / "statement-2-2.pdf"
        assert b"statement 2 for Luis Garcia: $180.00 due, level 4" in again.read_bytes()
        assert message(screen) == f"Saved {again}."
        assert fake.requests["download_statement"][-1] == (2, tmp_path)


async def test_void_asks_for_a_reason_and_the_statement_shows_voided(fake: FakeGateway) -> None:
    async with PmsApp(fake).run_test(size=SIZE) as pilot:
        screen = await statements_shown(pilot, fake)
        table = screen.query_one("#statements-table", DataTable)
        table.focus()
        await pilot.press("x")  # the first row: Maria Johnson, statement 1
        await wait_for(pilot, lambda: isinstance(pilot.app.screen, ReasonScreen))
        dialog = pilot.app.screen
        assert "Void statement 1 for Maria Johnson ($90.00 due)?" in text_of(dialog.query_one("#form-intro", Static))
        await pilot.press("ctrl+s")
        assert field_error(dialog, "reason") == "say why"
        assert "void_statement" not in fake.requests
        await pilot.press(*"wrong address", "enter")
        await wait_for(pilot, lambda: pilot.app.screen is screen)
        await wait_for(pilot, lambda: message(screen) == "Voided statement 1 (Maria Johnson).")
        assert fake.requests["void_statement"] == [(1, "wrong address")]
        await wait_for(pilot, lambda: rows(table)[0][6] == "Voided")
        assert text_of(screen.query_one("#statements-detail", Static)).endswith("voided: wrong address")
        assert screen.check_action("void", ()) is None  # voided: greyed out
        assert text_of(screen.query_one("#statements-of", Static)).endswith("$180.00 due")


async def test_settings_show_the_servers_objection_beside_its_field(fake: FakeGateway) -> None:
    async with PmsApp(fake).run_test(size=SIZE) as pilot:
        screen = await statements_shown(pilot, fake, role="manager")
        assert screen.check_action("settings", ()) is True
        await pilot.press("s")
        await wait_for(pilot, lambda: isinstance(pilot.app.screen, StatementSettingsScreen)
                       and pilot.app.screen.settings is not None)
        form = pilot.app.screen
        assert form.query_one("#threshold", Input).value == "5.00"
        assert form.query_one("#level-3", Input).value.startswith("FINAL NOTICE")
        form.query_one("#cycle-days", Input).value = "200"
        form.query_one("#level-1", Input).value = " "
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: field_error(form, "cycle_days") != "")
        assert field_error(form, "cycle_days") == "must be between 7 and 120 days"
        assert field_error(form, "level_messages[1]") == "is empty"
        assert field_error(form, "level_messages[0]") == "" and field_error(form, "threshold_cents") == ""
        assert text_of(form.query_one("#form-message", Static)) == "Please correct the fields marked."

        form.query_one("#cycle-days", Input).value = "45"
        form.query_one("#level-1", Input).value = "Past due: please pay."
        form.query_one("#level-3", Input).value = ""  # the last notice dropped: three levels
        form.query_one("#threshold", Input).value = "10"
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: pilot.app.screen is screen)
        sent = fake.requests["update_statement_settings"][-1][0]
        assert (sent.threshold_cents, sent.cycle_days, len(sent.level_messages), sent.version) == (1000, 45, 3, 1)
        await wait_for(pilot, lambda: message(screen) == "Statement settings saved: the preview follows them.")
        assert text_of(screen.query_one("#statements-settings", Static)) == (
            "Threshold $10.00 · a statement every 45 days · due in 21 days · 3 notices before collections")


async def test_collections_list_and_the_agency_file(fake: FakeGateway, tmp_path: Path) -> None:
    async with PmsApp(fake).run_test(size=SIZE) as pilot:
        screen = await collections_shown(pilot, fake)
        assert rows(screen.query_one("#collections-table", DataTable)) == [
            ["Harold Williams", "100007", "$310.00", "10/04/2026", "Flagged", ""],
            ["Ben Okafor", "100009", "$525.00", "09/04/2026", "Sent", "09/10/2026"],
        ]
        assert message(screen) == ("1 account waiting for the agency: $310.00 (E saves their file) · "
                                   "2 payment plans shown.")
        await pilot.press("e")
        await wait_for(pilot, lambda: isinstance(pilot.app.screen, SaveToFolderScreen))
        assert "1 flagged account, $310.00" in text_of(pilot.app.screen.query_one("#form-intro", Static))
        await save_into(pilot, tmp_path)
        written = tmp_path / "collections-2026-11-03.csv"
        assert written.read_text().splitlines() == ["account,name,balance_cents", "100007,Harold Williams,31000"]
        await wait_for(pilot, lambda: message(screen).startswith("Saved"))
        assert message(screen) == f"Saved {written}: 1 account, $310.00."
        assert rows(screen.query_one("#collections-table", DataTable))[0][4:] == ["Sent", "11/03/2026"]
        assert screen.check_action("export", ()) is None  # none flagged now
        assert screen.export_key == ""


async def test_the_agency_file_asked_again_after_a_lost_answer_keeps_its_key(fake: FakeGateway, tmp_path: Path) -> None:
    async with PmsApp(fake).run_test(size=SIZE) as pilot:
        screen = await collections_shown(pilot, fake)
        fake.fail_on["export_collections"] = ServerUnavailable("The server cannot be reached right now.")
        await pilot.press("e")
        await wait_for(pilot, lambda: isinstance(pilot.app.screen, SaveToFolderScreen))
        dialog = pilot.app.screen
        dialog.query_one("#save-folder", Input).value = str(tmp_path)
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: "cannot be reached" in text_of(dialog.query_one("#form-message", Static)))
        await pilot.press("escape")
        await pilot.press("e")
        await save_into(pilot, tmp_path)
        keys = [call[1] for call in fake.requests["export_collections"]]
        assert len(keys) == 2 and keys[0] == keys[1]
        await wait_for(pilot, lambda: message(screen).startswith("Saved"))


async def test_payment_plans_with_their_standing_made_and_cancelled(fake: FakeGateway) -> None:
    async with PmsApp(fake).run_test(size=SIZE) as pilot:
        screen = await collections_shown(pilot, fake)
        plans = screen.query_one("#plans-table", DataTable)
        assert rows(plans) == [
            ["Jonathan Smith", "100003", "$600.00", "$100.00", "15", "$300.00", "Current", "11/15/2026"],
            ["Thanh Nguyen", "100005", "$450.00", "$75.00", "1", "$150.00", "3 missed", "12/01/2026"],
        ]
        await pilot.press("a")
        await wait_for(pilot, lambda: plans.row_count == 3)
        assert rows(plans)[2][6] == "Cancelled"
        await pilot.press("a")
        await wait_for(pilot, lambda: plans.row_count == 2)

        # N: the patient from the search box, then the form; the server's objection lands beside its field.
        await pilot.press("n")
        await wait_for(pilot, lambda: isinstance(pilot.app.screen, PickPatientScreen))
        await pilot.press(*"maria", "enter")
        await wait_for(pilot, lambda: pilot.app.screen.query_one("#patient-results", DataTable).row_count == 1)
        await pilot.press("enter")
        await wait_for(pilot, lambda: isinstance(pilot.app.screen, PaymentPlanScreen))
        form = pilot.app.screen
        assert "Johnson, Maria L's guarantor" in text_of(form.query_one("#form-intro", Static))
        await pilot.press(*"300", "enter", *"50", "enter", *"31", "enter", *"12/01/2026", "enter", "enter")
        await wait_for(pilot, lambda: field_error(form, "due_day") != "")
        assert field_error(form, "due_day") == "must be a day of the month between 1 and 28"
        form.query_one("#plan-installment", Input).value = "fifty"
        await pilot.press("ctrl+s")
        assert field_error(form, "installment_cents") == "type dollars and cents, e.g. 25 or 25.00"
        form.query_one("#plan-installment", Input).value = "50"
        form.query_one("#plan-due-day", Input).value = "5"
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: pilot.app.screen is screen)
        request = fake.requests["create_payment_plan"][-1][0]
        assert (request.patient_id, request.total_cents, request.installment_cents, request.due_day) == (1, 30_000,
                                                                                                          5_000, 5)
        assert (request.start_date.year, request.start_date.month, request.start_date.day) == (2026, 12, 1)
        await wait_for(pilot, lambda: message(screen).startswith("Plan 4"))
        assert message(screen) == ("Plan 4 for Maria Johnson: $300.00 at $50.00 a month on day 5, first due "
                                   "12/05/2026.")
        await wait_for(pilot, lambda: plans.row_count == 3)

        # C on Nguyen's plan (3 missed): a reason, then it leaves the active list.
        plans.focus()
        plans.move_cursor(row=1)
        await pilot.press("c")
        await wait_for(pilot, lambda: isinstance(pilot.app.screen, ReasonScreen))
        await pilot.press(*"moved away", "enter")
        await wait_for(pilot, lambda: pilot.app.screen is screen)
        assert fake.requests["cancel_payment_plan"] == [(2, 4, "moved away")]
        await wait_for(pilot, lambda: message(screen) == "Cancelled plan 2 (Thanh Nguyen).")
        await wait_for(pilot, lambda: plans.row_count == 2)
        assert [r[0] for r in rows(plans)] == ["Jonathan Smith", "Maria Johnson"]


async def test_the_keys_need_their_permissions(fake: FakeGateway) -> None:
    async with PmsApp(fake).run_test(size=SIZE) as pilot:
        fake.add_account("bea", "Bea Biller", ["biller"], "biller-pass")  # no statement permissions
        await enter_as(pilot, "bea", "biller-pass")
        await wait_for(pilot, lambda: pilot.app.screen.query_one("#worklist", DataTable).row_count == 2)
        await pilot.press("c")
        claims = pilot.app.screen.query_one(ClaimsPanel)
        assert claims.check_action("statements", ()) is False
        assert claims.check_action("collections", ()) is False
        await pilot.press("t")
        await pilot.pause()
        assert not isinstance(pilot.app.screen, StatementsScreen)


async def test_the_palette_opens_them_from_any_mode(fake: FakeGateway) -> None:
    async with PmsApp(fake).run_test(size=SIZE) as pilot:
        claims = await claims_view(pilot, fake)
        shell = pilot.app.screen
        # From Front desk too: the palette's "Billing: Statements" brings Billing forward and opens the screen.
        await pilot.press("f2")
        found = [c for c in shell.commands_elsewhere()  # type: ignore[attr-defined]
                 if c.prefix == "Billing: "]
        assert [c.binding.description for c in found] == ["Statements", "Collections"]
        found[0].bring_forward()
        await pilot.app.run_action(found[0].binding.action, found[0].node)
        await wait_for(pilot, lambda: isinstance(pilot.app.screen, StatementsScreen) and pilot.app.screen.loaded)
        assert shell.mode == "billing"  # type: ignore[attr-defined]
        assert claims.check_action("statements", ()) is True

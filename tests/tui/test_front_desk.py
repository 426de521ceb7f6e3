"""Front desk mode against the fake gateway: find, register, insurance, documents, stale edits."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from textual.widgets import DataTable, Input, OptionList, Select, Static

from client_tui.app import PmsApp
from client_tui.gateway import FieldViolation, InvalidInput
from client_tui.screens.attach_document_screen import AttachDocumentScreen
from client_tui.screens.duplicate_patients_screen import DuplicateDecision, DuplicatePatientsScreen
from client_tui.screens.export_document_screen import ExportDocumentScreen
from client_tui.screens.patient_form_screen import PatientFormScreen
from client_tui.screens.patient_screen import PatientScreen
from client_tui.screens.policy_form_screen import PolicyFormScreen
from client_tui.screens.shell_screen import ShellScreen
from shared.pms.common.v1 import contact_pb2
from shared.pms.documents.v1 import documents_pb2
from shared.pms.patients.v1 import patients_pb2

from .fake_front_desk import PNG_BYTES
from .fake_gateway import FakeGateway
from .helpers import enter_as, field_error, open_patient, text_of, wait_for

SIZE = (100, 30)


def banner_text(screen: PatientScreen) -> str:
    return " ".join(text_of(s) for s in screen.query("PatientBanner Static").results(Static))


def column(table: DataTable, label: str) -> list[str]:  # type: ignore[type-arg]
    index = [str(c.label) for c in table.columns.values()].index(label)
    return [str(table.get_row_at(row)[index]) for row in range(table.row_count)]


def fill(screen: PatientFormScreen, **values: str) -> None:
    """Type into the registration form's inputs by field path: last="Doe" -> #patient-name-last."""
    ids = {
        "last": "patient-name-last",
        "first": "patient-name-first",
        "dob": "patient-date-of-birth",
        "sex": "patient-sex",
        "mobile": "patient-phones-mobile",
        "line1": "patient-address-line1",
        "city": "patient-address-city",
        "state": "patient-address-state",
        "zip": "patient-address-zip",
        "email": "patient-email",
    }
    for name, value in values.items():
        screen.query_one(f"#{ids[name]}", Input).value = value


# -- (a) finding ---------------------------------------------------------------------------


async def test_find_and_open_a_patient_with_the_keyboard_only(fake: FakeGateway) -> None:
    app = PmsApp(fake)
    async with app.run_test(size=SIZE) as pilot:
        await enter_as(pilot, "fran", "front-pass")
        assert app.focused is not None and app.focused.id == "patient-search"  # ready to type
        await pilot.press(*"joh ma")
        table = app.screen.query_one("#patient-results", DataTable)
        await wait_for(pilot, lambda: table.row_count == 1)
        assert column(table, "Name") == ['Johnson, Maria L "Mari"']
        assert column(table, "DOB (age)") == ["04/12/1985 (41)"]
        assert column(table, "Phone") == ["(614) 555-0134"]
        assert '"joh"; "ma"' in text_of(app.screen.query_one("#finder-status", Static))
        await pilot.press("down", "enter")
        await wait_for(pilot, lambda: isinstance(app.screen, PatientScreen) and app.screen.record is not None)
        assert isinstance(app.screen, PatientScreen)
        banner = banner_text(app.screen)
        assert 'Johnson, Maria L "Mari"' in banner and "MRN 100101" in banner
        assert "Collect balance before visit" in banner and "Primary: Aetna" in banner
        await pilot.press("escape")
        await pilot.pause()
        assert isinstance(app.screen, ShellScreen)


async def test_an_older_slow_answer_never_replaces_a_newer_one(fake: FakeGateway) -> None:
    fake.search_delay_s["j"] = 0.6
    app = PmsApp(fake)
    async with app.run_test(size=SIZE) as pilot:
        await enter_as(pilot, "fran", "front-pass")
        await pilot.press("j")
        await wait_for(pilot, lambda: ("j", False) in fake.requests.get("search_patients", []))
        await pilot.press(*"ohnson ro")  # "j" is still on its way
        table = app.screen.query_one("#patient-results", DataTable)
        await wait_for(pilot, lambda: table.row_count == 1)
        await pilot.pause(0.7)  # long enough for the slow "j" answer, had it not been dropped
        assert column(table, "Name") == ["Johnson, Robert T"]


async def test_inactive_patients_only_when_asked(fake: FakeGateway) -> None:
    app = PmsApp(fake)
    async with app.run_test(size=SIZE) as pilot:
        await enter_as(pilot, "fran", "front-pass")
        await pilot.press(*"nguyen")
        status = app.screen.query_one("#finder-status", Static)
        await wait_for(pilot, lambda: "No patient matches" in text_of(status))
        assert "Ctrl+N registers" in text_of(status)
        await pilot.press("f9")
        table = app.screen.query_one("#patient-results", DataTable)
        await wait_for(pilot, lambda: table.row_count == 1)
        assert column(table, "Status") == ["inactive"]


# -- (b) registering -------------------------------------------------------------------------


async def test_register_shows_the_servers_error_beside_the_field_then_saves(fake: FakeGateway) -> None:
    app = PmsApp(fake)
    async with app.run_test(size=SIZE) as pilot:
        await enter_as(pilot, "fran", "front-pass")
        await pilot.press("ctrl+n")
        await pilot.pause()
        form = app.screen
        assert isinstance(form, PatientFormScreen)
        # Enter walks the key fields only: last, first, DOB, sex, mobile, then street (past middle
        # name, gender identity, home phone...), city, state, ZIP.
        walked = []
        for value in ("Doe", "Jane", "1/2/1990", "f", "614.555.0101"):
            assert app.focused is not None and isinstance(app.focused, Input)
            walked.append(app.focused.id)
            app.focused.value = value
            await pilot.press("enter")
        assert walked[2:] == ["patient-date-of-birth", "patient-sex", "patient-phones-mobile"]
        assert app.focused is not None and app.focused.id == "patient-address-line1"
        fill(form, line1="1 Main St", city="Columbus", state="oh")
        form.query_one("#patient-address-zip", Input).focus()
        # A date that cannot be read is refused here, without asking the server.
        fill(form, dob="Jan 2nd")
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert field_error(form, "patient.date_of_birth") == "type the date as MM/DD/YYYY"
        assert "register_patient" not in fake.requests
        fill(form, dob="01/02/1990", zip="4321")
        bad_zip = FieldViolation("patient.address.zip", "must be 5 or 9 digits")
        fake.fail_on["register_patient"] = InvalidInput([bad_zip])
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: field_error(form, "patient.address.zip") == "must be 5 or 9 digits")
        zip_code = app.focused
        assert isinstance(zip_code, Input) and zip_code.id == "patient-address-zip"
        assert form.query_one("#patient-name-last", Input).value == "Doe"  # nothing typed is lost
        zip_code.value = "43215"
        await pilot.press("enter")  # Enter in the last key field saves
        await wait_for(pilot, lambda: isinstance(app.screen, PatientScreen) and app.screen.record is not None)
        sent = fake.requests["register_patient"][-1][0]
        assert sent.name.last == "Doe" and sent.sex == contact_pb2.ADMINISTRATIVE_SEX_FEMALE
        assert (sent.date_of_birth.year, sent.date_of_birth.month, sent.date_of_birth.day) == (1990, 1, 2)
        assert sent.address.state == "OH" and sent.phones[0].number == "614.555.0101"  # as typed
        assert sent.guarantor.is_self
        assert isinstance(app.screen, PatientScreen)
        assert "Doe, Jane" in banner_text(app.screen) and "MRN 100108" in banner_text(app.screen)


# -- (c) duplicates ----------------------------------------------------------------------------


async def test_possible_duplicate_then_register_anyway_acknowledges_them(fake: FakeGateway) -> None:
    app = PmsApp(fake)
    async with app.run_test(size=SIZE) as pilot:
        await enter_as(pilot, "fran", "front-pass")
        await pilot.press("ctrl+n")
        await pilot.pause()
        form = app.screen
        assert isinstance(form, PatientFormScreen)
        fill(form, last="Johnson", first="Marie", dob="04/12/1985", sex="F")
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: isinstance(app.screen, DuplicatePatientsScreen))
        table = app.screen.query_one(DataTable)
        assert table.row_count == 1
        row = [str(cell) for cell in table.get_row_at(0)]
        assert row == [
            'Johnson, Maria L "Mari"',
            "04/12/1985 (41)",
            "100101",
            "(614) 555-0134",
            "same last name and date of birth",
        ]
        await pilot.press("escape")  # back to the form: nothing registered
        await pilot.pause()
        assert app.screen is form and len(fake.patients) == 7
        assert "Not registered yet" in text_of(form.query_one("#form-message", Static))
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: isinstance(app.screen, DuplicatePatientsScreen))
        await pilot.press("r")
        await wait_for(pilot, lambda: isinstance(app.screen, PatientScreen) and app.screen.record is not None)
        assert [list(call[2]) for call in fake.requests["register_patient"]] == [[], [], [1]]
        assert len({call[3] for call in fake.requests["register_patient"]}) == 3  # each attempt a new request
        assert fake.patients[8].name.first == "Marie"
        assert isinstance(app.screen, PatientScreen) and app.screen.patient_id == 8


async def test_enter_on_a_possible_duplicate_chooses_to_open_it(fake: FakeGateway) -> None:
    app = PmsApp(fake)
    decisions: list[DuplicateDecision | None] = []
    async with app.run_test(size=SIZE) as pilot:
        candidates = [
            patients_pb2.DuplicateCandidate(patient=fake.summary(fake.patients[n]), reason="same phone") for n in (3, 4)
        ]
        await app.push_screen(DuplicatePatientsScreen(candidates, "Jon Smith"), decisions.append)
        await pilot.press("down", "enter")
        await pilot.pause()
        assert decisions == [DuplicateDecision(open_patient_id=4)]


# -- (d) insurance --------------------------------------------------------------------------------


async def test_add_a_secondary_policy_then_make_it_primary(fake: FakeGateway) -> None:
    app = PmsApp(fake)
    async with app.run_test(size=SIZE) as pilot:
        await enter_as(pilot, "fran", "front-pass")
        screen = await open_patient(pilot, 1)
        await pilot.press("f6", "a")
        await pilot.pause()
        form = app.screen
        assert isinstance(form, PolicyFormScreen)
        await pilot.press(*"uni")
        found = form.query_one(OptionList)
        await wait_for(pilot, lambda: found.option_count == 1)
        await pilot.press("enter")  # takes the payer found and moves on to the member ID
        member_id = app.focused
        assert isinstance(member_id, Input) and member_id.id == "policy-member-id"
        member_id.value = "U 0042"
        await pilot.press("enter")
        effective = app.focused
        assert isinstance(effective, Input) and effective.id == "policy-effective-date"
        effective.value = "11/01/2026"
        await pilot.press("enter")
        await wait_for(pilot, lambda: app.screen is screen)
        added, priority, _key = fake.requests["add_policy"][0]
        assert (added.payer_id, added.member_id, priority) == (3, "U 0042", 0)  # 0: after the active ones
        assert added.subscriber_relationship == "18" and not added.HasField("subscriber")
        table = screen.query_one("#policies-table", DataTable)
        await wait_for(pilot, lambda: column(table, "Payer") == ["Aetna", "UnitedHealthcare", "Cigna"])
        assert column(table, "Order") == ["1 primary", "2 secondary", "ended"]
        assert table.cursor_row == 1  # on the policy just added
        await pilot.press("u")
        await wait_for(pilot, lambda: column(table, "Payer")[:2] == ["UnitedHealthcare", "Aetna"])
        assert fake.requests["reorder_policies"] == [(1, [max(fake.policies), 1])]  # all active ones, new first
        assert table.cursor_row == 0
        assert "Primary: UnitedHealthcare" in banner_text(screen)
        # End Aetna: asks for the last day it covers (a day on the calendar), then it leaves the order.
        await pilot.press("down", "t")
        await pilot.pause()
        app.screen.query_one("#termination-date", Input).value = "02/30/2026"
        await pilot.press("enter")
        await pilot.pause()
        assert field_error(app.screen, "termination_date") == "is not a day on the calendar"
        app.screen.query_one("#termination-date", Input).value = "12/31/2026"
        await pilot.press("enter")
        await wait_for(pilot, lambda: column(table, "Order") == ["1 primary", "ended", "ended"])
        assert fake.requests["end_policy"][-1][:2] == (1, date(2026, 12, 31))


# -- (e) documents --------------------------------------------------------------------------------


async def test_attach_a_file_then_export_a_copy(fake: FakeGateway, tmp_path: Path) -> None:
    scan = tmp_path / "card-back.png"
    scan.write_bytes(PNG_BYTES)
    app = PmsApp(fake)
    async with app.run_test(size=SIZE) as pilot:
        await enter_as(pilot, "fran", "front-pass")
        screen = await open_patient(pilot, 1)
        await pilot.press("f7", "a")
        await pilot.pause()
        form = app.screen
        assert isinstance(form, AttachDocumentScreen)
        form.query_one("#document-path", Input).value = str(tmp_path / "missing.png")
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: "Cannot read" in field_error(form, "content"))
        form.query_one("#document-path", Input).value = str(scan)
        form.query_one("#document-type", Select).value = documents_pb2.DOCUMENT_TYPE_INSURANCE_CARD_BACK
        form.query_one("#document-description", Input).value = "Aetna card, back"
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: app.screen is screen)
        header, path = fake.requests["upload_document"][-1]
        assert path == scan and header.document_type == documents_pb2.DOCUMENT_TYPE_INSURANCE_CARD_BACK
        assert (header.patient_id, header.document_date.year) == (1, 2026)  # dated today unless changed
        table = screen.query_one("#documents-table", DataTable)
        await wait_for(pilot, lambda: table.row_count == 3)
        assert column(table, "File")[table.cursor_row] == "card-back.png"  # the new one is selected

        copy_path = tmp_path / "exported.png"
        await pilot.press("x")
        await pilot.pause()
        assert isinstance(app.screen, ExportDocumentScreen)
        app.screen.query_one("#export-path", Input).value = str(copy_path)
        await pilot.press("enter")
        await wait_for(pilot, lambda: app.screen is screen)
        assert copy_path.read_bytes() == PNG_BYTES
        # Never over an existing file: the reason shows beside the path.
        await pilot.press("x")
        await pilot.pause()
        app.screen.query_one("#export-path", Input).value = str(copy_path)
        await pilot.press("enter")
        await wait_for(pilot, lambda: "exists already" in field_error(app.screen, "destination"))


# -- (f) stale edit --------------------------------------------------------------------------------


async def test_stale_edit_keeps_what_was_typed_takes_their_changes_and_explains(fake: FakeGateway) -> None:
    app = PmsApp(fake)
    async with app.run_test(size=SIZE) as pilot:
        await enter_as(pilot, "fran", "front-pass")
        screen = await open_patient(pilot, 1)
        await pilot.press("e")
        await pilot.pause()
        form = app.screen
        assert isinstance(form, PatientFormScreen)
        fill(form, email="mari@example.org", mobile="614 555 0199")

        def mary_saves(patient: patients_pb2.Patient) -> None:
            patient.address.line1 = "40 Elm Street"
            patient.email = "mjohnson@example.net"

        fake.someone_else_edits(1, mary_saves)
        await pilot.press("ctrl+s")
        message = form.query_one("#form-message", Static)
        await wait_for(pilot, lambda: "Someone else saved this patient" in text_of(message))
        assert app.screen is form
        said = text_of(message)
        assert "They changed address line 1: their values are now in the form." in said
        assert "They also changed email, which you changed too: your values are kept." in said
        assert form.query_one("#patient-email", Input).value == "mari@example.org"
        assert form.query_one("#patient-phones-mobile", Input).value == "614 555 0199"
        assert form.query_one("#patient-address-line1", Input).value == "40 Elm Street"
        await pilot.press("ctrl+s")  # saves over their version
        await wait_for(pilot, lambda: app.screen is screen)
        saved = fake.patients[1]
        assert (saved.email, saved.address.line1, saved.phones[0].number) == (
            "mari@example.org",
            "40 Elm Street",
            "+16145550199",
        )
        assert saved.version == 3


# -- permissions ------------------------------------------------------------------------------------


async def test_a_biller_reads_patients_but_does_not_register_or_edit_them(fake: FakeGateway) -> None:
    fake.accounts["bill"].totp_code = ""
    app = PmsApp(fake)
    async with app.run_test(size=SIZE) as pilot:
        await enter_as(pilot, "bill", "biller-pass")
        await pilot.press("f2")
        await pilot.pause()
        actions = {b.binding.action for b in app.screen.active_bindings.values() if b.enabled}
        assert "new_patient" not in actions and "toggle_inactive" in actions
        await pilot.press("ctrl+n")
        await pilot.pause()
        assert isinstance(app.screen, ShellScreen)
        screen = await open_patient(pilot, 1)
        await pilot.press("e")
        await pilot.pause()
        assert app.screen is screen  # no edit form
        await pilot.press("f6")
        await pilot.pause()
        actions = {b.binding.action for b in screen.active_bindings.values() if b.enabled}
        assert "add_policy" in actions  # billers fix insurance

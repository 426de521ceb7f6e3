"""Merging duplicate patient records from the TUI (managers), against the fake gateway."""

from __future__ import annotations

from textual.pilot import Pilot
from textual.widgets import DataTable, Input, Static

from client_tui.app import PmsApp
from client_tui.gateway import FieldViolation, InvalidInput
from client_tui.screens.confirm_screen import ConfirmScreen
from client_tui.screens.merge_history_screen import MergeHistoryScreen
from client_tui.screens.merge_patients_screen import STALE, MergePatientsScreen
from client_tui.screens.patient_screen import PatientScreen
from client_tui.screens.shell_screen import ShellScreen
from shared.pms.patients.v1 import patients_pb2

from .fake_front_desk import FEMALE, NOW, day, stamp
from .fake_gateway import FakeGateway
from .helpers import collect_notifications, enter_as, field_error, open_patient, text_of, wait_for

SIZE = (100, 30)
ACTIVE, MERGED = patients_pb2.PATIENT_STATUS_ACTIVE, patients_pb2.PATIENT_STATUS_MERGED
MergeCall = tuple[int, int, int, int, str]


class MergeFake(FakeGateway):
    """The fake with a second record of Maria Johnson (last name mistyped), which also refuses an
    empty reason as the server does, and keeps every merge call's arguments, versions included."""

    def __init__(self) -> None:
        super().__init__()
        self.merge_calls: list[MergeCall] = []
        twin = self._seed_patient(8, "Jonson", "Maria", "", day(1985, 4, 12), FEMALE, "+16145550134")
        twin.version = 3  # unlike the survivor's 1, so swapped versions would show
        self._seed_policy(8, 8, 3, "Choice Plus", "U554433", "706991", 1)

    async def merge_patients(
        self,
        survivor_patient_id: int,
        survivor_version: int,
        merged_patient_id: int,
        merged_version: int,
        reason: str,
    ) -> patients_pb2.MergePatientsResponse:
        self.merge_calls.append((survivor_patient_id, survivor_version, merged_patient_id, merged_version, reason))
        if not reason.strip():
            raise InvalidInput([FieldViolation("reason", "is required")])
        return await super().merge_patients(
            survivor_patient_id, survivor_version, merged_patient_id, merged_version, reason
        )


def enabled_actions(pilot: Pilot[None]) -> set[str]:
    return {b.binding.action for b in pilot.app.screen.active_bindings.values() if b.enabled}


async def merge_screen_with_twin_picked(pilot: Pilot[None]) -> MergePatientsScreen:
    """As Mary: Maria Johnson's record, M, then the twin picked (finding it by typing has its own test)."""
    await enter_as(pilot, "mary", "manager-pass")
    await open_patient(pilot, 1)
    await pilot.press("m")
    screen = pilot.app.screen
    assert isinstance(screen, MergePatientsScreen)
    screen.load_duplicate(8)
    await wait_for(pilot, lambda: screen.duplicate is not None)
    return screen


async def test_a_manager_finds_the_duplicate_by_typing_and_merges_it() -> None:
    fake = MergeFake()
    app = PmsApp(fake)
    said = collect_notifications(app)
    async with app.run_test(size=SIZE) as pilot:
        await enter_as(pilot, "mary", "manager-pass")
        patient_screen = await open_patient(pilot, 1)
        await pilot.press("m")
        screen = app.screen
        assert isinstance(screen, MergePatientsScreen)
        await pilot.press("j", "o")
        results = screen.query_one("#patient-results", DataTable)
        await wait_for(pilot, lambda: results.row_count == 3)
        mrns = [str(results.get_row_at(row)[0]) for row in range(results.row_count)]
        assert "100101" not in mrns  # the survivor is never offered as its own duplicate
        await pilot.press("n", "s")
        await wait_for(pilot, lambda: results.row_count == 1)
        await pilot.press("down", "enter")
        await wait_for(pilot, lambda: screen.duplicate is not None)
        assert text_of(screen.query_one("#merge-consequence", Static)).startswith(
            "All policies and documents of MRN 100108 move to MRN 100101; MRN 100108 becomes read only."
        )
        assert app.focused is screen.query_one("#merge-reason", Input)
        await pilot.press(*"typo", "enter")
        assert isinstance(app.screen, ConfirmScreen)
        assert fake.merge_calls == []  # nothing before the yes
        await pilot.press("y")
        await wait_for(pilot, lambda: app.screen is patient_screen)
        assert fake.merge_calls == [(1, 1, 8, 3, "typo")]
        assert fake.patients[8].status == MERGED
        assert "MRN 100108 is merged into MRN 100101. Moved here: policies: 1, documents: 0." in said
        # The survivor is fetched again: the twin's policy is on it now.
        await wait_for(pilot, lambda: any(p.member_id == "U554433" for p in patient_screen.record.policies))


async def test_a_missing_reason_shows_beside_the_reason_and_nothing_is_merged() -> None:
    fake = MergeFake()
    app = PmsApp(fake)
    async with app.run_test(size=SIZE) as pilot:
        screen = await merge_screen_with_twin_picked(pilot)
        await pilot.press("ctrl+s", "y")
        await wait_for(pilot, lambda: field_error(screen, "reason") == "is required")
        assert app.screen is screen and app.focused is screen.query_one("#merge-reason", Input)
        assert fake.merges == [] and fake.patients[8].status == ACTIVE
        assert len(fake.merge_calls) == 1


async def test_a_stale_record_is_said_in_words_and_reload_takes_the_new_version() -> None:
    fake = MergeFake()
    app = PmsApp(fake)
    async with app.run_test(size=SIZE) as pilot:
        screen = await merge_screen_with_twin_picked(pilot)
        fake.someone_else_edits(8, lambda p: setattr(p, "email", "maria@example.net"))
        screen.query_one("#merge-reason", Input).value = "typo"
        await pilot.press("enter", "y")
        message = screen.query_one("#merge-message", Static)
        await wait_for(pilot, lambda: text_of(message) == STALE)
        assert fake.merges == []
        await pilot.press("ctrl+r")
        await wait_for(pilot, lambda: "Fetched both records again" in text_of(message))
        await pilot.press("ctrl+s", "y")
        await wait_for(pilot, lambda: len(fake.merges) == 1)
        assert fake.merge_calls[-1] == (1, 1, 8, 4, "typo")


async def test_front_desk_sees_neither_merge_nor_merge_history() -> None:
    fake = MergeFake()
    app = PmsApp(fake)
    async with app.run_test(size=SIZE) as pilot:
        await enter_as(pilot, "fran", "front-pass")
        assert "merge_history" not in enabled_actions(pilot)
        await pilot.press("ctrl+g")
        assert isinstance(app.screen, ShellScreen)
        screen = await open_patient(pilot, 1)
        assert "merge" not in enabled_actions(pilot)
        await pilot.press("m")
        assert app.screen is screen


async def test_a_merged_record_says_so_and_opens_the_record_kept() -> None:
    fake = MergeFake()
    twin = fake.patients[8]
    twin.status, twin.merged_into_patient_id = MERGED, 1
    app = PmsApp(fake)
    async with app.run_test(size=SIZE) as pilot:
        await enter_as(pilot, "mary", "manager-pass")
        merged = await open_patient(pilot, 8)
        notice = text_of(merged.query_one("#banner-notice", Static))
        assert notice.startswith("This record was merged into another one and is read only")
        assert "O opens that record" in notice and merged.query_one("#banner-notice").display
        actions = enabled_actions(pilot)
        assert "open_survivor" in actions and "merge" not in actions  # a merged record takes in nothing
        await pilot.press("o")
        await wait_for(pilot, lambda: isinstance(app.screen, PatientScreen) and app.screen is not merged)
        assert isinstance(app.screen, PatientScreen) and app.screen.patient_id == 1


async def test_the_merge_history_lists_past_merges_and_opens_the_record_kept() -> None:
    fake = MergeFake()
    for merge_id, (survivor, twin, mrns, minutes) in enumerate(
        ((3, 4, ("100103", "100104"), 0), (1, 8, ("100101", "100108"), 60)), 1
    ):
        fake.merges.append(
            patients_pb2.MergeRecord(
                merge_id=merge_id,
                survivor_patient_id=survivor,
                merged_patient_id=twin,
                survivor_mrn=mrns[0],
                merged_mrn=mrns[1],
                reason="registered twice",
                merged_by="mary",
                merged_at=stamp(NOW.replace(minute=minutes % 60, hour=9 + minutes // 60)),
                moved=["policies: 1", "documents: 0"],
            )
        )
    app = PmsApp(fake)
    async with app.run_test(size=SIZE) as pilot:
        await enter_as(pilot, "mary", "manager-pass")
        await pilot.press("f2", "ctrl+g")  # Mary starts in Admin; the finder is in Front desk
        screen = app.screen
        assert isinstance(screen, MergeHistoryScreen)
        table = screen.query_one("#merges-table", DataTable)
        await wait_for(pilot, lambda: table.row_count == 2)
        assert [str(cell) for cell in table.get_row_at(0)] == [
            "11/03/2026 10:00",
            "mary",
            "100101 ← 100108",
            "policies: 1\ndocuments: 0",
            "registered twice",
        ]  # newest first
        assert str(table.get_row_at(1)[2]) == "100103 ← 100104"
        await pilot.press("enter")
        await wait_for(pilot, lambda: isinstance(app.screen, PatientScreen))
        assert isinstance(app.screen, PatientScreen) and app.screen.patient_id == 1


def test_snapshot_merge_screen_with_both_records(snap_compare) -> None:  # type: ignore[no-untyped-def]
    async def pick_the_twin(pilot: Pilot[None]) -> None:
        screen = await merge_screen_with_twin_picked(pilot)
        screen.query_one("#patient-search", Input).value = "jons"
        await wait_for(pilot, lambda: screen.query_one("#patient-results", DataTable).row_count == 1)
        screen.query_one("#merge-reason", Input).value = "Registered twice, last name mistyped"
        screen.query_one("#merge-reason", Input).focus()
        await pilot.pause()
        for text_input in screen.query(Input):
            text_input.cursor_blink = False

    assert snap_compare(PmsApp(MergeFake()), terminal_size=SIZE, run_before=pick_the_twin)

"""What the screens look like, at 120x40 with the fake gateway's fixed data.

Update with ``pytest tests/tui/test_snapshots.py --snapshot-update`` only after looking at
the new pictures (``tests/tui/__snapshots__/``): a screen that is hard to read is a bug.
"""

from __future__ import annotations

from textual.pilot import Pilot
from textual.widgets import DataTable, Input, SelectionList

from client_tui.app import PmsApp
from client_tui.screens.relogin_screen import ReloginScreen

from .fake_gateway import FakeGateway
from .helpers import enter_as, wait_for

SIZE = (120, 40)
HINT = (
    "Demo accounts (password after the slash):\n"
    "  admin / admin-pass     IT admin\n"
    "  mary / manager-pass    practice manager\n"
    "  bill / biller-pass     biller (TOTP code 123456)"
)


def stop_cursor_blinking(pilot: Pilot[None]) -> None:
    """A blinking cursor makes the picture depend on the moment it is taken."""
    for screen in pilot.app.screen_stack:
        for text_input in screen.query(Input):
            text_input.cursor_blink = False


async def as_admin_with_users_loaded(pilot: Pilot[None]) -> None:
    await enter_as(pilot, "admin", "admin-pass")
    table = pilot.app.screen.query_one("#users-table", DataTable)
    await wait_for(pilot, lambda: table.row_count == 6)


def test_login_screen(snap_compare, fake: FakeGateway) -> None:  # type: ignore[no-untyped-def]
    async def settle(pilot: Pilot[None]) -> None:
        await pilot.pause()
        stop_cursor_blinking(pilot)

    assert snap_compare(PmsApp(fake, login_hint=HINT), terminal_size=SIZE, run_before=settle)


def test_shell_admin_users(snap_compare, fake: FakeGateway) -> None:  # type: ignore[no-untyped-def]
    async def settle(pilot: Pilot[None]) -> None:
        await as_admin_with_users_loaded(pilot)
        stop_cursor_blinking(pilot)

    assert snap_compare(PmsApp(fake), terminal_size=SIZE, run_before=settle)


def test_add_user_with_field_violations(snap_compare, fake: FakeGateway) -> None:  # type: ignore[no-untyped-def]
    async def open_form_and_send_it_empty(pilot: Pilot[None]) -> None:
        await as_admin_with_users_loaded(pilot)
        await pilot.press("a")
        await pilot.pause()
        await wait_for(pilot, lambda: pilot.app.screen.query_one(SelectionList).option_count == 5)
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: bool(pilot.app.screen.query(".-invalid")))
        stop_cursor_blinking(pilot)

    assert snap_compare(PmsApp(fake), terminal_size=SIZE, run_before=open_form_and_send_it_empty)


def test_session_ended_overlay(snap_compare, fake: FakeGateway) -> None:  # type: ignore[no-untyped-def]
    async def let_the_session_expire(pilot: Pilot[None]) -> None:
        await as_admin_with_users_loaded(pilot)
        fake.expire_session_on_next_call = True
        await pilot.press("ctrl+r")
        await wait_for(pilot, lambda: isinstance(pilot.app.screen, ReloginScreen))
        await pilot.pause()
        stop_cursor_blinking(pilot)

    assert snap_compare(PmsApp(fake), terminal_size=SIZE, run_before=let_the_session_expire)

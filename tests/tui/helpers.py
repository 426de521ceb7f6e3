"""Small helpers for driving the client in Pilot tests."""

from __future__ import annotations

from collections.abc import Callable

from textual.dom import DOMNode
from textual.pilot import Pilot
from textual.widgets import Input, Static

from client_tui.app import PmsApp
from client_tui.screens.patient_screen import PatientScreen
from client_tui.screens.shell_screen import ShellScreen
from client_tui.widgets.form_field import FormField


async def log_in(pilot: Pilot[None], username: str, password: str) -> None:
    """Type at the login screen, key by key."""
    await pilot.press(*username, "enter", *password, "enter")
    await pilot.pause()
    await pilot.pause()


async def enter_as(pilot: Pilot[None], username: str, password: str) -> None:
    """Log in quickly (fields filled, Enter pressed) for tests about what comes after."""
    screen = pilot.app.screen
    screen.query_one("#username", Input).value = username
    password_input = screen.query_one("#password", Input)
    password_input.value = password
    password_input.focus()
    await pilot.press("enter")
    await pilot.pause()
    await pilot.pause()
    assert any(isinstance(s, ShellScreen) for s in pilot.app.screen_stack)


def text_of(widget: Static) -> str:
    return str(widget.render())


def field_error(root: DOMNode, field_name: str) -> str:
    """The error line under the field the server calls ``field_name``."""
    form_field = next(f for f in root.query(FormField) if f.field_name == field_name)
    return text_of(form_field.query_one(".form-field--error", Static))


async def wait_for(pilot: Pilot[None], condition: Callable[[], bool], seconds: float = 3.0) -> None:
    """Workers answer asynchronously: poll until ``condition`` holds."""
    for _ in range(int(seconds / 0.05)):
        if condition():
            return
        await pilot.pause(0.05)
    assert condition(), "condition not met in time"


def collect_notifications(app: PmsApp) -> list[str]:
    """Every notification's text, in order (they still show as usual)."""
    messages: list[str] = []
    original = app.notify

    def notify(message: str, **kwargs: object) -> None:
        messages.append(message)
        original(message, **kwargs)  # type: ignore[arg-type]

    app.notify = notify  # type: ignore[method-assign]
    return messages


async def open_patient(pilot: Pilot[None], patient_id: int) -> PatientScreen:
    """Straight to a patient's screen (finding one by keyboard has its own test)."""
    app = pilot.app
    assert isinstance(app, PmsApp) and app.session is not None
    screen = PatientScreen(app.gateway, app.session, patient_id)
    await app.push_screen(screen)
    await wait_for(pilot, lambda: screen.record is not None)
    await pilot.pause()
    return screen

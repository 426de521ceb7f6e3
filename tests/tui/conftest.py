"""Fixtures for the TUI tests: a fresh fake gateway per test, a fixed time zone and a fixed today."""

from __future__ import annotations

import time
from collections.abc import Iterator
from datetime import date

import pytest

from client_tui import formatting, schedule_values

from .fake_gateway import FakeGateway


@pytest.fixture(autouse=True)
def utc_display(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Screens show instants in the computer's zone; pin it so tests and snapshots agree."""
    monkeypatch.setenv("TZ", "UTC")
    time.tzset()
    yield
    monkeypatch.undo()
    time.tzset()


@pytest.fixture(autouse=True)
def fixed_today(monkeypatch: pytest.MonkeyPatch, request: pytest.FixtureRequest) -> None:
    """Ages on screen count to this day, the fake's "now", so pictures do not age; the schedule opens on it.

    Tests against the real server keep the real "today" of the schedule (the server's clock is real).
    """
    monkeypatch.setattr(formatting, "today", lambda: date(2026, 11, 3))
    if "server" not in request.fixturenames:
        monkeypatch.setattr(schedule_values, "today_at", lambda time_zone: date(2026, 11, 3))


@pytest.fixture
def fake() -> FakeGateway:
    return FakeGateway()

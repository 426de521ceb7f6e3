"""Fixtures for the TUI tests: a fresh fake gateway per test, a fixed time zone and a fixed today."""

from __future__ import annotations

import time
from collections.abc import Iterator
from datetime import date

import pytest

from client_tui import formatting

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
def fixed_today(monkeypatch: pytest.MonkeyPatch) -> None:
    """Ages on screen count to this day, the fake's "now", so pictures do not age."""
    monkeypatch.setattr(formatting, "today", lambda: date(2026, 11, 3))


@pytest.fixture
def fake() -> FakeGateway:
    return FakeGateway()

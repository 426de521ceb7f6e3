"""Fixtures for the TUI tests: a fresh fake gateway per test and a fixed time zone."""

from __future__ import annotations

import time
from collections.abc import Iterator

import pytest

from .fake_gateway import FakeGateway


@pytest.fixture(autouse=True)
def utc_display(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Screens show instants in the computer's zone; pin it so tests and snapshots agree."""
    monkeypatch.setenv("TZ", "UTC")
    time.tzset()
    yield
    monkeypatch.undo()
    time.tzset()


@pytest.fixture
def fake() -> FakeGateway:
    return FakeGateway()

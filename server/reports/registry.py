"""The built-in reports: each a key, a title, the filters it takes, whether it names patients, and its function."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from server.reports.filters import Filter
from server.reports.table import Table
from server.rpc.context import CallContext

Runner = Callable[[CallContext, Filter], Awaitable[Table]]

GROUPS = ("Receivables", "Claims", "Money", "Providers", "Appointments", "Coding", "Staff")


@dataclass(frozen=True)
class ReportSpec:
    key: str
    title: str
    description: str
    group: str
    filters: tuple[str, ...]
    run: Runner
    # Rows name patients: the caller needs reports.read_phi too.
    names_patients: bool = False


REPORTS: dict[str, ReportSpec] = {}


def report(key: str, title: str, description: str, *, group: str, filters: tuple[str, ...],
           names_patients: bool = False) -> Callable[[Runner], Runner]:
    assert group in GROUPS, group

    def register(fn: Runner) -> Runner:
        assert key not in REPORTS, key
        REPORTS[key] = ReportSpec(key, title, description, group, filters, fn, names_patients)
        return fn
    return register


def load() -> dict[str, ReportSpec]:
    """Every report module, imported so its reports register."""
    from server.reports import activity, appointments, financial  # noqa: F401
    return REPORTS

"""Admin > Audit log: who did what, from where, and whether the hash chain is intact."""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from datetime import timedelta

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal
from textual.widgets import DataTable, Input, Select, Static

from client_tui import formatting
from client_tui.gateway import AuditFilter, Gateway, GatewayError, InvalidInput
from client_tui.widgets.admin_tool import AdminTool
from client_tui.widgets.form_field import FormField, clear_field_errors, show_violations
from client_tui.workers import gateway_call
from shared.pms.audit.v1 import audit_pb2

# The long columns go last, so the ones scanned most stay on screen.
COLUMNS = ("Seq", "Time", "User", "Workstation", "Outcome", "Patient", "Category", "Action", "Detail")
OUTCOME_CHOICES = [("any", 0)] + [(name, value) for value, name in formatting.OUTCOME_NAMES.items()]


def date_input(input_id: str) -> Input:
    return Input(id=input_id, placeholder="YYYY-MM-DD", restrict=r"[0-9-]*", max_length=10)


def patient_text(event: audit_pb2.AuditEvent) -> str:
    if event.patient_hidden:
        return "(hidden)"
    return str(event.patient_id) if event.patient_id else ""


def outcome_text(value: int) -> Text:
    name = formatting.outcome(value)
    return Text(name, style="green" if value == audit_pb2.OUTCOME_SUCCESS else "bold red")


class AuditPanel(AdminTool):
    DEFAULT_CSS = """
    AuditPanel > #audit-filters {
        height: auto;
        padding: 0 1;
    }
    AuditPanel > #audit-filters > FormField {
        width: 1fr;
        margin: 0 1 0 0;
    }
    AuditPanel > DataTable {
        height: 1fr;
    }
    AuditPanel > .audit-status {
        height: auto;
        padding: 0 1;
        color: $text-muted;
    }
    """

    BINDINGS = [
        Binding(
            "ctrl+r",
            "search",
            "Search",
            tooltip="Newest events matching the filters (Enter too)",
            id="audit.search",
        ),
        Binding("ctrl+n", "older", "Older", tooltip="Next page of older events", id="audit.older"),
        Binding("ctrl+b", "newer", "Newer", tooltip="Back to the previous, newer page", id="audit.newer"),
        Binding(
            "f9",
            "verify_chain",
            "Verify chain",
            tooltip="Recompute the audit hash chain on the server",
            id="audit.verify_chain",
        ),
    ]

    def __init__(self, gateway: Gateway, id: str | None = None) -> None:
        super().__init__(gateway, id=id)
        self.filter = AuditFilter()
        # before_sequence of each page shown so far; the last one is on screen.
        self.pages: list[int] = [0]
        self.next_before_sequence = 0

    def compose(self) -> ComposeResult:
        with Horizontal(id="audit-filters"):
            yield FormField("User", Input(id="filter-username"), "username")
            yield FormField("Workstation", Input(id="filter-workstation"), "workstation_name")
            yield FormField("Action contains", Input(id="filter-action"), "action_contains")
            outcome: Select[int] = Select(OUTCOME_CHOICES, value=0, allow_blank=False, id="filter-outcome")
            yield FormField("Outcome", outcome, "outcome")
            yield FormField("Since", date_input("filter-since"), "since")
            yield FormField("Until", date_input("filter-until"), "until")
        table: DataTable[str | Text] = DataTable(id="audit-table", cursor_type="row", zebra_stripes=True)
        table.add_columns(*COLUMNS)
        yield table
        yield Static("Loading events…", id="audit-page", classes="audit-status")
        yield Static(
            "Hash chain not verified in this session (F9 verifies it).",
            id="audit-chain",
            classes="audit-status",
        )

    def focus_main(self) -> None:
        # Start on the filters: type, Enter, and the keys move on to the results.
        self.query_one("#filter-username", Input).focus()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "older":
            return True if self.next_before_sequence else None
        if action == "newer":
            return True if len(self.pages) > 1 else None
        return True

    def show_inline_error(self, error: GatewayError) -> bool:
        if isinstance(error, InvalidInput):
            unmatched = show_violations(self, error.violations)
            return not unmatched
        return False

    # -- filters ------------------------------------------------------------------
    @on(Input.Submitted)
    def _search_on_enter(self, event: Input.Submitted) -> None:
        event.stop()
        self.action_search()
        if self.filter_errors_shown():
            return
        self.query_one(DataTable).focus()

    def filter_errors_shown(self) -> bool:
        return any(f.has_class("-invalid") for f in self.query(FormField))

    def reload(self) -> None:
        self.load_page([0])

    def action_search(self) -> None:
        flt = self._read_filters()
        if flt is not None:
            self.filter = flt
            self.load_page([0])

    def _read_filters(self) -> AuditFilter | None:
        """The typed filters, or None after marking a date that is not YYYY-MM-DD."""
        clear_field_errors(self)
        flt = AuditFilter(
            username=self.query_one("#filter-username", Input).value.strip(),
            workstation_name=self.query_one("#filter-workstation", Input).value.strip(),
            action_contains=self.query_one("#filter-action", Input).value.strip(),
            outcome=int(self.query_one("#filter-outcome", Select).value),  # type: ignore[arg-type]
        )
        for input_id, attribute in (("#filter-since", "since"), ("#filter-until", "until")):
            text = self.query_one(input_id, Input).value.strip()
            if not text:
                continue
            try:
                start = formatting.local_day_start(text)
            except ValueError:
                field = self.query_one(input_id, Input).parent
                assert isinstance(field, FormField)
                field.set_error("YYYY-MM-DD")
                self.query_one(input_id, Input).focus()
                return None
            # "Until" includes the whole day typed.
            setattr(flt, attribute, start if attribute == "since" else start + timedelta(days=1))
        return flt

    # -- paging -------------------------------------------------------------------
    def action_older(self) -> None:
        if self.next_before_sequence:
            self.load_page([*self.pages, self.next_before_sequence])

    def action_newer(self) -> None:
        if len(self.pages) > 1:
            self.load_page(self.pages[:-1])

    @gateway_call
    async def load_page(self, pages: list[int]) -> None:
        response = await self.gateway.list_audit_events(dataclasses.replace(self.filter, before_sequence=pages[-1]))
        self.pages = pages
        self.next_before_sequence = response.next_before_sequence
        self.loaded = True
        table = self.query_one(DataTable)
        table.clear()
        for event in response.events:
            table.add_row(
                str(event.sequence),
                formatting.instant(event.occurred_at, with_seconds=True),
                event.username,
                event.workstation_name,
                outcome_text(event.outcome),
                patient_text(event),
                event.data_category,
                event.action,
                event.detail,
                key=str(event.sequence),
            )
        self.query_one("#audit-page", Static).update(self._page_text(response.events))
        self.refresh_bindings()

    def _page_text(self, events: Sequence[audit_pb2.AuditEvent]) -> str:
        if not events:
            return "No events match these filters."
        more = "; older ones with Ctrl+N" if self.next_before_sequence else "; no older ones"
        return (
            f"Page {len(self.pages)}, newest first: sequence {events[0].sequence} down to {events[-1].sequence}{more}."
        )

    # -- chain --------------------------------------------------------------------
    def action_verify_chain(self) -> None:
        self.query_one("#audit-chain", Static).update("Verifying the hash chain…")
        self.verify_chain()

    @gateway_call
    async def verify_chain(self) -> None:
        result = await self.gateway.verify_audit_chain()
        status = self.query_one("#audit-chain", Static)
        if result.ok:
            status.update(Text(f"Hash chain intact: {result.events_checked} events checked.", style="green"))
            self.app.notify("The audit hash chain is intact.")
        else:
            problem = f": {result.problem}" if result.problem else ""
            status.update(
                Text(
                    f"Hash chain BROKEN at sequence {result.first_bad_sequence}{problem} "
                    f"({result.events_checked} events checked).",
                    style="bold red",
                )
            )
            self.app.notify(
                f"The audit hash chain is broken at sequence {result.first_bad_sequence}.",
                severity="error",
                timeout=30,
            )

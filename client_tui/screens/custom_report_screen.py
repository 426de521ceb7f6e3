"""Build a custom report from the server's catalog: measures (what is counted or summed) by dimensions (what it is
grouped by), a sort, and the roles it is shared with. Nothing else reaches the server: it refuses anything outside
its catalog, and its refusals read here as sentences (a field's under the field)."""

from __future__ import annotations

from textual import on
from textual.app import ComposeResult
from textual.containers import Horizontal
from textual.widgets import Input, Select, SelectionList
from textual.widgets.selection_list import Selection

from client_tui.gateway import FieldViolation, Gateway
from client_tui.screens.form_screen import FormScreen
from client_tui.widgets.form_field import FormField, show_violations
from client_tui.widgets.role_picker import RolePicker
from client_tui.workers import gateway_call
from shared.pms.reports.v1 import reports_pb2 as rp

DIRECTIONS = [("Ascending (A-Z, smallest first)", rp.SORT_DIRECTION_ASCENDING),
              ("Descending (Z-A, largest first)", rp.SORT_DIRECTION_DESCENDING)]


class CatalogList(SelectionList[str]):
    DEFAULT_CSS = """
    CatalogList {
        height: auto;
        max-height: 8;
        border: tall $border-blurred;
    }
    CatalogList:focus {
        border: tall $border;
    }
    """


class CustomReportScreen(FormScreen[rp.CustomReport | None]):
    """Dismisses with the saved report, or None."""

    CSS_PATH = "custom_report_screen.tcss"
    SUBMIT_LABEL = "Save"

    def __init__(self, gateway: Gateway, existing: rp.CustomReport | None = None) -> None:
        super().__init__()
        self.gateway = gateway
        self.existing = existing
        self.FORM_TITLE = f"Custom report: {existing.definition.title}" if existing else "New custom report"
        self.titles: dict[str, str] = {}
        self.saving = False

    def intro(self) -> str:
        return ("Tick the measures (what is added up) and the dimensions (one row for each of their values). "
                "Space ticks; Ctrl+S saves.")

    def compose_fields(self) -> ComposeResult:
        definition = self.existing.definition if self.existing else rp.CustomReportDefinition()
        yield FormField("Title", Input(definition.title, id="custom-title", compact=True, max_length=100),
                        "definition.title")
        yield FormField("Measures", CatalogList(id="custom-measures"), "definition.measures")
        yield FormField("Dimensions", CatalogList(id="custom-dimensions"), "definition.dimensions",
                        hint="Up to 4; none: one row of totals")
        with Horizontal(id="custom-sort"):
            yield FormField("Sort by", Select([], prompt="as grouped", id="custom-sort-by", compact=True),
                            "definition.sort_by")
            yield FormField("Direction", Select(DIRECTIONS, value=definition.sort_direction
                                                or rp.SORT_DIRECTION_ASCENDING, allow_blank=False,
                                                id="custom-sort-direction", compact=True),
                            "definition.sort_direction")
        yield FormField("Shared with roles", RolePicker(self.gateway, definition.shared_with_roles,
                                                        id="custom-roles"),
                        "definition.shared_with_roles", hint="You always see your own reports")

    def on_mount(self) -> None:
        super().on_mount()
        self.query_one("#custom-title", Input).focus()
        self.load_catalog()

    @gateway_call
    async def load_catalog(self) -> None:
        catalog = await self.gateway.get_report_catalog()
        definition = self.existing.definition if self.existing else rp.CustomReportDefinition()
        for selector, entries, ticked in (("#custom-measures", catalog.measures, set(definition.measures)),
                                          ("#custom-dimensions", catalog.dimensions, set(definition.dimensions))):
            picker = self.query_one(selector, CatalogList)
            picker.clear_options()
            picker.add_options([Selection(self._label(e), e.key, e.key in ticked) for e in entries])
            self.titles.update({e.key: e.title for e in entries})
        self._sort_choices(definition.sort_by)

    @staticmethod
    def _label(entry: rp.CatalogEntry) -> str:
        phi = " (names patients)" if entry.names_patients else ""
        return f"{entry.title}{phi}: {entry.description}"

    def _chosen(self) -> tuple[list[str], list[str]]:
        return (list(self.query_one("#custom-measures", CatalogList).selected),
                list(self.query_one("#custom-dimensions", CatalogList).selected))

    def _sort_choices(self, keep: str = "") -> None:
        select: Select[str] = self.query_one("#custom-sort-by", Select)
        current = keep or (select.value if isinstance(select.value, str) else "")
        measures, dimensions = self._chosen()
        keys = [*dimensions, *measures]
        select.set_options([(self.titles.get(k, k), k) for k in keys])
        if current in keys:
            select.value = current

    @on(SelectionList.SelectedChanged)
    def _ticked(self, event: SelectionList.SelectedChanged[str]) -> None:
        if isinstance(event.selection_list, CatalogList):
            self._sort_choices()

    def definition(self) -> rp.CustomReportDefinition:
        measures, dimensions = self._chosen()
        sort_by = self.query_one("#custom-sort-by", Select).value
        direction = self.query_one("#custom-sort-direction", Select).value
        definition = rp.CustomReportDefinition(
            title=self.query_one("#custom-title", Input).value.strip(), measures=measures, dimensions=dimensions,
            sort_by=sort_by if isinstance(sort_by, str) else "",
            sort_direction=direction if isinstance(direction, int) else rp.SORT_DIRECTION_ASCENDING,  # type: ignore[arg-type]
            shared_with_roles=list(self.query_one(RolePicker).selected))
        if self.existing is not None:
            # What the builder does not show is kept as saved (the filter, the row limit).
            definition.filter.CopyFrom(self.existing.definition.filter)
            definition.row_limit = self.existing.definition.row_limit
        return definition

    def submit(self) -> None:
        if self.saving:
            return
        definition = self.definition()
        if not definition.title:
            show_violations(self, [FieldViolation("definition.title", "give the report a title")])
            return
        self.save(definition)

    @gateway_call
    async def save(self, definition: rp.CustomReportDefinition) -> None:
        self.saving = True
        self.say("Saving…", info=True)
        try:
            existing = self.existing
            saved = await self.gateway.save_custom_report(
                definition, existing.custom_report_id if existing else 0, existing.version if existing else 0)
        finally:
            self.saving = False
        self.dismiss(saved)

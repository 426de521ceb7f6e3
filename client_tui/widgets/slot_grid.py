"""The schedule's grid: a row per 15 minutes, a column per provider (day) or per day (week).

Arrow keys move between cells; the panel around it decides what Enter and the other keys do with
the highlighted cell. Booked cells carry the appointment type's color, a status mark and the
patient's name (and MRN where the column is wide enough); the second row of an appointment names
its type. Free time is blank, closed time is shaded, lunch, admin and time off say so.
"""

from __future__ import annotations

from rich.text import Text
from textual.binding import Binding
from textual.coordinate import Coordinate
from textual.message import Message
from textual.widgets import DataTable

from client_tui import schedule_values as sv
from client_tui.calendar_layout import Cell, Layout

# The narrowest a column gets before the grid scrolls sideways (the time labels stay put).
MIN_COLUMN = 9
MAX_COLUMN = 34
BLOCK_STYLES = {
    "closed": "#4a4a4a",
    "lunch": "#9a9a9a on #2e2e38",
    "admin": "#9a9a9a on #2e2e38",
    "exception": "#e0b0b0 on #3c2626",
}
BLOCK_WORDS = {"lunch": "lunch", "admin": "admin", "exception": "time off"}
RELEASED_STYLE = "#8a8a8a italic"
# Closed time is hatched, so it never passes for free time.
CLOSED = "░"


def clip(text: str, width: int) -> str:
    return text if len(text) <= width else text[: max(width - 1, 0)] + "…"


def short_name(name: str) -> str:
    """"Johnson, Maria" as "Johnson M" for a narrow column."""
    last, _, first = name.partition(", ")
    return f"{last} {first[:1]}".strip()


def cell_text(cell: Cell, width: int) -> Text:
    """What one cell shows in ``width`` characters."""
    appointment = cell.appointment
    if appointment is not None:
        style = sv.color_style(appointment.color)
        extra = f" +{len(cell.appointments) - 1}" if len(cell.appointments) > 1 else ""
        if cell.first_row:
            mark = sv.STATUS_MARKS.get(appointment.status, "?")
            name = f"{mark} {appointment.patient_name}"
            with_mrn = f"{name} {appointment.patient_mrn}"
            room = width - len(extra)
            if len(with_mrn) <= room:
                text = with_mrn
            elif len(name) <= room:
                text = name
            else:
                text = clip(f"{mark} {short_name(appointment.patient_name)}", room)
            return Text((text + extra).ljust(width), style=style)
        if cell.second_row:
            overbooked = " (overbooked)" if appointment.overbooked else ""
            return Text(clip(f"  {appointment.appointment_type_name}{overbooked}", width).ljust(width), style=style)
        return Text(" " * width, style=style)
    if cell.released and cell.kind in ("available", "closed"):
        gone = cell.released[0]
        text = f"{sv.STATUS_MARKS.get(gone.status, '?')} {gone.patient_name}"
        return Text(clip(text, width).ljust(width), style=RELEASED_STYLE)
    if cell.kind == "available":
        return Text(" " * width)
    if cell.kind == "closed":
        return Text(CLOSED * width, style=BLOCK_STYLES["closed"])
    words = BLOCK_WORDS.get(cell.kind, "")
    if words and cell.first_row:
        words = f"{words} · {cell.note}" if cell.note else words
        return Text(clip(f" {words}", width).ljust(width), style=BLOCK_STYLES[cell.kind])
    return Text(" " * width, style=BLOCK_STYLES.get(cell.kind, ""))


def time_label(minute: int) -> Text:
    on_the_hour = minute % 60 == 0
    return Text(sv.clock(minute), style="bold" if on_the_hour else "dim")


class SlotGrid(DataTable[Text], inherit_bindings=False):
    DEFAULT_CSS = """
    SlotGrid {
        height: 1fr;
        scrollbar-size-vertical: 1;
    }
    SlotGrid > .datatable--header {
        text-style: bold;
    }
    """

    # Only moving: what Enter and the letters do is the panel's (they depend on the cell).
    BINDINGS = [
        Binding("up", "cursor_up", "Up", show=False),
        Binding("down", "cursor_down", "Down", show=False),
        Binding("left", "cursor_left", "Left", show=False),
        Binding("right", "cursor_right", "Right", show=False),
        Binding("home", "scroll_top", "First row", show=False),
        Binding("end", "scroll_bottom", "Last row", show=False),
    ]

    class Moved(Message):
        """The highlighted cell changed (or the grid was filled anew)."""

        def __init__(self, cell: Cell | None) -> None:
            super().__init__()
            self.cell = cell

    def __init__(self, id: str | None = None) -> None:
        super().__init__(id=id, cursor_type="cell", zebra_stripes=False, show_row_labels=True)
        self.layout_shown: Layout | None = None
        self.column_width = MIN_COLUMN

    def on_resize(self) -> None:
        if self.layout_shown is not None and self._fitting_width() != self.column_width:
            self.show_layout(self.layout_shown, keep=(self.cursor_row, self.cursor_column))

    def _fitting_width(self) -> int:
        columns = max(len(self.layout_shown.columns) if self.layout_shown else 1, 1)
        # 7: the time labels with their padding; 1: the scrollbar; 2 per column: the cell padding.
        room = self.size.width - 7 - 1 - 2 * columns
        return max(MIN_COLUMN, min(MAX_COLUMN, room // columns))

    def show_layout(self, layout: Layout, keep: tuple[int, int] | None = None) -> None:
        """Fill the grid; ``keep``: the (row, column) to highlight."""
        self.layout_shown = layout
        self.column_width = width = self._fitting_width()
        self.clear(columns=True)
        for shown in layout.columns:
            self.add_column(Text(clip(shown.title, width), style="bold"), width=width)
        for minute, cells in zip(layout.minutes, layout.cells, strict=True):
            self.add_row(*(cell_text(cell, width) for cell in cells), label=time_label(minute))
        if layout.cells and layout.columns:
            row, column = keep or (0, 0)
            self.cursor_coordinate = Coordinate(
                min(max(row, 0), len(layout.cells) - 1), min(max(column, 0), len(layout.columns) - 1)
            )
        self.post_message(self.Moved(self.current_cell()))

    def current_cell(self) -> Cell | None:
        if self.layout_shown is None or not self.row_count:
            return None
        return self.layout_shown.cell(self.cursor_row, self.cursor_column)

    def watch_cursor_coordinate(self, old: Coordinate, new: Coordinate) -> None:
        super().watch_cursor_coordinate(old, new)
        if old != new:
            self.post_message(self.Moved(self.current_cell()))

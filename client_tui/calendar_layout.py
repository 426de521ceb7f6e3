"""The schedule as a grid of 15-minute cells: what the server sent, laid out for the eye (no rules).

A column is one provider on one local day (the day view: a column per provider; the week view: a
column per day of one provider). A cell shows what covers it: an appointment that holds its time,
else the template block (time off, lunch, admin, available), else nothing ("closed"). Whether a time
can really be booked is the server's answer when booking.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from zoneinfo import ZoneInfo

from client_tui import schedule_values as sv
from shared.pms.scheduling.v1 import appointments_pb2 as ap

# Hours shown when a column has no template block at all (a manager may still overbook there).
EMPTY_DAY = (8 * 60, 17 * 60)
# Block kinds in the order they win when several cover a cell.
BLOCK_ORDER = ("exception", "lunch", "admin", "available")
CELL_KIND_NAMES = {
    "available": "free",
    "lunch": "lunch",
    "admin": "admin",
    "exception": "time off",
    "closed": "closed",
    "booked": "booked",
}


@dataclass(frozen=True)
class Column:
    provider_id: int
    day: date
    title: str


@dataclass(frozen=True)
class Span:
    """A block or an appointment as minutes on its column's local day."""

    start: int
    end: int
    kind: str = ""
    note: str = ""
    appointment: ap.Appointment | None = None


@dataclass
class ColumnData:
    column: Column
    blocks: list[Span] = field(default_factory=list)
    appointments: list[Span] = field(default_factory=list)


@dataclass
class Cell:
    column: Column
    minute: int
    # "booked", "available", "lunch", "admin", "exception" or "closed".
    kind: str
    # Appointments holding this cell's time, earliest first (more than one: overbooked).
    appointments: list[ap.Appointment] = field(default_factory=list)
    # No-shows that started here (their time is free again).
    released: list[ap.Appointment] = field(default_factory=list)
    # The first row of the appointment or block (where its name is written).
    first_row: bool = False
    # The second row of an appointment (where its type is written).
    second_row: bool = False
    note: str = ""

    @property
    def appointment(self) -> ap.Appointment | None:
        return self.appointments[0] if self.appointments else None

    def starts_at(self, zone: ZoneInfo) -> datetime:
        return sv.local_instant(self.column.day, self.minute, zone)


@dataclass
class Layout:
    zone: ZoneInfo
    columns: list[Column]
    minutes: list[int]
    cells: list[list[Cell]]  # [row][column]

    def cell(self, row: int, column: int) -> Cell | None:
        if 0 <= row < len(self.cells) and 0 <= column < len(self.columns):
            return self.cells[row][column]
        return None

    def find(self, appointment_id: int) -> tuple[int, int] | None:
        for row, cells in enumerate(self.cells):
            for column, cell in enumerate(cells):
                if any(a.appointment_id == appointment_id for a in cell.appointments) and cell.first_row:
                    return row, column
        return None

    def find_time(self, column: Column, minute: int) -> tuple[int, int] | None:
        for index, known in enumerate(self.columns):
            if (known.provider_id, known.day) == (column.provider_id, column.day):
                for row, row_minute in enumerate(self.minutes):
                    if row_minute <= minute < row_minute + sv.ROW_MINUTES:
                        return row, index
        return None


def column_data(
    column: Column, day: ap.GetDayScheduleResponse, zone: ZoneInfo
) -> ColumnData:
    """The parts of one day's answer that belong to ``column``'s provider."""
    data = ColumnData(column)
    for block in day.blocks:
        if block.provider_id == column.provider_id:
            data.blocks.append(
                Span(
                    sv.local_minutes(sv.instant(block.starts_at), column.day, zone),
                    sv.local_minutes(sv.instant(block.ends_at), column.day, zone),
                    block.kind,
                    block.note,
                )
            )
    for appointment in day.appointments:
        if appointment.provider_id == column.provider_id:
            data.appointments.append(
                Span(
                    sv.minutes_of_local(appointment.local_start, column.day),
                    sv.minutes_of_local(appointment.local_end, column.day),
                    appointment=appointment,
                )
            )
    return data


def hours_of(columns: Iterable[ColumnData]) -> tuple[int, int]:
    """From the earliest block (or appointment) to the latest, on the 15-minute rows."""
    # Time off may cover whole days; the hours shown are those of the template and the appointments.
    spans = [s for data in columns for s in (*data.blocks, *data.appointments) if s.kind != "exception"]
    if not spans:
        return EMPTY_DAY
    first = max(0, min(s.start for s in spans))
    last = min(1440, max(s.end for s in spans))
    first -= first % sv.ROW_MINUTES
    last += -last % sv.ROW_MINUTES
    return first, max(last, first + sv.ROW_MINUTES)


def lay_out(columns: Sequence[ColumnData], zone: ZoneInfo) -> Layout:
    first, last = hours_of(columns)
    minutes = list(range(first, last, sv.ROW_MINUTES))
    cells = [[_cell(data, minute, first) for data in columns] for minute in minutes]
    return Layout(zone, [data.column for data in columns], minutes, cells)


def _overlaps(span: Span, minute: int) -> bool:
    return span.start < minute + sv.ROW_MINUTES and span.end > minute


def _cell(data: ColumnData, minute: int, first_shown: int) -> Cell:
    holding = [
        s for s in data.appointments
        if s.appointment is not None and s.appointment.status not in sv.RELEASED and _overlaps(s, minute)
    ]
    # A no-show stays in sight (the desk reconciles it); a cancelled visit leaves the calendar.
    released = [
        s.appointment for s in data.appointments
        if s.appointment is not None and s.appointment.status == ap.APPOINTMENT_STATUS_NO_SHOW
        and minute <= s.start < minute + sv.ROW_MINUTES
    ]
    if holding:
        holding.sort(key=lambda s: (s.start, s.appointment.appointment_id if s.appointment else 0))
        first = holding[0]
        row_of_start = first.start - first.start % sv.ROW_MINUTES
        return Cell(
            data.column,
            minute,
            "booked",
            [s.appointment for s in holding if s.appointment is not None],
            released,
            first_row=minute == row_of_start,
            second_row=minute == row_of_start + sv.ROW_MINUTES,
        )
    for kind in BLOCK_ORDER:
        for block in data.blocks:
            if block.kind != kind:
                continue
            covers = block.start <= minute < block.end if kind == "available" else _overlaps(block, minute)
            if covers:
                # Named on its first row, or on the first row shown when it began earlier.
                block_row = max(block.start - block.start % sv.ROW_MINUTES, first_shown)
                return Cell(
                    data.column, minute, kind, released=released, first_row=minute == block_row, note=block.note
                )
    return Cell(data.column, minute, "closed", released=released)


"""Calendar dates on the wire (google.type.Date) and in Python (datetime.date), for both sides."""

from __future__ import annotations

from datetime import date

from google.type.date_pb2 import Date


def to_pb(value: date | None) -> Date | None:
    return None if value is None else Date(year=value.year, month=value.month, day=value.day)


def from_pb(value: Date | None) -> date | None:
    """None for an unset date (all zero); raises ValueError for an impossible one (e.g. Feb 30)."""
    if value is None or (value.year == 0 and value.month == 0 and value.day == 0):
        return None
    return date(value.year, value.month, value.day)


def is_set(value: Date | None) -> bool:
    return value is not None and (value.year, value.month, value.day) != (0, 0, 0)

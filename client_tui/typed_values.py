"""Reading what the user typed into wire values.

Only the shape is checked here (can the text be split into numbers?); whether a date is possible,
a ZIP exists or a phone is real is the server's call, and it says so per field.
"""

from __future__ import annotations

import re
from datetime import date

from google.type.date_pb2 import Date

DATE_HINT = "MM/DD/YYYY"


class UnreadableValue(ValueError):
    """Text that cannot be turned into the value a field needs; ``str()`` says how to type it."""


def date_from_text(text: str) -> Date | None:
    """MM/DD/YYYY, M/D/YYYY, YYYY-MM-DD or MMDDYYYY; None when blank. Feb 30 passes: the server decides."""
    text = text.strip()
    if not text:
        return None
    if match := re.fullmatch(r"(\d{4})-(\d{1,2})-(\d{1,2})", text):
        year, month, day = match.groups()
    elif match := re.fullmatch(r"(\d{1,2})[/.-](\d{1,2})[/.-](\d{4})|(\d{2})(\d{2})(\d{4})", text):
        month, day, year = (part for part in match.groups() if part is not None)
    else:
        raise UnreadableValue(f"type the date as {DATE_HINT}")
    return Date(year=int(year), month=int(month), day=int(day))


def calendar_day_from_text(text: str) -> date | None:
    """Like ``date_from_text``, for calls that take a ``datetime.date`` (which cannot hold Feb 30)."""
    value = date_from_text(text)
    if value is None:
        return None
    try:
        return date(value.year, value.month, value.day)
    except ValueError:
        raise UnreadableValue("is not a day on the calendar") from None


def cents_from_dollars(text: str) -> int:
    """Dollars as typed ("25", "25.5", "$1,250.00") in cents, without floats; blank is 0.

    A minus sign is read too: whether a negative amount is allowed is the server's call.
    """
    cleaned = text.strip().replace(",", "").replace(" ", "")
    sign = -1 if cleaned.startswith("-") else 1
    cleaned = cleaned.removeprefix("-").removeprefix("$")
    if not cleaned:
        return 0
    match = re.fullmatch(r"(\d*)(?:\.(\d{1,2}))?", cleaned)
    if match is None or not (match[1] or match[2]):
        raise UnreadableValue("type dollars and cents, e.g. 25 or 25.00")
    return sign * (int(match[1] or 0) * 100 + int((match[2] or "0").ljust(2, "0")))


def dollars_text(cents: int) -> str:
    """Cents as the form shows them for editing: "25.00"; blank for none."""
    if not cents:
        return ""
    whole, part = divmod(cents, 100)
    return f"{whole}.{part:02d}"


def whole_number(text: str) -> int:
    cleaned = text.strip().removesuffix("%").strip()
    if not cleaned:
        return 0
    if not re.fullmatch(r"-?\d+", cleaned):
        raise UnreadableValue("type a whole number")
    return int(cleaned)

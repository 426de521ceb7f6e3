"""Scheduling rules that need no database: identifiers, time zones, the visit's transition table."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

from server.errors import FieldErrors, RuleViolation

# The calendar palette (the TUI maps each to a theme color).
COLORS = ("blue", "green", "yellow", "orange", "red", "magenta", "cyan", "purple", "teal", "gray")
# The grid appointments start on and template blocks are cut to.
GRID_MINUTES = 5
# Find-slot offers starts every this many minutes from a block's start (the calendar's row height).
SLOT_STEP_MINUTES = 15
MAX_APPOINTMENT_MINUTES = 480
_TAXONOMY = re.compile(r"^[0-9]{3}[0-9A-Z]{6}X$")
_POS = re.compile(r"^[0-9]{2}$")


def npi_check_digit(first_nine: str) -> int:
    """Luhn over the prefix 80840 followed by the NPI's first nine digits (CMS NPI standard)."""
    total = 0
    # Double every second digit from the right of the payload (the check digit is not in it).
    for i, c in enumerate(reversed("80840" + first_nine)):
        d = int(c)
        if i % 2 == 0:
            d *= 2
            if d > 9:
                d -= 9
        total += d
    return (10 - total % 10) % 10


def npi_is_valid(npi: str) -> bool:
    return bool(re.fullmatch(r"[0-9]{10}", npi)) and npi_check_digit(npi[:9]) == int(npi[9])


def taxonomy_is_valid(code: str) -> bool:
    return bool(_TAXONOMY.match(code))


def place_of_service_is_valid(code: str) -> bool:
    return bool(_POS.match(code)) and code != "00"


_ZONES: frozenset[str] | None = None


def time_zone(errors: FieldErrors, field: str, name: str) -> str:
    global _ZONES
    if _ZONES is None:
        _ZONES = frozenset(available_timezones())
    name = name.strip()
    if not name:
        errors.add(field, "is required")
    elif name not in _ZONES:
        errors.add(field, "must be an IANA time zone such as America/New_York")
    else:
        try:
            ZoneInfo(name)
        except ZoneInfoNotFoundError:
            errors.add(field, "must be an IANA time zone such as America/New_York")
    return name


def minutes(errors: FieldErrors, field: str, value: int, *, low: int = GRID_MINUTES,
            high: int = MAX_APPOINTMENT_MINUTES) -> int:
    if not low <= value <= high or value % GRID_MINUTES:
        errors.add(field, f"must be {low} to {high} minutes, a multiple of {GRID_MINUTES}")
    return value


def local_datetime(day: date, minute: int, zone: ZoneInfo) -> datetime:
    """The instant of a local wall-clock time. A time that does not exist (spring forward) moves past the gap
    (2:30 becomes 3:30); one that happens twice (fall back) is its first occurrence (PEP 495 fold=0)."""
    naive = datetime.combine(day, time()) + timedelta(minutes=minute)
    return naive.replace(tzinfo=zone, fold=0).astimezone(UTC).astimezone(zone)


def local_text(instant: datetime, zone: ZoneInfo) -> str:
    return instant.astimezone(zone).strftime("%Y-%m-%dT%H:%M")


# -- the visit: an explicit transition table (BRIEF 2.7) --------------------------------------
STATUSES = ("scheduled", "confirmed", "arrived", "roomed", "seen", "checked_out", "cancelled", "no_show")
TRANSITIONS: dict[str, frozenset[str]] = {
    "scheduled": frozenset({"confirmed", "arrived", "cancelled", "no_show"}),
    "confirmed": frozenset({"arrived", "cancelled", "no_show"}),
    "arrived": frozenset({"roomed"}),
    "roomed": frozenset({"seen"}),
    "seen": frozenset({"checked_out"}),
    "checked_out": frozenset(),
    "cancelled": frozenset(),
    "no_show": frozenset(),
}
# Statuses whose appointment no longer holds its time (the slot is free again).
RELEASED = frozenset({"cancelled", "no_show"})
# Only these may be moved to another time (a patient who is here is not rescheduled).
MOVABLE = frozenset({"scheduled", "confirmed"})
_LABEL = {"scheduled": "scheduled", "confirmed": "confirmed", "arrived": "arrived", "roomed": "roomed",
          "seen": "seen", "checked_out": "checked out", "cancelled": "cancelled", "no_show": "a no-show"}


def check_transition(current: str, wanted: str) -> None:
    if wanted not in TRANSITIONS.get(current, frozenset()):
        allowed = sorted(TRANSITIONS.get(current, frozenset()))
        then = ("; from here it can become " + ", ".join(_LABEL[s] for s in allowed)) if allowed else \
            "; it cannot change any more"
        raise RuleViolation(f"An appointment that is {_LABEL[current]} cannot become {_LABEL[wanted]}{then}.",
                            "TRANSITION_NOT_ALLOWED",
                            {"from_status": current, "to_status": wanted})

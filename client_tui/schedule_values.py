"""Words, marks, colors and clock times for the schedule screens (presentation only, no scheduling rules).

Times on the schedule are the location's wall clock: the server sends appointments with local text
("2026-11-03T09:00") and blocks, slots and error details as instants, which are shown in the location's
time zone. A time picked on the calendar is turned back into an instant the same way the server reads
it (a time skipped by the spring-forward gap moves past it; a doubled one is its first occurrence).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from functools import cache
from zoneinfo import ZoneInfo

from google.protobuf.timestamp_pb2 import Timestamp

from client_tui.choices import Choices
from client_tui.typed_values import UnreadableValue
from shared.pms.scheduling.v1 import appointments_pb2 as ap
from shared.pms.scheduling.v1 import setup_pb2

ROW_MINUTES = 15

STATUS_NAMES: dict[int, str] = {
    ap.APPOINTMENT_STATUS_SCHEDULED: "scheduled",
    ap.APPOINTMENT_STATUS_CONFIRMED: "confirmed",
    ap.APPOINTMENT_STATUS_ARRIVED: "arrived",
    ap.APPOINTMENT_STATUS_ROOMED: "roomed",
    ap.APPOINTMENT_STATUS_SEEN: "seen",
    ap.APPOINTMENT_STATUS_CHECKED_OUT: "checked out",
    ap.APPOINTMENT_STATUS_CANCELLED: "cancelled",
    ap.APPOINTMENT_STATUS_NO_SHOW: "no-show",
}
# One letter before the name on the calendar; scheduled (nothing happened yet) has none.
STATUS_MARKS: dict[int, str] = {
    ap.APPOINTMENT_STATUS_SCHEDULED: " ",
    ap.APPOINTMENT_STATUS_CONFIRMED: "C",
    ap.APPOINTMENT_STATUS_ARRIVED: "A",
    ap.APPOINTMENT_STATUS_ROOMED: "R",
    ap.APPOINTMENT_STATUS_SEEN: "S",
    ap.APPOINTMENT_STATUS_CHECKED_OUT: "X",
    ap.APPOINTMENT_STATUS_CANCELLED: "-",
    ap.APPOINTMENT_STATUS_NO_SHOW: "N",
}
MARK_LEGEND = "C confirmed · A arrived · R roomed · S seen · X checked out · N no-show"
# Statuses whose appointment gave its time back: shown faintly, and the time is offered for booking.
RELEASED = frozenset({ap.APPOINTMENT_STATUS_CANCELLED, ap.APPOINTMENT_STATUS_NO_SHOW})

CANCEL_REASONS: Choices = [
    ("Patient cancelled", ap.CANCEL_REASON_PATIENT),
    ("Provider unavailable", ap.CANCEL_REASON_PROVIDER),
    ("Weather", ap.CANCEL_REASON_WEATHER),
    ("Practice closed / rescheduling", ap.CANCEL_REASON_PRACTICE),
    ("Other (say why)", ap.CANCEL_REASON_OTHER),
]
CANCEL_REASON_NAMES: dict[int, str] = {
    ap.CANCEL_REASON_PATIENT: "patient",
    ap.CANCEL_REASON_PROVIDER: "provider",
    ap.CANCEL_REASON_WEATHER: "weather",
    ap.CANCEL_REASON_PRACTICE: "practice",
    ap.CANCEL_REASON_OTHER: "other",
    ap.CANCEL_REASON_NO_SHOW: "no-show",
}

# The calendar palette (AppointmentType.color) as cell styles; text color chosen for contrast.
COLOR_STYLES: dict[str, str] = {
    "blue": "#ffffff on #2f5fa7",
    "green": "#000000 on #6cbf6a",
    "yellow": "#000000 on #e3c84f",
    "orange": "#000000 on #ee9d4b",
    "red": "#ffffff on #b83b32",
    "magenta": "#ffffff on #a8388c",
    "cyan": "#000000 on #5fc3d9",
    "purple": "#ffffff on #6f4bb8",
    "teal": "#ffffff on #1f7f7a",
    "gray": "#000000 on #a5a5a5",
}
DEFAULT_COLOR_STYLE = COLOR_STYLES["gray"]

WEEKDAY_NAMES = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")


def color_style(color: str) -> str:
    return COLOR_STYLES.get(color, DEFAULT_COLOR_STYLE)


# -- time zones and instants -------------------------------------------------------------------


@cache
def zone_of(name: str) -> ZoneInfo:
    return ZoneInfo(name or "UTC")


def today_at(time_zone: str) -> date:
    """Today on the location's clock (a module function, so tests can pin it)."""
    return datetime.now(zone_of(time_zone)).date()


def instant(ts: Timestamp) -> datetime:
    return ts.ToDatetime(tzinfo=UTC)


def timestamp(moment: datetime) -> Timestamp:
    out = Timestamp()
    out.FromDatetime(moment.astimezone(UTC))
    return out


def local_instant(day: date, minute: int, zone: ZoneInfo) -> datetime:
    """The instant of a wall-clock time at the location, read as the server reads it."""
    naive = datetime.combine(day, time()) + timedelta(minutes=minute)
    return naive.replace(tzinfo=zone, fold=0).astimezone(UTC)


def local_minutes(moment: datetime, day: date, zone: ZoneInfo) -> int:
    """Minutes after the location's midnight of ``day`` (negative before it, 1440 and more after it)."""
    local = moment.astimezone(zone)
    return (local.date() - day).days * 1440 + local.hour * 60 + local.minute


def parse_local(text: str) -> datetime:
    """The server's wall-clock text, "2026-11-03T09:00", as a naive datetime."""
    return datetime.strptime(text[:16], "%Y-%m-%dT%H:%M")


def minutes_of_local(text: str, day: date) -> int:
    value = parse_local(text)
    return (value.date() - day).days * 1440 + value.hour * 60 + value.minute


def rfc3339(text: str) -> datetime:
    moment = datetime.fromisoformat(text.strip().replace("Z", "+00:00"))
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)


# -- clock and calendar text ---------------------------------------------------------------------


def clock(minute: int) -> str:
    hours, minutes = divmod(minute % 1440, 60)
    return f"{hours:02d}:{minutes:02d}"


def short_day(day: date) -> str:
    return f"{WEEKDAY_NAMES[day.weekday()]} {day.month:02d}/{day.day:02d}"


def long_day(day: date) -> str:
    return f"{day:%A} {day.month:02d}/{day.day:02d}/{day.year:04d}"


def slot_text(moment: datetime, zone: ZoneInfo) -> str:
    """"Tue 11/03 09:30" on the location's clock."""
    local = moment.astimezone(zone)
    return f"{short_day(local.date())} {local:%H:%M}"


def local_text_when(text: str) -> str:
    """The server's local text as "Tue 11/03 09:30"."""
    value = parse_local(text)
    return f"{short_day(value.date())} {value:%H:%M}"


def local_clock(text: str) -> str:
    return parse_local(text).strftime("%H:%M")


def length_minutes(appointment: ap.Appointment) -> int:
    return int((instant(appointment.ends_at) - instant(appointment.starts_at)).total_seconds() // 60)


def week_of(day: date) -> list[date]:
    """Monday to Sunday of the week ``day`` is in."""
    monday = day - timedelta(days=day.weekday())
    return [monday + timedelta(days=offset) for offset in range(7)]


# -- names ---------------------------------------------------------------------------------------


def provider_name(provider: setup_pb2.Provider | None) -> str:
    """"Anna Lee, MD" as said at the desk."""
    if provider is None:
        return "unknown provider"
    name = " ".join(part for part in (provider.first_name, provider.last_name) if part)
    return f"{name}, {provider.credentials}" if provider.credentials else name


def provider_column(provider: setup_pb2.Provider | None) -> str:
    """"Lee, A MD": short enough for a column heading."""
    if provider is None:
        return "?"
    text = f"{provider.last_name}, {provider.first_name[:1]}".strip(", ")
    return f"{text} {provider.credentials}".strip()


def type_label(kind: setup_pb2.AppointmentType) -> str:
    return f"{kind.name} ({kind.default_minutes} min)"


def appointment_line(appointment: ap.Appointment) -> str:
    """"Johnson, Maria (MRN 100101), Tue 11/03 09:00, Follow-up" for sentences."""
    return (
        f"{appointment.patient_name} (MRN {appointment.patient_mrn}), "
        f"{local_text_when(appointment.local_start)}, {appointment.appointment_type_name}"
    )


# -- what the server said about a lost race -------------------------------------------------------


def offered_slots(metadata: Mapping[str, str]) -> list[datetime]:
    """The next free starts a SLOT_TAKEN answer offers (empty when it offers none)."""
    out = []
    for part in metadata.get("next_free", "").split(","):
        if part.strip():
            try:
                out.append(rfc3339(part))
            except ValueError:
                continue  # a value this client cannot read is not offered, the others still are
    return out


def conflict_text(metadata: Mapping[str, str], zone: ZoneInfo) -> str:
    """"09:00 to 09:30" of the appointment that won the race, on the location's clock; blank if not sent."""
    try:
        starts = rfc3339(metadata["conflict_starts_at"]).astimezone(zone)
        ends = rfc3339(metadata["conflict_ends_at"]).astimezone(zone)
    except (KeyError, ValueError):
        return ""
    return f"{starts:%H:%M} to {ends:%H:%M}"


# -- reading what was typed ----------------------------------------------------------------------

TIME_HINT = "HH:MM, e.g. 08:30 or 2:15 pm"
WEEKDAYS_HINT = "e.g. Mon Wed Fri or Mon-Thu"


def minute_of_day_from_text(text: str) -> int | None:
    """"9", "9:30", "0930", "2pm", "2:15 pm", "14:00" as minutes after midnight; None when blank."""
    cleaned = text.strip().lower().replace(".", "").replace(" ", "")
    if not cleaned:
        return None
    match = re.fullmatch(r"(\d{1,2})(?::?(\d{2}))?(am|pm|a|p)?", cleaned)
    if match is None:
        raise UnreadableValue(f"type a time as {TIME_HINT}")
    hours, minutes, half = int(match[1]), int(match[2] or 0), match[3]
    if half:
        if not 1 <= hours <= 12:
            raise UnreadableValue(f"type a time as {TIME_HINT}")
        hours = hours % 12 + (12 if half.startswith("p") else 0)
    if hours > 24 or minutes > 59 or (hours == 24 and minutes):
        raise UnreadableValue(f"type a time as {TIME_HINT}")
    return hours * 60 + minutes


def weekdays_from_text(text: str) -> list[int]:
    """"Mon Wed Fri", "mon-thu", "1,3,5" as ISO weekdays (1 Monday ... 7 Sunday); empty when blank."""
    names = [name.lower() for name in WEEKDAY_NAMES]

    def one(word: str) -> int:
        if word.isdigit() and 1 <= int(word) <= 7:
            return int(word)
        if len(word) >= 2:
            for number, name in enumerate(names, 1):
                if name.startswith(word[:3]):
                    return number
        raise UnreadableValue(f"name the days, {WEEKDAYS_HINT}")

    days: set[int] = set()
    for part in re.split(r"[,\s]+", text.strip().lower()):
        if not part:
            continue
        if "-" in part:
            first, _, last = part.partition("-")
            start, end = one(first), one(last)
            days.update(range(start, end + 1) if start <= end else [*range(start, 8), *range(1, end + 1)])
        else:
            days.add(one(part))
    return sorted(days)


def weekdays_text(days: list[int]) -> str:
    return " ".join(WEEKDAY_NAMES[d - 1] for d in days if 1 <= d <= 7)


# -- what the schedule screens share ------------------------------------------------------------


@dataclass
class ScheduleSetup:
    """The practice's locations, providers and appointment types, fetched once for the schedule screens."""

    locations: dict[int, setup_pb2.Location] = field(default_factory=dict)
    providers: dict[int, setup_pb2.Provider] = field(default_factory=dict)
    types: dict[int, setup_pb2.AppointmentType] = field(default_factory=dict)

    def zone(self, location_id: int) -> ZoneInfo:
        location = self.locations.get(location_id)
        return zone_of(location.time_zone if location is not None else "")

    def location_name(self, location_id: int) -> str:
        location = self.locations.get(location_id)
        return location.name if location is not None else "unknown location"

    def provider_name(self, provider_id: int) -> str:
        return provider_name(self.providers.get(provider_id))

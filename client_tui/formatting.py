"""Turning message fields into short text for tables (no rules, only presentation)."""

from __future__ import annotations

from datetime import UTC, date, datetime

from google.protobuf.timestamp_pb2 import Timestamp
from google.type.date_pb2 import Date

from shared import dates
from shared.money import dollars as dollars  # re-exported: the screens format money through this module
from shared.pms.audit.v1 import audit_pb2
from shared.pms.common.v1.contact_pb2 import PersonName, PostalAddress


def instant(ts: Timestamp, with_seconds: bool = False) -> str:
    """A timestamp in this computer's time zone; blank when the server left it unset."""
    if ts.seconds == 0 and ts.nanos == 0:
        return ""
    local = ts.ToDatetime(tzinfo=UTC).astimezone()
    return local.strftime("%Y-%m-%d %H:%M:%S" if with_seconds else "%Y-%m-%d %H:%M")


def day(ts: Timestamp) -> str:
    if ts.seconds == 0 and ts.nanos == 0:
        return ""
    return ts.ToDatetime(tzinfo=UTC).astimezone().strftime("%Y-%m-%d")


def yes_no(flag: bool) -> str:
    return "yes" if flag else "no"


def local_day_start(text: str) -> datetime:
    """Midnight at the start of a ``YYYY-MM-DD`` day in this computer's time zone."""
    return datetime.strptime(text.strip(), "%Y-%m-%d").astimezone()


OUTCOME_NAMES: dict[int, str] = {
    audit_pb2.OUTCOME_SUCCESS: "success",
    audit_pb2.OUTCOME_DENIED: "denied",
    audit_pb2.OUTCOME_FAILED: "failed",
    audit_pb2.OUTCOME_ERROR: "error",
}


def outcome(value: int) -> str:
    return OUTCOME_NAMES.get(value, "")


# -- patients, policies, documents -------------------------------------------------------


def today() -> date:
    """The day ages are counted to (a function, so tests can pin it)."""
    return date.today()


def calendar_date(value: Date) -> str:
    """MM/DD/YYYY, as US front desks read and type dates; blank when unset."""
    if (value.year, value.month, value.day) == (0, 0, 0):
        return ""
    return f"{value.month:02d}/{value.day:02d}/{value.year:04d}"


def age(born: Date, on: date | None = None) -> str:
    """Whole years; months under two (a paediatric desk asks "how many months?")."""
    try:
        birth = dates.from_pb(born)
    except ValueError:
        return ""
    if birth is None:
        return ""
    on = on or today()
    months = (on.year - birth.year) * 12 + on.month - birth.month - (on.day < birth.day)
    if months < 0:
        return ""
    return f"{months} mo" if months < 24 else str(months // 12)


def date_with_age(born: Date) -> str:
    shown = calendar_date(born)
    years = age(born)
    return f"{shown} ({years})" if shown and years else shown


def person_name(name: PersonName, preferred: str = "") -> str:
    """The name as a list of patients is scanned: Last Suffix, First M, and the preferred name in quotes."""
    last = " ".join(part for part in (name.last, name.suffix) if part)
    given = " ".join(part for part in (name.first, name.middle[:1]) if part)
    text = ", ".join(part for part in (last, given) if part)
    return f'{text} "{preferred}"' if preferred else text


def spoken_name(name: PersonName) -> str:
    """The name as said in a sentence: First Middle Last Suffix."""
    return " ".join(part for part in (name.first, name.middle, name.last, name.suffix) if part)


def phone(number: str) -> str:
    """(614) 555-0134 for the server's +1XXXXXXXXXX; anything else as stored."""
    digits = number.removeprefix("+1")
    if number.startswith("+1") and len(digits) == 10 and digits.isdigit():
        return f"({digits[:3]}) {digits[3:6]}-{digits[6:]}"
    return number


def file_size(size_bytes: int) -> str:
    if size_bytes < 1024:
        return f"{size_bytes} B"
    if size_bytes < 1024 * 1024:
        return f"{size_bytes / 1024:.0f} KB"
    return f"{size_bytes / (1024 * 1024):.1f} MB"


def address_lines(address: PostalAddress) -> list[str]:
    city_line = " ".join(
        part for part in (f"{address.city}," if address.city else "", address.state, address.zip) if part
    )
    return [line for line in (address.line1, address.line2, city_line.strip(" ,")) if line]


def moment(ts: Timestamp) -> str:
    """MM/DD/YYYY HH:MM in this computer's time zone, beside the other dates of a patient's record."""
    if ts.seconds == 0 and ts.nanos == 0:
        return ""
    return ts.ToDatetime(tzinfo=UTC).astimezone().strftime("%m/%d/%Y %H:%M")


def calendar_date_of(day: date) -> str:
    return f"{day.month:02d}/{day.day:02d}/{day.year:04d}"

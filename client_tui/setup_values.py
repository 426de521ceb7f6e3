"""Words and code lists for Admin > Schedule setup (labels only; the rules are the server's)."""

from __future__ import annotations

from collections.abc import Mapping

from client_tui import formatting
from client_tui.choices import Choices
from client_tui.schedule_values import WEEKDAY_NAMES, clock
from shared.pms.reminders.v1 import reminders_pb2
from shared.pms.scheduling.v1 import setup_pb2 as su

RESOURCE_KINDS: Choices = [("Room", su.RESOURCE_KIND_ROOM), ("Equipment", su.RESOURCE_KIND_EQUIPMENT)]
ELIGIBILITIES: Choices = [
    ("Anyone", su.PATIENT_ELIGIBILITY_ANY),
    ("New", su.PATIENT_ELIGIBILITY_NEW),
    ("Established", su.PATIENT_ELIGIBILITY_ESTABLISHED),
]
ELIGIBILITY_WORDS = {
    su.PATIENT_ELIGIBILITY_ANY: "any",
    su.PATIENT_ELIGIBILITY_NEW: "new",
    su.PATIENT_ELIGIBILITY_ESTABLISHED: "established",
}
BLOCK_KINDS: Choices = [
    ("Available", su.BLOCK_KIND_AVAILABLE),
    ("Lunch", su.BLOCK_KIND_LUNCH),
    ("Admin", su.BLOCK_KIND_ADMIN),
]
BLOCK_KIND_WORDS = {su.BLOCK_KIND_AVAILABLE: "available", su.BLOCK_KIND_LUNCH: "lunch", su.BLOCK_KIND_ADMIN: "admin"}
EXCEPTION_KINDS: Choices = [
    ("Vacation", su.EXCEPTION_KIND_VACATION),
    ("Holiday", su.EXCEPTION_KIND_HOLIDAY),
    ("Half day", su.EXCEPTION_KIND_HALF_DAY),
    ("Meeting", su.EXCEPTION_KIND_MEETING),
    ("Other", su.EXCEPTION_KIND_OTHER),
]
EXCEPTION_KIND_WORDS = {value: label.lower() for label, value in EXCEPTION_KINDS}
WEEKDAYS: Choices = [
    (f"{name}", number)
    for number, name in enumerate(("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"), 1)
]
# The calendar palette the server accepts (AppointmentType.color).
COLORS = ("blue", "green", "yellow", "orange", "red", "magenta", "cyan", "purple", "teal", "gray")
# Common CMS place-of-service codes; any two digits may be typed.
POS_HINT = "11 office, 22 outpatient hospital, 02/10 telehealth"
ZONE_HINT = "IANA name, e.g. America/New_York, America/Chicago"
LEAD_HOURS_HINT = "1 to 4 times in hours before the visit, e.g. 48 2"


def weekday_name(weekday: int) -> str:
    return WEEKDAY_NAMES[weekday - 1] if 1 <= weekday <= 7 else "?"


def block_sort_key(block: su.TemplateBlock) -> tuple[int, int, int, int]:
    return (block.weekday, block.start_minute, block.end_minute, block.location_id)


def type_names(type_ids: list[int] | tuple[int, ...], types: Mapping[int, su.AppointmentType]) -> str:
    """ "all" for an empty list (a block that accepts every type)."""
    if not type_ids:
        return "all types"
    return ", ".join(types[t].name if t in types else f"#{t}" for t in type_ids)


def effective_text(block: su.TemplateBlock) -> str:
    start = formatting.calendar_date(block.effective_from)
    until = formatting.calendar_date(block.effective_until)
    if not start and not until:
        return "always"
    if not until:
        return f"from {start}"
    if not start:
        return f"until {until}"
    return f"{start}-{until}"


def exception_times(exception: su.ScheduleException) -> str:
    if exception.start_minute == 0 and exception.end_minute == 0:
        return "whole day" if _same_day(exception) else "whole days"
    return f"{clock(exception.start_minute)}-{clock(exception.end_minute)}"


def _same_day(exception: su.ScheduleException) -> bool:
    a, b = exception.first_date, exception.last_date
    return (a.year, a.month, a.day) == (b.year, b.month, b.day)


def exception_dates(exception: su.ScheduleException) -> str:
    first = formatting.calendar_date(exception.first_date)
    if _same_day(exception):
        return first
    return f"{first}-{formatting.calendar_date(exception.last_date)}"


def lead_hours_text(hours: list[int] | tuple[int, ...]) -> str:
    return " ".join(str(h) for h in hours)


def policy_summary(policy: reminders_pb2.ReminderPolicy) -> list[str]:
    """The reminder policy as lines for the panel."""
    leads = ", ".join(f"{h} h" for h in policy.lead_hours) or "none"

    def channel(enabled: bool, configured: bool) -> str:
        if not enabled:
            return "off"
        return "on" if configured else "on, but this server has no transport for it (server.json)"

    return [
        f"Lead times:     {leads} before the visit",
        f"Email:          {channel(policy.email_enabled, policy.email_configured)}",
        f"Text messages:  {channel(policy.sms_enabled, policy.sms_configured)}",
        "Reminders go only to patients who consented, in their preferred channel when it can be sent.",
    ]

"""The fake gateway's schedule setup (mixed into ``FakeGateway`` after ``FakeSchedule``): saves of providers,
locations, rooms and appointment types, templates, time off and the reminder policy.

It answers like the server in the cases the screens must show — a bad NPI or time zone beside its field, an
overlapping template block named by its index, a stale template version — without being the server's rules
(tests/api checks those).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Any
from zoneinfo import available_timezones

from client_tui.gateway import FieldViolation, GatewayError, InvalidInput, NotFound, StaleRecord
from shared import dates
from shared.pms.reminders.v1 import reminders_pb2
from shared.pms.scheduling.v1 import setup_pb2 as su

from .fake_schedule import LEE, MAIN, RIVERSIDE


def npi_is_valid(npi: str) -> bool:
    """Luhn over "80840" + the first nine digits (as the server checks it)."""
    if len(npi) != 10 or not npi.isdigit():
        return False
    digits = [int(c) for c in "80840" + npi[:9]]
    total = 0
    for i, digit in enumerate(reversed(digits)):
        if i % 2 == 0:
            digit *= 2
            digit -= 9 if digit > 9 else 0
        total += digit
    return (10 - total % 10) % 10 == int(npi[9])


def day(value: Any) -> date:
    found = dates.from_pb(value)
    assert found is not None
    return found


def copy(message: Any) -> Any:
    out = type(message)()
    out.CopyFrom(message)
    return out


class FakeScheduleSetup:
    """Needs ``_schedule_call`` and the schedule's providers, locations, types and templates."""

    providers: dict[int, su.Provider]
    locations: dict[int, su.Location]
    appointment_types: dict[int, su.AppointmentType]
    templates: dict[int, list[su.TemplateBlock]]
    fail_on: dict[str, GatewayError]

    def _schedule_call(self, method: str, permission: str, *arguments: Any) -> None:
        raise NotImplementedError

    def _seed_schedule_setup(self) -> None:
        self.resources = {
            1: su.Resource(
                resource_id=1, location_id=MAIN, name="Exam 1", kind=su.RESOURCE_KIND_ROOM, active=True, version=1
            ),
            2: su.Resource(
                resource_id=2,
                location_id=MAIN,
                name="Procedure room",
                kind=su.RESOURCE_KIND_ROOM,
                active=True,
                version=1,
            ),
            3: su.Resource(
                resource_id=3,
                location_id=RIVERSIDE,
                name="ECG cart",
                kind=su.RESOURCE_KIND_EQUIPMENT,
                active=True,
                version=1,
            ),
        }
        self.template_versions: dict[int, int] = {p: 1 for p in self.providers}
        self.exceptions: dict[int, su.ScheduleException] = {}
        self.add_seed_exception(LEE, su.EXCEPTION_KIND_VACATION, date(2026, 12, 21), date(2026, 12, 31), "family")
        self.add_seed_exception(0, su.EXCEPTION_KIND_HOLIDAY, date(2026, 11, 26), date(2026, 11, 26), "Thanksgiving")
        self.reminder_policy = reminders_pb2.ReminderPolicy(
            lead_hours=[48, 2],
            email_enabled=True,
            sms_enabled=True,
            version=0,
            email_configured=True,
            sms_configured=False,
        )

    def add_seed_exception(
        self,
        provider_id: int,
        kind: int,
        first: date,
        last: date,
        note: str,
        start_minute: int = 0,
        end_minute: int = 0,
    ) -> su.ScheduleException:
        exception = su.ScheduleException(
            exception_id=max(self.exceptions, default=0) + 1,
            provider_id=provider_id,
            kind=kind,  # type: ignore[arg-type]
            first_date=dates.to_pb(first),
            last_date=dates.to_pb(last),
            start_minute=start_minute,
            end_minute=end_minute,
            note=note,
        )
        self.exceptions[exception.exception_id] = exception
        return exception

    def someone_else_saves_the_template(self, provider_id: int) -> None:
        self.template_versions[provider_id] = self.template_versions.get(provider_id, 1) + 1

    # -- saves --------------------------------------------------------------------------------
    async def save_provider(self, provider: su.Provider) -> su.Provider:
        self._schedule_call("save_provider", "schedule.setup", copy(provider))
        violations = []
        for name in ("first_name", "last_name"):
            if not getattr(provider, name).strip():
                violations.append(FieldViolation(f"provider.{name}", "is required"))
        if not provider.npi.strip():
            violations.append(FieldViolation("provider.npi", "is required"))
        elif not npi_is_valid(provider.npi.strip()):
            violations.append(
                FieldViolation("provider.npi", "is not a valid NPI (10 digits with a correct check digit)")
            )
        elif any(p.npi == provider.npi and p.provider_id != provider.provider_id for p in self.providers.values()):
            violations.append(FieldViolation("provider.npi", "another provider has this NPI"))
        if violations:
            raise InvalidInput(violations)
        saved = copy(provider)
        if not provider.provider_id:
            saved.provider_id = max(self.providers, default=0) + 1
            saved.version, saved.active, saved.template_version = 1, True, 1
            self.template_versions[saved.provider_id] = 1
            self.templates[saved.provider_id] = []
        else:
            current = self.providers.get(provider.provider_id)
            if current is None:
                raise NotFound("No such provider.")
            if current.version != provider.version:
                raise StaleRecord("Someone else changed this provider; reload and try again.")
            saved.version = current.version + 1
        saved.taxonomy_code = saved.taxonomy_code.upper()
        self.providers[saved.provider_id] = saved
        return copy(saved)

    async def save_location(self, location: su.Location) -> su.Location:
        self._schedule_call("save_location", "schedule.setup", copy(location))
        violations = []
        if not location.name.strip():
            violations.append(FieldViolation("location.name", "is required"))
        if location.time_zone not in available_timezones():
            violations.append(FieldViolation("location.time_zone", "is not an IANA time zone such as America/New_York"))
        if not (len(location.place_of_service) == 2 and location.place_of_service.isdigit()):
            violations.append(
                FieldViolation("location.place_of_service", "must be a two-digit CMS place-of-service code such as 11")
            )
        if violations:
            raise InvalidInput(violations)
        saved = copy(location)
        if not location.location_id:
            saved.location_id = max(self.locations, default=0) + 1
            saved.version, saved.active = 1, True
        else:
            current = self.locations[location.location_id]
            if current.version != location.version:
                raise StaleRecord("Someone else changed this location; reload and try again.")
            saved.version = current.version + 1
        self.locations[saved.location_id] = saved
        return copy(saved)

    async def list_resources(self, location_id: int = 0, include_inactive: bool = False) -> list[su.Resource]:
        self._schedule_call("list_resources", "schedule.read", location_id)
        return [
            copy(r)
            for r in sorted(self.resources.values(), key=lambda r: (r.location_id, r.name))
            if (include_inactive or r.active) and (not location_id or r.location_id == location_id)
        ]

    async def save_resource(self, resource: su.Resource) -> su.Resource:
        self._schedule_call("save_resource", "schedule.setup", copy(resource))
        if not resource.name.strip():
            raise InvalidInput([FieldViolation("resource.name", "is required")])
        saved = copy(resource)
        if not resource.resource_id:
            saved.resource_id = max(self.resources, default=0) + 1
            saved.version, saved.active = 1, True
        else:
            saved.version = self.resources[resource.resource_id].version + 1
        self.resources[saved.resource_id] = saved
        return copy(saved)

    async def save_appointment_type(self, appointment_type: su.AppointmentType) -> su.AppointmentType:
        self._schedule_call("save_appointment_type", "schedule.setup", copy(appointment_type))
        violations = []
        if not appointment_type.name.strip():
            violations.append(FieldViolation("appointment_type.name", "is required"))
        minutes = appointment_type.default_minutes
        if not 5 <= minutes <= 480 or minutes % 5:
            violations.append(FieldViolation("appointment_type.default_minutes", "must be 5 to 480, a multiple of 5"))
        if violations:
            raise InvalidInput(violations)
        saved = copy(appointment_type)
        if not appointment_type.appointment_type_id:
            saved.appointment_type_id = max(self.appointment_types, default=0) + 1
            saved.version, saved.active = 1, True
        else:
            saved.version = self.appointment_types[appointment_type.appointment_type_id].version + 1
        self.appointment_types[saved.appointment_type_id] = saved
        return copy(saved)

    # -- templates ------------------------------------------------------------------------------
    async def get_template(self, provider_id: int) -> su.GetTemplateResponse:
        self._schedule_call("get_template", "schedule.read", provider_id)
        if provider_id not in self.providers:
            raise NotFound("No such provider.")
        return su.GetTemplateResponse(
            blocks=[copy(b) for b in self.templates.get(provider_id, [])],
            template_version=self.template_versions.get(provider_id, 1),
        )

    async def set_template(
        self, provider_id: int, blocks: Sequence[su.TemplateBlock], template_version: int
    ) -> su.SetTemplateResponse:
        self._schedule_call("set_template", "schedule.setup", provider_id, [copy(b) for b in blocks], template_version)
        if template_version != self.template_versions.get(provider_id, 1):
            raise StaleRecord("Someone else changed the provider's template; reload and try again.")
        violations = []
        for i, b in enumerate(blocks):
            if b.location_id not in self.locations:
                violations.append(FieldViolation(f"blocks[{i}].location_id", "is not a location of this practice"))
            for j in range(i):
                a = blocks[j]
                both_available = a.kind == b.kind == su.BLOCK_KIND_AVAILABLE
                if (
                    both_available
                    and a.weekday == b.weekday
                    and a.start_minute < b.end_minute
                    and b.start_minute < a.end_minute
                ):
                    violations.append(
                        FieldViolation(f"blocks[{i}]", f"overlaps blocks[{j}]: a provider is in one place at a time")
                    )
        if violations:
            raise InvalidInput(violations)
        self.templates[provider_id] = [copy(b) for b in blocks]
        self.template_versions[provider_id] = template_version + 1
        return su.SetTemplateResponse(blocks=[copy(b) for b in blocks], template_version=template_version + 1)

    # -- exceptions -----------------------------------------------------------------------------
    async def list_exceptions(
        self, provider_id: int = 0, from_date: date | None = None, to_date: date | None = None
    ) -> list[su.ScheduleException]:
        self._schedule_call("list_exceptions", "schedule.read", provider_id, from_date, to_date)
        found = [
            e
            for e in self.exceptions.values()
            if (not provider_id or e.provider_id in (0, provider_id))
            and (from_date is None or day(e.last_date) >= from_date)
            and (to_date is None or day(e.first_date) <= to_date)
        ]
        return [copy(e) for e in sorted(found, key=lambda e: (day(e.first_date), e.exception_id))]

    async def add_exception(self, exception: su.ScheduleException) -> su.ScheduleException:
        self._schedule_call("add_exception", "schedule.setup", copy(exception))
        first, last = day(exception.first_date), day(exception.last_date)
        if last < first:
            raise InvalidInput([FieldViolation("exception.last_date", "must not be before first_date")])
        if (
            (exception.start_minute or exception.end_minute)
            and first == last
            and exception.end_minute <= exception.start_minute
        ):
            raise InvalidInput([FieldViolation("exception.end_minute", "must be after start_minute")])
        return copy(
            self.add_seed_exception(
                exception.provider_id,
                exception.kind,
                first,
                last,
                exception.note,
                exception.start_minute,
                exception.end_minute,
            )
        )

    async def remove_exception(self, exception_id: int) -> None:
        self._schedule_call("remove_exception", "schedule.setup", exception_id)
        if self.exceptions.pop(exception_id, None) is None:
            raise NotFound("No such schedule exception.")

    # -- reminders ------------------------------------------------------------------------------
    async def get_reminder_policy(self) -> reminders_pb2.ReminderPolicy:
        self._schedule_call("get_reminder_policy", "schedule.read")
        return copy(self.reminder_policy)

    async def set_reminder_policy(self, policy: reminders_pb2.ReminderPolicy) -> reminders_pb2.ReminderPolicy:
        self._schedule_call("set_reminder_policy", "schedule.setup", copy(policy))
        leads = sorted(set(policy.lead_hours), reverse=True)
        if not 1 <= len(leads) <= 4 or any(not 1 <= h <= 336 for h in leads):
            raise InvalidInput([FieldViolation("policy.lead_hours", "give 1 to 4 lead times of 1 to 336 hours")])
        if policy.version != self.reminder_policy.version:
            raise StaleRecord("Someone else changed the reminder policy; reload and try again.")
        saved = copy(self.reminder_policy)
        saved.ClearField("lead_hours")
        saved.lead_hours.extend(leads)
        saved.email_enabled, saved.sms_enabled = policy.email_enabled, policy.sms_enabled
        saved.version += 1
        self.reminder_policy = saved
        return copy(saved)

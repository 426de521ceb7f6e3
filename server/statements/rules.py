"""Statement and collections rules, pure: settings, the statement workflow, dunning, aging, payment plans."""

from __future__ import annotations

import calendar
from dataclasses import dataclass
from datetime import date, timedelta

from server.errors import FieldErrors, RuleViolation

DEFAULT_THRESHOLD_CENTS = 500
DEFAULT_CYCLE_DAYS = 30
DEFAULT_DUE_DAYS = 21
DEFAULT_MESSAGES = (
    "Thank you for choosing our practice. Please pay the amount due by the due date.",
    "Reminder: your account is past due. Please pay the amount due now.",
    "Second notice: your account is seriously past due. Please pay today, or call us to set up a payment plan.",
    "FINAL NOTICE: unless the amount due is paid by the due date, your account will be sent to a collection "
    "agency.",
)
MAX_LEVELS = 8
MAX_MESSAGE = 300


@dataclass(frozen=True)
class Settings:
    threshold_cents: int = DEFAULT_THRESHOLD_CENTS
    cycle_days: int = DEFAULT_CYCLE_DAYS
    due_days: int = DEFAULT_DUE_DAYS
    level_messages: tuple[str, ...] = DEFAULT_MESSAGES
    version: int = 0

    @property
    def levels(self) -> int:
        return len(self.level_messages)


def check_settings(errors: FieldErrors, field: str, threshold_cents: int, cycle_days: int, due_days: int,
                   messages: list[str]) -> None:
    if threshold_cents < 0:
        errors.add(f"{field}.threshold_cents", "must not be negative")
    elif threshold_cents > 10_000_000:
        errors.add(f"{field}.threshold_cents", "must be at most $100,000.00")
    if not 7 <= cycle_days <= 120:
        errors.add(f"{field}.cycle_days", "must be between 7 and 120 days")
    if not 0 <= due_days <= 60:
        errors.add(f"{field}.due_days", "must be between 0 and 60 days")
    if not messages:
        errors.add(f"{field}.level_messages", "give one message per dunning level (at least one)")
    elif len(messages) > MAX_LEVELS:
        errors.add(f"{field}.level_messages", f"at most {MAX_LEVELS} dunning levels")
    for i, text in enumerate(messages):
        if not text.strip():
            errors.add(f"{field}.level_messages[{i}]", "is empty")
        elif len(text) > MAX_MESSAGE:
            errors.add(f"{field}.level_messages[{i}]", f"is longer than {MAX_MESSAGE} characters")


# -- The statement workflow (BRIEF §2.7) ----------------------------------------------------------------------

TRANSITIONS: dict[str, frozenset[str]] = {
    "generated": frozenset({"printed", "emailed", "exported", "voided"}),
    "printed": frozenset({"voided"}),
    "emailed": frozenset({"voided"}),
    "exported": frozenset({"voided"}),
    "voided": frozenset(),
}
_LABEL = {"generated": "not yet sent", "printed": "printed", "emailed": "emailed",
          "exported": "sent to the print vendor", "voided": "voided"}


def check_transition(current: str, wanted: str) -> None:
    if wanted not in TRANSITIONS.get(current, frozenset()):
        allowed = sorted(TRANSITIONS.get(current, frozenset()))
        then = ("; from here it can become " + ", ".join(_LABEL[s] for s in allowed)) if allowed else \
            "; it cannot change any more"
        raise RuleViolation(f"A statement that is {_LABEL[current]} cannot become {_LABEL[wanted]}{then}.",
                            "TRANSITION_NOT_ALLOWED", {"from_status": current, "to_status": wanted})


# -- Dunning ---------------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Previous:
    """The guarantor's latest statement that counts (not voided)."""

    statement_id: int
    statement_date: date
    level: int
    amount_due_cents: int


def due_for_statement(previous: Previous | None, today: date, cycle_days: int) -> bool:
    return previous is None or (today - previous.statement_date).days >= cycle_days


def next_level(previous: Previous | None, paid_since_cents: int, on_current_plan: bool) -> int:
    """The dunning level of the next statement. Paying what the last statement asked starts over; a current
    payment plan holds the level; anything else goes one level up (past the last level: collections)."""
    if previous is None:
        return 1
    if paid_since_cents >= previous.amount_due_cents:
        return 1
    if on_current_plan:
        return previous.level
    return previous.level + 1


# -- Aging -----------------------------------------------------------------------------------------------------

BUCKETS = ("current", "days_31_60", "days_61_90", "days_91_120", "over_120")


def bucket(date_of_service: date, statement_date: date) -> str:
    days = (statement_date - date_of_service).days
    if days <= 30:
        return "current"
    if days <= 60:
        return "days_31_60"
    if days <= 90:
        return "days_61_90"
    if days <= 120:
        return "days_91_120"
    return "over_120"


# -- Payment plans ---------------------------------------------------------------------------------------------

def first_due(start: date, due_day: int) -> date:
    """The first due day on or after the start."""
    if start.day <= due_day:
        return start.replace(day=due_day)
    return _add_months(start.replace(day=due_day), 1)


def _add_months(d: date, months: int) -> date:
    m = d.month - 1 + months
    year, month = d.year + m // 12, m % 12 + 1
    return date(year, month, min(d.day, calendar.monthrange(year, month)[1]))


@dataclass(frozen=True)
class PlanStanding:
    installments_due: int
    expected_cents: int
    missed_installments: int
    next_due_date: date | None

    @property
    def current(self) -> bool:
        return self.missed_installments == 0


def plan_standing(start: date, due_day: int, installment_cents: int, total_cents: int, paid_cents: int,
                  today: date) -> PlanStanding:
    """Installments whose due day has passed (the due day itself still counts as on time), what they add up to
    (the last one is what is left of the total), and how many of them what was paid does not cover."""
    n_total = -(-total_cents // installment_cents)
    due, n = first_due(start, due_day), 0
    while n < n_total and due < today:
        n += 1
        due = _add_months(first_due(start, due_day), n)
    expected = min(total_cents, n * installment_cents)
    short = max(0, expected - paid_cents)
    missed = -(-short // installment_cents)
    return PlanStanding(n, expected, missed, due if n < n_total else None)


def check_plan(errors: FieldErrors, total_cents: int, installment_cents: int, due_day: int, start: date | None,
               today: date, note: str) -> None:
    if total_cents < 0:
        errors.add("total_cents", "must not be negative (0: what the guarantor owes now)")
    if installment_cents <= 0:
        errors.add("installment_cents", "must be more than $0.00")
    elif total_cents > 0 and installment_cents > total_cents:
        errors.add("installment_cents", "is more than the plan's total")
    if not 1 <= due_day <= 28:
        errors.add("due_day", "must be a day of the month between 1 and 28")
    if start is not None and start > today + timedelta(days=90):
        errors.add("start_date", "must be within 90 days from today")
    if start is not None and start < today - timedelta(days=365):
        errors.add("start_date", "must be within the last year")
    if len(note) > 500:
        errors.add("note", "is longer than 500 characters")

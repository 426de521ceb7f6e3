"""Eligibility checks as words: the Insurance tab's line for a policy and the banner's short mark.

Only presentation: which checks exist and what the payer answered are the server's (and the payer's).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC

from google.protobuf.timestamp_pb2 import Timestamp
from rich.text import Text

from client_tui import formatting
from shared.pms.insurance.v1 import insurance_pb2

ANSWERED = insurance_pb2.ELIGIBILITY_STATUS_ANSWERED
WAITING_WORDS = {
    insurance_pb2.ELIGIBILITY_STATUS_QUEUED: "queued",
    insurance_pb2.ELIGIBILITY_STATUS_SENT: "sent",
}
BAD_COVERAGE = {"inactive", "rejected"}
BAD_STYLE = "bold red"
GOOD_STYLE = "bold green"


def _clock(ts: Timestamp, with_day: bool) -> str:
    if ts.seconds == 0 and ts.nanos == 0:
        return ""
    local = ts.ToDatetime(tzinfo=UTC).astimezone()
    return local.strftime("%m/%d %H:%M" if with_day else "%H:%M")


def _order(check: insurance_pb2.EligibilityCheck) -> tuple[int, int, int]:
    return check.requested_at.seconds, check.requested_at.nanos, check.check_id


def latest(
    checks: Sequence[insurance_pb2.EligibilityCheck], policy_id: int, answered_only: bool = False
) -> insurance_pb2.EligibilityCheck | None:
    """The policy's newest check (asked last), or its newest answered one."""
    mine = [c for c in checks if c.policy_id == policy_id and (c.status == ANSWERED or not answered_only)]
    return max(mine, key=_order, default=None)


def _short_dollars(cents: int) -> str:
    """$25 for whole dollars, $25.50 otherwise: the banner is short."""
    return f"${cents // 100:,}" if cents % 100 == 0 else formatting.dollars(cents)


def percent(basis_points: int) -> str:
    whole, part = divmod(basis_points, 100)
    return f"{whole}%" if part == 0 else f"{basis_points / 100:g}%"


def figures(check: insurance_pb2.EligibilityCheck) -> list[str]:
    """The payer's figures, each only when it gave it."""
    said = []
    if check.HasField("copay_cents"):
        said.append(f"copay {formatting.dollars(check.copay_cents)}")
    if check.HasField("coinsurance_bp"):
        said.append(f"coinsurance {percent(check.coinsurance_bp)}")
    has_left, has_total = check.HasField("deductible_remaining_cents"), check.HasField("deductible_cents")
    if has_left and has_total:
        said.append(f"deductible {formatting.dollars(check.deductible_remaining_cents)} left of "
                    f"{formatting.dollars(check.deductible_cents)}")
    elif has_left:
        said.append(f"deductible {formatting.dollars(check.deductible_remaining_cents)} left")
    elif has_total:
        said.append(f"deductible {formatting.dollars(check.deductible_cents)}")
    if check.HasField("out_of_pocket_remaining_cents"):
        said.append(f"out-of-pocket {formatting.dollars(check.out_of_pocket_remaining_cents)} left")
    return said


def check_line(check: insurance_pb2.EligibilityCheck | None, can_ask: bool = True) -> Text:
    """The Insurance tab's line for the selected policy's newest check."""
    if check is None:
        return Text("Eligibility: not checked yet" + (" — C asks the payer" if can_ask else ""), style="dim")
    if check.status != ANSWERED:
        state = WAITING_WORDS.get(check.status, "asked")
        return Text(f"Eligibility: {state} {_clock(check.requested_at, False)} — waiting for the payer",
                    style="bold yellow")
    coverage = check.coverage or "unknown"
    checked = f"checked {_clock(check.answered_at, True)}"
    if coverage == "rejected":
        return Text(f"Eligibility: Rejected: {check.summary or 'the payer could not answer'} · {checked}",
                    style=BAD_STYLE)
    parts = [coverage.capitalize()]
    if check.plan_name:
        parts.append(check.plan_name)
    if coverage == "active":
        parts += figures(check)
    elif check.summary:
        parts.append(check.summary)
    parts.append(checked)
    style = BAD_STYLE if coverage in BAD_COVERAGE else GOOD_STYLE if coverage == "active" else "bold"
    return Text("Eligibility: " + " · ".join(parts), style=style)


def banner_mark(
    checks: Sequence[insurance_pb2.EligibilityCheck], primary: insurance_pb2.Policy | None
) -> Text:
    """The primary policy's newest answer, short: "Elig ✓ active, copay $25", "Elig ✗ inactive"."""
    if primary is None:
        return Text("")
    answered = latest(checks, primary.policy_id, answered_only=True)
    if answered is None:
        asked = latest(checks, primary.policy_id)
        return Text("Elig: asked, waiting" if asked is not None else "Elig: not checked", style="dim")
    coverage = answered.coverage or "unknown"
    if coverage == "active":
        copay = f", copay {_short_dollars(answered.copay_cents)}" if answered.HasField("copay_cents") else ""
        return Text(f"Elig ✓ active{copay}", style=GOOD_STYLE)
    if coverage in BAD_COVERAGE:
        return Text(f"Elig ✗ {coverage}", style=BAD_STYLE)
    return Text(f"Elig ? {coverage}", style="bold yellow")

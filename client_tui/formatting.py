"""Turning message fields into short text for tables (no rules, only presentation)."""

from __future__ import annotations

from datetime import UTC, datetime

from google.protobuf.timestamp_pb2 import Timestamp

from shared.pms.audit.v1 import audit_pb2


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

"""The 999 writer (005010X231A1, implementation acknowledgment): what the clearinghouse simulator sends back for
one functional group it received. Pure Python: an `Ack999` in, the interchange text out.

Structure: `AK1` names the received group (GS01, GS06, GS08); per transaction set acknowledged an `AK2` loop with
the set's id, control number (its ST02) and guide, its segment errors (`IK3`, each followed by the guide's
context segments and its element errors `IK4` with their own context) and the verdict `IK5`; then `AK9` with the
group's verdict and counts. Context segments (`CTX`), in the guide's order after an IK3:

* `CTX*SITUATIONAL TRIGGER*...` when the error is about a situational rule (a segment or element required or
  not used because of another one): which segment, at which position and loop, triggered the rule;
* `CTX*CLM01:<patient control number>`, the business unit identifier, required by the guide when the error is
  inside a claim of an 837 (loops 2300 and below): the writer insists on it for IK303 loops 2300, 2310, 2320,
  2330, 2400, 2410, 2420, 2430 and 2440 of an 837. IK303 and CTX04 carry the standard's loop id, at most 4
  characters (2010, not the guide's 2010BA).

pyx12 4.0 counts both kinds of CTX after one IK3 as the same segment (the map gives them the same position), so a
trigger plus a business unit identifier after one IK3 draws a false "CTX exceeded max count" from it; the guide
allows both (its own example has them).

Verdicts are consistent by construction, and checked: a set accepted (`A`) has no errors; accepted with errors
(`E`) or rejected (`R`, `M`, `W`, `X`) carries at least one IK5 error code (the writer supplies `5`, "one or more
segments in error", when segment errors are given and no code is); AK901 is derived from the sets (A when all are
A, E when all are accepted and some with errors, P when some but not all are rejected, R when all are rejected)
and AK904 counts the sets accepted (A or E). A whole group rejected before any set was looked at (for example
"functional group version not supported") has no AK2 loops and at least one AK9 error code.

Bad input raises `ValueError` naming the field (`sets[1].errors[0].elements[0].code: ...`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from server.x12.segments import clean, composite, segment
from server.x12.writer_base import Envelope, SegmentList, code, identifier, pattern, positive_count

IMPLEMENTATION_GUIDE = "005010X231A1"

# Code lists of the guide (as in pyx12's map of 005010X231A1).
SEGMENT_ERROR_CODES = frozenset({"1", "2", "3", "4", "5", "6", "7", "8", "I4", "I6", "I7", "I8", "I9"})  # IK304
ELEMENT_ERROR_CODES = frozenset({"1", "2", "3", "4", "5", "6", "7", "8", "9", "10", "11", "12", "13", "I10", "I11",
                                 "I12", "I13", "I6", "I9"})  # IK403
SET_ACK_CODES = frozenset({"A", "E", "M", "R", "W", "X"})  # IK501
SET_ERROR_CODES = frozenset({"1", "2", "3", "4", "5", "6", "7", "8", "9", "10", "11", "12", "13", "15", "16", "17",
                             "18", "19", "23", "24", "25", "26", "27", "I5", "I6"})  # IK502-IK506
GROUP_ERROR_CODES = frozenset({"1", "2", "3", "4", "5", "6", "10", "11", "12", "13", "14", "15", "16", "17", "18",
                               "19", "23", "24", "25", "26"})  # AK905-AK909
FUNCTIONAL_IDS = frozenset({"HC", "HP", "HN", "HR", "HS", "HB", "HI", "BE", "RA", "FA"})
REJECTED_CODES = frozenset({"M", "R", "W", "X"})
MAX_SET_ERROR_CODES = 5
MAX_GROUP_ERROR_CODES = 5
MAX_TRIGGERS_PER_SEGMENT = 9
MAX_TRIGGERS_PER_ELEMENT = 10
# IK303 loops of an 837 that lie inside one claim: their errors need the claim's CLM01 (CTX business unit).
CLAIM_LOOPS_837 = re.compile(r"2300|2310|2320|2330|2400|2410|2420|2430|2440")

_SEGMENT_ID = re.compile(r"[A-Z][A-Z0-9]{1,2}")
# DE 447 is 1-4 characters: the standard's loop id (2010), not the guide's (2010BA).
_LOOP_ID = re.compile(r"[0-9A-Z]{1,4}")
_SET_ID = re.compile(r"[0-9]{3}")
_GUIDE = re.compile(r"00[0-9]{4}[0-9A-Z]{0,6}")
_ELEMENT_REFERENCE = re.compile(r"[0-9]{1,4}")


@dataclass(frozen=True)
class SituationalTrigger:
    """A CTX*SITUATIONAL TRIGGER: the segment (and element) whose presence or value made the rule apply."""

    segment_id: str  # CTX02
    segment_position: int  # CTX03: position in the transaction set, ST = 1
    loop_id: str = ""  # CTX04
    element_position: int | None = None  # CTX05-1
    component_position: int | None = None  # CTX05-2
    element_reference: str = ""  # CTX06-1: data element reference number


@dataclass(frozen=True)
class ElementError:
    """An IK4: one bad element of the segment an IK3 names."""

    element_position: int  # IK401-1
    code: str  # IK403, see ELEMENT_ERROR_CODES
    component_position: int | None = None  # IK401-2
    repetition_position: int | None = None  # IK401-3
    element_reference: str = ""  # IK402: data element reference number, e.g. "1028" for CLM01
    bad_value: str = ""  # IK404: copy of the bad data element (cleaned; dropped when it cleans to nothing)
    triggers: tuple[SituationalTrigger, ...] = ()


@dataclass(frozen=True)
class SegmentError:
    """An IK3 loop: one segment in error and its element errors."""

    segment_id: str  # IK301
    segment_position: int  # IK302: position in the transaction set, ST = 1
    code: str = "8"  # IK304: 8 = segment has data element errors (then `elements` must say which)
    loop_id: str = ""  # IK303: the standard's loop id (at most 4 characters: 2010 for the guide's 2010BA)
    # CTX*CLM01:<value>: the patient control number of the claim the error is in.
    claim_control_number: str = ""
    triggers: tuple[SituationalTrigger, ...] = ()
    elements: tuple[ElementError, ...] = ()


@dataclass(frozen=True)
class SetAcknowledgment:
    """An AK2 loop and its IK5: the verdict on one received transaction set."""

    control_number: str  # AK202: the received set's ST02
    code: str  # IK501: A accepted, E accepted with errors, R rejected (M, W, X: other rejections)
    errors: tuple[SegmentError, ...] = ()
    # IK502-IK506; defaults to ("5",) when there are segment errors and the set is not accepted outright.
    error_codes: tuple[str, ...] = ()
    set_id: str = "837"  # AK201
    guide: str = "005010X222A1"  # AK203: the received set's ST03


@dataclass(frozen=True)
class Ack999:
    """The acknowledgment of one received functional group."""

    envelope: Envelope
    group_control_number: int  # AK102: the received group's GS06
    sets: tuple[SetAcknowledgment, ...]
    functional_id: str = "HC"  # AK101: the received group's GS01
    guide: str = "005010X222A1"  # AK103: the received group's GS08
    # AK902, the received group's GE01; defaults to the number of sets acknowledged.
    sets_included: int | None = None
    # AK905-AK909.
    error_codes: tuple[str, ...] = ()


def write_999(ack: Ack999) -> str:
    """The acknowledgment as 005010X231A1 text (segments end with `~` and a newline); `ValueError` names a bad
    field."""
    out = SegmentList()
    if not 1 <= ack.group_control_number <= 999_999_999:
        raise ValueError(f"group_control_number: {ack.group_control_number} must be 1-999999999")
    functional_id = code(ack.functional_id, "functional_id", FUNCTIONAL_IDS)
    guide = pattern(ack.guide, "guide", _GUIDE, "a version/release/industry code such as 005010X222A1")
    group_codes = _codes(ack.error_codes, "error_codes", GROUP_ERROR_CODES, MAX_GROUP_ERROR_CODES)
    verdicts = [s.code.strip().upper() for s in ack.sets]
    included = len(ack.sets) if ack.sets_included is None else ack.sets_included
    if included < len(ack.sets):
        raise ValueError(f"sets_included: {included} is fewer than the {len(ack.sets)} sets acknowledged")
    if not ack.sets:
        if not group_codes:
            raise ValueError("sets: a group acknowledged without transaction sets is a group rejection and needs "
                             "error_codes (AK905)")
        group_verdict = "R"
    else:
        group_verdict = _group_verdict(verdicts)

    out.open(ack.envelope, "FA", "999", IMPLEMENTATION_GUIDE)
    out.add("AK1", functional_id, str(ack.group_control_number), guide)
    seen: set[str] = set()
    for i, set_ack in enumerate(ack.sets):
        _set(out, set_ack, f"sets[{i}]", seen)
    accepted = sum(1 for v in verdicts if v in {"A", "E"})
    out.add("AK9", group_verdict, str(included), str(len(ack.sets)), str(accepted), *group_codes)
    return out.close()


def _group_verdict(verdicts: list[str]) -> str:
    rejected = sum(1 for v in verdicts if v in REJECTED_CODES)
    if rejected == len(verdicts):
        return "R"
    if rejected:
        return "P"
    return "E" if "E" in verdicts else "A"


def _codes(values: tuple[str, ...], field: str, allowed: frozenset[str], limit: int) -> list[str]:
    if len(values) > limit:
        raise ValueError(f"{field}: {len(values)} codes, at most {limit}")
    return [code(v, f"{field}[{i}]", allowed) for i, v in enumerate(values)]


def _loop(value: str, field: str) -> str:
    if not value.strip():
        return ""
    return pattern(value, field, _LOOP_ID, "a loop id of at most 4 characters (2010, not 2010BA)")


def _set(out: SegmentList, ack: SetAcknowledgment, field: str, seen: set[str]) -> None:
    set_id = pattern(ack.set_id, f"{field}.set_id", _SET_ID, "a 3-digit transaction set id")
    control = identifier(ack.control_number, f"{field}.control_number", 9, 4)
    if control in seen:
        raise ValueError(f"{field}.control_number: {control} is acknowledged twice")
    seen.add(control)
    guide = pattern(ack.guide, f"{field}.guide", _GUIDE, "a version/release/industry code such as 005010X222A1")
    verdict = code(ack.code, f"{field}.code", SET_ACK_CODES)
    set_codes = _codes(ack.error_codes, f"{field}.error_codes", SET_ERROR_CODES, MAX_SET_ERROR_CODES)
    if verdict == "A":
        if ack.errors or set_codes:
            raise ValueError(f"{field}.code: A (accepted) with errors; use E (accepted with errors) or R")
    elif not set_codes:
        if not ack.errors:
            raise ValueError(f"{field}.error_codes: a set acknowledged {verdict} needs an IK5 error code or "
                             "segment errors")
        set_codes = ["5"]
    out.add("AK2", set_id, control, guide)
    for i, error in enumerate(ack.errors):
        _segment_error(out, error, set_id, f"{field}.errors[{i}]")
    out.add("IK5", verdict, *set_codes)


def _segment_error(out: SegmentList, error: SegmentError, set_id: str, field: str) -> None:
    segment_id = pattern(error.segment_id, f"{field}.segment_id", _SEGMENT_ID, "a segment id")
    position = positive_count(error.segment_position, f"{field}.segment_position")
    loop = _loop(error.loop_id, f"{field}.loop_id")
    error_code = code(error.code, f"{field}.code", SEGMENT_ERROR_CODES)
    if error_code == "8" and not error.elements:
        raise ValueError(f"{field}.elements: code 8 (segment has data element errors) needs the element errors")
    claim = error.claim_control_number
    if not claim and set_id == "837" and CLAIM_LOOPS_837.fullmatch(loop):
        raise ValueError(f"{field}.claim_control_number: required for an error inside a claim (loop {loop})")
    if len(error.triggers) > MAX_TRIGGERS_PER_SEGMENT:
        raise ValueError(f"{field}.triggers: at most {MAX_TRIGGERS_PER_SEGMENT}")
    out.add("IK3", segment_id, str(position), loop, error_code)
    for i, trigger in enumerate(error.triggers):
        _trigger(out, trigger, f"{field}.triggers[{i}]")
    if claim:
        out.add("CTX", composite("CLM01", identifier(claim, f"{field}.claim_control_number", 35)))
    for i, element in enumerate(error.elements):
        _element_error(out, element, f"{field}.elements[{i}]")


def _element_error(out: SegmentList, error: ElementError, field: str) -> None:
    position = [str(positive_count(error.element_position, f"{field}.element_position"))]
    if error.component_position is not None:
        position.append(str(positive_count(error.component_position, f"{field}.component_position")))
    if error.repetition_position is not None:
        if error.component_position is None:
            position.append("")
        position.append(str(positive_count(error.repetition_position, f"{field}.repetition_position")))
    reference = error.element_reference.strip()
    if reference and not _ELEMENT_REFERENCE.fullmatch(reference):
        raise ValueError(f"{field}.element_reference: {reference!r} is not a data element reference number")
    error_code = code(error.code, f"{field}.code", ELEMENT_ERROR_CODES)
    if len(error.triggers) > MAX_TRIGGERS_PER_ELEMENT:
        raise ValueError(f"{field}.triggers: at most {MAX_TRIGGERS_PER_ELEMENT}")
    # An empty position component in the middle stays (IK401 "2::1" is element 2, repetition 1).
    out.segments.append(segment("IK4", ":".join(position), reference, error_code, clean(error.bad_value, 99)))
    for i, trigger in enumerate(error.triggers):
        _trigger(out, trigger, f"{field}.triggers[{i}]")


def _trigger(out: SegmentList, trigger: SituationalTrigger, field: str) -> None:
    segment_id = pattern(trigger.segment_id, f"{field}.segment_id", _SEGMENT_ID, "a segment id")
    position = positive_count(trigger.segment_position, f"{field}.segment_position")
    loop = _loop(trigger.loop_id, f"{field}.loop_id")
    in_segment = ""
    if trigger.element_position is not None:
        parts = [str(positive_count(trigger.element_position, f"{field}.element_position"))]
        if trigger.component_position is not None:
            parts.append(str(positive_count(trigger.component_position, f"{field}.component_position")))
        in_segment = composite(*parts)
    elif trigger.component_position is not None:
        raise ValueError(f"{field}.component_position: needs element_position")
    reference = trigger.element_reference.strip()
    if reference and not _ELEMENT_REFERENCE.fullmatch(reference):
        raise ValueError(f"{field}.element_reference: {reference!r} is not a data element reference number")
    out.add("CTX", "SITUATIONAL TRIGGER", segment_id, str(position), loop, in_segment, reference)

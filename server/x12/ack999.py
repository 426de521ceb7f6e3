"""The 999 reader (005010X231A1, implementation acknowledgment): did the receiver accept our 837's syntax?

A 999 answers one functional group per transaction set (AK1 ... AK9). For each transaction set it acknowledges
there is an AK2 loop: the set's id and control number (our 837's ST02), errors in its segments (IK3, each with
its context CTX and its element errors IK4) and the verdict IK5: A accepted, E accepted with errors noted, R (or M,
W, X) rejected. AK9 gives the group's verdict: A, E, P (partially accepted: at least one set rejected) or R, with
the counts of sets included, received and accepted.

The structure is read strictly, in the guide's order:
`AK1 (AK2 (IK3 CTX* (IK4 CTX*)*)* IK5)* AK9`; anything else, or a code outside the guide's code lists for the
acknowledgment codes, raises `X12ReadError` naming the segment (see `server.x12.reader`). The error codes are kept
as sent; `*_TEXTS` below give the guide's wording for the common ones so the biller reads "Required data element
missing" rather than "1", and an unknown code is shown as "code <number>".
"""

from __future__ import annotations

from dataclasses import dataclass

from server.x12.reader import Envelope, Segment, SegmentCursor, parse_number, transactions_of

IMPLEMENTATION_GUIDES = frozenset({"005010X231A1", "005010X231"})

# IK304, Implementation Segment Syntax Error Code (element 620).
SEGMENT_ERROR_TEXTS = {
    "1": "Unrecognized segment ID",
    "2": "Unexpected segment",
    "3": "Required segment missing",
    "4": "Loop occurs over maximum times",
    "5": "Segment exceeds maximum use",
    "6": "Segment not in defined transaction set",
    "7": "Segment not in proper sequence",
    "8": "Segment has data element errors",
    "I4": "Implementation \"Not Used\" segment present",
    "I6": "Implementation dependent segment missing",
    "I7": "Implementation loop occurs under minimum times",
    "I8": "Implementation segment below minimum use",
    "I9": "Implementation dependent \"Not Used\" segment present",
}
# IK403, Implementation Data Element Syntax Error Code (element 621).
ELEMENT_ERROR_TEXTS = {
    "1": "Required data element missing",
    "2": "Conditional required data element missing",
    "3": "Too many data elements",
    "4": "Data element too short",
    "5": "Data element too long",
    "6": "Invalid character in data element",
    "7": "Invalid code value",
    "8": "Invalid date",
    "9": "Invalid time",
    "10": "Exclusion condition violated",
    "12": "Too many repetitions",
    "13": "Too many components",
    "I6": "Code value not used in implementation",
    "I9": "Implementation dependent data element missing",
    "I10": "Implementation \"Not Used\" data element present",
    "I11": "Implementation too few repetitions",
    "I12": "Implementation pattern match failure",
    "I13": "Implementation dependent \"Not Used\" data element present",
}
# IK502-IK506, Implementation Transaction Set Syntax Error Code (element 618).
SET_ERROR_TEXTS = {
    "1": "Transaction set not supported",
    "2": "Transaction set trailer missing",
    "3": "Transaction set control number in header and trailer do not match",
    "4": "Number of included segments does not match actual count",
    "5": "One or more segments in error",
    "6": "Missing or invalid transaction set identifier",
    "7": "Missing or invalid transaction set control number",
    "18": "Transaction set not in functional group",
    "19": "Invalid transaction set implementation convention reference",
    "23": "Transaction set control number not unique within the functional group",
    "I5": "Implementation one or more segments in error",
    "I6": "Implementation convention not supported",
}
# IK501, Transaction Set Acknowledgment Code (element 717).
SET_ACK_TEXTS = {
    "A": "Accepted",
    "E": "Accepted but errors were noted",
    "M": "Rejected, message authentication code (MAC) failed",
    "R": "Rejected",
    "W": "Rejected, assurance failed validity tests",
    "X": "Rejected, content after decryption could not be analyzed",
}
# AK901, Functional Group Acknowledge Code (element 715).
GROUP_ACK_TEXTS = {
    "A": "Accepted",
    "E": "Accepted but errors were noted",
    "M": "Rejected, message authentication code (MAC) failed",
    "P": "Partially accepted, at least one transaction set was rejected",
    "R": "Rejected",
    "W": "Rejected, assurance failed validity tests",
    "X": "Rejected, content after decryption could not be analyzed",
}
# AK905-AK909, Functional Group Syntax Error Code (element 716).
GROUP_ERROR_TEXTS = {
    "1": "Functional group not supported",
    "2": "Functional group version not supported",
    "3": "Functional group trailer missing",
    "4": "Group control number in the functional group header and trailer do not agree",
    "5": "Number of included transaction sets does not match actual count",
    "6": "Group control number violates syntax",
    "19": "Functional group control number not unique within interchange",
}
ACCEPTED_CODES = frozenset({"A", "E"})


def code_text(table: dict[str, str], code: str) -> str:
    """The guide's wording for `code`, or "code <code>" when the table does not have it."""
    return table.get(code, f"code {code}")


@dataclass(frozen=True)
class ElementPosition:
    """Where in a segment (IK401, CTX05): element, component and repetition positions (1-based)."""

    element: int
    component: int | None = None
    repetition: int | None = None

    def label(self, segment_id: str) -> str:
        """`CLM02`, `CLM05-3`, `HI01-2 (repetition 2)`."""
        text = f"{segment_id}{self.element:02d}"
        if self.component is not None:
            text += f"-{self.component}"
        if self.repetition is not None:
            text += f" (repetition {self.repetition})"
        return text


@dataclass(frozen=True)
class Context:
    """A CTX segment: either a business unit identifier (`name` CLM01, `reference` the claim's control number)
    or, with `name` "SITUATIONAL TRIGGER", the segment whose presence made the erroneous one required."""

    name: str
    reference: str
    segment_id: str
    segment_position: int | None
    loop_id: str
    position: ElementPosition | None
    element_reference: str


@dataclass(frozen=True)
class ElementError:
    """IK4: a bad data element inside the segment of an IK3."""

    position: ElementPosition
    reference_number: str  # IK402, the data dictionary number of the element
    code: str  # IK403
    bad_value: str  # IK404, when sent
    contexts: tuple[Context, ...]

    @property
    def text(self) -> str:
        return code_text(ELEMENT_ERROR_TEXTS, self.code)

    def message(self, segment_id: str) -> str:
        value = f" (value {self.bad_value!r})" if self.bad_value else ""
        return f"{self.position.label(segment_id)}: {self.text}{value}"


@dataclass(frozen=True)
class SegmentError:
    """IK3: a segment in error, with its position in the acknowledged transaction set (ST is 1)."""

    segment_id: str
    position: int
    loop_id: str
    code: str  # IK304; empty when the segment only has element errors and the sender left it out
    contexts: tuple[Context, ...]
    element_errors: tuple[ElementError, ...]

    @property
    def text(self) -> str:
        return code_text(SEGMENT_ERROR_TEXTS, self.code) if self.code else "Segment has data element errors"

    @property
    def message(self) -> str:
        loop = f" in loop {self.loop_id}" if self.loop_id else ""
        parts = [f"{self.segment_id} (segment {self.position}{loop}): {self.text}"]
        parts.extend(error.message(self.segment_id) for error in self.element_errors)
        return "; ".join(parts)


@dataclass(frozen=True)
class SetAcknowledgment:
    """AK2 ... IK5: the verdict on one transaction set we sent (our 837's ST02 is `control_number`)."""

    set_id: str  # AK201, e.g. 837
    control_number: str  # AK202
    implementation_guide: str  # AK203, e.g. 005010X222A1
    segment_errors: tuple[SegmentError, ...]
    code: str  # IK501
    error_codes: tuple[str, ...]  # IK502-IK506

    @property
    def accepted(self) -> bool:
        """A or E: the set goes on to the payer (E with errors noted)."""
        return self.code in ACCEPTED_CODES

    @property
    def claim_control_numbers(self) -> tuple[str, ...]:
        """The CLM01 values named by the errors' business unit contexts (CTX*CLM01:...)."""
        numbers: list[str] = []
        for error in self.segment_errors:
            for context in (*error.contexts, *(c for e in error.element_errors for c in e.contexts)):
                if context.name == "CLM01" and context.reference and context.reference not in numbers:
                    numbers.append(context.reference)
        return tuple(numbers)

    @property
    def message(self) -> str:
        parts = [code_text(SET_ACK_TEXTS, self.code)]
        parts.extend(code_text(SET_ERROR_TEXTS, code) for code in self.error_codes)
        parts.extend(error.message for error in self.segment_errors)
        return "; ".join(parts)


@dataclass(frozen=True)
class GroupAcknowledgment:
    """One 999 transaction set: AK1 (the group acknowledged), its sets, and AK9 (the group's verdict)."""

    envelope: Envelope  # of the 999 itself
    functional_id: str  # AK101, e.g. HC for 837 claims
    group_control_number: str  # AK102, our GS06
    version: str  # AK103
    sets: tuple[SetAcknowledgment, ...]
    code: str  # AK901
    included: int  # AK902
    received: int  # AK903
    accepted_count: int  # AK904
    error_codes: tuple[str, ...]  # AK905-AK909

    @property
    def accepted(self) -> bool:
        """A or E: every set in the group was accepted."""
        return self.code in ACCEPTED_CODES

    @property
    def partially_accepted(self) -> bool:
        return self.code == "P"

    @property
    def message(self) -> str:
        parts = [code_text(GROUP_ACK_TEXTS, self.code),
                 f"{self.accepted_count} of {self.received} transaction sets accepted"]
        parts.extend(code_text(GROUP_ERROR_TEXTS, code) for code in self.error_codes)
        return "; ".join(parts)


@dataclass(frozen=True)
class Ack999:
    groups: tuple[GroupAcknowledgment, ...]

    @property
    def sets(self) -> tuple[SetAcknowledgment, ...]:
        return tuple(s for group in self.groups for s in group.sets)


def read_999(data: bytes | str) -> Ack999:
    """Every acknowledgment in a 999 file; `X12ReadError` names the first malformed segment."""
    transactions = list(transactions_of(data, functional_id="FA", set_id="999", guides=IMPLEMENTATION_GUIDES,
                                        name="999"))
    return Ack999(tuple(_group(envelope, SegmentCursor(transaction, "999")) for envelope, transaction in
                        transactions))


def _codes(segment: Segment, first: int, last: int) -> tuple[str, ...]:
    return tuple(code for code in (segment.element(p) for p in range(first, last + 1)) if code)


def _group(envelope: Envelope, cursor: SegmentCursor) -> GroupAcknowledgment:
    ak1 = cursor.expect("AK1", "the functional group response header")
    ak1.required(1, "functional identifier code")
    ak1.required(2, "group control number")
    parse_number(ak1, 2)
    sets = []
    while cursor.at("AK2"):
        sets.append(_set(cursor))
    if not cursor.at("AK9"):
        raise cursor.unexpected("AK2 or AK9")
    ak9 = cursor.expect("AK9", "the functional group response trailer")
    code = ak9.required(1, "functional group acknowledge code")
    if code not in GROUP_ACK_TEXTS:
        raise ak9.error(f"AK901 {code!r} is not an acknowledgment code ({', '.join(GROUP_ACK_TEXTS)})")
    included, received, accepted = (parse_number(ak9, p) for p in (2, 3, 4))
    if accepted > received:
        raise ak9.error(f"AK904 says {accepted} sets accepted of {received} received")
    cursor.finish("SE after AK9")
    return GroupAcknowledgment(envelope, ak1.element(1), ak1.element(2), ak1.element(3), tuple(sets), code, included,
                               received, accepted, _codes(ak9, 5, 9))


def _set(cursor: SegmentCursor) -> SetAcknowledgment:
    ak2 = cursor.expect("AK2", "the transaction set response header")
    ak2.required(1, "transaction set identifier code")
    ak2.required(2, "transaction set control number")
    errors = []
    while cursor.at("IK3"):
        errors.append(_segment_error(cursor))
    if not cursor.at("IK5"):
        raise cursor.unexpected("IK3 or IK5")
    ik5 = cursor.expect("IK5", "the transaction set response trailer")
    code = ik5.required(1, "transaction set acknowledgment code")
    if code not in SET_ACK_TEXTS:
        raise ik5.error(f"IK501 {code!r} is not an acknowledgment code ({', '.join(SET_ACK_TEXTS)})")
    return SetAcknowledgment(ak2.element(1), ak2.element(2), ak2.element(3), tuple(errors), code, _codes(ik5, 2, 6))


def _segment_error(cursor: SegmentCursor) -> SegmentError:
    ik3 = cursor.expect("IK3", "the error identification")
    segment_id = ik3.required(1, "segment id code")
    position = parse_number(ik3, 2)
    contexts = _contexts(cursor)
    element_errors = []
    while (ik4 := cursor.take("IK4")) is not None:
        code = ik4.required(3, "implementation data element syntax error code")
        element_errors.append(ElementError(_position(ik4, 1), ik4.element(2), code, ik4.element(4),
                                           _contexts(cursor)))
    return SegmentError(segment_id, position, ik3.element(3), ik3.element(4), contexts, tuple(element_errors))


def _contexts(cursor: SegmentCursor) -> tuple[Context, ...]:
    contexts = []
    for ctx in cursor.take_all("CTX"):
        name = ctx.component(1, 1)
        if not name:
            raise ctx.error("CTX01 (context identification) is required but empty")
        segment_position = parse_number(ctx, 3) if ctx.element(3) else None
        position = _position(ctx, 5) if ctx.element(5) else None
        contexts.append(Context(name, ctx.component(1, 2), ctx.element(2), segment_position, ctx.element(4),
                                position, ctx.element(6)))
    return tuple(contexts)


def _position(segment: Segment, element: int) -> ElementPosition:
    """A C030 position-in-segment composite: element[:component[:repetition]]."""
    parts = segment.components(element)
    if not parts or not parts[0]:
        raise segment.error(f"{segment.id}{element:02d} (position in segment) is required but empty")
    if len(parts) > 3:
        raise segment.error(f"{segment.id}{element:02d} (position in segment) has more than 3 components")
    numbers = [parse_number(segment, element, part) if part else None for part in parts]
    assert numbers[0] is not None
    return ElementPosition(numbers[0], *numbers[1:])

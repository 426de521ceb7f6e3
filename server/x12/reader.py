"""X12 interchange reader: separators from the ISA, segments with their place in the file, envelope checks.

The shared front end of our acknowledgment readers (`ack999`, `ack277ca`). Pure Python, no database.

Separators come from the ISA segment itself, which is fixed width: the element separator is its 4th character,
the component separator is ISA16, the repetition separator is ISA11 (5010 and later; older versions put the
standards identifier `U` there) and the segment terminator is the character right after ISA16. All four must be
different, and none may be a letter, a digit or a space. A file may hold several interchanges, each with its own
ISA (and so its own separators).

Between segments only line breaks are tolerated: any run of CR and LF after a terminator is skipped (files are
often written one segment per line), and white space after the last IEA is ignored. Anything else, indentation
included, is part of the next segment and fails its id check. A UTF-8 (or UTF-16) byte order mark is refused with
its own message: X12 is plain ASCII, and a BOM usually means an editor re-saved the file. Inside segments only
printable ASCII and the separators are allowed.

The envelope is checked completely before anyone sees a segment: ISA/IEA control numbers equal and IEA01 the
number of groups; GS/GE control numbers equal and GE01 the number of transaction sets; ST/SE control numbers equal
and SE01 the number of segments from ST to SE inclusive; control numbers unique (groups in an interchange, sets in
a group); nothing outside ST..SE but the envelope segments. Every problem raises `X12ReadError`, which names the
segment by ordinal (1-based, counted over the whole file), the line it starts on and its id; a reader never
returns part of a file.
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import date

# Fixed widths of ISA01..ISA16.
_ISA_WIDTHS = (2, 10, 2, 10, 2, 15, 2, 15, 6, 4, 1, 5, 9, 1, 1, 1)
_ISA_LENGTH = 3 + sum(_ISA_WIDTHS) + len(_ISA_WIDTHS)  # 106 characters, up to and including ISA16
_SEGMENT_ID = re.compile(r"[A-Z][A-Z0-9]{1,2}\Z")
_CONTROL_NUMBER = re.compile(r"[0-9]{1,9}\Z")
_COUNT = re.compile(r"[0-9]{1,10}\Z")
_LINE_BREAK = re.compile(r"\r\n|\r|\n")
_PRINTABLE = frozenset(chr(c) for c in range(0x20, 0x7F))
_BREAKS = "\r\n"
_BOMS = ((b"\xef\xbb\xbf", "UTF-8"), (b"\xff\xfe", "UTF-16"), (b"\xfe\xff", "UTF-16"))
_ENVELOPE = frozenset({"ISA", "IEA", "GS", "GE", "ST", "SE"})


class X12ReadError(Exception):
    """A file that is not well-formed X12 (or not the transaction a reader expects).

    `ordinal` is the segment's position in the file (1-based, ISA included), `line` the line it starts on, and
    `segment_id` its id (empty when the problem comes before any segment id could be read).
    """

    def __init__(self, message: str, *, ordinal: int, line: int, segment_id: str = "") -> None:
        self.message = message
        self.ordinal = ordinal
        self.line = line
        self.segment_id = segment_id
        super().__init__(str(self))

    def __str__(self) -> str:
        where = f"segment {self.ordinal} (line {self.line})"
        if self.segment_id:
            where += f" {self.segment_id}"
        return f"{where}: {self.message}"


@dataclass(frozen=True, slots=True)
class Separators:
    element: str
    component: str
    repetition: str | None
    segment: str


@dataclass(frozen=True, slots=True)
class Segment:
    """One segment: its id and elements (`elements[0]` is XX01), where it is in the file, and the separators of
    its interchange (for splitting composites)."""

    id: str
    elements: tuple[str, ...]
    ordinal: int
    line: int
    separators: Separators = field(repr=False, compare=False)

    def element(self, position: int) -> str:
        """Element `position` (1-based, as in `NM103`), or "" when the segment is shorter."""
        if position < 1:
            raise ValueError(f"element positions start at 1, got {position}")
        return self.elements[position - 1] if position <= len(self.elements) else ""

    def components(self, position: int) -> tuple[str, ...]:
        """Element `position` split into its components (an empty element gives ())."""
        return split_components(self.element(position), self.separators)

    def component(self, position: int, index: int) -> str:
        """Component `index` (1-based) of element `position`, or ""."""
        parts = self.components(position)
        return parts[index - 1] if index <= len(parts) else ""

    def error(self, message: str) -> X12ReadError:
        return X12ReadError(message, ordinal=self.ordinal, line=self.line, segment_id=self.id)

    def required(self, position: int, name: str = "") -> str:
        """Element `position`, or `X12ReadError` when it is empty."""
        value = self.element(position)
        if not value:
            label = f"{self.id}{position:02d}"
            raise self.error(f"{label}{f' ({name})' if name else ''} is required but empty")
        return value


def split_components(value: str, separators: Separators) -> tuple[str, ...]:
    """A composite element's components; trailing empty components are kept as sent."""
    return tuple(value.split(separators.component)) if value else ()


@dataclass(frozen=True, slots=True)
class TransactionSet:
    header: Segment  # ST
    body: tuple[Segment, ...]  # everything between ST and SE
    trailer: Segment  # SE

    @property
    def set_id(self) -> str:
        return self.header.element(1)

    @property
    def control_number(self) -> str:
        return self.header.element(2)

    @property
    def implementation_guide(self) -> str:
        return self.header.element(3)


@dataclass(frozen=True, slots=True)
class FunctionalGroup:
    header: Segment  # GS
    transactions: tuple[TransactionSet, ...]
    trailer: Segment  # GE

    @property
    def functional_id(self) -> str:
        return self.header.element(1)

    @property
    def control_number(self) -> str:
        return self.header.element(6)

    @property
    def version(self) -> str:
        return self.header.element(8)


@dataclass(frozen=True, slots=True)
class Interchange:
    header: Segment  # ISA
    groups: tuple[FunctionalGroup, ...]
    trailer: Segment  # IEA
    separators: Separators

    @property
    def sender(self) -> str:
        return self.header.element(6).strip()

    @property
    def receiver(self) -> str:
        return self.header.element(8).strip()

    @property
    def control_number(self) -> str:
        return self.header.element(13)

    @property
    def version(self) -> str:
        return self.header.element(12)

    @property
    def test(self) -> bool:
        """ISA15 = T (test data) rather than P (production)."""
        return self.header.element(15) == "T"


def read_interchanges(data: bytes | str) -> tuple[Interchange, ...]:
    """Every interchange in the file, envelopes checked; `X12ReadError` for anything malformed."""
    return tuple(_Reader(_text(data)).interchanges())


def tokenize(data: bytes | str) -> list[Segment]:
    """All segments of the file in order (envelope checked as in `read_interchanges`)."""
    segments: list[Segment] = []
    for interchange in read_interchanges(data):
        segments.append(interchange.header)
        for group in interchange.groups:
            segments.append(group.header)
            for transaction in group.transactions:
                segments.extend((transaction.header, *transaction.body, transaction.trailer))
            segments.append(group.trailer)
        segments.append(interchange.trailer)
    return segments


# ---------------------------------------------------------------------------------------------------------------
# decoding and tokenizing


def _text(data: bytes | str) -> str:
    if isinstance(data, str):
        if data.startswith("\ufeff"):
            raise _bom_error("UTF-8")
        return data
    for mark, encoding in _BOMS:
        if data.startswith(mark):
            raise _bom_error(encoding)
    # Latin-1 maps every byte to one character, so a stray non-ASCII byte is reported by the segment check below
    # (with its segment and line) instead of failing the whole decode without a place.
    return data.decode("latin-1")


def _bom_error(encoding: str) -> X12ReadError:
    return X12ReadError(f"the file starts with a {encoding} byte order mark (BOM); X12 files are plain ASCII, "
                        "save the file without the BOM", ordinal=1, line=1)


class _Reader:
    def __init__(self, text: str) -> None:
        self.text = text
        self.pos = 0
        self.ordinal = 0
        self._line_starts = [0] + [m.end() for m in _LINE_BREAK.finditer(text)]

    def line_at(self, offset: int) -> int:
        return bisect.bisect_right(self._line_starts, offset)

    def error_here(self, message: str, segment_id: str = "") -> X12ReadError:
        return X12ReadError(message, ordinal=self.ordinal + 1, line=self.line_at(self.pos), segment_id=segment_id)

    def interchanges(self) -> Iterator[Interchange]:
        if not self.text.strip():
            raise self.error_here("the file is empty (expected an ISA segment)")
        while True:
            segments, separators = self._interchange_segments()
            yield _Envelope(segments, separators).interchange()
            self._skip_breaks()
            if not self.text[self.pos:].strip():
                return

    def _skip_breaks(self) -> None:
        while self.pos < len(self.text) and self.text[self.pos] in _BREAKS:
            self.pos += 1

    def _interchange_segments(self) -> tuple[list[Segment], Separators]:
        isa, separators = self._isa()
        segments = [isa]
        while segments[-1].id != "IEA":
            self._skip_breaks()
            if self.pos >= len(self.text):
                last = segments[-1]
                raise last.error("the file ends after this segment without an IEA: it is truncated")
            segments.append(self._segment(separators))
        return segments, separators

    def _isa(self) -> tuple[Segment, Separators]:
        text, start = self.text, self.pos
        if not text.startswith("ISA", start):
            found = text[start:start + 3]
            what = "the file" if start == 0 else "after IEA, the next interchange"
            raise self.error_here(f"{what} does not start with ISA (found {found!r}): not an X12 interchange")
        if len(text) - start < 4:
            raise self.error_here("the file ends inside the ISA segment: it is truncated", "ISA")
        element = text[start + 3]
        # Find ISA16 by counting separators, so a non-fixed-width ISA gets a precise message below.
        positions: list[int] = []
        index = start + 3
        limit = min(len(text), start + 3 * _ISA_LENGTH)
        while index < limit and len(positions) < 16:
            if text[index] == element:
                positions.append(index)
            index += 1
        if len(positions) < 16 or positions[-1] + 2 >= len(text):
            if len(text) - start < _ISA_LENGTH + 1:
                raise self.error_here("the file ends inside the ISA segment: it is truncated", "ISA")
            raise self.error_here(f"ISA does not have 16 elements separated by {element!r}", "ISA")
        elements = tuple(text[a + 1:b] for a, b in zip(positions, [*positions[1:], positions[-1] + 2], strict=True))
        terminator = text[positions[-1] + 2]
        self.ordinal += 1
        line = self.line_at(start)

        def bad(message: str) -> X12ReadError:
            return X12ReadError(message, ordinal=self.ordinal, line=line, segment_id="ISA")

        for number, (value, width) in enumerate(zip(elements, _ISA_WIDTHS, strict=True), start=1):
            if len(value) != width:
                raise bad(f"ISA{number:02d} must be {width} characters wide (the ISA is fixed width), "
                          f"got {len(value)}: {value!r}")
        version = elements[11]
        if not version.isdigit():
            raise bad(f"ISA12 (version) must be digits, got {version!r}")
        repetition = elements[10] if version >= "00402" else None
        separators = Separators(element, elements[15], repetition, terminator)
        chosen = [element, separators.component, terminator] + ([repetition] if repetition else [])
        names = ["element separator", "component separator (ISA16)", "segment terminator"] + (
            ["repetition separator (ISA11)"] if repetition else [])
        if repetition == "U":
            raise bad(f"ISA11 must be the repetition separator in version {version}, got 'U' (the standards "
                      "identifier of versions before 00402)")
        for name, char in zip(names, chosen, strict=True):
            if char.isalnum() or char == " " or not char.isascii():
                raise bad(f"{name} {char!r} is a letter, digit, space or non-ASCII character")
        if len(set(chosen)) != len(chosen):
            raise bad(f"separators must all differ, got element {element!r}, component {separators.component!r}, "
                      f"repetition {repetition!r}, terminator {terminator!r}")
        if not _CONTROL_NUMBER.match(elements[12]):
            raise bad(f"ISA13 (interchange control number) must be 9 digits, got {elements[12]!r}")
        for number in (9, 10):
            if not elements[number - 1].isdigit():
                raise bad(f"ISA{number:02d} (date/time) must be digits, got {elements[number - 1]!r}")
        if elements[14] not in ("P", "T"):
            raise bad(f"ISA15 (usage indicator) must be P or T, got {elements[14]!r}")
        self._check_characters(text[start:positions[-1] + 2], separators, bad)
        self.pos = positions[-1] + 3
        return Segment("ISA", elements, self.ordinal, line, separators), separators

    def _segment(self, separators: Separators) -> Segment:
        text, start = self.text, self.pos
        end = text.find(separators.segment, start)
        line = self.line_at(start)
        ordinal = self.ordinal + 1
        raw = text[start:] if end < 0 else text[start:end]
        segment_id = raw.split(separators.element, 1)[0]
        shown_id = segment_id if _SEGMENT_ID.match(segment_id) else ""

        def bad(message: str) -> X12ReadError:
            return X12ReadError(message, ordinal=ordinal, line=line, segment_id=shown_id)

        if end < 0:
            raise bad(f"the file ends inside this segment (no segment terminator {separators.segment!r}): "
                      "it is truncated")
        if not raw:
            raise bad(f"empty segment (two segment terminators {separators.segment!r} in a row)")
        if not _SEGMENT_ID.match(segment_id):
            hint = " (only line breaks may come between segments)" if segment_id[:1].isspace() else ""
            raise bad(f"{segment_id[:20]!r} is not a segment id (2-3 upper-case letters and digits){hint}")
        self._check_characters(raw, separators, bad)
        self.ordinal = ordinal
        self.pos = end + len(separators.segment)
        elements = tuple(raw.split(separators.element)[1:])
        return Segment(segment_id, elements, ordinal, line, separators)

    @staticmethod
    def _check_characters(raw: str, separators: Separators, bad: Callable[[str], X12ReadError]) -> None:
        allowed = _PRINTABLE | {separators.element, separators.component}
        if separators.repetition:
            allowed = allowed | {separators.repetition}
        for offset, char in enumerate(raw):
            if char not in allowed:
                what = "a line break" if char in _BREAKS else f"character {char!r} (U+{ord(char):04X})"
                raise bad(f"{what} at column {offset + 1} of the segment is not allowed in X12 data")


# ---------------------------------------------------------------------------------------------------------------
# envelope structure


class _Envelope:
    def __init__(self, segments: list[Segment], separators: Separators) -> None:
        self.segments = segments
        self.separators = separators
        self.index = 1  # after the ISA

    def next(self) -> Segment:
        segment = self.segments[self.index]
        self.index += 1
        return segment

    def interchange(self) -> Interchange:
        isa = self.segments[0]
        groups: list[FunctionalGroup] = []
        seen: dict[str, Segment] = {}
        while True:
            segment = self.next()
            if segment.id == "IEA":
                break
            if segment.id != "GS":
                raise segment.error(_unexpected(segment, "GS or IEA"))
            group = self.group(segment)
            if group.control_number in seen:
                raise segment.error(f"GS06 {group.control_number} repeats the control number of the group at "
                                    f"segment {seen[group.control_number].ordinal}")
            seen[group.control_number] = segment
            groups.append(group)
        iea = segment
        _count(iea, 1, len(groups), "functional groups")
        if iea.element(2) != isa.element(13):
            raise iea.error(f"IEA02 control number {iea.element(2)!r} does not match ISA13 {isa.element(13)!r} "
                            f"(segment {isa.ordinal})")
        if len(iea.elements) > 2:
            raise iea.error("IEA has more than 2 elements")
        return Interchange(isa, tuple(groups), iea, self.separators)

    def group(self, gs: Segment) -> FunctionalGroup:
        if len(gs.elements) < 8:
            raise gs.error(f"GS must have 8 elements, got {len(gs.elements)}")
        for position in (1, 2, 3, 4, 5, 7, 8):
            gs.required(position)
        if not _CONTROL_NUMBER.match(gs.element(6)):
            raise gs.error(f"GS06 (group control number) must be 1-9 digits, got {gs.element(6)!r}")
        transactions: list[TransactionSet] = []
        seen: dict[str, Segment] = {}
        while True:
            segment = self.next()
            if segment.id == "GE":
                break
            if segment.id != "ST":
                raise segment.error(_unexpected(segment, "ST or GE"))
            transaction = self.transaction(segment)
            if transaction.control_number in seen:
                raise segment.error(f"ST02 {transaction.control_number} repeats the control number of the "
                                    f"transaction set at segment {seen[transaction.control_number].ordinal}")
            seen[transaction.control_number] = segment
            transactions.append(transaction)
        ge = segment
        _count(ge, 1, len(transactions), "transaction sets")
        if ge.element(2) != gs.element(6):
            raise ge.error(f"GE02 control number {ge.element(2)!r} does not match GS06 {gs.element(6)!r} "
                           f"(segment {gs.ordinal})")
        return FunctionalGroup(gs, tuple(transactions), ge)

    def transaction(self, st: Segment) -> TransactionSet:
        st.required(1, "transaction set id")
        control = st.required(2, "transaction set control number")
        body: list[Segment] = []
        while True:
            segment = self.next()
            if segment.id == "SE":
                break
            if segment.id in _ENVELOPE:
                raise segment.error(f"{segment.id} inside transaction set {control} (ST at segment {st.ordinal}): "
                                    "its SE is missing")
            body.append(segment)
        se = segment
        _count(se, 1, len(body) + 2, "segments from ST to SE")
        if se.element(2) != control:
            raise se.error(f"SE02 control number {se.element(2)!r} does not match ST02 {control!r} "
                           f"(segment {st.ordinal})")
        return TransactionSet(st, tuple(body), se)


def _unexpected(segment: Segment, expected: str) -> str:
    return f"unexpected {segment.id} segment here (expected {expected})"


def _count(segment: Segment, position: int, actual: int, what: str) -> None:
    value = segment.element(position)
    label = f"{segment.id}{position:02d}"
    if not _COUNT.match(value):
        raise segment.error(f"{label} (number of {what}) must be a number, got {value!r}")
    if int(value) != actual:
        raise segment.error(f"{label} says {int(value)} {what}, the file has {actual}")


# ---------------------------------------------------------------------------------------------------------------
# helpers for the transaction readers


@dataclass(frozen=True, slots=True)
class Envelope:
    """Where a transaction set came from: its interchange, group and own control numbers."""

    sender: str  # ISA06, trimmed
    receiver: str  # ISA08, trimmed
    interchange_control_number: str  # ISA13
    group_control_number: str  # GS06
    transaction_control_number: str  # ST02
    date: date  # GS04
    test: bool  # ISA15 = T


def envelope_of(interchange: Interchange, group: FunctionalGroup, transaction: TransactionSet) -> Envelope:
    return Envelope(interchange.sender, interchange.receiver, interchange.control_number, group.control_number,
                    transaction.control_number, parse_date(group.header, 4), interchange.test)


def transactions_of(data: bytes | str, *, functional_id: str, set_id: str, guides: frozenset[str],
                    name: str) -> Iterator[tuple[Envelope, TransactionSet]]:
    """Each transaction set of the file, after checking every group and set is of the expected kind: GS01 =
    `functional_id`, ST01 = `set_id`, and ST03 (or GS08 when ST03 is empty) one of `guides`."""
    interchanges = read_interchanges(data)
    found = False
    for interchange in interchanges:
        for group in interchange.groups:
            if group.functional_id != functional_id:
                sets = sorted({t.set_id for t in group.transactions})
                raise group.header.error(f"GS01 is {group.functional_id!r} (transaction sets {', '.join(sets)}): "
                                         f"this functional group is not a {name} (expected GS01 {functional_id!r})")
            for transaction in group.transactions:
                st = transaction.header
                if transaction.set_id != set_id:
                    raise st.error(f"ST01 is {transaction.set_id!r}: this transaction set is not a {name} "
                                   f"(expected {set_id!r})")
                guide = transaction.implementation_guide or group.version
                if guide not in guides:
                    raise st.error(f"implementation guide {guide!r} is not a {name} "
                                   f"(expected {' or '.join(sorted(guides))})")
                found = True
        # Checked for all groups before any is returned, so a wrong set later in the file is not half-read.
    if not found:
        last = interchanges[-1].trailer
        raise last.error(f"the file holds no {name} transaction set")
    for interchange in interchanges:
        for group in interchange.groups:
            for transaction in group.transactions:
                yield envelope_of(interchange, group, transaction), transaction


class SegmentCursor:
    """Walks a transaction set's body for a reader: `take` what may come, `expect` what must, `finish` at SE."""

    def __init__(self, transaction: TransactionSet, name: str) -> None:
        self.segments = transaction.body
        self.trailer = transaction.trailer
        self.name = name
        self.index = 0

    def peek(self) -> Segment | None:
        return self.segments[self.index] if self.index < len(self.segments) else None

    def at(self, segment_id: str, qualifier: str | None = None) -> bool:
        """The next segment has this id (and, if given, this first element)."""
        segment = self.peek()
        return segment is not None and segment.id == segment_id and (
            qualifier is None or segment.element(1) == qualifier)

    def take(self, segment_id: str, qualifier: str | None = None) -> Segment | None:
        if not self.at(segment_id, qualifier):
            return None
        segment = self.segments[self.index]
        self.index += 1
        return segment

    def take_all(self, segment_id: str, qualifier: str | None = None) -> list[Segment]:
        taken = []
        while (segment := self.take(segment_id, qualifier)) is not None:
            taken.append(segment)
        return taken

    def expect(self, segment_id: str, what: str, qualifier: str | None = None) -> Segment:
        segment = self.take(segment_id, qualifier)
        if segment is not None:
            return segment
        expected = f"{segment_id}*{qualifier}" if qualifier else segment_id
        current = self.peek()
        if current is None:
            raise self.trailer.error(f"{self.name}: {what} ({expected}) is missing before SE")
        raise current.error(f"{self.name}: expected {what} ({expected}) here, found {current.id}")

    def unexpected(self, expected: str) -> X12ReadError:
        current = self.peek()
        if current is None:
            return self.trailer.error(f"{self.name}: {expected} is missing before SE")
        return current.error(f"{self.name}: unexpected {current.id} segment here (expected {expected})")

    def finish(self, expected: str) -> None:
        if self.peek() is not None:
            raise self.unexpected(expected)


def parse_date(segment: Segment, position: int) -> date:
    """A CCYYMMDD (D8) element."""
    value = segment.element(position)
    try:
        if len(value) != 8 or not value.isdigit():
            raise ValueError(value)
        return date(int(value[:4]), int(value[4:6]), int(value[6:]))
    except ValueError:
        raise segment.error(f"{segment.id}{position:02d} must be a date CCYYMMDD, got {value!r}") from None


def parse_date_period(segment: Segment, qualifier_position: int) -> tuple[date, date]:
    """A DTP-style date: qualifier D8 (one day) or RD8 (CCYYMMDD-CCYYMMDD) at `qualifier_position`, value after."""
    qualifier = segment.element(qualifier_position)
    position = qualifier_position + 1
    if qualifier == "D8":
        day = parse_date(segment, position)
        return day, day
    if qualifier == "RD8":
        value = segment.element(position)
        parts = value.split("-")
        if len(parts) != 2:
            raise segment.error(f"{segment.id}{position:02d} must be a period CCYYMMDD-CCYYMMDD, got {value!r}")
        start, end = (parse_date(_part(segment, position, part), position) for part in parts)
        if end < start:
            raise segment.error(f"{segment.id}{position:02d} period {value!r} ends before it starts")
        return start, end
    raise segment.error(f"{segment.id}{qualifier_position:02d} must be D8 or RD8, got {qualifier!r}")


def _part(segment: Segment, position: int, value: str) -> Segment:
    """`segment` with element `position` replaced, so a period's halves get the same error message as a date."""
    elements = list(segment.elements)
    elements[position - 1] = value
    return Segment(segment.id, tuple(elements), segment.ordinal, segment.line, segment.separators)


_AMOUNT = re.compile(r"(-?)([0-9]*)(?:\.([0-9]*))?\Z")


def parse_cents(segment: Segment, position: int) -> int:
    """An amount (R) element as whole cents: `125` -> 12500, `199.14` -> 19914; more than two decimal places is
    refused unless the extra places are zeros."""
    value = segment.element(position)
    match = _AMOUNT.match(value)
    if not value or match is None or not (match.group(2) or match.group(3)):
        raise segment.error(f"{segment.id}{position:02d} must be an amount, got {value!r}")
    sign, whole, fraction = match.group(1), match.group(2) or "0", (match.group(3) or "")
    if len(fraction) > 2 and fraction[2:].strip("0"):
        raise segment.error(f"{segment.id}{position:02d} amount {value!r} has fractions of a cent")
    cents = int(whole) * 100 + int((fraction + "00")[:2])
    return -cents if sign else cents


def optional_cents(segment: Segment, position: int) -> int | None:
    return parse_cents(segment, position) if segment.element(position) else None


def parse_number(segment: Segment, position: int, value: str | None = None) -> int:
    """A whole-number (N0) element, or the given part of one."""
    text = segment.element(position) if value is None else value
    if not text.isdigit() or not text.isascii():
        raise segment.error(f"{segment.id}{position:02d} must be a whole number, got {text!r}")
    return int(text)

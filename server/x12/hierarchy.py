"""Reading helpers for the HL-structured transactions (271, 277): HL levels with checked parents, loops whose
segments must come in the guide's order, NM1 into a `Party`. Built on `server.x12.reader`."""

from __future__ import annotations

from collections.abc import Iterable

from server.x12.ack277ca import Party
from server.x12.reader import Segment, SegmentCursor


def take_in_order(cursor: SegmentCursor, order: tuple[str, ...]) -> list[Segment]:
    """The segments at the cursor whose ids come in `order` (each may repeat, none may come back after a later
    one); stops at the first other segment, which the caller then expects or refuses."""
    taken: list[Segment] = []
    position = 0
    while (current := cursor.peek()) is not None and current.id in order[position:]:
        position = order.index(current.id, position)
        taken.append(current)
        cursor.index += 1
    return taken


def party_of(nm1: Segment) -> Party:
    return Party(nm1.element(1), nm1.element(3), nm1.element(4), nm1.element(5), nm1.element(8), nm1.element(9))


class HierarchyReader:
    """HL bookkeeping shared by the 271 and 277 readers: ids unique, parents as the guide nests them."""

    def __init__(self, cursor: SegmentCursor, nesting: str) -> None:
        self.cursor = cursor
        # How the guide nests the levels, for messages: "20 > 21 > 22 > 23".
        self.nesting = nesting
        self.hl_ids: set[str] = set()

    def finish(self) -> None:
        """At SE after the last level; an HL still here is at a level that does not fit where it stands."""
        current = self.cursor.peek()
        if current is not None and current.id == "HL":
            raise current.error(f"HL level {current.element(3)!r} (HL03) under parent {current.element(2)!r} does not "
                                f"fit here (the guide nests the levels {self.nesting})")
        self.cursor.finish("HL or SE")

    def at_level(self, level: str) -> bool:
        segment = self.cursor.peek()
        return segment is not None and segment.id == "HL" and segment.element(3) == level

    def hl(self, level: str, parent: str | None) -> str:
        hl = self.cursor.expect("HL", f"HL level {level}")
        hl_id = hl.required(1, "hierarchical id number")
        if hl_id in self.hl_ids:
            raise hl.error(f"HL01 {hl_id} repeats an earlier HL id")
        self.hl_ids.add(hl_id)
        if hl.element(3) != level:
            raise hl.error(f"HL03 is {hl.element(3)!r}, expected level {level} here")
        if (hl.element(2) or None) != parent:
            expected = f"{parent!r}" if parent else "empty"
            raise hl.error(f"HL02 (parent) is {hl.element(2)!r}, expected {expected} for level {level}")
        return hl_id

    def party(self, what: str, entity_codes: Iterable[str] | None = None) -> Party:
        nm1 = self.cursor.expect("NM1", what)
        codes = tuple(entity_codes or ())
        if codes and nm1.element(1) not in codes:
            raise nm1.error(f"NM101 is {nm1.element(1)!r}, expected {' or '.join(codes)} for {what}")
        nm1.required(1, "entity identifier code")
        return party_of(nm1)



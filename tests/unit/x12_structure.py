"""An independent structural check of the X12 files our writers produce, for the 270 and 276 tests.

Deliberately does not use `server.x12.reader`: it splits the text on the default separators itself and checks
what a receiver's translator checks first: the fixed-width ISA, every envelope count and control number, and the
HL hierarchy (ids 1..n in order, each parent an earlier HL of the level the guide nests it under, HL04 saying
truthfully whether children follow).
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Hl:
    id: int
    parent: int | None
    level: str
    child_code: str
    # The segments of this level, the HL itself first, up to the next HL or SE.
    segments: tuple[str, ...]


def split_segments(text: str) -> list[str]:
    assert text.endswith("~\n"), "each segment ends with ~ and a line break"
    segments = text[:-2].split("~\n")
    assert all("~" not in s and "\n" not in s for s in segments)
    return segments


def check_structure(text: str, functional_id: str, set_id: str, guide: str,
                    parent_levels: dict[str, str | None]) -> list[Hl]:
    """Assert the envelope and HL structure of a one-group, one-transaction interchange; the HL levels found."""
    segments = split_segments(text)
    isa = segments[0]
    assert isa.startswith("ISA*") and len(isa) == 105, isa
    isa_elements = isa.split("*")
    assert len(isa_elements) == 17 and isa_elements[11] == "^" and isa_elements[16] == ":"
    ids = [s.split("*")[0] for s in segments]
    assert ids[1] == "GS" and ids[2] == "ST" and ids[-3:] == ["SE", "GE", "IEA"]
    assert ids.count("GS") == ids.count("GE") == ids.count("ST") == ids.count("SE") == 1
    gs, st, se, ge, iea = (segments[1].split("*"), segments[2].split("*"), segments[-3].split("*"),
                           segments[-2].split("*"), segments[-1].split("*"))
    assert (gs[1], gs[8]) == (functional_id, guide)
    assert (st[1], st[3]) == (set_id, guide)
    assert int(se[1]) == len(segments) - 4, "SE01 counts ST..SE"
    assert se[2] == st[2]
    assert ge == ["GE", "1", gs[6]]
    assert iea == ["IEA", "1", isa_elements[13]]
    body = segments[3:-3]
    assert all(s.split("*")[0] not in {"ISA", "GS", "ST", "SE", "GE", "IEA"} for s in body)

    levels: list[Hl] = []
    current: list[str] = []
    for segment in body:
        if segment.startswith("HL*"):
            current = [segment]
            elements = segment.split("*")
            parent = int(elements[2]) if elements[2] else None
            levels.append(Hl(int(elements[1]), parent, elements[3], elements[4] if len(elements) > 4 else "",
                             ()))
        elif levels:
            current.append(segment)
        if levels:
            levels[-1] = Hl(levels[-1].id, levels[-1].parent, levels[-1].level, levels[-1].child_code,
                            tuple(current))
    assert [hl.id for hl in levels] == list(range(1, len(levels) + 1)), "HL01 numbers 1..n in order"
    by_id = {hl.id: hl for hl in levels}
    for hl in levels:
        expected_parent_level = parent_levels[hl.level]
        if expected_parent_level is None:
            assert hl.parent is None, f"HL {hl.id} at level {hl.level} has no parent"
        else:
            assert hl.parent is not None and hl.parent < hl.id, f"HL {hl.id}: parent must be an earlier HL"
            assert by_id[hl.parent].level == expected_parent_level, f"HL {hl.id}: parent level"
        has_children = any(other.parent == hl.id for other in levels)
        if hl.child_code:
            assert hl.child_code == ("1" if has_children else "0"), f"HL {hl.id}: HL04 {hl.child_code}"
    return levels

"""The acknowledgment readers (BRIEF 2.8, issue 6): every copied 999 and 277CA sample is read with its real values
or refused with the segment and line named; separators come from the ISA; malformed files never half-read."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import date
from pathlib import Path

import pytest

from server.x12.ack277ca import read_277ca
from server.x12.ack999 import read_999
from server.x12.reader import X12ReadError, read_interchanges, tokenize

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "x12"
ACK999 = FIXTURES / "999"
ACK277CA = FIXTURES / "277ca"


def _bytes(folder: Path, name: str) -> bytes:
    return (folder / name).read_bytes()


def _without_bom_and_indent(data: bytes) -> bytes:
    """The OopFactory files as a payer would send them: no BOM, no indentation (the fixture stays byte-exact)."""
    assert data.startswith(b"\xef\xbb\xbf")
    return re.sub(rb"(\r\n|\n)[ \t]+", rb"\1", data[3:])


def _raises(data: bytes | str, reader: Callable[[bytes | str], object] = read_interchanges) -> X12ReadError:
    with pytest.raises(X12ReadError) as caught:
        reader(data)
    return caught.value


# ---------------------------------------------------------------------------------------------------------------
# 999


def test_999_accepted_emedny() -> None:
    ack = read_999(_bytes(ACK999, "her_999_accepted.999"))
    (group,) = ack.groups
    assert group.envelope.interchange_control_number == "052127406"
    assert group.envelope.group_control_number == "52127406"
    assert group.envelope.transaction_control_number == "4001"
    assert group.envelope.date == date(2011, 3, 11)
    assert not group.envelope.test
    assert (group.functional_id, group.group_control_number, group.version) == ("HC", "28", "005010X223A2")
    assert group.accepted and group.code == "A"
    assert (group.included, group.received, group.accepted_count) == (1, 1, 1)
    (set_ack,) = group.sets
    assert (set_ack.set_id, set_ack.control_number, set_ack.accepted) == ("837", "0028", True)
    assert set_ack.segment_errors == () and set_ack.message == "Accepted"


@pytest.mark.parametrize("name", ["her_999_rejected.999", "ims_999_rejected.999"])
def test_999_rejected_names_the_segment_in_error(name: str) -> None:
    (group,) = read_999(_bytes(ACK999, name)).groups
    assert group.envelope.test  # ISA15 = T
    assert group.code == "R" and not group.accepted and group.accepted_count == 0
    (set_ack,) = group.sets
    assert set_ack.control_number == "0028" and set_ack.code == "R" and not set_ack.accepted
    assert set_ack.error_codes == ("5",)
    (error,) = set_ack.segment_errors
    assert (error.segment_id, error.position, error.loop_id, error.code) == ("NM", 17, "", "1")
    assert error.text == "Unrecognized segment ID"
    assert set_ack.message == "Rejected; One or more segments in error; NM (segment 17): Unrecognized segment ID"


def test_999_partially_accepted_with_element_errors_and_contexts() -> None:
    # OopFactory's Wisconsin DHS sample: UTF-8 BOM and indentation, so the reader refuses the file as is ...
    data = _bytes(ACK999, "oop_999_DHS_Wisconsin_Sample.999")
    error = _raises(data, read_999)
    assert (error.ordinal, error.line) == (1, 1) and "byte order mark" in str(error)
    # ... and reads it once both are taken out.
    (group,) = read_999(_without_bom_and_indent(data)).groups
    assert group.code == "P" and group.partially_accepted and not group.accepted
    assert (group.included, group.received, group.accepted_count) == (3, 3, 1)
    first, second, third = group.sets
    assert first.accepted and first.control_number == "0001"
    assert second.control_number == "002" and second.code == "R"
    (clm,) = second.segment_errors
    assert (clm.segment_id, clm.position, clm.code, clm.text) == ("CLM", 22, "8", "Segment has data element errors")
    assert clm.contexts[0].name == "CLM01" and second.claim_control_numbers == ("123456789",)
    (element,) = clm.element_errors
    assert (element.position.element, element.reference_number, element.code) == (2, "782", "1")
    assert element.text == "Required data element missing"
    assert "CLM02: Required data element missing" in second.message
    (ref,) = third.segment_errors
    assert (ref.segment_id, ref.position, ref.code, ref.text) == ("REF", 57, "3", "Required segment missing")
    trigger, business = ref.contexts
    assert (trigger.name, trigger.segment_id, trigger.segment_position) == ("SITUATIONAL TRIGGER", "CLM", 43)
    assert trigger.position is not None and (trigger.position.element, trigger.position.component) == (5, 3)
    assert trigger.element_reference == "C023:1325"
    assert (business.name, business.reference) == ("CLM01", "987654321")


def test_999_several_groups_and_sets() -> None:
    ack = read_999(_bytes(ACK999, "pyx12_834_lui_id_5010.999"))
    assert [g.envelope.group_control_number for g in ack.groups] == ["344666205", "344666205", "102", "102"]
    assert [g.envelope.transaction_control_number for g in ack.groups] == ["0001", "0002", "0003", "0004"]
    assert all(g.accepted and g.functional_id == "BE" for g in ack.groups)
    assert [s.set_id for s in ack.sets] == ["834"] * 4
    (group,) = read_999(_bytes(ACK999, "pyx12_834_ls_le_ls_5010.999")).groups
    assert group.version == "005010X220A1" and group.sets[0].control_number == "146001"


def test_999_with_mismatched_iea_is_refused() -> None:
    # imsweb's "accepted" sample has IEA02 000000001 for ISA13 000000286.
    error = _raises(_bytes(ACK999, "ims_999_accepted.999"), read_999)
    assert (error.ordinal, error.line, error.segment_id) == (10, 10, "IEA")
    assert str(error).startswith("segment 10 (line 10) IEA: IEA02 control number '000000001' does not match ISA13")


def test_999_reader_refuses_a_277ca() -> None:
    error = _raises(_bytes(ACK277CA, "ims_277CA_accepted.277ca"), read_999)
    assert (error.ordinal, error.line, error.segment_id) == (2, 2, "GS")
    assert "not a 999" in str(error) and "277" in str(error)


def test_999_structure_errors_name_the_segment() -> None:
    text = _bytes(ACK999, "ims_999_rejected.999").decode()
    # IK5 missing: AK9 comes where IK3 or IK5 must.
    broken = text.replace("IK5*R*5~\n", "").replace("SE*7*", "SE*6*")
    error = _raises(broken, read_999)
    assert (error.ordinal, error.segment_id) == (7, "AK9") and "expected IK3 or IK5" in str(error)
    error = _raises(text.replace("IK5*R*5", "IK5*Q*5"), read_999)
    assert (error.ordinal, error.line, error.segment_id) == (7, 7, "IK5") and "'Q'" in str(error)
    error = _raises(text.replace("IK3*NM*17**1", "IK3*NM*X7**1"), read_999)
    assert error.segment_id == "IK3" and "IK302" in str(error)


# ---------------------------------------------------------------------------------------------------------------
# 277CA


@pytest.mark.parametrize("name", ["her_277CA_accepted.277ca", "ims_277CA_accepted.277ca"])
def test_277ca_accepted(name: str) -> None:
    ack = read_277ca(_bytes(ACK277CA, name))
    (transaction,) = ack.transactions
    assert transaction.envelope.interchange_control_number == "000014420"
    assert transaction.reference == "000000674" and transaction.created == date(2011, 3, 11)
    (source,) = transaction.sources
    assert (source.party.entity_code, source.party.name, source.trace_number) == ("PR", "NYSDOH", "000014420")
    assert source.received == source.processed == date(2011, 3, 11)
    (receiver,) = source.receivers
    assert receiver.trace_number == "000000674"
    assert [s.category for s in receiver.statuses[0].statuses] == ["A1"]
    assert receiver.totals.accepted_quantity == 1 and receiver.totals.accepted_amount_cents == 12500
    (provider,) = receiver.providers
    assert provider.party.id == "1234567890" and provider.trace_number == "1107000000000135FF"
    (claim,) = ack.claims
    assert claim.patient_control_number == "5781"
    assert claim.payer_claim_control_number == "1107000000014420" and claim.clearinghouse_trace_number == ""
    assert (claim.patient.name, claim.patient.first_name, claim.patient.id) == ("TPATIENT", "THEBE", "LL99999X")
    assert claim.billing_provider.id == "1234567890"
    (info,) = claim.statuses
    (status,) = info.statuses
    assert (status.category, status.code, status.entity) == ("A2", "20", "")
    assert info.date == date(2011, 3, 11) and info.action_code == "WQ" and claim.total_charge_cents == 12500
    assert claim.service_dates == (date(1001, 1, 1), date(1001, 1, 1))
    assert claim.accepted and not claim.rejected
    assert claim.message == "A2: Acknowledgement/Acceptance into adjudication system; 20: Accepted for processing"


@pytest.mark.parametrize("name", ["ims_277CA_rejected.277ca", "oop_277CA_FromAlexbrodsky.277ca"])
def test_277ca_rejected_with_pipe_component_separator(name: str) -> None:
    data = _bytes(ACK277CA, name)
    if name.startswith("oop_"):
        data = _without_bom_and_indent(data)
    (transaction,) = read_277ca(data).transactions
    assert transaction.envelope.test
    (claim,) = transaction.claims
    assert claim.patient_control_number == "3920394930203"
    assert claim.payer_claim_control_number == "1107000000001120" and claim.bill_type == "731"
    (status,) = claim.statuses[0].statuses  # STC*A7|562|85: ISA16 is "|"
    assert (status.category, status.code, status.entity) == ("A7", "562", "85")
    assert claim.total_charge_cents == 19914 and claim.service_dates == (date(2009, 3, 11), date(2009, 3, 11))
    assert claim.rejected and not claim.accepted
    assert claim.message == ("A7: Acknowledgement/Rejected for invalid information; "
                             "562: Entity's National Provider Identifier (NPI) (billing provider)")


def test_277ca_several_patients_and_unknown_codes() -> None:
    ack = read_277ca(_without_bom_and_indent(_bytes(ACK277CA, "oop_277CA_Deidentified_from_nth.277ca")))
    (receiver,) = ack.transactions[0].sources[0].receivers
    assert receiver.totals.rejected_quantity == 3 and receiver.totals.rejected_amount_cents == 90000
    assert [p.totals.rejected_quantity for p in receiver.providers] == [1, 2]
    claims = ack.claims
    assert [c.total_charge_cents for c in claims] == [22000, 34000, 34000]
    assert [c.service_dates[0] for c in claims if c.service_dates] == [
        date(2012, 1, 9), date(2011, 3, 16), date(2011, 10, 10)]
    # De-identified codes (X9, 999) are not in the tables: shown as their code, neither accepted nor rejected.
    assert all(len(c.statuses) == 3 and not c.accepted and not c.rejected for c in claims)
    assert claims[0].statuses[0].message == "X9: code X9; 999: code 999 (entity code 99)"


def test_277ca_truncated_file_is_refused() -> None:
    data = _without_bom_and_indent(_bytes(ACK277CA, "oop_277CA_FromBogeyone.277ca"))
    error = _raises(data, read_277ca)
    assert (error.ordinal, error.line, error.segment_id) == (10, 10, "HL") and "truncated" in str(error)


def test_277ca_junk_isa_is_refused() -> None:
    data = _without_bom_and_indent(_bytes(ACK277CA, "oop_277CA_FromLatitude81uk.277ca"))
    error = _raises(data, read_277ca)
    assert (error.ordinal, error.line, error.segment_id) == (1, 1, "ISA") and "ISA12" in str(error)


def test_277ca_reader_refuses_999_and_x212() -> None:
    error = _raises(_bytes(ACK999, "her_999_accepted.999"), read_277ca)
    assert error.segment_id == "GS" and "not a 277CA" in str(error)
    error = _raises(_bytes(ACK277CA, "lfh_claim-level-status.277"), read_277ca)
    assert (error.ordinal, error.segment_id) == (3, "ST") and "005010X212" in str(error)


def test_277ca_service_lines_and_hierarchy_checks() -> None:
    text = _bytes(ACK277CA, "ims_277CA_accepted.277ca").decode()
    lines = ("SVC*HC:99213:25*125*****1~\nSTC*A7:21:82*20110311*U*125~\nREF*FJ*C5781-1~\n"
             "DTP*472*RD8*20110301-20110302~\n")
    with_line = text.replace("DTP*472*D8*10010101~\n", "DTP*472*D8*10010101~\n" + lines).replace("SE*23*", "SE*27*")
    (claim,) = read_277ca(with_line).claims
    (line,) = claim.lines
    assert line.procedure == ("HC", "99213", "25") and line.charge_cents == 12500 and line.units == "1"
    assert line.line_item_control_number == "C5781-1" and line.rejected and not line.accepted
    assert line.service_dates == (date(2011, 3, 1), date(2011, 3, 2))
    assert claim.accepted  # a rejected line does not change the claim's verdict
    assert "line C5781-1: A7: Acknowledgement/Rejected for invalid information; 21: Missing or invalid " \
           "information (rendering provider)" in claim.message
    # A patient level whose parent is not the billing provider.
    error = _raises(text.replace("HL*4*3*PT", "HL*4*2*PT"), read_277ca)
    assert (error.ordinal, error.segment_id) == (19, "HL") and "HL02" in str(error)
    # A claim without its status.
    error = _raises(text.replace("STC*A2:20*20110311*WQ*125~\n", "").replace("SE*23*", "SE*22*"), read_277ca)
    assert (error.ordinal, error.segment_id) == (22, "REF") and "STC" in str(error)
    # A bad date and a bad amount.
    error = _raises(text.replace("STC*A2:20*20110311", "STC*A2:20*20111311"), read_277ca)
    assert (error.ordinal, error.segment_id) == (22, "STC") and "STC02" in str(error)
    error = _raises(text.replace("WQ*125~", "WQ*12.5.0~"), read_277ca)
    assert error.segment_id == "STC" and "STC04" in str(error)


# ---------------------------------------------------------------------------------------------------------------
# tokenizer and envelope


def _with_separators(text: str, element: str, component: str, repetition: str, terminator: str) -> str:
    """The same interchange written with other separators (the sample uses * : ^ ~ and one segment a line)."""
    table = str.maketrans({"*": element, ":": component, "^": repetition, "~": terminator})
    return text.translate(table)


def test_other_separators_read_the_same() -> None:
    text = _bytes(ACK277CA, "ims_277CA_accepted.277ca").decode()
    other = _with_separators(text, "|", ">", "!", "\x1d")
    assert other[3] == "|" and other[104:106] == ">\x1d"
    assert read_277ca(other) == read_277ca(text)
    interchange, = read_interchanges(other)
    separators = interchange.separators
    assert (separators.element, separators.component, separators.repetition, separators.segment) == (
        "|", ">", "!", "\x1d")
    # CRLF line breaks and no line breaks at all are both fine.
    assert read_277ca(text.replace("~\n", "~\r\n")) == read_277ca(text)
    assert read_277ca(text.replace("~\n", "~")) == read_277ca(text)
    # The terminator is the character after ISA16, so a newline terminator works too.
    newline = _with_separators(text.replace("~\n", "~"), "*", ":", "^", "\n")
    assert read_277ca(newline) == read_277ca(text)


def test_segments_know_their_ordinal_and_line() -> None:
    single_line = tokenize(_bytes(ACK277CA, "ims_277CA_rejected.277ca"))
    assert [s.ordinal for s in single_line] == list(range(1, 29))
    assert {s.line for s in single_line} == {1}
    stc = next(s for s in single_line if s.id == "STC" and s.element(1).startswith("A7"))
    assert stc.components(1) == ("A7", "562", "85") and stc.component(1, 3) == "85" and stc.element(99) == ""
    per_line = tokenize(_bytes(ACK999, "ims_999_rejected.999"))
    assert [(s.ordinal, s.line, s.id) for s in per_line[:3]] == [(1, 1, "ISA"), (2, 2, "GS"), (3, 3, "ST")]
    assert per_line[-1].id == "IEA" and per_line[-1].elements == ("1", "095832987")


# One segment a line, 11 segments: ISA GS ST AK1 AK2 IK3 IK5 AK9 SE GE IEA.
SAMPLE = _bytes(ACK999, "ims_999_rejected.999").decode()


@pytest.mark.parametrize(("data", "where", "words"), [
    (b"", (1, 1, ""), "empty"),
    (b"  \r\n", (1, 1, ""), "empty"),
    (b"\xef\xbb\xbf" + SAMPLE.encode(), (1, 1, ""), "UTF-8 byte order mark"),
    ("\ufeff" + SAMPLE, (1, 1, ""), "UTF-8 byte order mark"),
    (b"\xff\xfe" + SAMPLE.encode("utf-16-le"), (1, 1, ""), "UTF-16 byte order mark"),
    (b"Hello, this is not X12 at all\n", (1, 1, ""), "does not start with ISA"),
    (bytes(range(256)), (1, 1, ""), "does not start with ISA"),
    (SAMPLE[:50], (1, 1, "ISA"), "truncated"),
    (SAMPLE[: SAMPLE.index("AK2") + 5], (5, 5, "AK2"), "truncated"),  # ends inside AK2
    (SAMPLE[: SAMPLE.index("IEA")], (10, 10, "GE"), "without an IEA"),
    (SAMPLE.replace("SE*7*", "SE*8*"), (9, 9, "SE"), "SE01 says 8 segments from ST to SE, the file has 7"),
    (SAMPLE.replace("SE*7*95832987", "SE*7*95832988"), (9, 9, "SE"), "does not match ST02"),
    (SAMPLE.replace("IEA*1*095832987", "IEA*1*095832986"), (11, 11, "IEA"), "does not match ISA13"),
    (SAMPLE.replace("IEA*1*", "IEA*2*"), (11, 11, "IEA"), "IEA01 says 2 functional groups"),
    (SAMPLE.replace("GE*1*", "GE*2*"), (10, 10, "GE"), "GE01 says 2 transaction sets"),
    (SAMPLE.replace("GE*1*95832987", "GE*1*9"), (10, 10, "GE"), "does not match GS06"),
    (SAMPLE.replace("SE*7*95832987~\n", ""), (9, 9, "GE"), "SE is missing"),
    (SAMPLE.replace("AK2*837*0028~\n", "AK2*837*0028~\n  "), (6, 6, ""), "only line breaks"),
    (SAMPLE.replace("IK5*R*5~", "IK5*R*5~~"), (8, 7, ""), "empty segment"),
    (SAMPLE.replace("NM*17", "NM\x00*17"), (6, 6, "IK3"), "U+0000"),
    (SAMPLE.replace("NM*17", "NÉ*17").encode("latin-1"), (6, 6, "IK3"), "U+00C9"),
    (SAMPLE.replace("ak", "").replace("AK1", "ak1"), (4, 4, ""), "'ak1' is not a segment id"),
    (SAMPLE.replace("*00501*", "*00501X"), (1, 1, "ISA"), "ISA12 must be 5 characters wide"),
    (SAMPLE.replace("*EMEDNYBAT      *", "*EMEDNYBAT *"), (1, 1, "ISA"), "ISA06 must be 15 characters"),
    (SAMPLE.replace("*^*00501*", "*|*00501*"), (1, 1, "ISA"), "separators must all differ"),
    (SAMPLE.replace("*^*00501*", "*U*00501*"), (1, 1, "ISA"), "ISA11 must be the repetition separator"),
    (SAMPLE + "GS*FA~\n", (12, 12, ""), "next interchange does not start with ISA"),
])
def test_broken_input_is_refused_with_its_place(data: bytes | str, where: tuple[int, int, str], words: str) -> None:
    error = _raises(data)
    assert (error.ordinal, error.line, error.segment_id) == where, str(error)
    assert words in str(error)
    prefix = f"segment {where[0]} (line {where[1]})" + (f" {where[2]}" if where[2] else "") + ": "
    assert str(error).startswith(prefix)


def test_several_interchanges_and_trailing_whitespace() -> None:
    one = _bytes(ACK999, "her_999_accepted.999").decode()
    two = _bytes(ACK999, "her_999_rejected.999").decode()
    ack = read_999(one + "\r\n" + two + "\n  \n")
    assert [g.code for g in ack.groups] == ["A", "R"]
    assert [g.envelope.interchange_control_number for g in ack.groups] == ["052127406", "095832987"]
    # Control numbers must be unique: the same group twice in one interchange is refused.
    group = one[one.index("GS*"):one.index("IEA")]
    doubled = one.replace(group, group + group).replace("IEA*1*", "IEA*2*")
    error = _raises(doubled, read_999)
    assert error.segment_id == "GS" and "repeats the control number" in str(error)

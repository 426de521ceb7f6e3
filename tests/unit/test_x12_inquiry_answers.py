"""The payer's side of eligibility and claim status (issue 6, item 8): reading the 270 and 276 a practice sends, and
writing the 271 and 277 answers. Each writer's file reads back with our own 271/277 reader to the same figures and
passes the independent structure check; each reader is held to the guides' sample files and to our 270/276 writers.
"""

from __future__ import annotations

import dataclasses
import re
from datetime import date, datetime
from pathlib import Path

import pytest

from server.scheduling.rules import npi_check_digit
from server.x12 import claim_status as cs
from server.x12 import eligibility as el
from server.x12.ack277ca import Party
from server.x12.claim837 import PayerName, Person
from server.x12.claim_status import (
    ClaimInquiry,
    ClaimState,
    ClaimStatusBatch,
    ClaimStatusInquiry,
    ClaimStatusReply,
    ClaimStatusResponseBatch,
    ReplyStatus,
    ServiceProvider,
    read_276,
    read_277,
    write_276,
    write_277,
)
from server.x12.eligibility import (
    Copay,
    EligibilityBatch,
    EligibilityInquiry,
    EligibilityReply,
    EligibilityResponseBatch,
    Inquiry,
    PlanCoverage,
    Refusal,
    percent_of_bp,
    read_270,
    read_271,
    write_270,
    write_271,
)
from server.x12.reader import X12ReadError
from server.x12.writer_base import Envelope
from tests.unit.x12_structure import check_structure

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "x12"
LEVELS_27X = {"20": None, "21": "20", "22": "21", "23": "22"}
LEVELS_277 = {"20": None, "21": "20", "19": "21", "22": "19", "23": "22"}
CLINIC_NPI = "123456789" + str(npi_check_digit("123456789"))
CREATED = datetime(2026, 3, 2, 8, 30)
ANSWERED = datetime(2026, 3, 2, 8, 31)
PAYER_ENVELOPE = Envelope("60054", "CLINIC01", ANSWERED, interchange_control_number=77, transaction_control_number=9)

JOHN = Person("Smith", "John", birth_date=date(1963, 5, 19), sex="M")
MARY = Person("Smith", "Mary", birth_date=date(1978, 10, 14), sex="F")
ANN = Person("Ng", "Ann", "B", "Jr", date(1990, 2, 3), "F")


def _fixture(folder: str, name: str) -> bytes:
    return (FIXTURES / folder / name).read_bytes()


def _person(p: Person) -> Person:
    """A person as it comes back from X12: upper case."""
    return dataclasses.replace(p, last=p.last.upper(), first=p.first.upper(), middle=p.middle.upper(),
                               suffix=p.suffix.upper())


def _error(read: object, data: str | bytes) -> X12ReadError:
    with pytest.raises(X12ReadError) as caught:
        read(data)  # type: ignore[operator]
    return caught.value


def _with_segment_count(text: str) -> str:
    """`text` with SE01 recounted after a test added or removed segments (one segment per line)."""
    lines = text.splitlines()
    st = next(i for i, line in enumerate(lines) if line.startswith("ST*"))
    se = next(i for i, line in enumerate(lines) if line.startswith("SE*"))
    lines[se] = f"SE*{se - st + 1}*{lines[se].split('*')[2]}"
    return "\n".join(lines) + "\n"


# ---------------------------------------------------------------------------------------------------------------
# 270 read


def test_read_270_subscriber_sample() -> None:
    (q,) = read_270(_fixture("270", "lfh_subscriber-health-benefit-check.270"))
    assert q.envelope.test and q.envelope.transaction_control_number == "1234" and q.reference == "10001234"
    assert (q.payer.name, q.payer_id) == ("ABC COMPANY", "842610001")
    # The sample names the clinic by a payer-assigned id (SV), not an NPI.
    assert (q.receiver.name, q.receiver.id_qualifier, q.receiver.id, q.receiver_npi) == (
        "BONE AND JOINT CLINIC", "SV", "2000035", "")
    assert (q.inquiry_id, q.originating_company_id, q.other_traces) == ("93175-012547", "9877281234", ())
    assert q.subscriber == Person("SMITH", "ROBERT", birth_date=date(1943, 5, 19))
    assert q.member_id == "11122333301" and q.dependent is None and q.patient == q.subscriber
    assert q.service_date == date(2006, 5, 1) and q.service_dates == (date(2006, 5, 1), date(2006, 5, 1))
    assert q.service_types == ("30",) and q.procedures == () and q.group_number == ""


def test_read_270_dependent_sample() -> None:
    (q,) = read_270(_fixture("270", "lfh_dependent-health-benefit-check.270"))
    # The receiver is a person here (NM1*1P*1*JONES*MARCUS).
    assert (q.receiver.name, q.receiver.first_name, q.receiver.id) == ("JONES", "MARCUS", "2000034")
    # The subscriber is found by member id alone; the trace and the question are the dependent's.
    assert q.subscriber == Person("", "") and q.member_id == "11122333301"
    assert q.dependent == Person("SMITH", "MARY", birth_date=date(1978, 10, 14)) and q.patient == q.dependent
    assert (q.inquiry_id, q.originating_company_id) == ("93175-012547", "9877281234")
    assert q.service_date == date(2006, 5, 1) and q.service_types == ("30",)


def _inquiries_270() -> tuple[Inquiry, ...]:
    return (
        Inquiry("INQ-1", JOHN, "W123", date(2026, 3, 2), group_number="GRP-77"),
        Inquiry("INQ-2", JOHN, "W123", date(2026, 3, 2), dependent=MARY, service_types=("98", "30")),
        Inquiry("INQ-3", ANN, "X-9", date(2026, 12, 3), service_types=("30", "AL", "UC")),
        Inquiry("INQ-4", Person("Roe", "Richard"), "W111", date(2026, 3, 1)),
    )


def _batch_270(*inquiries: Inquiry) -> EligibilityBatch:
    return EligibilityBatch(
        Envelope("CLINIC01", "60054", CREATED, interchange_control_number=5, transaction_control_number=41),
        PayerName("Acme Health", "60054"), el.InformationReceiver("Elm Street Family Practice", CLINIC_NPI),
        "1311234567", inquiries or _inquiries_270(), reference="REQ-41")


def test_write_270_read_270_round_trip() -> None:
    inquiries = _inquiries_270()
    read = read_270(write_270(_batch_270(*inquiries)))
    assert len(read) == len(inquiries)
    for sent, got in zip(inquiries, read, strict=True):
        assert got.reference == "REQ-41" and got.envelope.transaction_control_number == "0041"
        assert (got.payer.name, got.payer_id) == ("ACME HEALTH", "60054")
        assert (got.receiver.name, got.receiver_npi) == ("ELM STREET FAMILY PRACTICE", CLINIC_NPI)
        assert (got.inquiry_id, got.originating_company_id) == (sent.inquiry_id, "1311234567")
        assert got.subscriber == _person(sent.subscriber) and got.member_id == sent.member_id.upper()
        assert got.dependent == (_person(sent.dependent) if sent.dependent else None)
        assert got.service_date == sent.service_date and got.service_types == sent.service_types
        assert got.group_number == sent.group_number
    # Sex "U" is not sent (DMG03 F or M only) and reads back as U; no DMG at all reads as no birth date.
    assert read[3].subscriber == Person("ROE", "RICHARD")


def _written_270() -> str:
    return write_270(_batch_270(Inquiry("INQ-1", JOHN, "W123", date(2026, 3, 2), dependent=MARY),
                                Inquiry("INQ-2", ANN, "X-9", date(2026, 3, 2))))


def test_read_270_extra_trace_and_eq_details() -> None:
    text = _written_270().replace("TRN*1*INQ-2*1311234567~\n",
                                  "TRN*1*INQ-2*1311234567~\nTRN*1*CH-778*9CLEARHS01~\n")
    text = text.replace("DTP*291*D8*20260302~\nEQ*30~\nSE",
                        "EQ*30^98~\nEQ**HC:99213~\nDTP*291*RD8*20260301-20260331~\nSE")
    (_, ann) = read_270(_with_segment_count(text))
    assert ann.other_traces == (("CH-778", "9CLEARHS01"),)
    # The 2100 level sent no DTP: the first EQ's applies; EQ01 may repeat.
    assert ann.service_dates == (date(2026, 3, 1), date(2026, 3, 31)) and ann.service_date == date(2026, 3, 1)
    assert ann.service_types == ("30", "98") and ann.procedures == (("HC", "99213"),)


@pytest.mark.parametrize(("old", "new", "segment_id", "words"), [
    ("BHT*0022*13*", "BHT*0022*11*", "BHT", "BHT02 must be 13"),
    ("TRN*1*INQ-2*1311234567", "TRN*2*INQ-2*1311234567", "TRN", "TRN01 must be 1"),
    ("EQ*30~\nSE", "EQ*3X0~\nSE", "EQ", "EQ01 must be service type codes"),
    ("EQ*30~\nSE", "EQ~\nSE", "EQ", "EQ01 (service type code) or EQ02 (procedure) is required"),
    ("EQ*30~\nSE", "EQ**HC~\nSE", "EQ", "EQ02 must be a qualifier and a procedure code"),
    ("DTP*291*D8*20260302~\nEQ*30~\nSE", "DTP*307*D8*20260302~\nEQ*30~\nSE", "DTP", "DTP01 must be 291"),
    ("DTP*291*D8*20260302~\nEQ*30~\nSE", "DTP*291*D8*20260230~\nEQ*30~\nSE", "DTP", "DTP03 must be a date"),
    ("DMG*D8*19900203*F", "DMG*D8*19900203*X", "DMG", "DMG03 must be F, M or U"),
    ("DMG*D8*19900203*F", "DMG*RD8*19900203*F", "DMG", "DMG01 must be D8"),
    ("NM1*IL*1*NG*ANN*B**JR*MI*X-9", "NM1*QC*1*NG*ANN*B**JR*MI*X-9", "NM1", "NM101 is 'QC', expected IL"),
    ("NM1*IL*1*NG*ANN*B**JR*MI*X-9", "NM1*IL*1*NG*ANN*B**JR*ZZ*X-9", "NM1", "NM108 must be MI"),
    ("NM1*IL*1*NG*ANN*B**JR*MI*X-9", "NM1*IL*2*NG*ANN*B**JR*MI*X-9", "NM1", "NM102 must be 1"),
    ("NM1*PR*2*ACME HEALTH", "NM1*41*2*ACME HEALTH", "NM1", "NM101 is '41'"),
    ("HL*5*2*22*0", "HL*5*3*22*0", "HL", "HL02 (parent) is '3', expected '2'"),
    ("HL*5*2*22*0", "HL*4*2*22*0", "HL", "HL01 4 repeats"),
    # The patient's level must carry the trace the answer echoes, and a question.
    ("TRN*1*INQ-2*1311234567~\n", "", "HL", "asks without a trace number"),
    ("DTP*291*D8*20260302~\nEQ*30~\nSE", "DTP*291*D8*20260302~\nSE", "HL", "asks no question"),
    ("HL*2*1*21*1~\n", "", "NM1", "unexpected NM1 segment here (expected the information receiver level"),
])
def test_read_270_broken_segments_are_named(old: str, new: str, segment_id: str, words: str) -> None:
    text = _written_270()
    assert old in text
    data = _with_segment_count(text.replace(old, new, 1))
    error = _error(read_270, data)
    assert error.segment_id == segment_id and words in str(error), str(error)
    # One segment per line: the line named is the broken segment's.
    assert error.line == error.ordinal and data.splitlines()[error.line - 1].startswith(segment_id)


def test_read_270_refuses_other_transactions() -> None:
    error = _error(read_270, _fixture("271", "lfh_subscriber-health-benefit-check.271"))
    assert error.segment_id == "GS" and "not a 270" in str(error)
    error = _error(read_270, _fixture("276", "lfh_claim-level-status.276"))
    assert error.segment_id == "GS" and "not a 270" in str(error)


# ---------------------------------------------------------------------------------------------------------------
# 271 write


GOLD = PlanCoverage(
    True, "Acme PPO Gold", date(2026, 1, 1), coverage_level="FAM", insurance_type="PR", group_number="GRP100",
    copays=(Copay("98", 2500), Copay("98", 5000, in_network=False), Copay("UC", 7500, in_network=None)),
    coinsurance_bp=2000, deductible_cents=150000, deductible_remaining_cents=40000, out_of_pocket_cents=500000,
    out_of_pocket_remaining_cents=421250)
LAPSED = PlanCoverage(False, "Acme HMO Silver", date(2024, 1, 1), date(2025, 12, 31), insurance_type="HM")


def _inquiries() -> tuple[EligibilityInquiry, ...]:
    return read_270(write_270(_batch_270()))


def _response(*replies: EligibilityReply, reference: str = "") -> EligibilityResponseBatch:
    return EligibilityResponseBatch(PAYER_ENVELOPE, replies, reference)


def test_write_271_read_271_round_trip() -> None:
    john, mary, ann, richard = _inquiries()
    replies = (EligibilityReply(john, GOLD), EligibilityReply(mary, GOLD), EligibilityReply(ann, LAPSED),
               EligibilityReply(richard, refusals=(Refusal(el.INVALID_MEMBER_ID),)))
    text = write_271(_response(*replies))
    levels = check_structure(text, "HB", "271", "005010X279A1", LEVELS_27X)
    assert [(hl.level, hl.parent, hl.child_code) for hl in levels] == [
        ("20", None, "1"), ("21", 1, "1"), ("22", 2, "0"), ("22", 2, "1"), ("23", 4, "0"), ("22", 2, "0"),
        ("22", 2, "0")]
    answers = read_271(text)
    assert [(a.trace_number, a.trace_originator) for a in answers] == [
        ("INQ-1", "1311234567"), ("INQ-2", "1311234567"), ("INQ-3", "1311234567"), ("INQ-4", "1311234567")]
    for answer in answers:
        assert answer.reference == "REQ-41" and answer.envelope.transaction_control_number == "0009"
        assert (answer.payer.name, answer.payer.id) == ("ACME HEALTH", "60054")
        assert answer.receiver is not None and answer.receiver.id == CLINIC_NPI
    a_john, a_mary, a_ann, a_richard = answers
    for answer in (a_john, a_mary):
        assert answer.coverage == "active" and answer.plan_name == "ACME PPO GOLD"
        assert (answer.coverage_level, answer.insurance_type) == ("FAM", "PR")
        assert (answer.plan_begin, answer.plan_end) == (date(2026, 1, 1), None)
        assert answer.references == (("6P", "GRP100"),) and answer.member_id == "W123"
        assert answer.copay_cents("98") == 2500 and answer.copay_cents("98", in_network=False) == 5000
        assert answer.copay_cents("UC") == 7500 and answer.copay_cents("UC", in_network=False) == 7500
        assert answer.coinsurance_bp() == 2000
        assert answer.deductible_cents() == 150000 and answer.deductible_cents(remaining=True) == 40000
        assert answer.out_of_pocket_cents() == 421250 and answer.out_of_pocket_cents(remaining=False) == 500000
        assert answer.rejections == ()
        assert answer.summary == ("Active coverage: ACME PPO GOLD; copay $25.00; deductible left $400.00; "
                                  "out-of-pocket left $4,212.50; coinsurance 20%")
    assert a_john.dependent is None and a_john.birth_date == date(1963, 5, 19) and a_john.sex == "M"
    assert a_mary.dependent is not None and (a_mary.dependent.name, a_mary.dependent.first_name) == ("SMITH", "MARY")
    assert a_mary.birth_date == date(1978, 10, 14) and a_mary.sex == "F"
    # Mary asked about 98 and 30: a coverage EB for each.
    assert [b.service_types for b in a_mary.benefits if b.code == "1"] == [("30",), ("98",)]
    assert a_ann.coverage == "inactive" and a_ann.plan_name == "ACME HMO SILVER"
    assert (a_ann.plan_begin, a_ann.plan_end) == (date(2024, 1, 1), date(2025, 12, 31))
    assert a_ann.copay_cents("98") is None and a_ann.deductible_cents() is None and a_ann.summary == (
        "Inactive: ACME HMO SILVER")
    assert [b.service_types for b in a_ann.benefits] == [("30",), ("AL",), ("UC",)]
    assert a_richard.coverage == "rejected" and a_richard.benefits == ()
    (rejection,) = a_richard.rejections
    assert (rejection.level, rejection.valid_request, rejection.reason_code, rejection.follow_up) == (
        "subscriber", True, "72", "C")
    assert a_richard.summary == "Not answered: 72: Invalid/missing subscriber/insured id (Please correct and resubmit)"


def test_write_271_segments() -> None:
    john, mary, *_ = _inquiries()
    text = write_271(_response(EligibilityReply(john, GOLD), EligibilityReply(mary, refusals=(
        Refusal(el.SUBSCRIBER_FOUND_PATIENT_NOT_FOUND, "N"),))))
    segments = text.splitlines()
    assert segments[3] == "BHT*0022*11*REQ-41*20260302*0831~"
    start = segments.index("HL*3*2*22*0~")
    assert segments[start:start + 16] == [
        "HL*3*2*22*0~", "TRN*2*INQ-1*1311234567~", "NM1*IL*1*SMITH*JOHN****MI*W123~", "REF*6P*GRP100~",
        "DMG*D8*19630519*M~", "DTP*346*D8*20260101~", "EB*1*FAM*30*PR*ACME PPO GOLD~",
        "EB*B*IND*98*PR**27*25*****Y~", "EB*B*IND*98*PR**27*50*****N~", "EB*B*IND*UC*PR**27*75~",
        "EB*A*IND*30*PR****.2****Y~", "EB*C*IND*30*PR**23*1500*****Y~", "EB*C*IND*30*PR**29*400*****Y~",
        "EB*G*IND*30*PR**23*5000*****Y~", "EB*G*IND*30*PR**29*4212.5*****Y~", "HL*4*2*22*1~"]
    # 77 (subscriber found, patient not found) belongs to the dependent's level.
    assert segments[start + 16:start + 22] == [
        "NM1*IL*1*SMITH*JOHN****MI*W123~", "DMG*D8*19630519*M~", "HL*5*4*23*0~", "TRN*2*INQ-2*1311234567~",
        "NM1*03*1*SMITH*MARY~", "AAA*Y**77*N~"]
    (_, answer) = read_271(text)
    assert answer.dependent is not None and [(r.level, r.reason_code) for r in answer.rejections] == [
        ("dependent", "77")]


def test_write_271_subscriber_not_found_for_a_dependents_inquiry() -> None:
    # The subscriber cannot be placed: the answer stays at the subscriber level, with the dependent's trace.
    (_, mary, *_) = _inquiries()
    text = write_271(_response(EligibilityReply(mary, refusals=(Refusal(el.SUBSCRIBER_NOT_FOUND),))))
    levels = check_structure(text, "HB", "271", "005010X279A1", LEVELS_27X)
    assert [hl.level for hl in levels] == ["20", "21", "22"]
    (answer,) = read_271(text)
    assert answer.trace_number == "INQ-2" and answer.dependent is None and answer.member_id == "W123"
    assert [(r.level, r.reason_code) for r in answer.rejections] == [("subscriber", "75")]


def test_write_271_answers_the_sample_inquiries() -> None:
    subscriber = read_270(_fixture("270", "lfh_subscriber-health-benefit-check.270"))[0]
    dependent = read_270(_fixture("270", "lfh_dependent-health-benefit-check.270"))[0]
    text = write_271(_response(EligibilityReply(subscriber, GOLD), EligibilityReply(dependent, LAPSED)))
    levels = check_structure(text, "HB", "271", "005010X279A1", LEVELS_27X)
    # One payer; the two receivers differ (the clinic, then Dr Jones): a receiver level each.
    assert [(hl.level, hl.parent) for hl in levels] == [("20", None), ("21", 1), ("22", 2), ("21", 1), ("22", 4),
                                                        ("23", 5)]
    assert "NM1*1P*1*JONES*MARCUS****SV*2000034~\n" in text and "NM1*IL*1******MI*11122333301~\n" in text
    first, second = read_271(text)
    assert first.reference == second.reference == "10001234"
    assert (first.trace_number, first.trace_originator) == ("93175-012547", "9877281234")
    assert first.subscriber is not None and first.subscriber.first_name == "ROBERT" and first.active
    assert second.dependent is not None and second.dependent.first_name == "MARY"
    assert second.receiver is not None and second.receiver.first_name == "MARCUS"
    assert second.coverage == "inactive" and second.plan_end == date(2025, 12, 31)


def test_write_271_echoes_every_trace() -> None:
    (john, *_) = _inquiries()
    john = dataclasses.replace(john, other_traces=(("CH-778", "9CLEARHS01"),))
    text = write_271(_response(EligibilityReply(john, GOLD), reference="ANS-1"))
    assert "TRN*2*INQ-1*1311234567~\nTRN*2*CH-778*9CLEARHS01~\n" in text and "BHT*0022*11*ANS-1*" in text
    (answer,) = read_271(text)
    assert answer.trace_number == "INQ-1" and answer.reference == "ANS-1"


def test_percent_of_bp() -> None:
    assert [percent_of_bp(bp) for bp in (0, 2000, 1525, 5, 10000)] == ["0", ".2", ".1525", ".0005", "1"]


def _reply(**coverage_changes: object) -> EligibilityReply:
    return EligibilityReply(_inquiries()[0], dataclasses.replace(GOLD, **coverage_changes))  # type: ignore[arg-type]


@pytest.mark.parametrize(("replies", "message"), [
    ((), "replies: a batch needs at least one reply"),
    ((EligibilityReply(_inquiries()[0]),), "replies[0]: a reply needs coverage or refusals"),
    ((EligibilityReply(_inquiries()[0], GOLD, (Refusal("72"),)),), "replies[0]: a reply has coverage or refusals"),
    ((EligibilityReply(_inquiries()[0], refusals=(Refusal("67"),)),), "replies[0].refusals[0].reason_code:"),
    ((EligibilityReply(_inquiries()[0], refusals=(Refusal("75", level="dependent"),)),),
     "replies[0].refusals[0].level:"),
    ((EligibilityReply(_inquiries()[1], refusals=(Refusal("75", level="dependent"),)),),
     "replies[0].refusals[0].reason_code:"),
    ((EligibilityReply(_inquiries()[0], refusals=(Refusal("72", "Q"),)),), "replies[0].refusals[0].follow_up:"),
    ((_reply(plan_name=" "),), "replies[0].coverage.plan_name: required"),
    ((_reply(coverage_level="XYZ"),), "replies[0].coverage.coverage_level:"),
    ((_reply(insurance_type="P-R"),), "replies[0].coverage.insurance_type:"),
    ((_reply(plan_end=date(2025, 1, 1)),), "replies[0].coverage.plan_end:"),
    ((_reply(copays=(Copay("9-8", 100),)),), "replies[0].coverage.copays[0].service_type:"),
    ((_reply(copays=(Copay("98", -1),)),), "replies[0].coverage.copays[0].cents: -1 must not be negative"),
    ((_reply(copays=(Copay("98", 1), Copay("98", 2))),), "replies[0].coverage.copays[1]: a second copay"),
    ((_reply(coinsurance_bp=10001),), "replies[0].coverage.coinsurance_bp:"),
    ((_reply(deductible_remaining_cents=150001),), "replies[0].coverage.deductible_remaining_cents:"),
    ((_reply(out_of_pocket_remaining_cents=500001),), "replies[0].coverage.out_of_pocket_remaining_cents:"),
    ((_reply(deductible_cents=None, deductible_remaining_cents=-5),),
     "replies[0].coverage.deductible_remaining_cents: -5"),
    ((_reply(group_number="G*1"),), "replies[0].coverage.group_number:"),
    ((EligibilityReply(dataclasses.replace(_inquiries()[0], inquiry_id="A~B"), GOLD),),
     "replies[0].inquiry.inquiry_id:"),
])
def test_write_271_bad_input_names_the_field(replies: tuple[EligibilityReply, ...], message: str) -> None:
    with pytest.raises(ValueError, match=re.escape(message)):
        write_271(_response(*replies))


# ---------------------------------------------------------------------------------------------------------------
# 276 read


def test_read_276_sample() -> None:
    fred, mary, joseph = read_276(_fixture("276", "lfh_claim-level-status.276"))
    for q in (fred, mary, joseph):
        assert q.reference == "ABC276XXX" and q.envelope.test
        assert (q.payer.name, q.payer_id) == ("ABC INSURANCE", "12345")
        assert (q.receiver.name, q.receiver.id_qualifier, q.receiver.id) == ("XYZ SERVICE", "46", "X67E")
    assert (fred.provider.name, fred.provider_npi) == ("HOME HOSPITAL", "1666666661")
    assert fred.subscriber == Person("SMITH", "FRED", birth_date=date(1930, 12, 10), sex="M")
    assert (fred.member_id, fred.dependent, fred.trace_number) == ("123456789A", None, "ABCXYZ1")
    assert (fred.payer_claim_number, fred.patient_control_number, fred.bill_type) == ("", "SM123456", "111")
    assert fred.total_charge_cents == 851388 and (fred.service_from, fred.service_to) == (date(2005, 8, 31),
                                                                                         date(2005, 9, 6))
    assert mary.subscriber == Person("JONES", "MARY", birth_date=date(1930, 11, 15), sex="F")
    assert (mary.trace_number, mary.patient_control_number, mary.total_charge_cents) == ("ABCXYZ2", "J0234567",
                                                                                         759900)
    assert mary.service_dates == (date(2005, 7, 31), date(2005, 8, 9))
    assert (joseph.provider.name, joseph.provider.id) == ("HOME HOSPITAL PHYSICANS", "166666666")
    assert joseph.subscriber == Person("MANN", "JOHN") and joseph.member_id == "345678901"
    assert joseph.dependent == Person("MANN", "JOSEPH", birth_date=date(1995, 11, 1), sex="M")
    assert joseph.patient == joseph.dependent
    assert (joseph.trace_number, joseph.patient_control_number) == ("ABCXYZ3", "MA345678")
    assert joseph.total_charge_cents is None and joseph.service_dates is None
    (line,) = joseph.lines
    assert line == cs.InquiredLine(("HC", "99203"), 15000, "", "1.00", "", (date(2005, 5, 1), date(2005, 5, 1)))


def _claims_276() -> tuple[ClaimInquiry, ...]:
    return (
        ClaimInquiry("CS-1", JOHN, "W123", "CLM-1001", 15000, date(2026, 1, 5)),
        ClaimInquiry("CS-2", JOHN, "W123", "CLM-1002", 22050, date(2026, 1, 6), date(2026, 1, 8),
                     payer_claim_number="ICN-77"),
        ClaimInquiry("CS-3", JOHN, "W123", "CLM-1003", 9900, date(2026, 1, 9), dependent=MARY),
        ClaimInquiry("CS-4", ANN, "X-9", "CLM-1004", 0, date(2026, 2, 1)),
    )


def _batch_276(*claims: ClaimInquiry) -> ClaimStatusBatch:
    return ClaimStatusBatch(
        Envelope("CLINIC01", "60054", CREATED, interchange_control_number=6, transaction_control_number=42),
        PayerName("Acme Health", "60054"), cs.InformationReceiver("Elm Street Family Practice", "ETIN42"),
        ServiceProvider("Elm Street Family Practice", CLINIC_NPI), claims or _claims_276(), reference="CSR-42")


def test_write_276_read_276_round_trip() -> None:
    claims = _claims_276()
    read = read_276(write_276(_batch_276(*claims)))
    assert len(read) == len(claims)
    for sent, got in zip(claims, read, strict=True):
        assert got.reference == "CSR-42" and (got.payer.name, got.payer_id) == ("ACME HEALTH", "60054")
        assert (got.receiver.name, got.receiver.id) == ("ELM STREET FAMILY PRACTICE", "ETIN42")
        assert got.provider_npi == CLINIC_NPI
        assert got.trace_number == sent.trace_number and got.member_id == sent.member_id
        assert got.patient_control_number == sent.patient_control_number
        assert got.payer_claim_number == sent.payer_claim_number and got.bill_type == ""
        assert got.total_charge_cents == sent.total_charge_cents
        assert got.service_from == sent.service_from and got.service_to == (sent.service_to or sent.service_from)
        assert got.dependent == (_person(sent.dependent) if sent.dependent else None)
        assert got.lines == ()
    # The subscriber's DMG is sent when they are the patient only.
    assert read[0].subscriber == _person(JOHN) and read[2].subscriber == Person("SMITH", "JOHN")
    assert read[3].subscriber == _person(ANN)


def _written_276() -> str:
    return write_276(_batch_276(ClaimInquiry("CS-1", JOHN, "W123", "CLM-1001", 15000, date(2026, 1, 5)),
                                ClaimInquiry("CS-3", JOHN, "W123", "CLM-1003", 9900, date(2026, 1, 9),
                                             dependent=MARY, payer_claim_number="ICN-3")))


@pytest.mark.parametrize(("old", "new", "segment_id", "words"), [
    ("BHT*0010*13*", "BHT*0010*08*", "BHT", "BHT02 must be 13"),
    ("TRN*1*CS-3", "TRN*2*CS-3", "TRN", "the claim status tracking number (TRN*1)"),
    ("TRN*1*CS-3", "TRN*1", "TRN", "TRN02 (trace number) is required"),
    ("REF*EJ*CLM-1003", "REF*6R*CLM-1003", "REF", "REF01 '6R' is not expected in a claim"),
    ("REF*EJ*CLM-1003", "REF*1K*CLM-1003", "REF", "REF01 '1K' is not expected in a claim"),
    ("AMT*T3*99", "AMT*YU*99", "AMT", "AMT01 must be T3"),
    ("AMT*T3*99", "AMT*T3*9.999", "AMT", "fractions of a cent"),
    ("DTP*472*D8*20260109", "DTP*573*D8*20260109", "DTP", "DTP01 must be 472"),
    ("DTP*472*D8*20260109", "DTP*472*RD8*20260109-20260101", "DTP", "ends before it starts"),
    ("DMG*D8*19781014*F", "DMG*D8*19781014*Q", "DMG", "DMG03 must be F, M or U"),
    ("NM1*QC*1*SMITH*MARY", "NM1*03*1*SMITH*MARY", "NM1", "NM101 is '03', expected QC"),
    ("NM1*IL*1*SMITH*JOHN****MI*W123~\nTRN", "NM1*IL*1*SMITH*JOHN~\nTRN", "NM1", "NM108 must be MI"),
    ("NM1*41*2*", "NM1*40*2*", "NM1", "NM101 is '40', expected 41"),
    ("HL*5*3*22*1", "HL*5*2*22*1", "HL", "HL02 (parent) is '2', expected '3'"),
    ("HL*3*2*19*1", "HL*3*2*22*1", "HL", "unexpected HL segment here (expected the service provider level"),
    ("TRN*1*CS-3~\n", "", "REF", "unexpected REF segment here (expected the claim status tracking number (TRN)"),
    # A service line (2210) without its procedure code.
    ("DTP*472*D8*20260109~\n", "DTP*472*D8*20260109~\nSVC*HC*99~\n", "SVC",
     "SVC01 must be a qualifier and a procedure"),
    ("DTP*472*D8*20260109~\n", "DTP*472*D8*20260109~\nSVC*HC:99203*99~\nREF*6R*1~\n", "REF",
     "REF01 must be FJ"),
])
def test_read_276_broken_segments_are_named(old: str, new: str, segment_id: str, words: str) -> None:
    text = _written_276()
    assert old in text
    data = _with_segment_count(text.replace(old, new, 1))
    error = _error(read_276, data)
    assert error.segment_id == segment_id and words in str(error), str(error)
    assert error.line == error.ordinal and data.splitlines()[error.line - 1].startswith(segment_id)


def test_read_276_refuses_other_transactions() -> None:
    error = _error(read_276, _fixture("277", "lfh_claim-level-status.277"))
    assert error.segment_id == "GS" and "not a 276 claim status request" in str(error)
    error = _error(read_276, _fixture("270", "lfh_subscriber-health-benefit-check.270"))
    assert error.segment_id == "GS" and "not a 276" in str(error)


# ---------------------------------------------------------------------------------------------------------------
# 277 write


def _claim_inquiries() -> tuple[ClaimStatusInquiry, ...]:
    return read_276(write_276(_batch_276()))


def _answers(*replies: ClaimStatusReply, reference: str = "") -> str:
    return write_277(ClaimStatusResponseBatch(PAYER_ENVELOPE, replies, reference))


ADJUDICATED = date(2026, 2, 20)


@pytest.mark.parametrize(("make", "state", "paid", "categories"), [
    (lambda q: ClaimStatusReply.paid(q, 12000, ADJUDICATED, payment_date=date(2026, 2, 23), check_number="EFT-1",
                                     payer_claim_number="ICN-1"), ClaimState.FINALIZED_PAID, 12000, ("F1",)),
    (lambda q: ClaimStatusReply.denied(q, ADJUDICATED, "88", "QC"), ClaimState.FINALIZED_DENIED, 0, ("F2",)),
    (lambda q: ClaimStatusReply.pending(q, ADJUDICATED), ClaimState.PENDING, 0, ("P1",)),
    (lambda q: ClaimStatusReply.pending(q, ADJUDICATED, "R4", "252"), ClaimState.PENDING, 0, ("R4",)),
    (lambda q: ClaimStatusReply.not_found(q, ADJUDICATED), ClaimState.NOT_FOUND, 0, ("A4",)),
    (lambda q: ClaimStatusReply(q, (ReplyStatus("F0", "3"),), ADJUDICATED, 5000), ClaimState.FINALIZED_PAID, 5000,
     ("F0",)),
    (lambda q: ClaimStatusReply(q, (ReplyStatus("A7", "562", "85"), ReplyStatus("A7", "21")), ADJUDICATED),
     ClaimState.REJECTED, 0, ("A7", "A7")),
])
def test_write_277_read_277_round_trip_per_state(make: object, state: ClaimState, paid: int,
                                                  categories: tuple[str, ...]) -> None:
    inquiries = _claim_inquiries()
    replies = tuple(make(q) for q in inquiries)  # type: ignore[operator]
    text = _answers(*replies)
    levels = check_structure(text, "HN", "277", "005010X212", LEVELS_277)
    assert [(hl.level, hl.parent, hl.child_code) for hl in levels] == [
        ("20", None, "1"), ("21", 1, "1"), ("19", 2, "1"), ("22", 3, "1"), ("23", 4, ""), ("22", 3, "0")]
    answers = read_277(text)
    assert len(answers) == len(inquiries)
    for q, reply, answer in zip(inquiries, replies, answers, strict=True):
        assert answer.level == "claim" and answer.trace_number == q.trace_number
        assert answer.state is state and answer.categories == categories
        assert answer.paid_cents == paid and answer.total_charge_cents == q.total_charge_cents
        assert answer.status_date == ADJUDICATED
        assert answer.patient_control_number == q.patient_control_number
        assert answer.payer_claim_number == (reply.payer_claim_number or q.payer_claim_number)
        assert answer.service_dates == q.service_dates and answer.member_id == q.member_id
        assert answer.reference == "CSR-42" and answer.envelope.transaction_control_number == "0009"
        assert (answer.payer.id, answer.receiver.id) == ("60054", "ETIN42")
        assert answer.provider is not None and answer.provider.id == CLINIC_NPI
        assert (answer.dependent is None) == (q.dependent is None)
    if state is ClaimState.FINALIZED_PAID and categories == ("F1",):
        (info,) = answers[0].statuses
        assert (info.adjudication_date, info.payment_method, info.payment_date, info.check_number) == (
            ADJUDICATED, "ACH", date(2026, 2, 23), "EFT-1")
        assert answers[0].summary == ("Paid $120.00 of $150.00 on 2026-02-20 check/EFT EFT-1 payer claim ICN-1: "
                                      "F1: Finalized/Payment; 65: Claim/line has been paid")


def test_write_277_segments_and_grouping() -> None:
    c1, c2, c3, c4 = _claim_inquiries()
    # Out of order on purpose: the dependent's claim first, Ann's between John's own.
    text = _answers(ClaimStatusReply.pending(c3, ADJUDICATED), ClaimStatusReply.paid(c1, 12000, ADJUDICATED),
                    ClaimStatusReply.not_found(c4, ADJUDICATED), ClaimStatusReply.denied(c2, ADJUDICATED))
    body = text.splitlines()[3:-3]
    assert body == [
        "BHT*0010*08*CSR-42*20260302*0831*DG~",
        "HL*1**20*1~", "NM1*PR*2*ACME HEALTH*****PI*60054~",
        "HL*2*1*21*1~", "NM1*41*2*ELM STREET FAMILY PRACTICE*****46*ETIN42~",
        "HL*3*2*19*1~", f"NM1*1P*2*ELM STREET FAMILY PRACTICE*****XX*{CLINIC_NPI}~",
        # John's own claims, then his dependent's, then Ann.
        "HL*4*3*22*1~", "NM1*IL*1*SMITH*JOHN****MI*W123~",
        "TRN*2*CS-1~", "STC*F1:65*20260220**150*120*20260220*ACH~", "REF*EJ*CLM-1001~", "DTP*472*D8*20260105~",
        "TRN*2*CS-2~", "STC*F2:1*20260220**220.5*0*20260220~", "REF*1K*ICN-77~", "REF*EJ*CLM-1002~",
        "DTP*472*RD8*20260106-20260108~",
        "HL*5*4*23~", "NM1*QC*1*SMITH*MARY~",
        "TRN*2*CS-3~", "STC*P1:20*20260220**99*0~", "REF*EJ*CLM-1003~", "DTP*472*D8*20260109~",
        "HL*6*3*22*0~", "NM1*IL*1*NG*ANN*B**JR*MI*X-9~",
        "TRN*2*CS-4~", "STC*A4:35*20260220**0*0~", "REF*EJ*CLM-1004~", "DTP*472*D8*20260201~",
    ]
    assert [a.trace_number for a in read_277(text)] == ["CS-1", "CS-2", "CS-3", "CS-4"]


def test_write_277_answers_the_sample_inquiry() -> None:
    fred, mary, joseph = read_276(_fixture("276", "lfh_claim-level-status.276"))
    text = _answers(ClaimStatusReply.paid(fred, 600000, date(2005, 10, 2), payment_method="CHK",
                                          payment_date=date(2005, 10, 3), check_number="778"),
                    ClaimStatusReply.pending(mary, date(2005, 10, 2), "P3", "317"),
                    ClaimStatusReply.denied(joseph, date(2005, 10, 2), "88", "QC", payer_claim_number="051681010827"))
    levels = check_structure(text, "HN", "277", "005010X212", LEVELS_277)
    assert [hl.level for hl in levels] == ["20", "21", "19", "22", "22", "19", "22", "23"]
    paid, pending, denied = read_277(text)
    assert paid.reference == "ABC276XXX" and paid.bill_type == "111" and pending.bill_type == "111"
    assert (paid.state, paid.paid_cents, paid.total_charge_cents, paid.check_number) == (
        ClaimState.FINALIZED_PAID, 600000, 851388, "778")
    assert paid.service_dates == (date(2005, 8, 31), date(2005, 9, 6))
    assert (pending.state, pending.categories) == (ClaimState.PENDING, ("P3",))
    # Joseph's 276 sent no total, only a line: the answer's STC04 is the lines' sum.
    assert (denied.state, denied.total_charge_cents, denied.payer_claim_number) == (
        ClaimState.FINALIZED_DENIED, 15000, "051681010827")
    assert denied.dependent is not None and denied.dependent.first_name == "JOSEPH"
    assert denied.message == ("F2: Finalized/Denial; 88: Entity not eligible for benefits for submitted dates of "
                              "service (patient)")


def _claim_reply(**changes: object) -> ClaimStatusReply:
    base = ClaimStatusReply.paid(_claim_inquiries()[0], 12000, ADJUDICATED)
    return dataclasses.replace(base, **changes)  # type: ignore[arg-type]


@pytest.mark.parametrize(("replies", "message"), [
    ((), "replies: a batch needs at least one reply"),
    ((_claim_reply(statuses=()),), "replies[0].statuses: 0 statuses, need 1-3"),
    ((_claim_reply(statuses=(ReplyStatus("F1", "65"),) * 4),), "replies[0].statuses: 4 statuses"),
    ((_claim_reply(statuses=(ReplyStatus("1F", "65"),)),), "replies[0].statuses[0].category:"),
    ((_claim_reply(statuses=(ReplyStatus("F1", "6:5"),)),), "replies[0].statuses[0].code:"),
    ((_claim_reply(statuses=(ReplyStatus("F1", "65", "Q"),)),), "replies[0].statuses[0].entity:"),
    ((_claim_reply(paid_cents=-1),), "replies[0].paid_cents: -1"),
    ((_claim_reply(charge_cents=-1),), "replies[0].charge_cents: -1"),
    ((_claim_reply(payment_method="CASH"),), "replies[0].payment_method: 'CASH'"),
    ((_claim_reply(payment_method="", check_number="778"),), "replies[0].payment_method: required"),
    ((_claim_reply(payment_date=date(2026, 2, 1)),), "replies[0].payment_date:"),
    ((_claim_reply(check_number="7*7"),), "replies[0].check_number:"),
    ((_claim_reply(payer_claim_number="I~C"),), "replies[0].payer_claim_number:"),
    ((_claim_reply(inquiry=dataclasses.replace(_claim_inquiries()[0], total_charge_cents=None)),),
     "replies[0].charge_cents: required"),
    ((_claim_reply(inquiry=dataclasses.replace(_claim_inquiries()[0], trace_number="A*B")),),
     "replies[0].inquiry.trace_number:"),
    ((_claim_reply(inquiry=dataclasses.replace(
        _claim_inquiries()[0], provider=Party("1P", "X", "", "", "XX", ""))),), "replies[0].inquiry.provider.id:"),
])
def test_write_277_bad_input_names_the_field(replies: tuple[ClaimStatusReply, ...], message: str) -> None:
    with pytest.raises(ValueError, match=re.escape(message)):
        _answers(*replies)

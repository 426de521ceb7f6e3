"""270 writer and 271 reader (BRIEF 2.8, issue 6 item 7). pyx12 has no map for 005010X279A1, so the 270 is held to
the guide's own examples and an independent structure check, and the 271 reader to the public sample answers."""

from __future__ import annotations

import dataclasses
import re
from datetime import date, datetime
from pathlib import Path

import pytest

from server.scheduling.rules import npi_check_digit
from server.x12.claim837 import PayerName, Person
from server.x12.eligibility import (
    EligibilityBatch,
    InformationReceiver,
    Inquiry,
    read_271,
    write_270,
)
from server.x12.reader import X12ReadError, read_interchanges, tokenize
from server.x12.writer_base import Envelope
from tests.unit.x12_structure import check_structure, split_segments

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "x12"
LEVELS_270 = {"20": None, "21": "20", "22": "21", "23": "22"}
CLINIC_NPI = "123456789" + str(npi_check_digit("123456789"))
CREATED = datetime(2006, 5, 1, 13, 19)

ROBERT = Person("Smith", "Robert", birth_date=date(1943, 5, 19))
JOHN = Person("Smith", "John", birth_date=date(1963, 5, 19), sex="M")
MARY = Person("Smith", "Mary", birth_date=date(1978, 10, 14))


def inquiry(**changes: object) -> Inquiry:
    base = Inquiry("93175-012547", ROBERT, "11122333301", date(2006, 5, 1))
    return dataclasses.replace(base, **changes)  # type: ignore[arg-type]


def batch(*inquiries: Inquiry, **changes: object) -> EligibilityBatch:
    base = EligibilityBatch(
        Envelope("000000005", "54321", CREATED, interchange_control_number=907, transaction_control_number=1234,
                 usage="T"),
        PayerName("ABC Company", "842610001"), InformationReceiver("Bone and Joint Clinic", CLINIC_NPI),
        "9877281234", inquiries or (inquiry(),), reference="10001234")
    return dataclasses.replace(base, **changes)  # type: ignore[arg-type]


def _fixture(folder: str, name: str) -> bytes:
    return (FIXTURES / folder / name).read_bytes()


def _without_bom_and_indent(data: bytes) -> bytes:
    """The OopFactory files as a payer would send them: no BOM, no indentation (the fixture stays byte-exact)."""
    assert data.startswith(b"\xef\xbb\xbf")
    return re.sub(rb"(\r\n|\n)[ \t]+", rb"\1", data[3:])


def _body(text: str) -> list[str]:
    """The segments from ST to SE (both included), line breaks aside."""
    segments = [s.strip() for s in text.split("~") if s.strip()]
    return segments[2:-2]


def _raises(data: bytes | str) -> X12ReadError:
    with pytest.raises(X12ReadError) as caught:
        read_271(data)
    return caught.value


# ---------------------------------------------------------------------------------------------------------------
# 270


def test_270_is_the_guide_example_for_a_subscriber() -> None:
    text = write_270(batch())
    check_structure(text, "HS", "270", "005010X279A1", LEVELS_270)
    example = _body(_fixture("270", "lfh_subscriber-health-benefit-check.270").decode())
    ours = _body(text)
    # The example names the clinic by a payer-assigned id (SV); we send the NPI (XX), as 5010 wants.
    assert example[5] == "NM1*1P*2*BONE AND JOINT CLINIC*****SV*2000035"
    assert ours[5] == f"NM1*1P*2*BONE AND JOINT CLINIC*****XX*{CLINIC_NPI}"
    assert ours[:5] + ours[6:] == example[:5] + example[6:]
    assert ours[7] == "TRN*1*93175-012547*9877281234" and ours[-3:] == ["DTP*291*D8*20060501", "EQ*30", "SE*13*1234"]


def test_270_is_the_guide_example_for_a_dependent() -> None:
    text = write_270(batch(inquiry(subscriber=Person("Smith", "John"), dependent=MARY)))
    levels = check_structure(text, "HS", "270", "005010X279A1", LEVELS_270)
    assert [(hl.id, hl.parent, hl.level, hl.child_code) for hl in levels] == [
        (1, None, "20", "1"), (2, 1, "21", "1"), (3, 2, "22", "1"), (4, 3, "23", "0")]
    example = _body(_fixture("270", "lfh_dependent-health-benefit-check.270").decode())
    ours = _body(text)
    assert [s.split("*")[0] for s in ours] == [s.split("*")[0] for s in example]
    # The example leaves the subscriber's name out (the member id finds them); we send it.
    assert example[7] == "NM1*IL*1******MI*11122333301" and ours[7] == "NM1*IL*1*SMITH*JOHN****MI*11122333301"
    # The trace, the dependent, the plan date and the question belong to the dependent's level (2000D).
    assert ours[8:-1] == example[8:-1] == ["HL*4*3*23*0", "TRN*1*93175-012547*9877281234", "NM1*03*1*SMITH*MARY",
                                       "DMG*D8*19781014", "DTP*291*D8*20060501", "EQ*30"]


def test_270_several_inquiries_one_transaction() -> None:
    inquiries = (
        inquiry(inquiry_id="INQ-1", subscriber=JOHN, member_id="W123", group_number="GRP-77"),
        inquiry(inquiry_id="INQ-2", subscriber=JOHN, member_id="W123", dependent=MARY, service_types=("98", "30")),
        inquiry(inquiry_id="INQ-3", subscriber=Person("Ng", "Ann", "B", "Jr", date(1990, 2, 3), "F"),
                member_id="X-9", service_date=date(2026, 12, 3)),
    )
    text = write_270(batch(*inquiries, reference=""))
    levels = check_structure(text, "HS", "270", "005010X279A1", LEVELS_270)
    assert [(hl.level, hl.parent, hl.child_code) for hl in levels] == [
        ("20", None, "1"), ("21", 1, "1"), ("22", 2, "0"), ("22", 2, "1"), ("23", 4, "0"), ("22", 2, "0")]
    patients = [levels[2], levels[4], levels[5]]
    assert [hl.segments[1] for hl in patients] == [
        "TRN*1*INQ-1*9877281234", "TRN*1*INQ-2*9877281234", "TRN*1*INQ-3*9877281234"]
    assert levels[2].segments[2:] == ("NM1*IL*1*SMITH*JOHN****MI*W123", "REF*6P*GRP-77", "DMG*D8*19630519*M",
                                      "DTP*291*D8*20060501", "EQ*30")
    # The subscriber over a dependent has no trace, no plan date, no question of its own.
    assert levels[3].segments[1:] == ("NM1*IL*1*SMITH*JOHN****MI*W123", "DMG*D8*19630519*M")
    assert levels[4].segments[-3:] == ("DTP*291*D8*20060501", "EQ*98", "EQ*30")
    assert levels[5].segments[2:4] == ("NM1*IL*1*NG*ANN*B**JR*MI*X-9", "DMG*D8*19900203*F")
    # The reader's envelope checks agree (counts, control numbers), and the BHT falls back to ST02.
    (interchange,) = read_interchanges(text)
    (group,) = interchange.groups
    (transaction,) = group.transactions
    assert (group.functional_id, transaction.set_id, transaction.control_number) == ("HS", "270", "1234")
    assert transaction.body[0].elements == ("0022", "13", "1234", "20060501", "1319")
    assert len(tokenize(text)) == len(split_segments(text))


@pytest.mark.parametrize(("change", "message"), [
    ({"inquiries": ()}, "inquiries: a batch needs at least one inquiry"),
    ({"originating_company_id": "987728123"}, "originating_company_id:"),
    ({"receiver": InformationReceiver("Clinic", "1234567890")}, "receiver.npi:"),
    ({"payer": PayerName("ABC", "84*26")}, "payer.payer_id:"),
    ({"inquiries": (inquiry(dependent=Person("Smith", "Mary")),)}, "inquiries[0].dependent.birth_date: required"),
    ({"inquiries": (inquiry(), inquiry())}, "inquiries[1].inquiry_id:"),
    ({"inquiries": (inquiry(service_types=("30", "XYZ")),)}, "inquiries[0].service_types[1]:"),
    ({"inquiries": (inquiry(service_types=()),)}, "inquiries[0].service_types:"),
    ({"inquiries": (inquiry(member_id="A~B"),)}, "inquiries[0].member_id:"),
    ({"inquiries": (inquiry(subscriber=Person("", "Robert")),)}, "inquiries[0].subscriber.last:"),
    ({"inquiries": (inquiry(subscriber=Person("Smith", "Robert", birth_date=date(1943, 5, 19), sex="X")),)},
     "inquiries[0].subscriber.sex:"),
])
def test_270_bad_input_names_the_field(change: dict[str, object], message: str) -> None:
    with pytest.raises(ValueError, match=re.escape(message)):
        write_270(batch(**change))  # type: ignore[arg-type]


# ---------------------------------------------------------------------------------------------------------------
# 270 -> 271: a payer answering our inquiries echoes our traces


def _answer(text_270: str, benefits: list[str]) -> str:
    """What a payer would send back for our 270: same hierarchy, TRN*2 echoing ours, EB instead of EQ."""
    out: list[str] = []
    for segment in split_segments(text_270):
        if segment.startswith("GS*HS*"):
            segment = "GS*HB*" + segment[6:]
        elif segment.startswith("ST*270*"):
            segment = segment.replace("ST*270*", "ST*271*", 1)
        elif segment.startswith("BHT*0022*13*"):
            segment = segment.replace("*13*", "*11*", 1)
        elif segment.startswith("TRN*1*"):
            segment = "TRN*2*" + segment[6:]
        elif segment.startswith("DTP*291*"):
            segment = "DTP*346*D8*20260101"
        elif segment.startswith("EQ*"):
            if out[-1].startswith("EQ*") or out[-1].startswith("EB*"):
                continue
            out.extend(benefits)
            continue
        elif segment.startswith("SE*"):
            st_at = next(i for i, s in enumerate(out) if s.startswith("ST*"))
            segment = f"SE*{len(out) - st_at + 1}*{segment.split('*')[2]}"
        out.append(segment)
    return "~\n".join(out) + "~\n"


def test_271_answers_find_their_270_inquiries() -> None:
    inquiries = (inquiry(inquiry_id="INQ-1", subscriber=JOHN, member_id="W123"),
                 inquiry(inquiry_id="INQ-2", subscriber=JOHN, member_id="W123", dependent=MARY))
    answers = read_271(_answer(write_270(batch(*inquiries)), [
        "EB*1*IND*30*PR*SILVER PPO", "EB*B*IND*98*PR**27*25*****Y", "EB*C*IND*30*PR**29*350*****Y"]))
    assert [(a.trace_number, a.trace_originator) for a in answers] == [("INQ-1", "9877281234"),
                                                                      ("INQ-2", "9877281234")]
    first, second = answers
    assert first.dependent is None and first.patient == first.subscriber
    assert second.dependent is not None and (second.dependent.name, second.dependent.first_name) == ("SMITH", "MARY")
    assert second.birth_date == date(1978, 10, 14) and second.member_id == "W123"
    for answer in answers:
        assert answer.active and answer.plan_name == "SILVER PPO" and answer.insurance_type == "PR"
        assert answer.copay_cents("98") == 2500 and answer.deductible_cents(remaining=True) == 35000
        assert answer.plan_begin == date(2026, 1, 1) and answer.reference == "10001234"
        assert answer.summary == "Active coverage: SILVER PPO; copay $25.00; deductible left $350.00"


# ---------------------------------------------------------------------------------------------------------------
# 271 samples


def test_271_subscriber_active_with_copays() -> None:
    (answer,) = read_271(_fixture("271", "lfh_subscriber-health-benefit-check.271"))
    assert answer.envelope.test and answer.envelope.transaction_control_number == "4321"
    assert (answer.trace_number, answer.trace_originator) == ("93175-012547", "9877281234")
    assert (answer.payer.name, answer.payer.id_qualifier, answer.payer.id) == ("ABC COMPANY", "PI", "841610001")
    assert answer.receiver is not None and answer.receiver.name == "BONE AND JOIN CLINIC"
    assert answer.subscriber is not None and (answer.subscriber.name, answer.subscriber.first_name) == ("SMITH", "JOHN")
    assert answer.member_id == "123456789" and answer.dependent is None
    assert (answer.birth_date, answer.sex) == (date(1963, 5, 19), "M")
    assert answer.coverage == "active" and answer.plan_name == "GOLD 123 PLAN"
    assert answer.plan_begin == date(2006, 1, 1) and answer.plan_end is None
    # EB*B**1^33^35^47^86^88^98^AL^MH^UC*HM*GOLD 123 PLAN*27*10.00*****Y (and 30.00 out of network)
    assert answer.copay_cents("98") == 1000 and answer.copay_cents("98", in_network=False) == 3000
    assert answer.copay_cents("UC") == 1000 and answer.copay_cents("30") is None
    copays = [s for s in answer.cost_shares if s.kind == "copay"]
    assert len(copays) == 20 and {s.time_period for s in copays} == {"27"}  # per visit
    primary_care = next(b for b in answer.benefits if b.code == "L")
    (doctor,) = primary_care.related_entities
    assert (doctor.entity_code, doctor.name, doctor.first_name, doctor.id) == ("P3", "JONES", "MARCUS", "0202034")
    assert answer.rejections == ()
    assert answer.summary == "Active coverage: GOLD 123 PLAN; copay $10.00"


def test_271_dependent_answer_carries_its_subscriber() -> None:
    (answer,) = read_271(_fixture("271", "lfh_dependent-health-benefit-check.271"))
    assert answer.trace_number == "93175-012547"
    assert answer.dependent is not None
    assert (answer.dependent.entity_code, answer.dependent.first_name) == ("03", "MARY")
    assert answer.patient == answer.dependent
    assert answer.subscriber is not None and answer.subscriber.first_name == "JOHN" and answer.member_id == "123456789"
    assert (answer.birth_date, answer.sex) == (date(1998, 10, 14), "F")
    assert answer.active and answer.plan_name == "GOLD 123 PLAN" and answer.copay_cents("98") == 1000


def test_271_emedny_eligible() -> None:
    (answer,) = read_271(_fixture("271", "her_271_eligible.271"))
    assert (answer.trace_number, answer.trace_originator) == ("110010101000002", "1141540488")
    assert (answer.payer.name, answer.payer.id_qualifier, answer.payer.id) == ("NYSDOH", "FI", "141797357")
    assert answer.member_id == "XX99999X" and answer.references == (("SY", "123456789"),)
    assert answer.coverage == "active" and answer.plan_name == "MA Eligible" and answer.coverage_level == "IND"
    assert answer.plan_begin == date(2010, 6, 1)
    service = answer.date_of("472")
    assert service is not None and (service.start, service.end) == (date(2010, 6, 8), date(2010, 6, 8))
    assert answer.copay_cents() == 0  # EB*B*IND*30****0
    (plan,) = [b for b in answer.benefits if b.plan_description == "MA Eligible"]
    assert plan.messages == ("35", "46", "49", "95", "RECERT MONTH=12")
    other_payer = next(b for b in answer.benefits if b.code == "R")
    assert other_payer.references == (("18", "012345679C1"),) and other_payer.related_entities[0].name == "MEDICARE ABD"
    assert other_payer.text == "Other or additional payer"
    assert [b.code for b in answer.benefits].count("1") == 10


def test_271_subscriber_rejection() -> None:
    data = _fixture("271", "oop_271_From_georgiosd.271")
    error = _raises(data)
    assert (error.ordinal, error.line) == (1, 1) and "byte order mark" in str(error)
    (answer,) = read_271(_without_bom_and_indent(data))
    assert answer.trace_number == "" and answer.member_id == "BBBBB"
    (rejection,) = answer.rejections
    assert (rejection.level, rejection.valid_request, rejection.reason_code, rejection.follow_up) == (
        "subscriber", True, "42", "R")
    assert answer.coverage == "rejected" and not answer.active
    assert [b.code for b in answer.benefits] == ["P"]  # a benefit disclaimer, no coverage
    assert answer.summary == "Not answered: 42: Unable to respond at current time (Resubmission allowed)"


def test_271_receiver_level_rejection_applies_to_the_whole_inquiry() -> None:
    data = _fixture("271", "lfh_subscriber-health-benefit-check-error.271")
    # As published the file's SE02 (4323) does not match its ST02 (4321): refused ...
    error = _raises(data)
    assert (error.ordinal, error.line, error.segment_id) == (10, 10, "SE") and "SE02" in str(error)
    # ... and read once that is corrected in memory.
    (answer,) = read_271(data.replace(b"SE*8*4323", b"SE*8*4321"))
    assert answer.subscriber is None and answer.trace_number == "" and answer.benefits == ()
    assert answer.receiver is not None and answer.receiver.name == "BONE AND JOIN CLINIC"
    (rejection,) = answer.rejections
    assert (rejection.level, rejection.reason_code, rejection.follow_up) == ("receiver", "50", "N")
    assert rejection.message == "50: Provider ineligible for inquiries (Resubmission not allowed)"
    assert answer.coverage == "rejected"


def test_271_isa_with_the_same_repetition_and_component_separator_is_refused() -> None:
    error = _raises(_without_bom_and_indent(_fixture("271", "oop_271_Example_3_1_3.271")))
    assert (error.ordinal, error.line, error.segment_id) == (1, 1, "ISA") and "separators must all differ" in str(error)


# A 271 written for these tests (the public samples carry no deductible, coinsurance or out-of-pocket figures):
# the money a front desk needs, an inactive second subscriber, a benefit-level rejection.
FIGURES_271 = ("ISA*00*          *00*          *ZZ*PAYER          *ZZ*CLINIC         "
               "*261203*0900*^*00501*000000042*0*P*:~\n") + """GS*HB*PAYER*CLINIC*20261203*0900*42*X*005010X279A1~
ST*271*0001*005010X279A1~
BHT*0022*11*REF42*20261203*0900~
HL*1**20*1~
NM1*PR*2*ACME HEALTH*****PI*60054~
PER*IC*PROVIDER SERVICES*TE*8005551212~
HL*2*1*21*1~
NM1*1P*2*ELM STREET FAMILY PRACTICE*****XX*1234567893~
HL*3*2*22*0~
TRN*2*INQ-7*1311234567~
TRN*1*PAYER-TRACE-1*9ACMEHLTH1~
NM1*IL*1*DOE*JANE*Q***MI*W987654321~
REF*6P*GRP100*ACME GROUP~
DMG*D8*19800215*F~
DTP*346*D8*20260101~
DTP*347*D8*20261231~
EB*1*FAM*30*PR*ACME PPO GOLD~
EB*C*IND*30*PR**23*1500*****Y~
EB*C*IND*30*PR**29*400*****Y~
EB*C*IND*30*PR**23*3000*****N~
EB*C*FAM*30*PR**23*3000*****Y~
EB*A*IND*30*PR****.2****Y~
EB*A*IND*30*PR****0.4****N~
EB*G*IND*30*PR**23*5000*****Y~
EB*G*IND*30*PR**29*4212.5*****Y~
EB*B*IND*98*PR**27*25*****Y~
DTP*348*RD8*20260101-20261231~
EB*B*IND*UC*PR**27*75~
EB*I**AL~
AAA*Y**35*C~
MSG*VISION IS CARVED OUT~
HL*4*2*22*0~
TRN*2*INQ-8*1311234567~
NM1*IL*1*ROE*RICHARD****MI*W111~
DMG*D8*19700101*M~
EB*6**30~
DTP*357*D8*20251231~
SE*37*0001~
GE*1*42~
IEA*1*000000042~
"""


def test_271_money_figures() -> None:
    jane, richard = read_271(FIGURES_271)
    assert jane.trace_number == "INQ-7" and jane.payer_trace_numbers == ("PAYER-TRACE-1",)
    assert jane.references == (("6P", "GRP100"),)
    assert jane.coverage == "active" and jane.plan_name == "ACME PPO GOLD" and jane.coverage_level == "FAM"
    assert (jane.plan_begin, jane.plan_end) == (date(2026, 1, 1), date(2026, 12, 31))
    assert jane.deductible_cents() == 150000 and jane.deductible_cents(remaining=True) == 40000
    assert jane.deductible_cents(in_network=False) == 300000
    assert jane.deductible_cents(coverage_level="FAM") == 300000
    assert jane.coinsurance_bp() == 2000 and jane.coinsurance_bp(in_network=False) == 4000
    assert jane.out_of_pocket_cents() == 421250 and jane.out_of_pocket_cents(remaining=False) == 500000
    assert jane.copay_cents("98") == 2500 and jane.copay_cents("98", in_network=False) is None
    # EB12 left out: the figure applies in and out of network.
    assert jane.copay_cents("UC") == 7500 and jane.copay_cents("UC", in_network=False) == 7500
    office = next(b for b in jane.benefits if b.code == "B" and b.service_types == ("98",))
    assert office.dates[0].qualifier == "348" and office.dates[0].end == date(2026, 12, 31)
    vision = next(b for b in jane.benefits if b.code == "I")
    assert vision.service_types == ("AL",) and vision.messages == ("VISION IS CARVED OUT",)
    assert [r.message for r in vision.rejections] == ["35: Out of network (Please correct and resubmit)"]
    assert jane.rejections == ()  # a benefit's AAA stays with the benefit
    assert jane.summary == ("Active coverage: ACME PPO GOLD; copay $25.00; deductible left $400.00; "
                            "out-of-pocket left $4,212.50; coinsurance 20%")
    assert richard.trace_number == "INQ-8" and richard.coverage == "inactive" and not richard.active
    assert richard.plan_end == date(2025, 12, 31) and richard.summary == "Inactive"


@pytest.mark.parametrize(("old", "new", "segment_id", "words"), [
    ("EB*A*IND*30*PR****.2****Y", "EB*A*IND*30*PR****20****Y", "EB", "EB08 '20' is more than 1"),
    ("EB*A*IND*30*PR****.2****Y", "EB*A*IND*30*PR****.2X****Y", "EB", "EB08 must be a percentage"),
    ("EB*G*IND*30*PR**29*4212.5*****Y", "EB*G*IND*30*PR**29*42.125*****Y", "EB", "fractions of a cent"),
    ("EB*I**AL", "EB*I**A/L", "EB", "EB03 must be service type codes"),
    ("DTP*347*D8*20261231", "DTP*347*D8*20261331", "DTP", "DTP03 must be a date"),
    ("HL*4*2*22*0", "HL*4*3*22*0", "HL", "HL02 (parent) is '3', expected '2'"),
    ("HL*4*2*22*0", "HL*3*2*22*0", "HL", "HL01 3 repeats"),
    ("DMG*D8*19800215*F", "DMG*RD8*19800215*F", "DMG", "DMG01 must be D8"),
    ("AAA*Y**35*C", "AAA*X**35*C", "AAA", "AAA01"),
    ("NM1*IL*1*DOE*JANE*Q***MI*W987654321", "NM1*QC*1*DOE*JANE*Q***MI*W987654321", "NM1", "NM101 is 'QC'"),
])
def test_271_broken_segments_are_named(old: str, new: str, segment_id: str, words: str) -> None:
    assert old in FIGURES_271
    data = FIGURES_271.replace(old, new, 1)
    error = _raises(data)
    assert error.segment_id == segment_id and words in str(error), str(error)
    # One segment per line: the line named is the broken segment's.
    assert error.line == error.ordinal and data.splitlines()[error.line - 1].startswith(segment_id)


def test_271_segments_out_of_the_guides_order_are_refused() -> None:
    # 2100C: ... DMG, INS, HI, DTP: a DMG after the DTPs belongs nowhere.
    data = FIGURES_271.replace("DMG*D8*19800215*F~\nDTP*346*D8*20260101~\nDTP*347*D8*20261231~\n",
                               "DTP*346*D8*20260101~\nDTP*347*D8*20261231~\nDMG*D8*19800215*F~\n")
    error = _raises(data)
    assert (error.segment_id, error.line) == ("DMG", 17) and "unexpected DMG" in str(error), str(error)


def test_271_loop_without_its_end_is_refused() -> None:
    text = _fixture("271", "lfh_subscriber-health-benefit-check.271").decode()
    broken = text.replace("LE*2120~\n", "").replace("SE*22*4321", "SE*21*4321")
    error = _raises(broken)
    assert (error.segment_id, error.line) == ("EB", 20) and "LE" in str(error), str(error)


def test_271_reader_refuses_other_transactions() -> None:
    error = _raises(_fixture("270", "lfh_subscriber-health-benefit-check.270"))
    assert error.segment_id == "GS" and "not a 271" in str(error)
    error = _raises(_fixture("277", "lfh_claim-level-status.277"))
    assert error.segment_id == "GS" and "not a 271" in str(error)

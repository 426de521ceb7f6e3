"""276 writer and 277 reader (BRIEF 2.8, issue 6 item 7). pyx12 has no map for 005010X212, so the 276 is held to the
guide's example and an independent structure check, and the 277 reader to the public sample answers."""

from __future__ import annotations

import dataclasses
import re
from datetime import date, datetime
from pathlib import Path

import pytest

from server.scheduling.rules import npi_check_digit
from server.x12.claim837 import PayerName, Person
from server.x12.claim_status import (
    ClaimInquiry,
    ClaimState,
    ClaimStatusBatch,
    InformationReceiver,
    ServiceProvider,
    category_text,
    read_277,
    write_276,
)
from server.x12.reader import X12ReadError, read_interchanges, tokenize
from server.x12.writer_base import Envelope
from tests.unit.x12_structure import check_structure, split_segments

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "x12"
LEVELS_276 = {"20": None, "21": "20", "19": "21", "22": "19", "23": "22"}
HOSPITAL_NPI = "166666666" + str(npi_check_digit("166666666"))
CREATED = datetime(2005, 9, 15, 14, 25)

FRED = Person("Smith", "Fred", birth_date=date(1930, 12, 10), sex="M")
JOHN = Person("Mann", "John")
JOSEPH = Person("Mann", "Joseph", birth_date=date(1995, 11, 1), sex="M")


def claim(**changes: object) -> ClaimInquiry:
    base = ClaimInquiry("ABCXYZ1", FRED, "123456789A", "SM123456", 851388, date(2005, 8, 31), date(2005, 9, 6))
    return dataclasses.replace(base, **changes)  # type: ignore[arg-type]


def batch(*claims: ClaimInquiry, **changes: object) -> ClaimStatusBatch:
    base = ClaimStatusBatch(
        Envelope("000000005", "54321", CREATED, interchange_control_number=907, usage="T"),
        PayerName("ABC Insurance", "12345"), InformationReceiver("XYZ Service", "X67E"),
        ServiceProvider("Home Hospital", HOSPITAL_NPI), claims or (claim(),), reference="ABC276XXX")
    return dataclasses.replace(base, **changes)  # type: ignore[arg-type]


def _fixture(folder: str, name: str) -> bytes:
    return (FIXTURES / folder / name).read_bytes()


def _body(text: str) -> list[str]:
    """The segments from ST to SE (both included), line breaks aside."""
    return [s.strip() for s in text.split("~") if s.strip()][2:-2]


def _raises(data: bytes | str) -> X12ReadError:
    with pytest.raises(X12ReadError) as caught:
        read_277(data)
    return caught.value


# ---------------------------------------------------------------------------------------------------------------
# 276


def test_276_is_the_guide_example_for_a_subscribers_claim() -> None:
    text = write_276(batch())
    levels = check_structure(text, "HR", "276", "005010X212", LEVELS_276)
    assert [(hl.level, hl.parent, hl.child_code) for hl in levels] == [
        ("20", None, "1"), ("21", 1, "1"), ("19", 2, "1"), ("22", 3, "0")]
    example = _body(_fixture("276", "lfh_claim-level-status.276").decode())
    ours = _body(text)
    assert ours[:7] == example[:7]  # ST .. NM1*41
    assert example[7] == "NM1*1P*2*HOME HOSPITAL*****XX*1666666661"  # not a valid NPI (check digit)
    assert ours[7] == f"NM1*1P*2*HOME HOSPITAL*****XX*{HOSPITAL_NPI}"
    # The first claim of the example, but for REF*BLT, which only institutional claims send.
    assert example[8:17] == ["HL*4*3*22*0", "DMG*D8*19301210*M", "NM1*IL*1*SMITH*FRED****MI*123456789A",
                             "TRN*1*ABCXYZ1", "REF*BLT*111", "REF*EJ*SM123456", "AMT*T3*8513.88",
                             "DTP*472*RD8*20050831-20050906", "HL*5*3*22*0"]
    assert ours[8:] == [s for s in example[8:16] if not s.startswith("REF*BLT")] + ["SE*16*0001"]


def test_276_dependent_and_several_claims() -> None:
    claims = (
        claim(),
        claim(trace_number="ABCXYZ3", subscriber=JOHN, member_id="345678901", dependent=JOSEPH,
              patient_control_number="MA345678", total_charge_cents=15000, service_from=date(2005, 5, 1),
              service_to=None, payer_claim_number="051681010827"),
        claim(trace_number="ABCXYZ4", total_charge_cents=7550, service_from=date(2005, 6, 2),
              service_to=date(2005, 6, 2)),
    )
    text = write_276(batch(*claims))
    levels = check_structure(text, "HR", "276", "005010X212", LEVELS_276)
    assert [(hl.level, hl.parent, hl.child_code) for hl in levels] == [
        ("20", None, "1"), ("21", 1, "1"), ("19", 2, "1"), ("22", 3, "0"), ("22", 3, "1"), ("23", 5, ""),
        ("22", 3, "0")]
    # The subscriber over a dependent: name and member id only (DMG is for the patient).
    assert levels[4].segments[1:] == ("NM1*IL*1*MANN*JOHN****MI*345678901",)
    # As in the guide's example (HL*8*7*23 .. REF*EJ), with the payer's claim number, charge and one date.
    assert levels[5].segments == ("HL*6*5*23", "DMG*D8*19951101*M", "NM1*QC*1*MANN*JOSEPH", "TRN*1*ABCXYZ3",
                                  "REF*1K*051681010827", "REF*EJ*MA345678", "AMT*T3*150", "DTP*472*D8*20050501")
    assert levels[6].segments[-2:] == ("AMT*T3*75.5", "DTP*472*D8*20050602")
    (interchange,) = read_interchanges(text)
    (transaction,) = interchange.groups[0].transactions
    assert transaction.body[0].elements == ("0010", "13", "ABC276XXX", "20050915", "1425")
    assert len(tokenize(text)) == len(split_segments(text))


def test_the_structure_check_passes_the_guide_example() -> None:
    # The independent check itself, on the example we compare with (its own ids, three claims, a dependent).
    example = _fixture("276", "lfh_claim-level-status.276").decode()
    if not example.endswith("\n"):
        example += "\n"  # the file has no line break after its last segment
    levels = check_structure(example, "HR", "276", "005010X212", LEVELS_276)
    assert [hl.level for hl in levels] == ["20", "21", "19", "22", "22", "19", "22", "23"]


@pytest.mark.parametrize(("change", "message"), [
    ({"claims": ()}, "claims: a batch needs at least one claim"),
    ({"provider": ServiceProvider("Home Hospital", "1666666661")}, "provider.npi:"),
    ({"receiver": InformationReceiver("XYZ", "")}, "receiver.identifier:"),
    ({"claims": (claim(), claim())}, "claims[1].trace_number:"),
    ({"claims": (claim(total_charge_cents=-1),)}, "claims[0].total_charge_cents:"),
    ({"claims": (claim(service_to=date(2005, 8, 30)),)}, "claims[0].service_to:"),
    ({"claims": (claim(subscriber=Person("Smith", "Fred")),)}, "claims[0].subscriber.birth_date: required"),
    ({"claims": (claim(dependent=Person("Mann", "Joseph")),)}, "claims[0].dependent.birth_date: required"),
    ({"claims": (claim(patient_control_number="X" * 21),)}, "claims[0].patient_control_number:"),
    ({"claims": (claim(payer_claim_number="12*3"),)}, "claims[0].payer_claim_number:"),
])
def test_276_bad_input_names_the_field(change: dict[str, object], message: str) -> None:
    with pytest.raises(ValueError, match=re.escape(message)):
        write_276(batch(**change))  # type: ignore[arg-type]


# ---------------------------------------------------------------------------------------------------------------
# 276 -> 277: the payer's answer echoes our traces


def _answer(text_276: str, status: str) -> str:
    """What a payer would send back for our 276: TRN*2 echoing ours and a status, no DMG/AMT."""
    out: list[str] = []
    for segment in split_segments(text_276):
        if segment.startswith("GS*HR*"):
            segment = "GS*HN*" + segment[6:]
        elif segment.startswith("ST*276*"):
            segment = segment.replace("ST*276*", "ST*277*", 1)
        elif segment.startswith("BHT*0010*13*"):
            segment = segment.replace("*13*", "*08*", 1) + "*DG"
        elif segment.startswith(("DMG*", "AMT*")):
            continue
        elif segment.startswith("TRN*1*"):
            out.append("TRN*2*" + segment[6:])
            segment = status
        elif segment.startswith("SE*"):
            st_at = next(i for i, s in enumerate(out) if s.startswith("ST*"))
            segment = f"SE*{len(out) - st_at + 1}*{segment.split('*')[2]}"
        out.append(segment)
    return "~\n".join(out) + "~\n"


def test_277_answers_find_their_276_claims() -> None:
    claims = (claim(), claim(trace_number="ABCXYZ3", subscriber=JOHN, member_id="345678901", dependent=JOSEPH,
                             patient_control_number="MA345678"))
    answers = read_277(_answer(write_276(batch(*claims)), "STC*F1:65*20051001**8513.88*6000*20051002*CHK*20051003*"
                                                         "CHK-778"))
    assert [(a.trace_number, a.patient_control_number) for a in answers] == [("ABCXYZ1", "SM123456"),
                                                                            ("ABCXYZ3", "MA345678")]
    first, second = answers
    assert first.dependent is None and second.dependent is not None and second.dependent.first_name == "JOSEPH"
    assert second.member_id == "345678901" and second.patient == second.dependent
    for answer in answers:
        assert answer.state is ClaimState.FINALIZED_PAID and answer.paid_cents == 600000
        assert (answer.adjudication_date, answer.check_number) == (date(2005, 10, 2), "CHK-778")
        (info,) = answer.statuses
        assert (info.payment_method, info.payment_date) == ("CHK", date(2005, 10, 3))
        assert answer.service_dates == (date(2005, 8, 31), date(2005, 9, 6))
        assert answer.provider is not None and answer.provider.id == HOSPITAL_NPI
    assert first.summary == ("Paid $6,000.00 of $8,513.88 on 2005-10-02 check/EFT CHK-778: F1: Finalized/Payment; "
                             "65: Claim/line has been paid")


# ---------------------------------------------------------------------------------------------------------------
# 277 samples


def test_277_emedny_paid_claim_with_a_line() -> None:
    (answer,) = read_277(_fixture("277", "her_277_276resp_claiminfo.277"))
    assert answer.envelope.test and answer.reference == "701620002 162000002"
    assert (answer.level, answer.trace_number) == ("claim", "10060216012300233HSP1156IC002-")
    assert (answer.payer.name, answer.payer.id) == ("NYSDOH", "141797357")
    assert answer.provider is not None and answer.provider.name == "BUSY PROVIDER"
    assert answer.member_id == "XX99999X"
    assert answer.state is ClaimState.FINALIZED_PAID
    assert (answer.total_charge_cents, answer.paid_cents) == (52449, 38973)
    assert answer.status_date == date(2010, 12, 14) and answer.adjudication_date is None
    (info,) = answer.statuses
    (status,) = info.statuses
    assert (status.category, status.code, status.code_list) == ("F1", "3", "RX")
    assert (answer.payer_claim_number, answer.patient_control_number) == ("1026000000099999", "PT12345")
    assert (answer.clearinghouse_trace_number, answer.prescription_number) == ("20041513010001", "0898779")
    assert answer.service_dates == (date(2010, 7, 29), date(2010, 7, 29))
    (line,) = answer.lines
    assert line.procedure == ("N4", "10337080301") and (line.charge_cents, line.paid_cents) == (52449, 38973)
    assert line.units == "100.00" and line.state is ClaimState.FINALIZED_PAID
    assert answer.summary == ("Paid $389.73 of $524.49 on 2010-12-14 payer claim 1026000000099999: "
                              "F1: Finalized/Payment; 3: Claim has been adjudicated and is awaiting payment cycle")


def test_277_claim_level_pending_paid_and_denied() -> None:
    pending, paid, denied = read_277(_fixture("277", "lfh_claim-level-status.277"))
    assert (pending.trace_number, pending.state, pending.total_charge_cents) == ("ABCXYZ1", ClaimState.PENDING,
                                                                                 851388)
    assert pending.categories == ("P3",) and pending.paid_cents is None and pending.bill_type == "111"
    assert pending.summary.startswith("Pending on 2005-09-13 payer claim 05347006051: P3: Pending/Provider requested")
    assert (paid.trace_number, paid.state, paid.paid_cents) == ("ABCXYZ2", ClaimState.FINALIZED_PAID, 759900)
    assert paid.categories == ("F0",)  # finalized, and STC05 says it paid
    assert denied.trace_number == "ABCXYC3" and denied.state is ClaimState.FINALIZED_DENIED
    assert denied.dependent is not None and (denied.dependent.name, denied.dependent.first_name) == ("MANN", "JOSEPH")
    assert denied.subscriber is not None and denied.member_id == "345678901"
    assert denied.provider is not None and denied.provider.name == "HOME HOSPITAL PHYSICIANS"
    (status,) = denied.statuses[0].statuses
    assert (status.category, status.code, status.entity) == ("F2", "88", "QC")
    assert denied.message == ("F2: Finalized/Denial; 88: Entity not eligible for benefits for submitted dates of "
                              "service (patient)")
    (line,) = denied.lines
    assert line.procedure == ("HC", "99203") and (line.charge_cents, line.paid_cents) == (15000, 0)
    assert line.state is ClaimState.FINALIZED_DENIED and line.service_dates == (date(2005, 5, 1), date(2005, 5, 1))


def test_277_pharmacy_claim_denied() -> None:
    (answer,) = read_277(_fixture("277", "lfh_claim-level-status-ncpdp.277"))
    assert answer.state is ClaimState.FINALIZED_DENIED and answer.paid_cents == 0
    assert (answer.prescription_number, answer.payer_claim_number) == ("7654321", "05347006051")


def test_277_receiver_and_provider_level_errors() -> None:
    (receiver,) = read_277(_fixture("277", "lfh_information-receiver-level-status.277"))
    assert (receiver.level, receiver.trace_number, receiver.state) == ("receiver", "ABC276XXX", ClaimState.REJECTED)
    assert receiver.provider is None and receiver.subscriber is None
    assert receiver.summary == ("Rejected on 2005-09-16: E0: Response not possible: error on submitted request data; "
                                "0: Cannot provide further status electronically")
    claim_answer, provider = read_277(_fixture("277", "lfh_provider-level-status.277"))
    assert (claim_answer.level, claim_answer.state) == ("claim", ClaimState.PENDING)
    assert (provider.level, provider.trace_number, provider.state) == ("provider", "0", ClaimState.REJECTED)
    assert provider.provider is not None and provider.provider.id == "6166666666"
    assert provider.message == ("E0: Response not possible: error on submitted request data; "
                                "24: Entity not approved as an electronic submitter (billing provider)")


def test_277_many_payer_loops_after_fixing_the_iea() -> None:
    data = _fixture("277", "ims_277_x212.277")
    error = _raises(data)  # as published, IEA02 does not match ISA13
    assert (error.ordinal, error.line, error.segment_id) == (111, 111, "IEA") and "IEA02" in str(error)
    answers = read_277(data.replace(b"IEA*1*842928883", b"IEA*1*000000001"))
    assert [a.trace_number for a in answers] == [f"000000{n}" for n in range(1, 9)]
    assert [a.total_charge_cents for a in answers] == [60000, 40000, 10000, 18000, 10000, 45000, 10000, 10000]
    assert {a.state for a in answers} == {ClaimState.PENDING}
    first = answers[0]
    assert first.statuses[0].info.action_code == "WQ"
    assert first.message == "A1: Acknowledgement/Receipt: the claim has been received (not yet accepted for " \
                            "adjudication); 704: code 704 (PAYER ACKNOWLEDGED RECEIPT OF THE CLAIM)"
    assert (first.patient_control_number, first.clearinghouse_trace_number) == ("12345", "12345")


# ---------------------------------------------------------------------------------------------------------------
# the coarse state


ONE_CLAIM = ("ISA*00*          *00*          *ZZ*PAYER          *ZZ*CLINIC         "
             "*261203*0900*^*00501*000000042*0*P*:~\n") + """GS*HN*PAYER*CLINIC*20261203*0900*42*X*005010X212~
ST*277*0001*005010X212~
BHT*0010*08*REF42*20261203*0900*DG~
HL*1**20*1~
NM1*PR*2*ACME HEALTH*****PI*60054~
HL*2*1*21*1~
NM1*41*2*ELM STREET FAMILY PRACTICE*****46*ETIN42~
HL*3*2*19*1~
NM1*1P*2*ELM STREET FAMILY PRACTICE*****XX*1234567893~
HL*4*3*22*0~
NM1*IL*1*DOE*JANE****MI*W987654321~
TRN*2*CS-1~
STC*{status}~
REF*1K*PAYER-ICN-9~
REF*EJ*CLM-1001~
DTP*472*D8*20261101~
SE*16*0001~
GE*1*42~
IEA*1*000000042~
"""


@pytest.mark.parametrize(("status", "state"), [
    ("F1:65*20261201**150*120*20261130*ACH*20261202*EFT-1", ClaimState.FINALIZED_PAID),
    ("F0:3*20261201**150*150", ClaimState.FINALIZED_PAID),
    ("F3:101*20261201**150*20", ClaimState.FINALIZED_PAID),
    ("F0:3*20261201**150*0", ClaimState.FINALIZED_DENIED),
    ("F0:3*20261201**150", ClaimState.FINALIZED_DENIED),
    ("F2:88:QC*20261201**150*0", ClaimState.FINALIZED_DENIED),
    ("F4:107*20261201**150*0", ClaimState.FINALIZED_DENIED),
    ("P1:20*20261201**150", ClaimState.PENDING),
    ("R4:252*20261201**150", ClaimState.PENDING),
    ("A2:20*20261201**150", ClaimState.PENDING),
    ("E2:0*20261201", ClaimState.PENDING),
    ("A4:35*20261201**150", ClaimState.NOT_FOUND),
    ("D0:35*20261201", ClaimState.NOT_FOUND),
    ("A7:562:85*20261201**150", ClaimState.REJECTED),
    ("E0:33*20261201", ClaimState.REJECTED),
    ("X9:999*20261201", ClaimState.UNKNOWN),
    # The claim-level categories of every composite count; finalized wins over the others.
    ("P2:20*20261201**150*100*****F1:65", ClaimState.FINALIZED_PAID),
])
def test_277_state_from_category_codes(status: str, state: ClaimState) -> None:
    (answer,) = read_277(ONE_CLAIM.format(status=status))
    assert answer.state is state, answer.summary
    assert (answer.payer_claim_number, answer.patient_control_number) == ("PAYER-ICN-9", "CLM-1001")


def test_277_payment_elements_and_texts() -> None:
    (answer,) = read_277(ONE_CLAIM.format(status="F1:65*20261201**150*120*20261130*ACH*20261202*EFT-1"))
    (info,) = answer.statuses
    assert (info.charge_cents, info.paid_cents, info.adjudication_date) == (15000, 12000, date(2026, 11, 30))
    assert (info.payment_method, info.payment_date, info.check_number) == ("ACH", date(2026, 12, 2), "EFT-1")
    assert answer.summary == ("Paid $120.00 of $150.00 on 2026-11-30 check/EFT EFT-1 payer claim PAYER-ICN-9: "
                              "F1: Finalized/Payment; 65: Claim/line has been paid")
    (pending,) = read_277(ONE_CLAIM.format(status="R4:252*20261201**150"))
    assert pending.message.startswith("R4: Requests for additional information/Documentation; 252:")
    assert category_text("R4") == "Requests for additional information/Documentation"
    assert category_text("F2") == "Finalized/Denial" and category_text("Z9") == "code Z9"


@pytest.mark.parametrize(("old", "new", "segment_id", "words"), [
    ("STC*{status}~\n", "", "REF", "expected a claim status (STC)"),
    ("STC*{status}", "STC*:65*20261201", "STC", "STC01 must have a category and a status code"),
    ("STC*{status}", "STC*F1:65*20261201**150*12.345", "STC", "fractions of a cent"),
    ("STC*{status}", "STC*F1:65*20261201**150*120*20261131", "STC", "STC06 must be a date"),
    ("REF*EJ*CLM-1001", "REF*1K*CLM-1001", "REF", "REF01 '1K' is not expected in a claim"),
    ("DTP*472*D8*20261101", "DTP*573*D8*20261101", "DTP", "DTP01 must be 472"),
    ("HL*4*3*22*0", "HL*4*2*22*0", "HL", "HL02 (parent) is '2', expected '3'"),
    ("TRN*2*CS-1", "TRN*1*CS-1", "TRN", "the claim status tracking number (TRN*2)"),
    ("NM1*IL*1*DOE*JANE****MI*W987654321", "NM1*QC*1*DOE*JANE****MI*W987654321", "NM1", "NM101 is 'QC'"),
    ("BHT*0010*08", "BHT*0022*08", "BHT", "BHT01 must be 0010"),
    ("HL*4*3*22*0", "HL*4*3*23*0", "HL", "HL level '23' (HL03) under parent '3' does not fit here"),
])
def test_277_broken_segments_are_named(old: str, new: str, segment_id: str, words: str) -> None:
    text = ONE_CLAIM.replace("SE*16*", "SE*15*") if not new else ONE_CLAIM
    assert old in text
    data = text.replace(old, new, 1).format(status="F1:65*20261201**150*120")
    error = _raises(data)
    assert error.segment_id == segment_id and words in str(error), str(error)
    assert error.line == error.ordinal and data.splitlines()[error.line - 1].startswith(segment_id)


def test_277_reader_refuses_other_transactions() -> None:
    error = _raises(_fixture("276", "lfh_claim-level-status.276"))
    assert error.segment_id == "GS" and "not a 277 claim status response" in str(error)
    error = _raises((FIXTURES / "277ca" / "ims_277CA_accepted.277ca").read_bytes())
    assert error.segment_id == "ST" and "005010X214" in str(error)

"""The simulator's writers (999, 277CA, 835) against pyx12, which has maps for all three guides (005010X231A1,
005010X214, 005010X221A1): every shape validates with zero errors, a few segments are pinned, and bad input is
refused with the field named."""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Callable
from datetime import date, datetime
from typing import Any

import pytest

from server.x12 import adjustment_codes
from server.x12.claim837 import Address
from server.x12.validate import pyx12_errors
from server.x12.writer277ca import (
    ClaimAcknowledgment,
    ClaimStatus,
    InformationSource,
    LineStatus,
    Patient,
    ProviderStatus,
    Status,
    write_277ca,
)
from server.x12.writer835 import (
    Adjustment,
    BankAccount,
    ClaimPayment,
    Payee,
    Payer,
    Person,
    ProviderAdjustment,
    Remittance,
    RenderingProvider,
    ServicePayment,
    write_835,
)
from server.x12.writer999 import Ack999, ElementError, SegmentError, SetAcknowledgment, SituationalTrigger, write_999
from server.x12.writer_base import Envelope

ENVELOPE = Envelope("SIMCLEAR", "PRACTICE01", datetime(2026, 10, 6, 9, 30), 41, 41, 41)
DOS = date(2026, 10, 1)
NPI = "1234567893"
NPI_2 = "1245319599"


def segments(text: str) -> list[str]:
    return [s.strip() for s in text.split("~") if s.strip()]


def first(text: str, prefix: str) -> str:
    return next(s for s in segments(text) if s.startswith(prefix))


def all_of(text: str, prefix: str) -> list[str]:
    return [s for s in segments(text) if s.startswith(prefix)]


def test_envelope_counts() -> None:
    for text in (write_999(ack_shapes()["accepted"]), write_277ca(ca_shapes()["one rejected with a line"]),
                 write_835(remit_shapes()["multiple claims"])):
        segs = segments(text)
        st = next(i for i, s in enumerate(segs) if s.startswith("ST*"))
        se = next(i for i, s in enumerate(segs) if s.startswith("SE*"))
        assert segs[se].split("*")[1] == str(se - st + 1)
        assert segs[se].split("*")[2] == segs[st].split("*")[2] == "0041"


# ---------------------------------------------------------------------------------------------------------------
# 999


def ack(*sets: SetAcknowledgment, **changes: Any) -> Ack999:
    return dataclasses.replace(Ack999(ENVELOPE, 1201, sets), **changes)


NM1_ERROR = SegmentError("NM1", 12, "8", "2010", elements=(ElementError(9, "7", element_reference="67",
                                                                            bad_value="X**1"),))
CLM_ERROR = SegmentError("CLM", 31, "8", "2300", claim_control_number="PCN-0002",
                         elements=(ElementError(5, "7", component_position=3, element_reference="1325",
                                                bad_value="9"),))
TRIGGERED = SegmentError("PAT", 25, "I9", "2000", triggers=(SituationalTrigger("SBR", 20, "2000", 2,
                                                                                 element_reference="1069"),))


def ack_shapes() -> dict[str, Ack999]:
    return {
        "accepted": ack(SetAcknowledgment("0001", "A")),
        "accepted with errors": ack(SetAcknowledgment("0001", "E", errors=(TRIGGERED,))),
        "rejected": ack(SetAcknowledgment("0001", "R", errors=(NM1_ERROR, CLM_ERROR))),
        "rejected set error only": ack(SetAcknowledgment("0001", "R", error_codes=("4",))),
        "partially accepted": ack(SetAcknowledgment("0001", "A"), SetAcknowledgment("0002", "R", errors=(CLM_ERROR,)),
                                  SetAcknowledgment("0003", "E", errors=(TRIGGERED,))),
        "element error with a repetition and trigger": ack(SetAcknowledgment("0001", "R", errors=(SegmentError(
            "HI", 33, "8", "2300", claim_control_number="PCN-9", elements=(ElementError(
                2, "I12", component_position=2, repetition_position=1, triggers=(SituationalTrigger("HI", 33, "2300",
                                                                                                    1),)),)),))),
        "group rejected": ack(error_codes=("2",), sets_included=3),
    }


@pytest.mark.parametrize("shape", list(ack_shapes()))
def test_every_999_shape_passes_pyx12(shape: str) -> None:
    assert pyx12_errors(write_999(ack_shapes()[shape])) == []


def test_999_verdicts_and_counts() -> None:
    shapes = ack_shapes()
    accepted = write_999(shapes["accepted"])
    assert segments(accepted)[3:7] == ["AK1*HC*1201*005010X222A1", "AK2*837*0001*005010X222A1", "IK5*A",
                                       "AK9*A*1*1*1"]
    assert first(accepted, "GS*") == "GS*FA*SIMCLEAR*PRACTICE01*20261006*0930*41*X*005010X231A1"
    assert first(write_999(shapes["accepted with errors"]), "AK9") == "AK9*E*1*1*1"
    rejected = write_999(shapes["rejected"])
    assert all_of(rejected, "IK") == ["IK3*NM1*12*2010*8", "IK4*9*67*7*X1", "IK3*CLM*31*2300*8", "IK4*5:3*1325*7*9",
                                      "IK5*R*5"]
    assert first(rejected, "CTX") == "CTX*CLM01:PCN-0002"
    assert first(rejected, "AK9") == "AK9*R*1*1*0"
    assert first(write_999(shapes["rejected set error only"]), "IK5") == "IK5*R*4"
    partial = write_999(shapes["partially accepted"])
    assert all_of(partial, "IK5") == ["IK5*A", "IK5*R*5", "IK5*E*5"]
    assert first(partial, "AK9") == "AK9*P*3*3*2"
    assert first(write_999(shapes["accepted with errors"]), "CTX") == "CTX*SITUATIONAL TRIGGER*SBR*20*2000*2*1069"
    assert first(write_999(shapes["element error with a repetition and trigger"]), "IK4") == "IK4*2:2:1**I12"
    group = write_999(shapes["group rejected"])
    assert not all_of(group, "AK2")
    assert first(group, "AK9") == "AK9*R*3*0*0*2"


def test_999_reads_back_with_our_reader() -> None:
    ack999 = pytest.importorskip("server.x12.ack999")
    read = ack999.read_999(write_999(ack_shapes()["partially accepted"]))
    assert [(s.control_number, s.code) for s in read.sets] == [("0001", "A"), ("0002", "R"), ("0003", "E")]


def test_pyx12_counts_both_ctx_kinds_as_one() -> None:
    # A known pyx12 4.0 limitation (both CTX nodes share a position in its map): the guide allows a trigger and a
    # business unit identifier after one IK3, pyx12 reports the second as over its maximum and nothing else.
    both = dataclasses.replace(CLM_ERROR, triggers=(SituationalTrigger("SBR", 20, "2000", 1),))
    errors = pyx12_errors(write_999(ack(SetAcknowledgment("0001", "R", errors=(both,)))))
    assert len(errors) == 1 and "CTX exceeded max count" in errors[0]


@pytest.mark.parametrize(("build", "field"), [
    (lambda: ack(SetAcknowledgment("0001", "A", errors=(NM1_ERROR,))), "sets[0].code"),
    (lambda: ack(SetAcknowledgment("0001", "R")), "sets[0].error_codes"),
    (lambda: ack(SetAcknowledgment("0001", "Q")), "sets[0].code"),
    (lambda: ack(SetAcknowledgment("0001", "R", error_codes=("99",))), "sets[0].error_codes[0]"),
    (lambda: ack(SetAcknowledgment("0001", "R", errors=(dataclasses.replace(CLM_ERROR, claim_control_number=""),))),
     "sets[0].errors[0].claim_control_number"),
    (lambda: ack(SetAcknowledgment("0001", "R", errors=(dataclasses.replace(NM1_ERROR, loop_id="2010BA"),))),
     "sets[0].errors[0].loop_id"),
    (lambda: ack(SetAcknowledgment("0001", "R", errors=(dataclasses.replace(NM1_ERROR, elements=()),))),
     "sets[0].errors[0].elements"),
    (lambda: ack(SetAcknowledgment("0001", "R", errors=(dataclasses.replace(
        NM1_ERROR, elements=(ElementError(9, "77"),)),))), "sets[0].errors[0].elements[0].code"),
    (lambda: ack(SetAcknowledgment("0001", "R", errors=(dataclasses.replace(NM1_ERROR, segment_position=0),))),
     "sets[0].errors[0].segment_position"),
    (lambda: ack(SetAcknowledgment("0001", "A"), SetAcknowledgment("0001", "A")), "sets[1].control_number"),
    (lambda: ack(), "sets"),
    (lambda: ack(SetAcknowledgment("0001", "A"), sets_included=0), "sets_included"),
    (lambda: ack(SetAcknowledgment("0001", "A"), functional_id="ZZ"), "functional_id"),
])
def test_999_bad_input_names_the_field(build: Callable[[], Ack999], field: str) -> None:
    with pytest.raises(ValueError, match=rf"^{re.escape(field)}:"):
        write_999(build())


# ---------------------------------------------------------------------------------------------------------------
# 277CA


def accepted_claim(number: str = "PCN-0001", charge: int = 12500) -> ClaimStatus:
    return ClaimStatus(Patient("Doe", "Jane", "W100200300"), number, charge, (Status("A2", "20", "PR"),), DOS,
                       payer_claim_number=f"ICN{number[-4:]}")


def rejected_claim(number: str = "PCN-0002") -> ClaimStatus:
    return ClaimStatus(Patient("Roe", "Rick", "W100200301", middle="Q", suffix="Jr"), number, 30000,
                       (Status("A7", "562", "85"), Status("A7", "21", "82")), DOS, date(2026, 10, 3),
                       free_text="Billing provider NPI not on file")


def acknowledgment(*providers: ProviderStatus, **changes: Any) -> ClaimAcknowledgment:
    base = ClaimAcknowledgment(ENVELOPE, "CA0001", InformationSource("Sim Clearing House", "SIMCLEAR"), "TRACE-77",
                               "Main Street Family Practice", "PRACTICE01", "BATCH-837-9", date(2026, 10, 5),
                               date(2026, 10, 6), providers)
    return dataclasses.replace(base, **changes)


def provider(*claims: ClaimStatus, **changes: Any) -> ProviderStatus:
    return dataclasses.replace(ProviderStatus("Main Street Family Practice", NPI, claims), **changes)


LINE = LineStatus("99214", 18000, (Status("A7", "454", "QC"),), DOS, modifiers=("25",), control_number="L-1")


def ca_shapes() -> dict[str, ClaimAcknowledgment]:
    return {
        "one accepted": acknowledgment(provider(accepted_claim())),
        "one rejected with a line": acknowledgment(provider(dataclasses.replace(rejected_claim(), lines=(
            LINE, dataclasses.replace(LINE, procedure_code="85025", modifiers=(), charge_cents=12000,
                                      service_end=date(2026, 10, 2), control_number=""))))),
        "accepted and rejected": acknowledgment(provider(accepted_claim(), rejected_claim(),
                                                         accepted_claim("PCN-0003", 9900))),
        "all rejected": acknowledgment(provider(rejected_claim())),
        "two providers, payer source": acknowledgment(
            provider(accepted_claim()), provider(accepted_claim("PCN-0004"), name="Smith", first="Ann", npi=NPI_2,
                                                 trace="PT-1"),
            source=InformationSource("Acme Health", "60054", entity="PR", id_qualifier="PI")),
        "clearinghouse trace, three statuses": acknowledgment(provider(dataclasses.replace(
            accepted_claim(), clearinghouse_trace="CH-55", statuses=(Status("A1", "19", "PR"), Status("A2", "20", "QC"),
                                                                     Status("A5", "15", "")),
            payer_claim_number=""))),
    }


# pyx12's external entity code list (used for STC10-3 and STC11-3) lacks PR: the shapes put PR in STC01-3 only.
@pytest.mark.parametrize("shape", list(ca_shapes()))
def test_every_277ca_shape_passes_pyx12(shape: str) -> None:
    assert pyx12_errors(write_277ca(ca_shapes()[shape])) == []


def test_277ca_levels_and_statuses() -> None:
    text = write_277ca(ca_shapes()["accepted and rejected"])
    assert segments(text)[2:9] == ["ST*277*0041*005010X214", "BHT*0085*08*CA0001*20261006*0930*TH", "HL*1**20*1",
                                   "NM1*AY*2*SIM CLEARING HOUSE*****46*SIMCLEAR", "TRN*1*TRACE-77",
                                   "DTP*050*D8*20261005", "DTP*009*D8*20261006"]
    assert all_of(text, "HL*") == ["HL*1**20*1", "HL*2*1*21*1", "HL*3*2*19*1", "HL*4*3*PT", "HL*5*3*PT", "HL*6*3*PT"]
    assert all_of(text, "STC") == [
        "STC*A1:19:41*20261006*WQ*524", "STC*A1:19:85**WQ*524", "STC*A2:20:PR*20261006*WQ*125",
        "STC*A7:562:85*20261006*U*300******A7:21:82**BILLING PROVIDER NPI NOT ON FILE", "STC*A2:20:PR*20261006*WQ*99"]
    assert all_of(text, "QTY") == ["QTY*90*2", "QTY*AA*1", "QTY*QA*2", "QTY*QC*1"]
    assert all_of(text, "AMT") == ["AMT*YU*224", "AMT*YY*300", "AMT*YU*224", "AMT*YY*300"]
    assert all_of(text, "TRN*2") == ["TRN*2*BATCH-837-9", "TRN*2*PCN-0001", "TRN*2*PCN-0002", "TRN*2*PCN-0003"]
    assert all_of(text, "REF") == ["REF*1K*ICN0001", "REF*1K*ICN0003"]
    assert "NM1*QC*1*ROE*RICK*Q**JR*MI*W100200301" in segments(text)
    assert "DTP*472*RD8*20261001-20261003" in segments(text)
    lines = write_277ca(ca_shapes()["one rejected with a line"])
    tail = segments(lines)[segments(lines).index("DTP*472*RD8*20261001-20261003") + 1:-3]
    assert tail == ["SVC*HC:99214:25*180*****1", "STC*A7:454:QC*20261006*U", "REF*FJ*L-1", "DTP*472*D8*20261001",
                    "SVC*HC:85025*120*****1", "STC*A7:454:QC*20261006*U", "DTP*472*RD8*20261001-20261002"]
    assert first(write_277ca(ca_shapes()["all rejected"]), "STC") == "STC*A1:19:41*20261006*U*300"


def test_277ca_reads_back_with_our_reader() -> None:
    ack277ca = pytest.importorskip("server.x12.ack277ca")
    read = ack277ca.read_277ca(write_277ca(ca_shapes()["accepted and rejected"]))
    assert [(c.patient_control_number, c.accepted, c.rejected) for c in read.claims] == [
        ("PCN-0001", True, False), ("PCN-0002", False, True), ("PCN-0003", True, False)]


def _claim(change: Callable[[ClaimStatus], ClaimStatus]) -> ClaimAcknowledgment:
    return acknowledgment(provider(change(accepted_claim())))


@pytest.mark.parametrize(("build", "field"), [
    (lambda: _claim(lambda c: dataclasses.replace(c, control_number="")), "providers[0].claims[0].control_number"),
    (lambda: _claim(lambda c: dataclasses.replace(c, control_number="A*B")), "providers[0].claims[0].control_number"),
    (lambda: _claim(lambda c: dataclasses.replace(c, statuses=())), "providers[0].claims[0].statuses"),
    (lambda: _claim(lambda c: dataclasses.replace(c, statuses=(Status("A7", "21", "85"),))),
     "providers[0].claims[0].payer_claim_number"),
    (lambda: _claim(lambda c: dataclasses.replace(c, statuses=(Status("P1", "0", ""),))),
     "providers[0].claims[0].statuses"),
    (lambda: _claim(lambda c: dataclasses.replace(c, statuses=(Status("A2", "20", "AY"),))),
     "providers[0].claims[0].statuses[0].entity"),
    (lambda: _claim(lambda c: dataclasses.replace(c, total_charge_cents=-1)),
     "providers[0].claims[0].total_charge_cents"),
    (lambda: _claim(lambda c: dataclasses.replace(c, service_to=date(2026, 9, 1))),
     "providers[0].claims[0].service_to"),
    (lambda: _claim(lambda c: dataclasses.replace(c, patient=Patient("Doe", "Jane", ""))),
     "providers[0].claims[0].patient.member_id"),
    (lambda: acknowledgment(provider(dataclasses.replace(rejected_claim(), lines=(dataclasses.replace(
        LINE, statuses=(Status("A2", "20", "PR"),)),)))), "providers[0].claims[0].lines[0].statuses"),
    (lambda: acknowledgment(provider(accepted_claim(), npi="1234567890")), "providers[0].npi"),
    (lambda: acknowledgment(provider()), "providers[0].claims"),
    (lambda: acknowledgment(), "providers"),
    (lambda: acknowledgment(provider(accepted_claim()), processed_on=date(2026, 10, 4)), "processed_on"),
    (lambda: acknowledgment(provider(accepted_claim()), source=InformationSource("X", "SIMCLEAR", entity="41")),
     "source.entity"),
])
def test_277ca_bad_input_names_the_field(build: Callable[[], ClaimAcknowledgment], field: str) -> None:
    with pytest.raises(ValueError, match=rf"^{re.escape(field)}"):
        write_277ca(build())


# ---------------------------------------------------------------------------------------------------------------
# 835


PAYER = Payer("Acme Health Plan", Address("1 Payer Way", "Hartford", "CT", "06101"), "06-1234567", "800-555-1212",
              "EDI Support", payer_id="60054")
PAYEE = Payee("Main Street Family Practice", NPI, "123456789", Address("9 Main St", "Springfield", "IL", "627011234"))
PATIENT = Person("Doe", "Jane", member_id="W100200300")


def line(code: str, charge: int, paid: int, *adjustments: Adjustment, **changes: Any) -> ServicePayment:
    return dataclasses.replace(ServicePayment(code, charge, paid, DOS, adjustments=adjustments), **changes)


def claim(number: str, status: str, lines: tuple[ServicePayment, ...], *adjustments: Adjustment,
          **changes: Any) -> ClaimPayment:
    charge = sum(x.charge_cents for x in lines) if lines else changes.pop("charge_cents")
    paid = (sum(x.paid_cents for x in lines) - sum(a.amount_cents for a in adjustments)) if lines else \
        changes.pop("paid_cents")
    base = ClaimPayment(number, status, charge, paid, "12", f"ICN{number[-4:]}", PATIENT, adjustments=adjustments,
                        lines=lines, statement_from=DOS, statement_to=DOS)
    return dataclasses.replace(base, **changes)


def remittance(*claims: ClaimPayment, **changes: Any) -> Remittance:
    adjustments = changes.get("provider_adjustments", ())
    paid = sum(c.paid_cents for c in claims) - sum(a.amount_cents for a in adjustments)
    base = Remittance(ENVELOPE, PAYER, PAYEE, "CHK" if paid else "NON", paid, date(2026, 10, 21), "CHK-100234",
                      date(2026, 10, 20), claims)
    return dataclasses.replace(base, **changes)


PAID_IN_FULL = claim("PCN-0001", "1", (line("99213", 10000, 10000, control_number="PCN-0001-1",
                                            allowed_cents=10000),))
PARTIAL = claim("PCN-0002", "1", (
    line("99214", 20000, 9000, Adjustment("CO", "45", 5000), Adjustment("PR", "2", 3000), Adjustment("PR", "3", 3000),
         control_number="PCN-0002-1", allowed_cents=15000, remarks=("N130",)),
    line("80053", 5000, 0, Adjustment("CO", "45", 1000), Adjustment("PR", "1", 4000), allowed_cents=4000)),
    rendering=RenderingProvider("Smith", NPI_2, "Ann"))
DENIED_AUTH = claim("PCN-0003", "4", (), Adjustment("CO", "197", 42000), charge_cents=42000, paid_cents=0,
                    remarks=("M62",))
DENIED_LINES = claim("PCN-0004", "4", (line("97110", 6000, 0, Adjustment("CO", "96", 6000), remarks=("N130",)),
                                       line("97112", 4000, 0, Adjustment("CO", "96", 4000))))
ONE_LINE_DENIED = claim("PCN-0005", "1", (
    line("99213", 10000, 8000, Adjustment("CO", "45", 2000)),
    line("99211", 4000, 0, Adjustment("CO", "97", 4000), remarks=("M80", "N20"))),
    subscriber=Person("Doe", "John", member_id="W100200399"))
ORIGINAL = claim("PCN-0006", "1", (line("99213", 10000, 8000, Adjustment("CO", "45", 2000)),))


def reversal_of(original: ClaimPayment) -> ClaimPayment:
    def negate(adjustments: tuple[Adjustment, ...]) -> tuple[Adjustment, ...]:
        return tuple(dataclasses.replace(a, amount_cents=-a.amount_cents) for a in adjustments)
    return dataclasses.replace(
        original, status="22", charge_cents=-original.charge_cents, paid_cents=-original.paid_cents,
        adjustments=negate(original.adjustments),
        lines=tuple(dataclasses.replace(x, charge_cents=-x.charge_cents, paid_cents=-x.paid_cents,
                                        adjustments=negate(x.adjustments), allowed_cents=None) for x in original.lines))


CORRECTION = claim("PCN-0006", "1", (line("99213", 10000, 7000, Adjustment("CO", "45", 2000),
                                          Adjustment("PR", "3", 1000)),), payer_claim_number="ICN0006B")
ACH = {"payment_method": "ACH", "payer_account": BankAccount("011000015", "123456789"),
       "payee_account": BankAccount("021000021", "987654321", "SG"), "trace_number": "EFT-77", "receiver_id": "TAX1"}


def remit_shapes() -> dict[str, Remittance]:
    return {
        "paid in full": remittance(PAID_IN_FULL),
        "partially paid": remittance(PARTIAL, **ACH),
        "denied, missing authorization": remittance(DENIED_AUTH),
        "denied, non-covered lines": remittance(DENIED_LINES),
        "multiple claims": remittance(PAID_IN_FULL, PARTIAL, DENIED_AUTH, ONE_LINE_DENIED),
        "reversal and correction": remittance(reversal_of(ORIGINAL), CORRECTION, PAID_IN_FULL),
        "two lines, one denied": remittance(ONE_LINE_DENIED),
        "claim-level adjustment and date range": remittance(claim("PCN-0007", "2", (
            line("97110", 12000, 6000, Adjustment("OA", "23", 6000), service_end=date(2026, 10, 3),
                 units_milli=3000),), Adjustment("PR", "1", 1000), claim_filing_indicator="MB")),
        "provider adjustments": remittance(PAID_IN_FULL, PARTIAL, provider_adjustments=(
            ProviderAdjustment("WO", 2500, "ICN0001"), ProviderAdjustment("L6", -112)),
            fiscal_period_end=date(2026, 12, 31)),
        "provider adjustment only": remittance(provider_adjustments=(ProviderAdjustment("L6", -500),)),
        "many adjustments in one group": remittance(claim("PCN-0008", "1", (line(
            "99215", 40000, 33000, *(Adjustment("CO", r, 1000) for r in ("45", "253", "242", "4", "16", "50", "109"))),
        ))),
    }


@pytest.mark.parametrize("shape", list(remit_shapes()))
def test_every_835_shape_passes_pyx12(shape: str) -> None:
    assert pyx12_errors(write_835(remit_shapes()[shape])) == []


def test_835_header_and_parties() -> None:
    text = write_835(remit_shapes()["partially paid"])
    assert segments(text)[2:17] == [
        "ST*835*0041", "BPR*I*90*C*ACH*CCP*01*011000015*DA*123456789*1061234567**01*021000021*SG*987654321*20261021",
        "TRN*1*EFT-77*1061234567", "REF*EV*TAX1", "DTM*405*20261020", "N1*PR*ACME HEALTH PLAN", "N3*1 PAYER WAY",
        "N4*HARTFORD*CT*06101", "REF*2U*60054", "PER*BL*EDI SUPPORT*TE*8005551212",
        "N1*PE*MAIN STREET FAMILY PRACTICE*XX*1234567893", "N3*9 MAIN ST", "N4*SPRINGFIELD*IL*627011234",
        "REF*TJ*123456789", "LX*1"]
    assert first(write_835(remit_shapes()["paid in full"]), "BPR") == "BPR*I*100*C*CHK************20261021"
    assert first(write_835(remit_shapes()["denied, missing authorization"]), "BPR") == \
        "BPR*H*0*C*NON************20261021"


def test_835_claims_lines_and_adjustments() -> None:
    text = write_835(remit_shapes()["partially paid"])
    body = segments(text)[segments(text).index("LX*1") + 1:-3]
    assert body == [
        "CLP*PCN-0002*1*250*90*100*12*ICN0002*11*1", "NM1*QC*1*DOE*JANE****MI*W100200300",
        "NM1*82*1*SMITH*ANN****XX*1245319599", "DTM*232*20261001", "DTM*233*20261001",
        "SVC*HC:99214*200*90", "DTM*472*20261001", "CAS*CO*45*50", "CAS*PR*2*30**3*30", "REF*6R*PCN-0002-1",
        "AMT*B6*150", "LQ*HE*N130",
        "SVC*HC:80053*50*0", "DTM*472*20261001", "CAS*CO*45*10", "CAS*PR*1*40", "AMT*B6*40"]
    denied = write_835(remit_shapes()["denied, missing authorization"])
    assert all_of(denied, "CLP") == ["CLP*PCN-0003*4*420*0**12*ICN0003*11*1"]
    assert all_of(denied, "CAS") == ["CAS*CO*197*420"]
    assert first(denied, "MOA") == "MOA***M62"
    assert all_of(write_835(remit_shapes()["two lines, one denied"]), "LQ") == ["LQ*HE*M80", "LQ*HE*N20"]
    assert "NM1*IL*1*DOE*JOHN****MI*W100200399" in segments(write_835(remit_shapes()["two lines, one denied"]))
    ranged = write_835(remit_shapes()["claim-level adjustment and date range"])
    assert all_of(ranged, "CLP") == ["CLP*PCN-0007*2*120*50*10*MB*ICN0007*11*1"]
    assert all_of(ranged, "CAS") == ["CAS*PR*1*10", "CAS*OA*23*60"]
    assert all_of(ranged, "SVC") == ["SVC*HC:97110*120*60**3"]
    assert all_of(ranged, "DTM*15") == ["DTM*150*20261001", "DTM*151*20261003"]
    many = write_835(remit_shapes()["many adjustments in one group"])
    assert all_of(many, "CAS") == ["CAS*CO*45*10**253*10**242*10**4*10**16*10**50*10", "CAS*CO*109*10"]


def test_835_reversal_and_correction() -> None:
    text = write_835(remit_shapes()["reversal and correction"])
    assert all_of(text, "CLP")[:2] == ["CLP*PCN-0006*22*-100*-80**12*ICN0006*11*1",
                                       "CLP*PCN-0006*1*100*70*10*12*ICN0006B*11*1"]
    assert all_of(text, "SVC")[:2] == ["SVC*HC:99213*-100*-80", "SVC*HC:99213*100*70"]
    assert all_of(text, "CAS") == ["CAS*CO*45*-20", "CAS*CO*45*20", "CAS*PR*3*10"]
    assert first(text, "BPR").split("*")[2] == "90"  # -80 + 70 + 100


def test_835_provider_adjustments_reduce_the_payment() -> None:
    text = write_835(remit_shapes()["provider adjustments"])
    assert first(text, "BPR").startswith("BPR*I*166.12*C*CHK*")  # 100 + 90 - 25 + 1.12
    assert all_of(text, "PLB") == ["PLB*1234567893*20261231*WO:ICN0001*25*L6*-1.12"]


def _remit(change: Callable[[ClaimPayment], ClaimPayment], base: ClaimPayment = PARTIAL) -> Remittance:
    return remittance(change(base))


@pytest.mark.parametrize(("build", "field"), [
    (lambda: dataclasses.replace(remittance(PARTIAL), payment_cents=9100), "payment_cents"),
    (lambda: _remit(lambda c: dataclasses.replace(c, paid_cents=9100)), "claims[0].adjustments"),
    (lambda: _remit(lambda c: dataclasses.replace(c, lines=(dataclasses.replace(c.lines[0], paid_cents=9100),
                                                           c.lines[1]), paid_cents=9100)),
     "claims[0].lines[0].adjustments"),
    (lambda: _remit(lambda c: dataclasses.replace(c, charge_cents=26000, paid_cents=10000)), "claims[0].charge_cents"),
    (lambda: _remit(lambda c: dataclasses.replace(c, control_number="  ")), "claims[0].control_number"),
    (lambda: _remit(lambda c: dataclasses.replace(c, patient_responsibility_cents=9000)),
     "claims[0].patient_responsibility_cents"),
    (lambda: _remit(lambda c: dataclasses.replace(c, status="4")), "claims[0].paid_cents"),
    (lambda: _remit(lambda c: dataclasses.replace(c, status="22")), "claims[0].charge_cents"),
    (lambda: _remit(lambda c: dataclasses.replace(c, status="9")), "claims[0].status"),
    (lambda: _remit(lambda c: dataclasses.replace(c, claim_filing_indicator="CI")), "claims[0].claim_filing_indicator"),
    (lambda: _remit(lambda c: dataclasses.replace(c, payer_claim_number="")), "claims[0].payer_claim_number"),
    (lambda: _remit(lambda c: dataclasses.replace(c, facility_code="1")), "claims[0].facility_code"),
    (lambda: _remit(lambda c: dataclasses.replace(c, remarks=("NOPE",))), "claims[0].remarks[0]"),
    (lambda: _remit(lambda c: dataclasses.replace(c, subscriber=Person("Doe", "John"))),
     "claims[0].subscriber.member_id"),
    (lambda: _remit(lambda c: dataclasses.replace(c, lines=(dataclasses.replace(
        c.lines[0], adjustments=(Adjustment("CR", "45", 5000), *c.lines[0].adjustments[1:])), c.lines[1]))),
     "claims[0].lines[0].adjustments[0].group"),
    (lambda: remittance(PAID_IN_FULL, payment_method="NON"), "payment_method"),
    (lambda: remittance(PAID_IN_FULL, payment_method="ACH"), "payer_account"),
    (lambda: remittance(PAID_IN_FULL, payer_account=BankAccount("011000015", "1")), "payer_account"),
    (lambda: remittance(PAID_IN_FULL, **{**ACH, "payee_account": BankAccount("12345", "1")}), "payee_account.routing"),
    (lambda: remittance(reversal_of(ORIGINAL)), "payment_cents"),
    (lambda: remittance(PAID_IN_FULL, provider_adjustments=(ProviderAdjustment("ZZ", 100),)),
     "provider_adjustments[0].reason"),
    (lambda: remittance(), "claims"),
    (lambda: remittance(PAID_IN_FULL, payee=dataclasses.replace(PAYEE, npi="1234567890")), "payee.npi"),
    (lambda: remittance(PAID_IN_FULL, payer=dataclasses.replace(PAYER, tax_id="12345")), "payer.tax_id"),
    (lambda: remittance(PAID_IN_FULL, payer=dataclasses.replace(PAYER, contact_phone="555")), "payer.contact_phone"),
])
def test_835_bad_input_names_the_field(build: Callable[[], Remittance], field: str) -> None:
    with pytest.raises(ValueError, match=rf"^{re.escape(field)}"):
        write_835(build())


# ---------------------------------------------------------------------------------------------------------------
# code table


def test_the_code_table_has_the_common_codes() -> None:
    carc = {"1", "2", "3", "4", "16", "18", "22", "23", "29", "45", "50", "96", "97", "109", "119", "197", "204", "242",
            "253"}
    rarc = {"N4", "N20", "N130", "N290", "M15", "M80", "MA04", "MA130", "N432"}
    assert carc <= set(adjustment_codes.CARC)
    assert rarc <= set(adjustment_codes.RARC)
    assert adjustment_codes.carc_text("45").startswith("Charge exceeds")
    assert adjustment_codes.rarc_text("X999") == "remark code X999"
    assert set(adjustment_codes.GROUP_CODES) == {"CO", "OA", "PI", "PR"}

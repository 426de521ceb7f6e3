"""The 837P writer against pyx12 (BRIEF 2.8): every claim shape validates with zero errors, content is pinned for a
few shapes, bad input is refused with the field named, and the validator helper itself can fail."""

from __future__ import annotations

import dataclasses
import re
import time
from collections.abc import Callable
from datetime import date, datetime
from pathlib import Path

import pytest

from server.scheduling.rules import npi_check_digit
from server.x12 import segments as x12
from server.x12.claim837 import (
    Address,
    Adjustment,
    Batch,
    BillingProvider,
    Claim,
    LineAdjudication,
    OtherPayer,
    PayerName,
    Person,
    ProviderName,
    Receiver,
    ServiceFacility,
    ServiceLine,
    Submitter,
    Subscriber,
)
from server.x12.validate import pyx12_errors
from server.x12.writer837p import write_837p

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "x12" / "837p"
DOS = date(2026, 10, 5)


def npi(nine: str) -> str:
    return nine + str(npi_check_digit(nine))


BILLING_NPI, RENDERING_NPI, REFERRING_NPI, SUPERVISING_NPI, FACILITY_NPI = (
    npi("123456789"), npi("198765432"), npi("156789012"), npi("134567890"), npi("187654321"))

HOME = Address("12 Elm St", "Columbus", "OH", "43215", line2="Apt 4")
JANE = Person("Doe", "Jane", middle="Q", birth_date=date(1980, 2, 3), sex="F", address=HOME)
TIMMY = Person("Doe", "Timmy", birth_date=date(2015, 6, 7), sex="M", address=HOME)
BUCKEYE = PayerName("Buckeye Health Plan", "BHP01")
MEDICARE = PayerName("Medicare Part B", "15202", Address("PO Box 6130", "Indianapolis", "IN", "462066130"))


def subscriber(**changes: object) -> Subscriber:
    base = Subscriber(JANE, "XYZ123456", "P", "CI", group_number="GRP100")
    return dataclasses.replace(base, **changes)  # type: ignore[arg-type]


def line(code: str = "99213", cents: int = 12_500, **changes: object) -> ServiceLine:
    base = ServiceLine(code, cents, 1000, (1,), DOS)
    return dataclasses.replace(base, **changes)  # type: ignore[arg-type]


def claim(number: str = "C1", lines: tuple[ServiceLine, ...] | None = None, **changes: object) -> Claim:
    lines = lines if lines is not None else (line(),)
    base = Claim(number, sum(x.charge_cents for x in lines), "11", "1", subscriber(), BUCKEYE, ("E119",), lines,
                 rendering=ProviderName("Welby", "Marcus", RENDERING_NPI, "207Q00000X"))
    return dataclasses.replace(base, **changes)  # type: ignore[arg-type]


def batch(*claims: Claim) -> Batch:
    return Batch(
        interchange_control_number=17, group_control_number=18, transaction_control_number=19,
        created_at=datetime(2026, 10, 6, 9, 30), usage="T", sender_id="PMS-SUBMIT", receiver_id="CLEARHOUSE",
        submitter=Submitter("Elm Street Family Practice", "SUB123", "Pat Biller", "614-555-0100"),
        receiver=Receiver("Clear Claims Exchange", "CCX01"),
        billing_provider=BillingProvider("Elm Street Family Practice", BILLING_NPI, "31-1234567", "207Q00000X",
                                         Address("100 Main St", "Columbus", "OH", "432151234")),
        claims=claims, reference="BATCH17")


def seg_lines(text: str) -> list[str]:
    return [s.strip() for s in text.split("~") if s.strip()]


def seg(text: str, prefix: str) -> list[str]:
    return [s for s in seg_lines(text) if s.startswith(prefix)]


# -- claim shapes ------------------------------------------------------------------------------------------------


def simple() -> Batch:
    return batch(claim())


def child_of_subscriber() -> Batch:
    return batch(claim(patient=TIMMY, patient_relationship="19"))


def twelve_diagnoses() -> Batch:
    codes = ("E119", "I10", "E785", "J069", "M545", "R51", "K219", "F419", "Z0000", "E6601", "G4733", "N390")
    return batch(claim(diagnoses=codes, lines=(line(dx_pointers=(1, 2, 3, 4)), line("93000", 4_000,
                                                                                  dx_pointers=(12, 11)))))


def four_modifiers() -> Batch:
    return batch(claim(lines=(line("97110", 9_000, units_milli=2_000, modifiers=("GP", "59", "KX", "XU")),)))


def drug_line() -> Batch:
    injection = line("J1100", 2_050, ndc="00641037821", ndc_quantity_milli=2_500, ndc_unit="ML")
    return batch(claim(lines=(line("96372", 3_500), injection)))


def providers_and_facility() -> Batch:
    return batch(claim(
        referring=ProviderName("Kildare", "James", REFERRING_NPI),
        supervising=ProviderName("Casey", "Ben", SUPERVISING_NPI),
        facility=ServiceFacility("Elm Street Annex", Address("200 Oak Ave", "Dublin", "OH", "430171111"),
                                 FACILITY_NPI),
        prior_authorization="AUTH-778", note="Patient seen at the annex",
        lines=(line(control_number="L-1001"), line("81002", 1_000, place_of_service="22", note="urine dip"))))


def medicare_primary() -> Batch:
    # insurance_type is for Medicare as secondary: it must not appear on a primary Medicare claim.
    sub = subscriber(claim_filing_indicator="MB", member_id="1EG4TE5MK73", group_number="", insurance_type="12")
    return batch(claim(subscriber=sub, payer=MEDICARE))


def replacement() -> Batch:
    return batch(claim(frequency="7", original_claim_number="PAYER-ICN-555"))


def void() -> Batch:
    return batch(claim(frequency="8", original_claim_number="PAYER-ICN-556"))


def secondary() -> Batch:
    """Medicare secondary to a commercial primary that paid part; claim and line adjustments, 2430 per line."""
    primary_subscriber = Subscriber(Person("Doe", "John", address=HOME), "PRIM9988", "P", "CI",
                                    group_number="EMPLOYER77")
    lines = (line("99214", 20_000, dx_pointers=(1, 2), control_number="L1"), line("36415", 2_500, dx_pointers=(1,)))
    # The primary paid 130.00 on the lines but moved 20.00 of that to the patient (claim-level deductible).
    primary = OtherPayer(
        subscriber=primary_subscriber, relationship="01", payer=BUCKEYE, paid_cents=11_000,
        adjudicated_on=date(2026, 10, 20),
        claim_adjustments=(Adjustment("PR", "1", 2_000),),
        lines=(
            LineAdjudication("BHP01", "99214", (), 13_000, 1, date(2026, 10, 20),
                             (Adjustment("CO", "45", 5_000), Adjustment("PR", "2", 2_000))),
            LineAdjudication("BHP01", "36415", (), 0, 1, date(2026, 10, 20), (Adjustment("CO", "97", 2_500),)),
        ))
    sub = subscriber(responsibility="S", claim_filing_indicator="MB", member_id="1EG4TE5MK73", group_number="",
                     insurance_type="12")
    return batch(claim(subscriber=sub, payer=MEDICARE, diagnoses=("E119", "I10"), lines=lines,
                       other_payers=(primary,)))


def secondary_without_lines() -> Batch:
    """Claim-level adjudication only: 2330B carries the adjudication date."""
    primary = OtherPayer(Subscriber(JANE, "PRIM1", "P", "CI", plan_name="Gold PPO"), "18", BUCKEYE,
                         paid_cents=9_000, adjudicated_on=date(2026, 10, 21),
                         claim_adjustments=(Adjustment("CO", "45", 2_500, 1), Adjustment("PR", "3", 1_000)))
    return batch(claim(subscriber=subscriber(responsibility="S"), payer=PayerName("Second Mutual", "SM002"),
                       other_payers=(primary,)))


def many_claims() -> Batch:
    claims = []
    for i in range(50):
        extra = {"patient": TIMMY, "patient_relationship": "19"} if i % 3 == 0 else {}
        claims.append(claim(f"C{i:04d}", lines=(line(), line("90471", 2_500, dx_pointers=(1,))), **extra))
    return batch(*claims)


def needs_cleaning() -> Batch:
    person = Person("o'brien*smith~", "josé", middle="ñ", suffix="jr.", birth_date=date(1970, 1, 1), sex="m",
                    address=Address("12 élm st: apt^5", "Zürich town", "oh", "43215-1234"))
    return batch(claim(subscriber=subscriber(person=person, member_id="ab12-34"),
                       note="line one\nline two * with ~ separators ^ and: colons"))


SHAPES: dict[str, Callable[[], Batch]] = {
    "simple": simple,
    "child_of_subscriber": child_of_subscriber,
    "twelve_diagnoses": twelve_diagnoses,
    "four_modifiers": four_modifiers,
    "drug_line": drug_line,
    "providers_and_facility": providers_and_facility,
    "medicare_primary": medicare_primary,
    "replacement": replacement,
    "void": void,
    "secondary": secondary,
    "secondary_without_lines": secondary_without_lines,
    "many_claims": many_claims,
    "needs_cleaning": needs_cleaning,
}


@pytest.mark.parametrize("shape", SHAPES)
def test_every_claim_shape_passes_pyx12(shape: str, tmp_path: Path) -> None:
    text = write_837p(SHAPES[shape]())
    (tmp_path / f"{shape}.837p").write_text(text, encoding="ascii")  # left for a look when the test fails
    started = time.perf_counter()
    assert pyx12_errors(text) == []
    assert time.perf_counter() - started < 5


@pytest.mark.parametrize("shape", SHAPES)
def test_the_envelope_counts_are_right(shape: str) -> None:
    segs = seg_lines(write_837p(SHAPES[shape]()))
    assert len(segs[0]) == 105 and segs[0].endswith("*:")  # ISA is fixed width (106 with its terminator)
    st, se = segs.index(next(s for s in segs if s.startswith("ST*"))), segs.index(
        next(s for s in segs if s.startswith("SE*")))
    assert se - st + 1 == int(segs[se].split("*")[1])
    assert segs[st].split("*")[2] == segs[se].split("*")[2] == "0019"
    assert segs[-2] == "GE*1*18" and segs[-1] == "IEA*1*000000017"
    assert segs[1].endswith("*18*X*005010X222A1") and segs[st] == "ST*837*0019*005010X222A1"


def test_a_simple_claim_reads_as_expected() -> None:
    text = write_837p(simple())
    segs = seg_lines(text)
    assert segs[0] == ("ISA*00*          *00*          *ZZ*PMS-SUBMIT     *ZZ*CLEARHOUSE     *261006*0930*^*00501*"
                       "000000017*0*T*:")
    assert segs[1:4] == ["GS*HC*PMS-SUBMIT*CLEARHOUSE*20261006*0930*18*X*005010X222A1",
                         "ST*837*0019*005010X222A1", "BHT*0019*00*BATCH17*20261006*0930*CH"]
    assert segs[4:7] == ["NM1*41*2*ELM STREET FAMILY PRACTICE*****46*SUB123", "PER*IC*PAT BILLER*TE*6145550100",
                         "NM1*40*2*CLEAR CLAIMS EXCHANGE*****46*CCX01"]
    assert segs[7:13] == ["HL*1**20*1", "PRV*BI*PXC*207Q00000X",
                          f"NM1*85*2*ELM STREET FAMILY PRACTICE*****XX*{BILLING_NPI}", "N3*100 MAIN ST",
                          "N4*COLUMBUS*OH*432151234", "REF*EI*311234567"]
    assert segs[13:21] == ["HL*2*1*22*0", "SBR*P*18*GRP100******CI", "NM1*IL*1*DOE*JANE*Q***MI*XYZ123456",
                           "N3*12 ELM ST*APT 4", "N4*COLUMBUS*OH*43215", "DMG*D8*19800203*F",
                           "NM1*PR*2*BUCKEYE HEALTH PLAN*****PI*BHP01", "CLM*C1*125***11:B:1*Y*A*Y*Y"]
    assert segs[21:28] == ["HI*ABK:E119", f"NM1*82*1*WELBY*MARCUS****XX*{RENDERING_NPI}", "PRV*PE*PXC*207Q00000X",
                           "LX*1", "SV1*HC:99213*125*UN*1***1", "DTP*472*D8*20261005", "SE*26*0019"]
    assert text.endswith("IEA*1*000000017~\n") and "\n\n" not in text


def test_a_child_patient_gets_its_own_level() -> None:
    text = write_837p(child_of_subscriber())
    assert seg(text, "HL*") == ["HL*1**20*1", "HL*2*1*22*1", "HL*3*2*23*0"]
    assert seg(text, "SBR") == ["SBR*P**GRP100******CI"]
    assert seg(text, "PAT") == ["PAT*19"]
    assert seg(text, "NM1*QC") == ["NM1*QC*1*DOE*TIMMY"]
    # The subscriber's address and demographics are sent only when the subscriber is the patient.
    assert seg(text, "DMG") == ["DMG*D8*20150607*M"] and len(seg(text, "N3")) == 2


def test_diagnoses_modifiers_and_drugs() -> None:
    assert seg(write_837p(twelve_diagnoses()), "HI") == [
        "HI*ABK:E119*ABF:I10*ABF:E785*ABF:J069*ABF:M545*ABF:R51*ABF:K219*ABF:F419*ABF:Z0000*ABF:E6601*ABF:G4733"
        "*ABF:N390"]
    assert seg(write_837p(twelve_diagnoses()), "SV1") == ["SV1*HC:99213*125*UN*1***1:2:3:4",
                                                          "SV1*HC:93000*40*UN*1***12:11"]
    assert seg(write_837p(four_modifiers()), "SV1") == ["SV1*HC:97110:GP:59:KX:XU*90*UN*2***1"]
    text = write_837p(drug_line())
    assert seg(text, "LIN") == ["LIN**N4*00641037821"] and seg(text, "CTP") == ["CTP****2.5*ML"]
    assert seg(text, "SV1*HC:J1100") == ["SV1*HC:J1100*20.5*UN*1***1"]
    assert seg(text, "CLM") == ["CLM*C1*55.5***11:B:1*Y*A*Y*Y"]


def test_providers_facility_references_and_notes() -> None:
    segs = seg_lines(write_837p(providers_and_facility()))
    start = segs.index("REF*G1*AUTH-778")
    assert segs[start:start + 12] == [
        "REF*G1*AUTH-778", "NTE*ADD*PATIENT SEEN AT THE ANNEX", "HI*ABK:E119",
        f"NM1*DN*1*KILDARE*JAMES****XX*{REFERRING_NPI}",
        f"NM1*82*1*WELBY*MARCUS****XX*{RENDERING_NPI}", "PRV*PE*PXC*207Q00000X",
        f"NM1*77*2*ELM STREET ANNEX*****XX*{FACILITY_NPI}", "N3*200 OAK AVE", "N4*DUBLIN*OH*430171111",
        f"NM1*DQ*1*CASEY*BEN****XX*{SUPERVISING_NPI}", "LX*1", "SV1*HC:99213*125*UN*1***1"]
    assert "REF*6R*L-1001" in segs and "NTE*ADD*URINE DIP" in segs
    # SV105 only where the line's place of service differs from the claim's.
    assert "SV1*HC:81002*10*UN*1*22**1" in segs


def test_medicare_primary_replacement_and_void() -> None:
    text = write_837p(medicare_primary())
    assert seg(text, "SBR") == ["SBR*P*18*******MB"]
    assert seg(text, "NM1*PR") == ["NM1*PR*2*MEDICARE PART B*****PI*15202"]
    assert seg(text, "N4*INDIANAPOLIS") == ["N4*INDIANAPOLIS*IN*462066130"]
    replaced = write_837p(replacement())
    assert seg(replaced, "CLM") == ["CLM*C1*125***11:B:7*Y*A*Y*Y"] and seg(replaced, "REF") == [
        "REF*EI*311234567", "REF*F8*PAYER-ICN-555"]
    voided = write_837p(void())
    assert seg(voided, "CLM") == ["CLM*C1*125***11:B:8*Y*A*Y*Y"] and "REF*F8*PAYER-ICN-556" in seg(voided, "REF")
    assert "REF*F8" not in write_837p(simple())


def test_a_secondary_claim_carries_the_primary_adjudication() -> None:
    segs = seg_lines(write_837p(secondary()))
    assert "SBR*S**GRP100" not in segs
    assert segs[segs.index("HL*2*1*22*0") + 1] == "SBR*S*18***12****MB"
    start = segs.index("SBR*P*01*EMPLOYER77******CI")
    assert segs[start:start + 7] == [
        "SBR*P*01*EMPLOYER77******CI", "CAS*PR*1*20", "AMT*D*110", "OI***Y***Y",
        "NM1*IL*1*DOE*JOHN****MI*PRIM9988", "N3*12 ELM ST*APT 4", "N4*COLUMBUS*OH*43215"]
    assert segs[start + 7] == "NM1*PR*2*BUCKEYE HEALTH PLAN*****PI*BHP01"
    # 2430 carries the dates, so 2330B does not.
    assert segs[start + 8] == "LX*1"
    first = segs.index("SV1*HC:99214*200*UN*1***1:2")
    assert segs[first:first + 6] == ["SV1*HC:99214*200*UN*1***1:2", "DTP*472*D8*20261005", "REF*6R*L1",
                                     "SVD*BHP01*130*HC:99214**1", "CAS*CO*45*50", "CAS*PR*2*20"]
    assert segs[first + 6] == "DTP*573*D8*20261020"
    assert segs[-6:-3] == ["SVD*BHP01*0*HC:36415**1", "CAS*CO*97*25", "DTP*573*D8*20261020"]


def test_a_claim_level_only_secondary() -> None:
    segs = seg_lines(write_837p(secondary_without_lines()))
    start = segs.index("SBR*P*18**GOLD PPO*****CI")
    assert segs[start:start + 4] == ["SBR*P*18**GOLD PPO*****CI", "CAS*CO*45*25*1", "CAS*PR*3*10", "AMT*D*90"]
    assert "DTP*573*D8*20261021" in segs and not any(s.startswith("SVD") for s in segs)


def test_fifty_claims_in_one_transaction() -> None:
    text = write_837p(many_claims())
    assert len(seg(text, "ST*")) == 1 and len(seg(text, "CLM*")) == 50
    assert len(seg(text, "HL*")) == 1 + 50 + 17
    assert seg(text, "HL*")[-1] == "HL*68*1*22*0"
    assert seg(text, "HL*")[1:3] == ["HL*2*1*22*1", "HL*3*2*23*0"]


def test_text_is_cleaned() -> None:
    text = write_837p(needs_cleaning())
    assert seg(text, "NM1*IL") == ["NM1*IL*1*O'BRIENSMITH*JOSE*N**JR.*MI*AB12-34"]
    assert seg(text, "N3")[1:] == ["N3*12 ELM ST APT5"]
    assert seg(text, "N4*ZURICH") == ["N4*ZURICH TOWN*OH*432151234"]
    assert seg(text, "NTE") == ["NTE*ADD*LINE ONE LINE TWO WITH SEPARATORS AND COLONS"]
    assert seg(text, "DMG") == ["DMG*D8*19700101*M"]
    assert text.isascii()


# -- input checks ------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(("change", "field"), [
    (lambda c: dataclasses.replace(c, lines=(), total_charge_cents=0), "claims[0].lines"),
    (lambda c: dataclasses.replace(c, diagnoses=(*(f"E11{i}" for i in range(10)), "I10", "I11", "J069")),
     "claims[0].diagnoses"),
    (lambda c: dataclasses.replace(c, diagnoses=()), "claims[0].diagnoses"),
    (lambda c: dataclasses.replace(c, lines=(line(modifiers=("25", "59", "GT", "XU", "KX")),)),
     "claims[0].lines[0].modifiers"),
    (lambda c: dataclasses.replace(c, lines=(line(dx_pointers=(2,)),)), "claims[0].lines[0].dx_pointers"),
    (lambda c: dataclasses.replace(c, lines=(line(dx_pointers=(0,)),)), "claims[0].lines[0].dx_pointers"),
    (lambda c: dataclasses.replace(c, lines=(line(dx_pointers=()),)), "claims[0].lines[0].dx_pointers"),
    (lambda c: dataclasses.replace(c, lines=(line(dx_pointers=(1, 1)),)), "claims[0].lines[0].dx_pointers"),
    (lambda c: dataclasses.replace(c, lines=(line(cents=-100),), total_charge_cents=-100),
     "claims[0].lines[0].charge_cents"),
    (lambda c: dataclasses.replace(c, total_charge_cents=12_600), "claims[0].total_charge_cents"),
    (lambda c: dataclasses.replace(c, frequency="7"), "claims[0].original_claim_number"),
    (lambda c: dataclasses.replace(c, frequency="3"), "claims[0].frequency"),
    (lambda c: dataclasses.replace(c, patient=TIMMY), "claims[0].patient_relationship"),
    (lambda c: dataclasses.replace(c, patient=TIMMY, patient_relationship="18"), "claims[0].patient_relationship"),
    (lambda c: dataclasses.replace(c, rendering=ProviderName("Welby", "Marcus", "1234567890")),
     "claims[0].rendering.npi"),
    (lambda c: dataclasses.replace(c, control_number="C*1"), "claims[0].control_number"),
    (lambda c: dataclasses.replace(c, control_number="C" * 21), "claims[0].control_number"),
    (lambda c: dataclasses.replace(c, subscriber=subscriber(member_id="AB*12")), "claims[0].subscriber.member_id"),
    (lambda c: dataclasses.replace(c, payer=PayerName("Buckeye", "B:1")), "claims[0].payer.payer_id"),
    (lambda c: dataclasses.replace(c, subscriber=subscriber(person=dataclasses.replace(JANE, birth_date=None))),
     "claims[0].subscriber.person.birth_date"),
    (lambda c: dataclasses.replace(c, subscriber=subscriber(responsibility="S", claim_filing_indicator="MB")),
     "claims[0].subscriber.insurance_type"),
    (lambda c: dataclasses.replace(c, lines=(line(ndc="0064103782"),)), "claims[0].lines[0].ndc"),
    (lambda c: dataclasses.replace(c, facility=ServiceFacility("Annex", HOME)), "claims[0].facility.address.zip"),
])
def test_bad_input_is_refused_with_the_field_named(change: Callable[[Claim], Claim], field: str) -> None:
    with pytest.raises(ValueError, match="^" + re.escape(field)):
        write_837p(batch(change(claim())))


def test_unbalanced_coordination_of_benefits_is_refused() -> None:
    good = secondary().claims[0]
    other = good.other_payers[0]
    with pytest.raises(ValueError, match=r"^claims\[0\].other_payers\[0\].paid_cents"):
        write_837p(batch(dataclasses.replace(good, other_payers=(dataclasses.replace(other, paid_cents=11_100),))))
    short_line = dataclasses.replace(other.lines[1], adjustments=(Adjustment("CO", "97", 2_400),))
    with pytest.raises(ValueError, match=r"^claims\[0\].other_payers\[0\].lines: line 2 does not balance"):
        write_837p(batch(dataclasses.replace(good, other_payers=(
            dataclasses.replace(other, lines=(other.lines[0], short_line)),))))
    with pytest.raises(ValueError, match=r"^claims\[0\].other_payers\[0\].lines\[0\].payer_id"):
        write_837p(batch(dataclasses.replace(good, other_payers=(dataclasses.replace(
            other, lines=(dataclasses.replace(other.lines[0], payer_id="OTHER"), other.lines[1])),))))


def test_an_empty_batch_is_refused() -> None:
    with pytest.raises(ValueError, match=r"^claims"):
        write_837p(batch())


# -- the validator helper can fail -------------------------------------------------------------------------------


def test_a_wrong_segment_count_fails_validation(monkeypatch: pytest.MonkeyPatch) -> None:
    text = write_837p(simple())
    assert "SE*26*0019~" in text
    assert any("SE count" in e for e in pyx12_errors(text.replace("SE*26*0019~", "SE*25*0019~")))
    # The same through the writer: a segment builder that drops the DTP makes a file pyx12 refuses.
    original = x12.segment
    monkeypatch.setattr("server.x12.writer837p.segment",
                        lambda sid, *e: original("LX", "9") if sid == "DTP" else original(sid, *e))
    assert pyx12_errors(write_837p(simple())) != []


def test_non_ascii_and_garbage_are_errors_not_crashes() -> None:
    assert pyx12_errors("\ufeff" + write_837p(simple()))[0].startswith("ERROR non-ASCII")
    assert pyx12_errors("hello") != []


@pytest.mark.parametrize("name", ["lfh_example1.837p", "lfh_cob.example3.B.837p"])
def test_public_samples_validate(name: str) -> None:
    assert pyx12_errors((FIXTURES / name).read_text(encoding="ascii")) == []


def test_a_broken_public_sample_fails() -> None:
    errors = pyx12_errors((FIXTURES / "invalid" / "ims_x12_segment_errors.837p").read_text(encoding="ascii"))
    assert any('Mandatory segment "Billing Provider Address" (N3) missing' in e for e in errors)


# -- formatting ----------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(("cents", "text"), [(12_500, "125"), (12_550, "125.5"), (12_505, "125.05"), (0, "0"),
                                             (5, "0.05"), (-1_250, "-12.5"), (100_000_000, "1000000")])
def test_money_has_no_trailing_zeros(cents: int, text: str) -> None:
    assert x12.money(cents) == text


@pytest.mark.parametrize(("milli", "text"), [(1_000, "1"), (1_500, "1.5"), (125, "0.125"), (2_250, "2.25"),
                                             (0, "0")])
def test_quantities_in_thousandths(milli: int, text: str) -> None:
    assert x12.quantity(milli) == text


def test_text_segments_and_fixed_fields() -> None:
    assert x12.clean("  Ñúñez-García, María  ") == "NUNEZ-GARCIA, MARIA"
    assert x12.clean("a*b:c^d~e\tf\ng") == "ABCDE F G"
    assert x12.clean("Straße Œuvre", 9) == "STRASSE O"
    assert x12.clean("日本") == ""
    assert x12.segment("NM1", "IL", "1", "DOE", "", "", "") == "NM1*IL*1*DOE"
    assert x12.composite("HC", "99213", "", "") == "HC:99213"
    assert x12.fixed("abc", 5, "f") == "ABC  "
    with pytest.raises(ValueError, match=r"^f:"):
        x12.fixed("A" * 16, 15, "f")
    with pytest.raises(ValueError, match="separator"):
        x12.segment("NM1", "A*B")
    with pytest.raises(ValueError, match="separator"):
        x12.composite("HC", "9:9")
    assert x12.x12_date(date(2026, 1, 2)) == "20260102" and x12.x12_time(datetime(2026, 1, 2, 7, 5)) == "0705"

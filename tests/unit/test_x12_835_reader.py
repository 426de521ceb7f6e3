"""The 835 reader: what `write_835` writes reads back as the same `Remittance`; the public samples it accepts give
the values they hold; anything else is refused with the segment and line."""

from __future__ import annotations

import dataclasses
import re
from datetime import date
from pathlib import Path

import pytest

from server.x12.reader import X12ReadError
from server.x12.reader835 import check_balanced, read_835
from server.x12.segments import clean, digits
from server.x12.writer835 import Address, Adjustment, ClaimPayment, Person, ProviderAdjustment, Remittance, write_835
from tests.unit.test_x12_writers import (
    DENIED_AUTH,
    ONE_LINE_DENIED,
    PAID_IN_FULL,
    PARTIAL,
    claim,
    line,
    remit_shapes,
    remittance,
)

SAMPLES = Path(__file__).parents[1] / "fixtures" / "x12" / "835"
ACK_999 = Path(__file__).parents[1] / "fixtures" / "x12" / "999" / "her_999_accepted.999"


def _shapes() -> dict[str, Remittance]:
    shapes = remit_shapes()
    shapes["recoupment and interest"] = remittance(
        PAID_IN_FULL, PARTIAL, DENIED_AUTH, ONE_LINE_DENIED,
        provider_adjustments=(ProviderAdjustment("FB", 1500, "ICN0099"), ProviderAdjustment("WO", 700),
                              ProviderAdjustment("L6", -112, "PCN-0001")))
    shapes["remarks, deductible and coinsurance"] = remittance(claim("PCN-0010", "1", (
        line("99213", 15000, 6000, Adjustment("PR", "1", 5000), Adjustment("CO", "45", 2000),
             Adjustment("PR", "2", 2000, 1), remarks=("N130", "MA01")),
    ), remarks=("MA15", "N4"), received_on=date(2026, 10, 5), subscriber=Person("Roe", "Rick", "Q", "JR", "XZ99")))
    return shapes


# -- what the writer changes on the way out, applied to the input so it can be compared with what is read back ----

def _address(a: Address) -> Address:
    return Address(clean(a.line1, 55), clean(a.city, 30), a.state.strip().upper(), digits(a.zip), clean(a.line2, 55))


def _person(p: Person) -> Person:
    return Person(clean(p.last, 60), clean(p.first, 35), clean(p.middle, 25), clean(p.suffix, 10),
                  p.member_id.strip().upper())


def _regrouped(adjustments: tuple[Adjustment, ...]) -> tuple[Adjustment, ...]:
    # CAS segments go per group code, in the order the groups first appear.
    groups: dict[str, list[Adjustment]] = {}
    for a in adjustments:
        groups.setdefault(a.group, []).append(a)
    return tuple(a for same in groups.values() for a in same)


def _claim_as_written(c: ClaimPayment) -> ClaimPayment:
    responsibility = sum(a.amount_cents for a in (*c.adjustments, *(a for x in c.lines for a in x.adjustments))
                         if a.group == "PR")
    lines = tuple(dataclasses.replace(
        x, adjustments=_regrouped(x.adjustments),
        service_end=None if x.service_end == x.service_date else x.service_end) for x in c.lines)
    rendering = c.rendering and dataclasses.replace(c.rendering, last=clean(c.rendering.last, 60),
                                                    first=clean(c.rendering.first, 35))
    return dataclasses.replace(
        c, patient=_person(c.patient), subscriber=c.subscriber and _person(c.subscriber), rendering=rendering,
        lines=lines,
        adjustments=_regrouped(c.adjustments),
        # CLP05 is the PR total, left empty when it is 0.
        patient_responsibility_cents=responsibility or None)


def as_written(r: Remittance) -> Remittance:
    """`r` with the writer's normalisations: free text cleaned (upper case), phone/ZIP/EIN as digits, BPR01 filled
    in, PLB02 defaulted to December 31, CLP05 computed, CAS regrouped, DTM*472 for a one-day range, GS05 to the
    minute."""
    payer, payee = r.payer, r.payee
    return dataclasses.replace(
        r,
        envelope=dataclasses.replace(r.envelope, created_at=r.envelope.created_at.replace(second=0, microsecond=0)),
        payer=dataclasses.replace(payer, name=clean(payer.name, 60), address=_address(payer.address),
                                  tax_id=digits(payer.tax_id), contact_phone=digits(payer.contact_phone),
                                  contact_name=clean(payer.contact_name, 60),
                                  contact_email=clean(payer.contact_email, 256)),
        payee=dataclasses.replace(payee, name=clean(payee.name, 60), tax_id=digits(payee.tax_id),
                                  address=payee.address and _address(payee.address)),
        handling=r.handling or ("H" if r.payment_method == "NON" else "I"),
        fiscal_period_end=(r.fiscal_period_end or date(r.payment_date.year, 12, 31)) if r.provider_adjustments
        else None,
        claims=tuple(_claim_as_written(c) for c in r.claims))


@pytest.mark.parametrize("shape", list(_shapes()))
def test_what_the_writer_writes_reads_back(shape: str) -> None:
    original = _shapes()[shape]
    assert read_835(write_835(original)) == (as_written(original),)


def test_the_shapes_cover_the_cases() -> None:
    claims = [c for r in _shapes().values() for c in r.claims]
    statuses = {c.status for c in claims}
    assert {"1", "2", "4", "22"} <= statuses
    assert any(c.subscriber is not None for c in claims) and any(not c.lines for c in claims)
    reasons = {(a.group, a.reason) for c in claims for x in c.lines for a in x.adjustments}
    assert {("PR", "1"), ("PR", "2")} <= reasons
    plb = {a.reason for r in _shapes().values() for a in r.provider_adjustments}
    assert {"L6", "WO", "FB"} <= plb


def test_several_sets_and_interchanges_in_one_file() -> None:
    shapes = _shapes()
    first = write_835(shapes["paid in full"])
    second = write_835(dataclasses.replace(shapes["reversal and correction"], envelope=dataclasses.replace(
        shapes["reversal and correction"].envelope, transaction_control_number=42)))
    # Two sets in one group: the second's ST..SE moved into the first's group, GE01 counting both.
    body = re.search(r"ST\*835.*?SE\*[^~]*~\n", second, re.S)
    assert body is not None
    one_group = first.replace("GE*1*", body.group(0) + "GE*2*")
    read = read_835(one_group)
    assert [r.envelope.transaction_control_number for r in read] == [41, 42]
    assert read[1].claims[0].status == "22" and read[1].claims[0].paid_cents == -8000
    assert len(read_835(first + second)) == 2


def test_balance_check() -> None:
    r = _shapes()["recoupment and interest"]
    assert check_balanced(r) is None
    message = check_balanced(dataclasses.replace(r, payment_cents=r.payment_cents + 1))
    assert message is not None and "BPR02" in message and "off by 0.01" in message


# -- the public samples (tests/fixtures/x12/SOURCES.md) ------------------------------------------------------------

ACCEPTED = ["e835_emedny_sample.835", "e835_united_healthcare_legacy_sample.835", "her_835_inpatient_drg_retro.835",
            "her_835_institutional_only_2014.835", "her_835_outpatient_retro.835", "her_835_pharmacy_2014.835",
            "her_835_prof_no_payment_2014.835", "pyx12_835_mult_loops.835"]


@pytest.mark.parametrize("name", ACCEPTED)
def test_every_accepted_sample_balances(name: str) -> None:
    remittances = read_835((SAMPLES / name).read_bytes())
    assert remittances and all(check_balanced(r) is None for r in remittances)


def test_sample_facts() -> None:
    [emedny] = read_835((SAMPLES / "e835_emedny_sample.835").read_bytes())
    assert (emedny.trace_number, emedny.payment_cents, emedny.payment_method) == ("10100000000", 4575, "ACH")
    assert len(emedny.claims) == 3 and emedny.claims[0].paid_cents == 3425
    assert emedny.payee_account is not None and emedny.payee_account.account == "22"

    [uhc] = read_835((SAMPLES / "e835_united_healthcare_legacy_sample.835").read_bytes())
    assert (uhc.trace_number, uhc.payment_cents, len(uhc.claims)) == ("1234567890", 34999, 2)
    first = uhc.claims[0]
    assert (first.control_number, first.charge_cents, first.paid_cents, first.patient_responsibility_cents) == \
        ("001-18573-358", 34128, 8892, 10526)
    assert uhc.payer.payer_id == "87726" and uhc.payee.npi == "1922164458"

    [retro] = read_835((SAMPLES / "her_835_inpatient_drg_retro.835").read_bytes())
    assert (retro.trace_number, retro.payment_cents, len(retro.claims)) == ("123456789012345", 157, 2)
    reversal, correction = retro.claims
    assert (reversal.status, reversal.paid_cents, reversal.remarks) == ("22", -62797, ("N689",))
    assert (correction.status, correction.paid_cents) == ("1", 62954)

    [pharmacy] = read_835((SAMPLES / "her_835_pharmacy_2014.835").read_bytes())
    assert pharmacy.payment_cents == 21965 and len(pharmacy.claims) == 3
    assert pharmacy.provider_adjustments == (ProviderAdjustment("WO", 399, "FCN#201001010000000"),)
    assert pharmacy.claims[0].lines[0].code_qualifier == "N4"

    [no_pay] = read_835((SAMPLES / "her_835_outpatient_retro.835").read_bytes())
    # A net debit carried forward: nothing paid, the PLB (negative: added back) balances the reversal.
    assert (no_pay.payment_method, no_pay.payment_cents) == ("NON", 0)
    assert no_pay.provider_adjustments[0].amount_cents == -2016 and check_balanced(no_pay) is None


# Refused samples, and why (the others in /work/shared/samples/x12/835 were not copied):
# * lfh_cob-contractual-adjustment, lfh_secondary-payment, lfh_tertiary-payment: BPR16 (payment date) missing;
#   lfh_managed-care: BPR16 is 20002316, not a date;
# * lfh_medicare-part-a: no PER*BL (the payer's technical contact the guide requires);
# * aff_nevada_medicaid: ISA not fixed width; aff_sample_835: SE01 segment count wrong; aff_sample_835_with_interests:
#   a stray non-segment at the end; e835_blue_cross_nc_sample_NO_ENVELOPE: no ISA/GS;
# * oop_835_5010_Example1_GS08-5010 and oop_835_5010_ExampleFromNth: UTF-8 BOM; without it, GS08 '5010' (not
#   005010X221A1) and SVC01 qualifier 'XX' (de-identification overwrote HC).
@pytest.mark.parametrize(("name", "where", "what"), [
    ("lfh_cob-contractual-adjustment.835", "segment 4 (line 4) BPR", "BPR16 must be a date"),
    ("lfh_medicare-part-a.835", "segment 11 (line 11) N1", "PER*BL"),
])
def test_refused_samples_name_the_segment(name: str, where: str, what: str) -> None:
    with pytest.raises(X12ReadError) as caught:
        read_835((SAMPLES / name).read_bytes())
    assert str(caught.value).startswith(where) and what in str(caught.value)


# -- broken input ---------------------------------------------------------------------------------------------------

def _written() -> str:
    return write_835(_shapes()["partially paid"])


def _inserted(text: str, before: str, segment: str) -> str:
    """`segment` added before the first `before`, SE01 counting it, so only the structure is wrong."""
    count = re.search(r"SE\*(\d+)\*", text)
    assert count is not None
    text = text.replace(count.group(0), f"SE*{int(count.group(1)) + 1}*")
    return text.replace(before, segment + "~\n" + before, 1)


def _refused(text: str) -> str:
    with pytest.raises(X12ReadError) as caught:
        read_835(text)
    return str(caught.value)


def test_truncated_file() -> None:
    text = _written()
    message = _refused(text[:text.index("SE*")])
    assert "truncated" in message and re.match(r"segment \d+ \(line \d+\)", message)


def test_bad_amount() -> None:
    text = _written().replace("CLP*PCN-0002*1*250*90*", "CLP*PCN-0002*1*12.3.4*90*")
    message = _refused(text)
    assert message.startswith("segment 18 (line 18) CLP") and "CLP03 must be an amount, got '12.3.4'" in message


def test_svc_before_clp() -> None:
    text = _written()
    svc = re.search(r"SVC\*[^~]*~\n", text)
    assert svc is not None
    # The first SVC moved to just after LX: a service line outside any claim.
    moved = text.replace(svc.group(0), "", 1).replace("LX*1~\n", "LX*1~\n" + svc.group(0))
    message = _refused(moved)
    assert message.startswith("segment 18 (line 18) SVC") and "expected CLP" in message


def test_clp_before_the_payee() -> None:
    text = _written()
    message = _refused(_inserted(text, "N1*PE*", "CLP*X*1*1*1**12*X"))
    assert " CLP: " in message and "N1*PE" in message


def test_unknown_segment_and_qualifier() -> None:
    assert "unexpected ZZZ segment" in _refused(_inserted(_written(), "CLP*", "ZZZ*1"))
    assert "REF01" in _refused(_written().replace("REF*6R*", "REF*QQ*"))


def test_a_999_is_not_an_835() -> None:
    message = _refused(ACK_999.read_text())
    assert message.startswith("segment 2 (line") and "GS01 is 'FA'" in message


def test_wrong_version() -> None:
    message = _refused(_written().replace("*005010X221A1", "*004010X091A1"))
    assert "GS08 is '004010X091A1'" in message and " GS:" in message

"""The simulated payer's decisions, figured by hand: allowed amounts, deductible, copay, coinsurance, denials."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

from server.payer_sim.adjudicate import Adjustment, Member, SimConfig, acknowledge, adjudicate, reversal_of
from server.payer_sim.read837 import Claim, Line

DOS = date(2026, 11, 2)


def a_claim(*lines: Line, **fields: object) -> Claim:
    values: dict[str, object] = {
        "control_number": "C7", "total_charge_cents": sum(li.charge_cents for li in lines), "place_of_service": "11",
        "frequency": "1", "payer_id": "60054", "payer_name": "AETNA", "member_id": "M1", "subscriber_last": "DOE",
        "subscriber_first": "JANE", "patient_last": "DOE", "patient_first": "JANE", "claim_filing_indicator": "CI",
        "responsibility": "P", "lines": list(lines)}
    values.update(fields)
    return Claim(**values)  # type: ignore[arg-type]


def a_line(code: str, cents: int, units: int = 1) -> Line:
    return Line(code, (), cents, units, DOS, f"7-{code}")


def test_contract_rate_then_deductible_copay_and_coinsurance() -> None:
    config = SimConfig(fee_schedule={"99214": 11_000})
    member = Member(deductible_remaining_cents=5_000, coinsurance_percent=20, copay_cents=2_500)
    decided = adjudicate(a_claim(a_line("99214", 18_000)), config, "P1", member)
    # Allowed $110: CO-45 $70; deductible $50 leaves $60; copay $25 leaves $35; coinsurance 20% = $7; paid $28.
    line = decided.lines[0]
    assert line.allowed_cents == 11_000 and line.paid_cents == 2_800
    assert line.adjustments == (Adjustment("CO", "45", 7_000), Adjustment("PR", "1", 5_000),
                                Adjustment("PR", "3", 2_500), Adjustment("PR", "2", 700))
    assert (decided.status_code, decided.paid_cents, decided.patient_responsibility_cents) == ("1", 2_800, 8_200)
    assert member.deductible_remaining_cents == 0  # the accumulator moved
    # Every line balances: charge = paid + adjustments.
    assert line.charge_cents == line.paid_cents + sum(a.amount_cents for a in line.adjustments)


def test_share_of_charge_and_one_copay_per_claim() -> None:
    config = SimConfig(allowed_percent=65)
    member = Member(coinsurance_percent=0, copay_cents=2_000)
    decided = adjudicate(a_claim(a_line("99213", 12_500), a_line("99212", 7_500), a_line("36415", 1_500)), config,
                         "P2", member)
    # 65% of $125 = $81.25; copay once, on the first visit line.
    assert [(li.allowed_cents, li.paid_cents) for li in decided.lines] == [(8_125, 6_125), (4_875, 4_875),
                                                                           (975, 975)]


def test_uncovered_codes_and_missing_authorizations_are_denied_with_their_codes() -> None:
    config = SimConfig()
    decided = adjudicate(a_claim(a_line("99406", 2_500), a_line("20610", 15_000)), config, "P3", Member())
    assert [(li.adjustments, li.remarks, li.paid_cents) for li in decided.lines] == [
        ((Adjustment("CO", "96", 2_500),), ("N130",), 0), ((Adjustment("CO", "197", 15_000),), ("M62",), 0)]
    assert decided.status_code == "4"
    authorized = adjudicate(a_claim(a_line("20610", 15_000), prior_authorization="AUTH1"), config, "P4", Member())
    assert authorized.lines[0].paid_cents > 0


def test_front_end_rejections() -> None:
    config = SimConfig(members={"M1": Member()}, reject_unknown_members=True)
    assert acknowledge(a_claim(a_line("99213", 100)), config, DOS, "P5").accepted
    unknown = acknowledge(a_claim(a_line("99213", 100), member_id="NOPE"), config, DOS, "P6")
    assert (unknown.accepted, unknown.status) == (False, "A3:33:IL")
    ended = acknowledge(a_claim(a_line("99213", 100)), replace(config, members={"M1": Member(active=False)}), DOS,
                        "P7")
    assert (ended.accepted, ended.status) == (False, "A3:52:IL")
    future = acknowledge(a_claim(a_line("99213", 100)), config, date(2026, 11, 1), "P8")
    assert (future.accepted, future.status) == (False, "A7:187")
    replacement = acknowledge(a_claim(a_line("99213", 100), frequency="7"), config, DOS, "P9")
    assert (replacement.accepted, replacement.status) == (False, "A7:464")


def test_a_reversal_negates_every_amount() -> None:
    decided = adjudicate(a_claim(a_line("99213", 12_500)), SimConfig(), "P10", Member(coinsurance_percent=20))
    back = reversal_of(decided)
    assert (back.status_code, back.paid_cents, back.charge_cents) == ("22", -decided.paid_cents, -12_500)
    assert back.lines[0].adjustments[0].amount_cents == -decided.lines[0].adjustments[0].amount_cents

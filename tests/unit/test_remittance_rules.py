"""ERA posting rules: service matching that survives dropped and reordered modifiers but never guesses, what each
claim payment posts, and what a denial asks of the biller."""

from __future__ import annotations

from datetime import date

from server.remittances import rules
from server.x12.writer835 import Adjustment, ClaimPayment, Person, ServicePayment

DOS = date(2026, 3, 2)
BILLED = [rules.BilledLine(1, "99214", ("25",), 18000), rules.BilledLine(2, "96372", (), 3500),
          rules.BilledLine(3, "96372", ("59",), 3500)]


def svc(code: str, charge: int, paid: int, *adjustments: Adjustment, control: str = "",
        modifiers: tuple[str, ...] = ()) -> ServicePayment:
    return ServicePayment(code, charge, paid, DOS, adjustments=adjustments, control_number=control,
                          modifiers=modifiers)


def clp(status: str, *lines: ServicePayment, adjustments: tuple[Adjustment, ...] = (), **amounts: int
        ) -> ClaimPayment:
    charge = amounts.get("charge", sum(x.charge_cents for x in lines))
    paid = amounts.get("paid", sum(x.paid_cents for x in lines) - sum(a.amount_cents for a in adjustments))
    return ClaimPayment("C7", status, charge, paid, "12", "P1", Person("Doe", "Jane"), adjustments=adjustments,
                        lines=lines)


def test_our_line_control_number_wins_over_codes() -> None:
    assert rules.match_lines(7, BILLED, [svc("96372", 3500, 0, control="7-3"), svc("96372", 3500, 0, control="7-2")]
                             ) == [3, 2]


def test_a_dropped_modifier_still_matches_when_the_code_is_on_one_line() -> None:
    assert rules.match_lines(7, BILLED, [svc("99214", 18000, 0)]) == [1]


def test_a_code_on_two_lines_needs_its_modifiers_in_any_order() -> None:
    assert rules.match_lines(7, BILLED, [svc("96372", 3500, 0, modifiers=("59",)), svc("96372", 3500, 0)]) == [3, 2]
    assert "matches no single line" in str(rules.match_lines(7, BILLED, [svc("96372", 3500, 0, modifiers=("XU",))]))
    # Another claim's control number is not ours to trust; nor is a line matched twice.
    assert "matches no single line" in str(rules.match_lines(
        7, BILLED, [svc("99214", 18000, 0), svc("99214", 18000, 0)]))


def test_a_partial_payment_splits_into_paid_off_the_bill_and_patient() -> None:
    plan = rules.plan_claim(7, BILLED[:2], clp(
        "1", svc("99214", 18000, 7000, Adjustment("CO", "45", 6000), Adjustment("PR", "1", 4000),
                 Adjustment("PR", "2", 1000)), svc("96372", 3500, 3500)))
    assert plan.exception == "" and plan.claim_status == "paid"
    assert (plan.paid_cents, plan.contractual_cents, plan.patient_cents, plan.denied_cents) == (10500, 6000, 5000, 0)


def test_a_service_with_nothing_paid_and_nothing_to_the_patient_is_a_denial() -> None:
    plan = rules.plan_claim(7, BILLED[:2], clp(
        "1", svc("99214", 18000, 12000, Adjustment("CO", "45", 6000)),
        svc("96372", 3500, 0, Adjustment("CO", "50", 3500))))
    assert plan.claim_status == "partially_paid" and plan.denied_cents == 3500 and plan.contractual_cents == 6000
    assert plan.services[1].reasons == ("CO-50",)
    # All to the deductible is not a denial: the patient owes it.
    owed = rules.plan_claim(7, BILLED[1:2], clp("1", svc("96372", 3500, 0, Adjustment("PR", "1", 3500))))
    assert owed.claim_status == "paid" and owed.patient_cents == 3500 and owed.denied_cents == 0
    denied = rules.plan_claim(7, BILLED[:2], clp("4", adjustments=(Adjustment("CO", "197", 21500),),
                                                 charge=21500, paid=0))
    assert denied.claim_status == "denied" and denied.denied_cents == 21500


def test_what_does_not_add_up_or_differs_from_the_bill_is_an_exception() -> None:
    uneven = rules.plan_claim(7, BILLED[1:2], clp("1", svc("96372", 3500, 3000)))
    assert "does not add up" in uneven.exception
    other_charge = rules.plan_claim(7, BILLED[1:2], clp("1", svc("96372", 4000, 4000)))
    assert other_charge.exception == "service 1 (96372) reports a charge of 40.00; line 2 was billed at 35.00"
    assert "not one this system posts" in rules.plan_claim(7, BILLED, clp("99", svc("99214", 18000, 18000))).exception


def test_a_reversal_mirrors_and_sends_the_claim_back_to_waiting() -> None:
    plan = rules.plan_claim(7, BILLED[:1], clp("22", svc("99214", -18000, -12000, Adjustment("CO", "45", -6000))))
    assert plan.exception == "" and plan.claim_status == "accepted"
    assert (plan.paid_cents, plan.contractual_cents) == (-12000, -6000)


def test_suggested_actions_follow_the_first_reason_that_has_one() -> None:
    assert rules.suggested_action(["CO-16"]) == "correct_and_resubmit"
    assert rules.suggested_action(["OA-999", "CO-29"]) == "write_off"
    assert rules.suggested_action(["PR-96"]) == "bill_patient"
    assert rules.suggested_action(["CO-999"]) == "appeal"

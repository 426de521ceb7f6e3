"""The client's own small pieces of logic, without a screen: reading typed text, mapping violations, stale saves."""

from __future__ import annotations

import pytest
from google.type.date_pb2 import Date

from client_tui import formatting
from client_tui.form_values import explain, reconcile
from client_tui.patient_values import LABELS, build_patient, form_key, read_patient
from client_tui.policy_values import build_policy, read_policy
from client_tui.typed_values import UnreadableValue, cents_from_dollars, date_from_text
from shared.pms.common.v1 import contact_pb2
from shared.pms.insurance.v1 import insurance_pb2

from .fake_front_desk import flat
from .fake_gateway import FakeGateway


@pytest.mark.parametrize(
    "typed",
    ["04/12/1985", "4/12/1985", "1985-04-12", "04121985", "4-12-1985"],
)
def test_dates_are_read_in_the_ways_people_type_them(typed: str) -> None:
    assert date_from_text(typed) == Date(year=1985, month=4, day=12)


def test_an_impossible_date_goes_to_the_server_but_words_do_not() -> None:
    assert date_from_text("02/30/2020") == Date(year=2020, month=2, day=30)  # the server says it is not a day
    assert date_from_text("  ") is None
    with pytest.raises(UnreadableValue):
        date_from_text("April 12")


@pytest.mark.parametrize(
    ("typed", "cents"),
    [("25", 2500), ("25.5", 2550), ("$1,250.00", 125_000), (".75", 75), ("", 0), ("-5", -500)],
)
def test_dollars_become_cents_without_floats(typed: str, cents: int) -> None:
    assert cents_from_dollars(typed) == cents


@pytest.mark.parametrize("typed", ["25.555", "twenty", "1.2.3", "5-"])
def test_text_that_is_not_dollars_is_refused(typed: str) -> None:
    with pytest.raises(UnreadableValue):
        cents_from_dollars(typed)


def test_a_phone_violation_names_the_phone_that_was_sent_at_that_index() -> None:
    values = read_patient(None)
    values.update({"patient.name.last": "Doe", "patient.phones.work": "555 0101", "patient.phones.home": "555 0102"})
    patient, sent = build_patient(values, None)
    assert [(p.type, p.number) for p in patient.phones] == [
        (contact_pb2.PHONE_TYPE_HOME, "555 0102"),
        (contact_pb2.PHONE_TYPE_WORK, "555 0101"),
    ]
    assert form_key("patient.phones[1].number", sent) == "patient.phones.work"
    assert form_key("patient.address.zip", sent) == "patient.address.zip"
    assert form_key("patient.phones", sent) == "patient.phones.mobile"


def test_a_patient_survives_the_round_trip_through_the_form() -> None:
    fake = FakeGateway()
    maria = fake.patients[1]
    rebuilt, _sent = build_patient(read_patient(maria), maria)
    assert rebuilt == maria
    emily = fake.patients[4]  # a guarantor who is not the patient
    rebuilt, _sent = build_patient(read_patient(emily), emily)
    assert rebuilt.guarantor == emily.guarantor


def test_a_policy_survives_the_round_trip_and_self_drops_the_subscriber() -> None:
    fake = FakeGateway()
    child_policy = fake.policies[5]
    values = read_policy(fake._policy_view(child_policy))
    assert values["policy.subscriber.date_of_birth"] == "01/15/1990"
    rebuilt = build_policy(values, child_policy, child_policy.patient_id)
    assert flat(rebuilt) == flat(child_policy)
    values["policy.subscriber_relationship"] = "18"
    values["policy.copay_cents"] = "30"
    rebuilt = build_policy(values, child_policy, child_policy.patient_id)
    assert not rebuilt.HasField("subscriber") and rebuilt.copay_cents == 3000
    assert isinstance(rebuilt, insurance_pb2.Policy)


def test_a_stale_save_takes_what_only_they_changed_and_keeps_what_you_changed() -> None:
    started = {"patient.email": "a@x", "patient.address.line1": "1 Oak", "patient.alerts": ""}
    theirs = {"patient.email": "b@x", "patient.address.line1": "2 Elm", "patient.alerts": ""}
    mine = {"patient.email": "c@x", "patient.address.line1": "1 Oak", "patient.alerts": "VIP"}
    result = reconcile(started, theirs, mine)
    assert result.theirs_taken == {"patient.address.line1": "2 Elm"}
    assert result.both_changed == ["patient.email"]
    said = explain(result, LABELS, "this patient")
    assert "They changed address line 1: their values are now in the form." in said
    assert "They also changed email, which you changed too: your values are kept." in said


def test_ages_count_whole_years_and_months_for_infants() -> None:
    assert formatting.age(Date(year=1985, month=11, day=4)) == "40"  # today is pinned to 11/03/2026
    assert formatting.age(Date(year=1985, month=11, day=3)) == "41"
    assert formatting.age(Date(year=2025, month=6, day=2)) == "17 mo"
    assert formatting.phone("+16145550134") == "(614) 555-0134"
    assert formatting.phone("614 555") == "614 555"

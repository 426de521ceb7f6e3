"""An insurance policy as the policy form's values, and back (keys are the server's field paths)."""

from __future__ import annotations

from client_tui import formatting
from client_tui.choices import RELATIONSHIP_SELF, SEX_BY_LETTER, SEX_LETTERS
from client_tui.form_values import FormValues, UnreadableField
from client_tui.typed_values import UnreadableValue, cents_from_dollars, date_from_text, dollars_text, whole_number
from shared.pms.insurance.v1 import insurance_pb2

TEXT_FIELDS = [
    "plan_name",
    "member_id",
    "group_number",
    "subscriber_relationship",
    "benefit_notes",
    "medicare_secondary_type",
]
SUBSCRIBER_TEXT_FIELDS = [
    "name.last",
    "name.first",
    "name.middle",
    "address.line1",
    "address.line2",
    "address.city",
    "address.state",
    "address.zip",
]
DATE_FIELDS = ["effective_date", "termination_date"]
MONEY_FIELDS = ["copay_cents", "deductible_cents"]
FLAG_FIELDS = ["accept_assignment", "signature_on_file"]

LABELS: dict[str, str] = {
    "policy.payer_id": "payer",
    "policy.plan_name": "plan",
    "policy.member_id": "member ID",
    "policy.group_number": "group number",
    "policy.subscriber_relationship": "relationship to the subscriber",
    "policy.subscriber.name.last": "subscriber's last name",
    "policy.subscriber.name.first": "subscriber's first name",
    "policy.subscriber.name.middle": "subscriber's middle name",
    "policy.subscriber.date_of_birth": "subscriber's date of birth",
    "policy.subscriber.sex": "subscriber's sex",
    "policy.subscriber.address.line1": "subscriber's address",
    "policy.subscriber.address.line2": "subscriber's address line 2",
    "policy.subscriber.address.city": "subscriber's city",
    "policy.subscriber.address.state": "subscriber's state",
    "policy.subscriber.address.zip": "subscriber's ZIP",
    "policy.effective_date": "effective date",
    "policy.termination_date": "termination date",
    "policy.copay_cents": "copay",
    "policy.coinsurance_percent": "coinsurance",
    "policy.deductible_cents": "deductible",
    "policy.benefit_notes": "benefit notes",
    "policy.medicare_secondary_type": "Medicare secondary type",
    "policy.accept_assignment": "accept assignment",
    "policy.signature_on_file": "signature on file",
}


def _subscriber_part(subscriber: insurance_pb2.Subscriber, path: str) -> str:
    holder_name, name = path.split(".")
    value: str = getattr(getattr(subscriber, holder_name), name)
    return value


def read_policy(policy: insurance_pb2.Policy | None) -> FormValues:
    """The form's values for ``policy``; for None (adding), what a new policy form starts with."""
    record = policy or insurance_pb2.Policy(
        subscriber_relationship=RELATIONSHIP_SELF, accept_assignment=True, signature_on_file=True
    )
    values: FormValues = {"policy.payer_id": record.payer_id}
    for name in TEXT_FIELDS + FLAG_FIELDS:
        values[f"policy.{name}"] = getattr(record, name)
    for path in SUBSCRIBER_TEXT_FIELDS:
        values[f"policy.subscriber.{path}"] = _subscriber_part(record.subscriber, path)
    values["policy.subscriber.date_of_birth"] = formatting.calendar_date(record.subscriber.date_of_birth)
    values["policy.subscriber.sex"] = SEX_LETTERS.get(record.subscriber.sex, "")
    for name in DATE_FIELDS:
        values[f"policy.{name}"] = formatting.calendar_date(getattr(record, name))
    for name in MONEY_FIELDS:
        values[f"policy.{name}"] = dollars_text(getattr(record, name))
    values["policy.coinsurance_percent"] = str(record.coinsurance_percent) if record.coinsurance_percent else ""
    return values


def build_policy(
    values: FormValues, started_from: insurance_pb2.Policy | None, patient_id: int
) -> insurance_pb2.Policy:
    """The request's Policy from the form. Raises ``UnreadableField`` for text that is not a number or date."""
    policy = insurance_pb2.Policy()
    if started_from is not None:
        policy.CopyFrom(started_from)  # id, version, priority and what the form does not show
    policy.patient_id = patient_id
    policy.payer_id = int(values["policy.payer_id"])
    for name in TEXT_FIELDS:
        setattr(policy, name, str(values[f"policy.{name}"]))
    for name in FLAG_FIELDS:
        setattr(policy, name, bool(values[f"policy.{name}"]))
    for name in DATE_FIELDS:
        _set_date(policy, name, values, f"policy.{name}")
    for name in MONEY_FIELDS:
        key = f"policy.{name}"
        try:
            setattr(policy, name, cents_from_dollars(str(values[key])))
        except UnreadableValue as error:
            raise UnreadableField(key, str(error)) from None
    try:
        policy.coinsurance_percent = whole_number(str(values["policy.coinsurance_percent"]))
    except UnreadableValue as error:
        raise UnreadableField("policy.coinsurance_percent", str(error)) from None

    if policy.subscriber_relationship == RELATIONSHIP_SELF:
        policy.ClearField("subscriber")  # the patient is the subscriber
        return policy
    subscriber = policy.subscriber
    for path in SUBSCRIBER_TEXT_FIELDS:
        holder_name, name = path.split(".")
        setattr(getattr(subscriber, holder_name), name, str(values[f"policy.subscriber.{path}"]))
    subscriber.sex = SEX_BY_LETTER.get(str(values["policy.subscriber.sex"]).upper(), 0)  # type: ignore[assignment]
    _set_date(subscriber, "date_of_birth", values, "policy.subscriber.date_of_birth")
    return policy


def _set_date(holder: insurance_pb2.Policy | insurance_pb2.Subscriber, name: str, values: FormValues, key: str) -> None:
    try:
        typed = date_from_text(str(values[key]))
    except UnreadableValue as error:
        raise UnreadableField(key, str(error)) from None
    if typed is None:
        holder.ClearField(name)  # type: ignore[arg-type]
    else:
        getattr(holder, name).CopyFrom(typed)

"""From claims in the database to the values of an 837P batch (server/x12/claim837.py): read when the file is
written, so a corrected address goes out with the next file; the lines are the claim's own (frozen)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from server.claims import gather
from server.claims.models import BillingSetup
from server.x12 import claim837 as x

RESPONSIBILITY = {"P": "P", "S": "S", "T": "T"}


def _zip(value: str) -> str:
    return value.replace("-", "").strip()


def _address(line1: str, line2: str, city: str, state: str, zip_code: str) -> x.Address | None:
    if not line1.strip():
        return None
    return x.Address(line1=line1, line2=line2, city=city, state=state, zip=_zip(zip_code))


def _patient(h: Any) -> x.Person:
    return x.Person(last=h.last_name, first=h.first_name, middle=h.middle_name, suffix=h.suffix,
                    birth_date=h.date_of_birth, sex=h.sex,
                    address=_address(h.address_line1, h.address_line2, h.city, h.state, h.zip))


def _subscriber_person(data: dict[str, Any]) -> x.Person:
    name, addr = data.get("name") or {}, data.get("address") or {}
    born = data.get("date_of_birth") or ""
    return x.Person(last=name.get("last", ""), first=name.get("first", ""), middle=name.get("middle", ""),
                    suffix=name.get("suffix", ""), birth_date=date.fromisoformat(born) if born else None,
                    sex=data.get("sex", "U"),
                    address=_address(addr.get("line1", ""), addr.get("line2", ""), addr.get("city", ""),
                                     addr.get("state", ""), addr.get("zip", "")))


def same_place(h: Any, setup_line1: str, setup_zip: str) -> bool:
    """Whether the visit's location is the billing provider's address (then 2310C is left out)."""
    return (h.location_line1.strip().upper() == setup_line1.strip().upper()
            and _zip(h.location_zip)[:5] == _zip(setup_zip)[:5])


def _adjustments(items: list[dict[str, Any]]) -> tuple[x.Adjustment, ...]:
    return tuple(x.Adjustment(a["group"], a["reason"], a["amount_cents"], a.get("quantity", 0)) for a in items)


def other_payer(prior: Any, patient: x.Person) -> x.OtherPayer:
    """Loops 2320/2330/2430 from the prior payer's ERA as it was posted (server/remittances)."""
    detail, plan = prior.detail, prior.plan
    is_self = prior.relationship == "18"
    line_numbers = [s[0] for s in plan.get("services", [])]
    return x.OtherPayer(
        subscriber=x.Subscriber(
            person=patient if is_self else _subscriber_person(prior.subscriber or {}), member_id=prior.member_id,
            responsibility="P", claim_filing_indicator=prior.claim_filing_indicator,
            group_number=prior.group_number, plan_name="" if prior.group_number else prior.plan_name),
        relationship=prior.relationship,
        payer=x.PayerName(name=prior.payer_name, payer_id=prior.electronic_payer_id),
        paid_cents=detail["paid_cents"], adjudicated_on=prior.payment_date,
        claim_adjustments=_adjustments(detail.get("adjustments", [])),
        lines=tuple(x.LineAdjudication(
            payer_id=prior.electronic_payer_id, procedure_code=svc["procedure_code"],
            modifiers=tuple(svc.get("modifiers", [])), paid_cents=svc["paid_cents"],
            paid_units=max(1, svc.get("units_milli", 1000) // 1000), adjudicated_on=prior.payment_date,
            adjustments=_adjustments(svc.get("adjustments", [])),
            line_number=(line_numbers[i] or 0) if i < len(line_numbers) else 0)
            for i, svc in enumerate(detail.get("lines", []))))


def claim_values(h: Any, lines: list[Any], setup: BillingSetup, prior: Any = None) -> x.Claim:
    is_self = h.relationship == "18"
    patient = _patient(h)
    subscriber = x.Subscriber(
        person=patient if is_self else _subscriber_person(h.subscriber or {}), member_id=h.member_id,
        responsibility=RESPONSIBILITY[h.responsibility], claim_filing_indicator=h.claim_filing_indicator,
        group_number=h.group_number, plan_name="" if h.group_number else h.plan_name,
        # SBR05 only when Medicare is secondary (the MSP type); a primary claim leaves it empty.
        insurance_type=h.medicare_secondary_type if h.responsibility != "P" else "")
    facility = None
    if h.location_line1 and not same_place(h, setup.address_line1, setup.zip):
        facility = x.ServiceFacility(name=h.location_name, address=x.Address(
            line1=h.location_line1, line2=h.location_line2, city=h.location_city, state=h.location_state,
            zip=_zip(h.location_zip)))
    return x.Claim(
        control_number=f"C{h.id}", total_charge_cents=sum(li.charge_cents for li in lines),
        place_of_service=h.place_of_service, frequency=h.frequency, subscriber=subscriber,
        payer=x.PayerName(name=h.payer_name, payer_id=h.electronic_payer_id,
                          address=_address(h.payer_line1, h.payer_line2, h.payer_city, h.payer_state, h.payer_zip)),
        diagnoses=tuple(h.diagnoses),
        lines=tuple(x.ServiceLine(
            procedure_code=li.code, charge_cents=li.charge_cents, units_milli=li.units * 1000,
            dx_pointers=tuple(li.dx_pointers), service_date=h.date_of_service, modifiers=tuple(li.modifiers),
            ndc=li.ndc, ndc_quantity_milli=li.ndc_quantity_milli, ndc_unit=li.ndc_unit,
            control_number=f"{h.id}-{li.line_number}") for li in lines),
        rendering=x.ProviderName(last=h.rendering_last, first=h.rendering_first, npi=h.rendering_npi,
                                 taxonomy=h.rendering_taxonomy),
        patient=None if is_self else patient, patient_relationship="" if is_self else h.relationship,
        referring=_referring(h), supervising=x.ProviderName(last=h.supervising_last, first=h.supervising_first,
                                                            npi=h.supervising_npi)
        if h.supervising_npi else None,
        facility=facility, provider_signature=True, accept_assignment=h.accept_assignment,
        benefits_assigned=h.accept_assignment, release_of_information="Y" if h.signature_on_file else "I",
        original_claim_number=h.replaced_payer_claim_number or "", prior_authorization=h.prior_authorization,
        other_payers=(other_payer(prior, patient),) if prior is not None else ())


def _referring(h: Any) -> x.ProviderName | None:
    if not h.referring_provider_npi:
        return None
    last, _, first = h.referring_provider_name.partition(",")
    if not first:
        # "Jane Smith" as typed: the last word is the last name.
        words = h.referring_provider_name.split()
        last, first = (words[-1], " ".join(words[:-1])) if len(words) > 1 else (h.referring_provider_name, "")
    return x.ProviderName(last=last.strip(), first=first.strip(), npi=h.referring_provider_npi)


async def batch_values(db: AsyncSession, practice_id: int, setup: BillingSetup, claim_ids: list[int],
                       interchange: int, created_at: datetime) -> x.Batch:
    heads = await gather.headers(db, practice_id, claim_ids)
    lines = await gather.lines(db, practice_id, claim_ids)
    prior = await gather.prior_payers(db, practice_id, claim_ids)
    address = x.Address(line1=setup.address_line1, line2=setup.address_line2, city=setup.city, state=setup.state,
                        zip=setup.zip)
    return x.Batch(
        interchange_control_number=interchange, group_control_number=interchange,
        transaction_control_number=interchange, created_at=created_at, usage=setup.usage,
        sender_id=setup.submitter_id, receiver_id=setup.receiver_id,
        submitter=x.Submitter(name=setup.organization_name, identifier=setup.submitter_id,
                              contact_name=setup.contact_name, phone=setup.phone),
        receiver=x.Receiver(name=setup.receiver_name, identifier=setup.receiver_id),
        billing_provider=x.BillingProvider(organization_name=setup.organization_name, npi=setup.npi,
                                           tax_id=setup.tax_id, taxonomy=setup.taxonomy, address=address,
                                           contact_name=setup.contact_name, phone=setup.phone),
        claims=tuple(claim_values(h, lines.get(h.id, []), setup, prior.get(h.id)) for h in heads),
        reference=f"B{interchange}")

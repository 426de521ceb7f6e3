"""The gateway's eligibility and claim-form calls against the real server over mutual TLS: a check asked shows in the
patient's list (queued or sent until the payer answers), and PrintClaims' stream is collected into one PDF."""

from __future__ import annotations

from datetime import date, timedelta

from client_tui.grpc_gateway import GrpcGateway
from shared import dates
from shared.pms.claims.v1 import claims_pb2 as cl
from shared.pms.encounters.v1 import encounters_pb2 as en
from shared.pms.insurance.v1 import insurance_pb2
from tests.builders import a_location, a_patient, a_payer, a_policy, a_provider
from tests.support import RunningServer

from .test_claims_with_server import SETUP


async def test_eligibility_and_claim_forms_through_the_gateway(server: RunningServer) -> None:
    await server.add_user("elig-boss", ["manager"], "manager-password-123")
    gw = GrpcGateway(await server.enroll("tui-real-elig"))
    try:
        await gw.login("elig-boss", "manager-password-123")
        await gw.update_billing_setup(SETUP)
        location = await gw.save_location(a_location("Eligibility Street Office"))
        provider = await gw.save_provider(a_provider("Elle", "Igible", serial=9094))
        patient = (await gw.register_patient(a_patient("Eli", "Gibson", date(1970, 3, 4)))).patient
        payer = await gw.create_payer(a_payer("Eligible Health", "ELG26"))
        policy = await gw.add_policy(a_policy(patient.patient_id, payer.payer_id, "ELG-123456"))

        asked = await gw.check_eligibility([policy.policy_id])
        assert [c.policy_id for c in asked] == [policy.policy_id]
        assert asked[0].status in (insurance_pb2.ELIGIBILITY_STATUS_QUEUED, insurance_pb2.ELIGIBILITY_STATUS_SENT)
        listed = await gw.list_eligibility_checks(patient.patient_id)
        assert asked[0].check_id in [c.check_id for c in listed]
        assert await gw.list_eligibility_checks(patient.patient_id, policy_id=policy.policy_id, limit=1)
        tomorrow = await gw.check_tomorrows_eligibility()  # nobody of this patient's is booked tomorrow
        assert policy.policy_id not in [c.policy_id for c in tomorrow]

        made = await gw.create_encounter(en.Encounter(
            patient_id=patient.patient_id, rendering_provider_id=provider.provider_id,
            location_id=location.location_id, date_of_service=dates.to_pb(date.today() - timedelta(days=2)),
            diagnoses=[en.Diagnosis(code="Z23")],
            lines=[en.ServiceLine(code="G0008", units=1, dx_pointers=[1], fee_cents=3_500)]))
        await gw.mark_ready_to_bill(made.encounter_id, made.version)
        claim_id = (await gw.create_claims([made.encounter_id]))[0].claim_id
        printed = await gw.print_claims([claim_id], cl.FORM_MODE_FULL)
        assert printed.file_name and printed.pages >= 1
        assert printed.content.startswith(b"%PDF")
    finally:
        await gw.close()

"""ScheduleSetupService: what the schedule is made of."""

from __future__ import annotations

import grpc

from server.common import contact_rules
from server.errors import FieldErrors
from server.rpc.context import current_call
from server.scheduling import setup
from shared.pms.scheduling.v1 import setup_pb2 as pb
from shared.pms.scheduling.v1 import setup_pb2_grpc

Ctx = grpc.aio.ServicerContext


class ScheduleSetupServicer(setup_pb2_grpc.ScheduleSetupServiceServicer):
    async def ListProviders(self, request: pb.ListProvidersRequest, context: Ctx) -> pb.ListProvidersResponse:
        ctx = current_call()
        rows = await setup.list_providers(ctx.db, ctx.practice_id, request.include_inactive)
        return pb.ListProvidersResponse(providers=[setup.provider_message(r) for r in rows])

    async def SaveProvider(self, request: pb.SaveProviderRequest, context: Ctx) -> pb.SaveProviderResponse:
        ctx = current_call()
        row = await setup.save_provider(ctx.db, ctx.practice_id, request.provider)
        ctx.audit.detail = f"provider_id={row.id}"
        return pb.SaveProviderResponse(provider=setup.provider_message(row))

    async def ListLocations(self, request: pb.ListLocationsRequest, context: Ctx) -> pb.ListLocationsResponse:
        ctx = current_call()
        rows = await setup.list_locations(ctx.db, ctx.practice_id, request.include_inactive)
        return pb.ListLocationsResponse(locations=[setup.location_message(r) for r in rows])

    async def SaveLocation(self, request: pb.SaveLocationRequest, context: Ctx) -> pb.SaveLocationResponse:
        ctx = current_call()
        row = await setup.save_location(ctx.db, ctx.practice_id, request.location)
        ctx.audit.detail = f"location_id={row.id}"
        return pb.SaveLocationResponse(location=setup.location_message(row))

    async def ListResources(self, request: pb.ListResourcesRequest, context: Ctx) -> pb.ListResourcesResponse:
        ctx = current_call()
        rows = await setup.list_resources(ctx.db, ctx.practice_id, request.location_id, request.include_inactive)
        return pb.ListResourcesResponse(resources=[setup.resource_message(r) for r in rows])

    async def SaveResource(self, request: pb.SaveResourceRequest, context: Ctx) -> pb.SaveResourceResponse:
        ctx = current_call()
        row = await setup.save_resource(ctx.db, ctx.practice_id, request.resource)
        ctx.audit.detail = f"resource_id={row.id}"
        return pb.SaveResourceResponse(resource=setup.resource_message(row))

    async def ListAppointmentTypes(self, request: pb.ListAppointmentTypesRequest, context: Ctx
                                   ) -> pb.ListAppointmentTypesResponse:
        ctx = current_call()
        return pb.ListAppointmentTypesResponse(appointment_types=await setup.list_appointment_types(
            ctx.db, ctx.practice_id, request.include_inactive))

    async def SaveAppointmentType(self, request: pb.SaveAppointmentTypeRequest, context: Ctx
                                  ) -> pb.SaveAppointmentTypeResponse:
        ctx = current_call()
        saved = await setup.save_appointment_type(ctx.db, ctx.practice_id, request.appointment_type)
        ctx.audit.detail = f"appointment_type_id={saved.appointment_type_id}"
        return pb.SaveAppointmentTypeResponse(appointment_type=saved)

    async def GetTemplate(self, request: pb.GetTemplateRequest, context: Ctx) -> pb.GetTemplateResponse:
        ctx = current_call()
        provider = await setup.get_row(ctx.db, setup.Provider, ctx.practice_id, request.provider_id, "provider")
        blocks = await setup.template_blocks(ctx.db, ctx.practice_id, [provider.id])
        return pb.GetTemplateResponse(blocks=[setup.block_message(b) for b in blocks],
                                      template_version=provider.template_version)

    async def SetTemplate(self, request: pb.SetTemplateRequest, context: Ctx) -> pb.SetTemplateResponse:
        ctx = current_call()
        provider = await setup.set_template(ctx.db, ctx.practice_id, request.provider_id, list(request.blocks),
                                            request.template_version)
        blocks = await setup.template_blocks(ctx.db, ctx.practice_id, [provider.id])
        ctx.audit.detail = f"provider_id={provider.id} blocks={len(blocks)}"
        return pb.SetTemplateResponse(blocks=[setup.block_message(b) for b in blocks],
                                      template_version=provider.template_version)

    async def ListExceptions(self, request: pb.ListExceptionsRequest, context: Ctx) -> pb.ListExceptionsResponse:
        ctx = current_call()
        errors = FieldErrors()
        first = contact_rules.calendar_date(errors, "from_date", request.from_date, required=False)
        last = contact_rules.calendar_date(errors, "to_date", request.to_date, required=False)
        errors.raise_if_any()
        rows = await setup.list_exceptions(ctx.db, ctx.practice_id, request.provider_id, first, last)
        return pb.ListExceptionsResponse(exceptions=[setup.exception_message(r) for r in rows])

    async def AddException(self, request: pb.AddExceptionRequest, context: Ctx) -> pb.AddExceptionResponse:
        ctx = current_call()
        row = await setup.add_exception(ctx.db, ctx.practice_id, ctx.session.user_id if ctx.session else None,
                                        request.exception)
        ctx.audit.detail = f"exception_id={row.id}"
        return pb.AddExceptionResponse(exception=setup.exception_message(row))

    async def RemoveException(self, request: pb.RemoveExceptionRequest, context: Ctx
                              ) -> pb.RemoveExceptionResponse:
        ctx = current_call()
        await setup.remove_exception(ctx.db, ctx.practice_id, request.exception_id)
        ctx.audit.detail = f"exception_id={request.exception_id}"
        return pb.RemoveExceptionResponse()

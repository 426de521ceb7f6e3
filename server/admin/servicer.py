"""AdminService: users, workstations and practice settings (no patient data)."""

from __future__ import annotations

from datetime import UTC, datetime

import grpc

from server.auth import users
from server.auth.models import User
from server.common import idempotency
from server.common.convert import ts
from server.pki.authority import CertificateAuthorityFiles
from server.practice import service as practice_service
from server.practice.models import Practice
from server.rpc.context import current_call
from server.security import ROLE_DESCRIPTIONS, ROLE_PERMISSIONS
from server.workstations import service as workstations
from server.workstations.models import Workstation
from server.workstations.service import ServerAddress
from shared.pms.admin.v1 import admin_pb2, admin_pb2_grpc


def user_message(u: User) -> admin_pb2.User:
    now = datetime.now(UTC)
    locked = u.locked_until is not None and u.locked_until > now
    return admin_pb2.User(
        user_id=u.id, username=u.username, display_name=u.display_name, roles=list(u.roles),
        disabled=u.disabled_at is not None, locked=locked, locked_until=ts(u.locked_until) if locked else None,
        totp_enabled=u.totp_secret_enc is not None, must_change_password=u.must_change_password,
        last_login_at=ts(u.last_login_at), created_at=ts(u.created_at), version=u.version,
    )


def workstation_message(w: Workstation) -> admin_pb2.Workstation:
    return admin_pb2.Workstation(
        workstation_id=w.id, name=w.name, certificate_serial=w.certificate_serial, issued_at=ts(w.issued_at),
        expires_at=ts(w.expires_at), revoked=w.revoked_at is not None, revoked_at=ts(w.revoked_at),
        revoked_reason=w.revoked_reason or "", last_seen_at=ts(w.last_seen_at),
    )


def settings_message(p: Practice) -> admin_pb2.PracticeSettings:
    return admin_pb2.PracticeSettings(practice_name=p.name, idle_timeout_minutes=p.idle_timeout_minutes,
                                      workstation_cert_days=p.workstation_cert_days, time_zone=p.time_zone,
                                      version=p.version)


class AdminServicer(admin_pb2_grpc.AdminServiceServicer):
    def __init__(self, ca_files: CertificateAuthorityFiles, server_address: ServerAddress) -> None:
        self.ca_files = ca_files
        self.server_address = server_address

    async def ListUsers(self, request: admin_pb2.ListUsersRequest, context: grpc.aio.ServicerContext
                        ) -> admin_pb2.ListUsersResponse:
        ctx = current_call()
        rows = await users.list_users(ctx.db, ctx.practice_id, request.include_disabled)
        return admin_pb2.ListUsersResponse(users=[user_message(u) for u in rows])

    async def CreateUser(self, request: admin_pb2.CreateUserRequest, context: grpc.aio.ServicerContext
                         ) -> admin_pb2.CreateUserResponse:
        ctx = current_call()
        replayed = await idempotency.replay(ctx.db, ctx.practice_id, ctx.method, request,
                                            admin_pb2.CreateUserResponse)
        if replayed is not None:
            ctx.audit.detail = "replayed"
            return replayed
        user = await users.create_user(ctx.db, ctx.practice_id, request.username, request.display_name,
                                       list(request.roles), request.initial_password)
        ctx.audit.detail = f"user_id={user.id}"
        response = admin_pb2.CreateUserResponse(user=user_message(user))
        await idempotency.remember(ctx.db, ctx.practice_id, ctx.method, request, response)
        return response

    async def SetUserRoles(self, request: admin_pb2.SetUserRolesRequest, context: grpc.aio.ServicerContext
                           ) -> admin_pb2.SetUserRolesResponse:
        ctx = current_call()
        user = await users.set_roles(ctx.db, ctx.practice_id, ctx.require_session().user_id, request.user_id,
                                     list(request.roles), request.version)
        ctx.audit.detail = f"user_id={user.id} roles={','.join(user.roles)}"
        return admin_pb2.SetUserRolesResponse(user=user_message(user))

    async def DisableUser(self, request: admin_pb2.DisableUserRequest, context: grpc.aio.ServicerContext
                          ) -> admin_pb2.DisableUserResponse:
        ctx = current_call()
        user = await users.disable(ctx.db, ctx.practice_id, ctx.require_session().user_id, request.user_id,
                                   request.version)
        ctx.audit.detail = f"user_id={user.id}"
        return admin_pb2.DisableUserResponse(user=user_message(user))

    async def EnableUser(self, request: admin_pb2.EnableUserRequest, context: grpc.aio.ServicerContext
                         ) -> admin_pb2.EnableUserResponse:
        ctx = current_call()
        user = await users.enable(ctx.db, ctx.practice_id, request.user_id, request.version)
        ctx.audit.detail = f"user_id={user.id}"
        return admin_pb2.EnableUserResponse(user=user_message(user))

    async def ResetUserPassword(self, request: admin_pb2.ResetUserPasswordRequest,
                                context: grpc.aio.ServicerContext) -> admin_pb2.ResetUserPasswordResponse:
        ctx = current_call()
        user = await users.reset_password(ctx.db, ctx.practice_id, request.user_id, request.new_password,
                                          request.version)
        ctx.audit.detail = f"user_id={user.id}"
        return admin_pb2.ResetUserPasswordResponse(user=user_message(user))

    async def ListRoles(self, request: admin_pb2.ListRolesRequest, context: grpc.aio.ServicerContext
                        ) -> admin_pb2.ListRolesResponse:
        return admin_pb2.ListRolesResponse(roles=[
            admin_pb2.Role(name=role.value, description=ROLE_DESCRIPTIONS[role],
                           permissions=sorted(p.value for p in perms))
            for role, perms in ROLE_PERMISSIONS.items()
        ])

    async def ListWorkstations(self, request: admin_pb2.ListWorkstationsRequest,
                               context: grpc.aio.ServicerContext) -> admin_pb2.ListWorkstationsResponse:
        ctx = current_call()
        rows = await workstations.list_workstations(ctx.db, ctx.practice_id, request.include_revoked)
        return admin_pb2.ListWorkstationsResponse(workstations=[workstation_message(w) for w in rows])

    async def EnrollWorkstation(self, request: admin_pb2.EnrollWorkstationRequest,
                                context: grpc.aio.ServicerContext) -> admin_pb2.EnrollWorkstationResponse:
        ctx = current_call()
        row, bundle = await workstations.enroll(ctx.db, self.ca_files, self.server_address, ctx.practice_id,
                                                request.name, request.lifetime_days)
        ctx.audit.detail = f"workstation={row.name} serial={row.certificate_serial}"
        return admin_pb2.EnrollWorkstationResponse(workstation=workstation_message(row), bundle=bundle.to_bytes())

    async def RevokeWorkstation(self, request: admin_pb2.RevokeWorkstationRequest,
                                context: grpc.aio.ServicerContext) -> admin_pb2.RevokeWorkstationResponse:
        ctx = current_call()
        row = await workstations.revoke(ctx.db, ctx.practice_id, request.workstation_id, request.reason,
                                        ctx.workstation.workstation_id)
        ctx.audit.detail = f"workstation={row.name} serial={row.certificate_serial}"
        return admin_pb2.RevokeWorkstationResponse(workstation=workstation_message(row))

    async def GetPracticeSettings(self, request: admin_pb2.GetPracticeSettingsRequest,
                                  context: grpc.aio.ServicerContext) -> admin_pb2.GetPracticeSettingsResponse:
        ctx = current_call()
        practice = await practice_service.get_practice(ctx.db, ctx.practice_id)
        return admin_pb2.GetPracticeSettingsResponse(settings=settings_message(practice))

    async def UpdatePracticeSettings(self, request: admin_pb2.UpdatePracticeSettingsRequest,
                                     context: grpc.aio.ServicerContext
                                     ) -> admin_pb2.UpdatePracticeSettingsResponse:
        ctx = current_call()
        s = request.settings
        practice = await practice_service.update_settings(
            ctx.db, ctx.practice_id, name=s.practice_name, idle_timeout_minutes=s.idle_timeout_minutes,
            workstation_cert_days=s.workstation_cert_days, time_zone=s.time_zone, version=s.version)
        return admin_pb2.UpdatePracticeSettingsResponse(settings=settings_message(practice))

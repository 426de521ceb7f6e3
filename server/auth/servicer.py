"""AuthService: the gRPC face of server/auth."""

from __future__ import annotations

from datetime import datetime

import grpc
from sqlalchemy import select

from server.auth import service, sessions
from server.auth.models import User, UserSession
from server.common.convert import ts
from server.common.fieldcrypt import FieldCipher
from server.practice.models import Practice
from server.rpc.context import CallContext, current_call
from server.security import permissions_for
from shared.pms.auth.v1 import auth_pb2, auth_pb2_grpc


async def session_message(ctx: CallContext, user: User, expires_at: datetime) -> auth_pb2.Session:
    practice = (await ctx.db.execute(select(Practice).where(Practice.id == ctx.practice_id))).scalar_one()
    return auth_pb2.Session(
        user_id=user.id, username=user.username, display_name=user.display_name, roles=list(user.roles),
        permissions=sorted(p.value for p in permissions_for(user.roles)), practice_id=practice.id,
        practice_name=practice.name, workstation_name=ctx.workstation.name, expires_at=ts(expires_at),
        idle_timeout_minutes=practice.idle_timeout_minutes, must_change_password=user.must_change_password,
        totp_enabled=user.totp_secret_enc is not None,
    )


class AuthServicer(auth_pb2_grpc.AuthServiceServicer):
    def __init__(self, cipher: FieldCipher) -> None:
        self.cipher = cipher

    async def Login(self, request: auth_pb2.LoginRequest, context: grpc.aio.ServicerContext
                    ) -> auth_pb2.LoginResponse:
        ctx = current_call()
        token, session, user = await service.login(ctx, self.cipher, request.username, request.password,
                                                    request.totp_code)
        ctx.audit.user_id, ctx.audit.username = user.id, user.username
        return auth_pb2.LoginResponse(session_token=token,
                                      session=await session_message(ctx, user, session.expires_at))

    async def Logout(self, request: auth_pb2.LogoutRequest, context: grpc.aio.ServicerContext
                     ) -> auth_pb2.LogoutResponse:
        ctx = current_call()
        await sessions.end(ctx.db, ctx.practice_id, ctx.require_session().session_id, "logout")
        return auth_pb2.LogoutResponse()

    async def WhoAmI(self, request: auth_pb2.WhoAmIRequest, context: grpc.aio.ServicerContext
                     ) -> auth_pb2.WhoAmIResponse:
        ctx = current_call()
        who = ctx.require_session()
        user = await service.load_user(ctx.db, ctx.practice_id, who.user_id)
        expires_at = (await ctx.db.execute(select(UserSession.expires_at).where(
            UserSession.practice_id == ctx.practice_id, UserSession.id == who.session_id))).scalar_one()
        return auth_pb2.WhoAmIResponse(session=await session_message(ctx, user, expires_at))

    async def ChangePassword(self, request: auth_pb2.ChangePasswordRequest, context: grpc.aio.ServicerContext
                             ) -> auth_pb2.ChangePasswordResponse:
        await service.change_password(current_call(), request.current_password, request.new_password)
        return auth_pb2.ChangePasswordResponse()

    async def EnrollTotp(self, request: auth_pb2.EnrollTotpRequest, context: grpc.aio.ServicerContext
                         ) -> auth_pb2.EnrollTotpResponse:
        ctx = current_call()
        practice = (await ctx.db.execute(select(Practice.name).where(Practice.id == ctx.practice_id))).scalar_one()
        secret, uri = await service.enroll_totp(ctx, self.cipher, request.current_password, f"PMS {practice}")
        return auth_pb2.EnrollTotpResponse(secret_base32=secret, provisioning_uri=uri)

    async def ConfirmTotp(self, request: auth_pb2.ConfirmTotpRequest, context: grpc.aio.ServicerContext
                          ) -> auth_pb2.ConfirmTotpResponse:
        await service.confirm_totp(current_call(), self.cipher, request.totp_code)
        return auth_pb2.ConfirmTotpResponse()

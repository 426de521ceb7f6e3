"""ReminderService: the practice's reminder policy, and what was sent."""

from __future__ import annotations

import grpc
from sqlalchemy import select

from server.common.convert import ts
from server.errors import FieldErrors, StaleVersion
from server.reminders.models import Reminder, ReminderPolicy
from server.rpc.context import current_call
from shared.pms.reminders.v1 import reminders_pb2 as pb
from shared.pms.reminders.v1 import reminders_pb2_grpc

Ctx = grpc.aio.ServicerContext
DEFAULT_LEADS = [48, 2]


class ReminderServicer(reminders_pb2_grpc.ReminderServiceServicer):
    def __init__(self, email_configured: bool, sms_configured: bool) -> None:
        self.email_configured = email_configured
        self.sms_configured = sms_configured

    def _message(self, row: ReminderPolicy | None) -> pb.ReminderPolicy:
        if row is None:
            return pb.ReminderPolicy(lead_hours=DEFAULT_LEADS, email_enabled=True, sms_enabled=True, version=0,
                                     email_configured=self.email_configured, sms_configured=self.sms_configured)
        return pb.ReminderPolicy(lead_hours=list(row.lead_hours), email_enabled=row.email_enabled,
                                 sms_enabled=row.sms_enabled, version=row.version,
                                 email_configured=self.email_configured, sms_configured=self.sms_configured)

    async def GetReminderPolicy(self, request: pb.GetReminderPolicyRequest, context: Ctx
                                ) -> pb.GetReminderPolicyResponse:
        ctx = current_call()
        row = (await ctx.db.execute(select(ReminderPolicy).where(ReminderPolicy.practice_id == ctx.practice_id))
               ).scalar_one_or_none()
        return pb.GetReminderPolicyResponse(policy=self._message(row))

    async def SetReminderPolicy(self, request: pb.SetReminderPolicyRequest, context: Ctx
                                ) -> pb.SetReminderPolicyResponse:
        ctx = current_call()
        p = request.policy
        errors = FieldErrors()
        leads = sorted(set(p.lead_hours), reverse=True)
        if not 1 <= len(leads) <= 4 or any(not 1 <= h <= 336 for h in leads):
            errors.add("policy.lead_hours", "give 1 to 4 lead times of 1 to 336 hours")
        errors.raise_if_any()
        row = (await ctx.db.execute(select(ReminderPolicy).where(ReminderPolicy.practice_id == ctx.practice_id)
                                    .with_for_update())).scalar_one_or_none()
        if (row.version if row else 0) != p.version:
            raise StaleVersion("reminder policy")
        if row is None:
            row = ReminderPolicy(practice_id=ctx.practice_id, version=0)
            ctx.db.add(row)
        row.lead_hours, row.email_enabled, row.sms_enabled = leads, p.email_enabled, p.sms_enabled
        row.version += 1
        await ctx.db.flush()
        ctx.audit.detail = f"lead_hours={leads} email={p.email_enabled} sms={p.sms_enabled}"
        return pb.SetReminderPolicyResponse(policy=self._message(row))

    async def ListReminders(self, request: pb.ListRemindersRequest, context: Ctx) -> pb.ListRemindersResponse:
        ctx = current_call()
        errors = FieldErrors()
        if bool(request.appointment_id) == bool(request.patient_id):
            errors.add("appointment_id", "give an appointment or a patient")
        errors.raise_if_any()
        stmt = select(Reminder).where(Reminder.practice_id == ctx.practice_id)
        stmt = stmt.where(Reminder.appointment_id == request.appointment_id) if request.appointment_id else \
            stmt.where(Reminder.patient_id == request.patient_id)
        rows = (await ctx.db.execute(stmt.order_by(Reminder.claimed_at, Reminder.id))).scalars().all()
        if rows:
            ctx.audit.patient_id = rows[0].patient_id
        ctx.audit.detail = f"reminders={len(rows)}"
        return pb.ListRemindersResponse(reminders=[pb.Reminder(
            reminder_id=r.id, appointment_id=r.appointment_id, patient_id=r.patient_id, channel=r.channel,
            lead_hours=r.lead_hours, status=r.status, destination=r.destination, sent_at=ts(r.sent_at),
            error=r.error, reply=r.reply, replied_at=ts(r.replied_at)) for r in rows])

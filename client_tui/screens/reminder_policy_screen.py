"""The practice's reminder policy: how long before a visit reminders go out, and by which channels."""

from __future__ import annotations

import re

from textual.app import ComposeResult

from client_tui.gateway import Gateway
from client_tui.screens.setup_form_screen import SetupFormScreen
from client_tui.setup_values import LEAD_HOURS_HINT, lead_hours_text
from client_tui.workers import gateway_call
from shared.pms.reminders.v1 import reminders_pb2


class ReminderPolicyScreen(SetupFormScreen[reminders_pb2.ReminderPolicy | None]):
    """Dismisses with the saved policy, or None."""

    CSS_PATH = "reminder_policy_screen.tcss"
    VALUE_PREFIX = "policy."
    FORM_TITLE = "Reminder policy"

    def __init__(self, gateway: Gateway, policy: reminders_pb2.ReminderPolicy) -> None:
        super().__init__(gateway)
        self.policy = policy

    def intro(self) -> str:
        missing = [
            name
            for name, configured in (
                ("email", self.policy.email_configured),
                ("text messages", self.policy.sms_configured),
            )
            if not configured
        ]
        if not missing:
            return "This server can send both email and text messages."
        return (
            f"This server has no transport for {' or '.join(missing)} yet (server.json, the IT admin's): "
            "such reminders are not sent until it has."
        )

    def compose_fields(self) -> ComposeResult:
        field = self.text(
            "policy.lead_hours", "Lead times (hours before the visit)", "48 2", max_length=30, restrict=r"[0-9 ,]*"
        )
        field.hint = LEAD_HOURS_HINT
        yield field
        yield self.flag("policy.email_enabled", "Email", "Send reminders by email")
        yield self.flag("policy.sms_enabled", "Text messages", "Send reminders by text message (SMS)")

    def fill(self) -> None:
        self.write(
            {
                "policy.lead_hours": lead_hours_text(list(self.policy.lead_hours)),
                "policy.email_enabled": self.policy.email_enabled,
                "policy.sms_enabled": self.policy.sms_enabled,
            }
        )

    def submit(self) -> None:
        values = self.form_values()
        words = [w for w in re.split(r"[\s,]+", str(values["policy.lead_hours"])) if w]
        if not words or any(len(w) > 4 for w in words):
            self.mark("policy.lead_hours", f"type {LEAD_HOURS_HINT}")
            return
        policy = reminders_pb2.ReminderPolicy()
        policy.CopyFrom(self.policy)  # the version the edit started from
        policy.ClearField("lead_hours")
        policy.lead_hours.extend(int(w) for w in words)
        policy.email_enabled = bool(values["policy.email_enabled"])
        policy.sms_enabled = bool(values["policy.sms_enabled"])
        self.say("Saving…", info=True)
        self.save(policy)

    @gateway_call
    async def save(self, policy: reminders_pb2.ReminderPolicy) -> None:
        self.dismiss(await self.gateway.set_reminder_policy(policy))

"""Statements by email: the reminders' SMTP server (server.json "reminders" "smtp"), the PDF attached.

The message says who it is from, the amount due and the due date; the statement itself is the attachment, as
stored (the same bytes a reprint gives).
"""

from __future__ import annotations

from datetime import date
from email.message import EmailMessage
from typing import Any

import aiosmtplib

from server.reminders.transports import SmtpSender, TransportError
from shared.money import dollars


def message(sender: SmtpSender, to: str, content: dict[str, Any], pdf: bytes, file_name: str) -> EmailMessage:
    practice = content["practice"]["name"]
    due = date.fromisoformat(content["due_date"])
    msg = EmailMessage()
    msg["From"], msg["To"] = sender.sender, to
    msg["Subject"] = f"Your statement from {practice}"
    phone = next((line for line in content["practice"]["address"] if line.startswith("Questions?")), "")
    msg.set_content(
        f"Dear {content['to']['name']},\n\n"
        f"Your statement of {date.fromisoformat(content['statement_date']):%m/%d/%Y} from {practice} is attached.\n"
        f"Amount due: {dollars(content['amount_due_cents'])}, by {due:%m/%d/%Y}.\n\n"
        f"{content['message']}\n\n{phone}\n")
    msg.add_attachment(pdf, maintype="application", subtype="pdf", filename=file_name)
    return msg


async def send_statement(sender: SmtpSender, to: str, content: dict[str, Any], pdf: bytes, file_name: str) -> None:
    msg = message(sender, to, content, pdf, file_name)
    try:
        await aiosmtplib.send(msg, hostname=sender.host, port=sender.port, start_tls=sender.starttls or None,
                              username=sender.username or None, password=sender.password or None, timeout=20)
    except (aiosmtplib.SMTPException, OSError) as exc:
        raise TransportError(f"SMTP: {type(exc).__name__}") from None

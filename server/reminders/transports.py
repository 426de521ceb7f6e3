"""How reminders leave the server: SMTP for email, an SMS gateway adapter for texts.

Configured per server in server.json under "reminders" (not in the database: these are the IT admin's
settings, with credentials, and the data folder is 0700):

    "reminders": {
      "smtp": {"host": "mail.example.org", "port": 587, "starttls": true, "from": "Front desk <desk@example.org>",
               "username": "...", "password": "..."},
      "sms": {"gateway": "http", "url": "https://sms.example.net/api", "token": "..."},
      "interval_seconds": 60
    }

"sms": {"gateway": "outbox"} writes each text to outbox/sms.jsonl in the data folder instead (the demo's, and
a practice trying reminders before it signs up with a gateway).
"""

from __future__ import annotations

import asyncio
import json
import urllib.request
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email.message import EmailMessage
from pathlib import Path
from typing import Any, Protocol

import aiosmtplib


class TransportError(Exception):
    """The message did not go out; the reason is safe to show (no patient data)."""


@dataclass(frozen=True)
class InboundText:
    sender: str  # E.164
    body: str
    received_at: datetime


class SmsGateway(Protocol):
    async def send(self, to: str, body: str) -> str:
        """Sends one text; returns the gateway's message id."""
        ...

    async def replies(self) -> list[InboundText]:
        """Texts received since the last call."""
        ...


class EmailSender(Protocol):
    async def send(self, to: str, subject: str, body: str) -> str: ...


@dataclass
class SmtpSender:
    host: str
    port: int = 587
    sender: str = ""
    starttls: bool = True
    username: str = ""
    password: str = ""

    async def send(self, to: str, subject: str, body: str) -> str:
        msg = EmailMessage()
        msg["From"], msg["To"], msg["Subject"] = self.sender, to, subject
        msg.set_content(body)
        try:
            await aiosmtplib.send(msg, hostname=self.host, port=self.port, start_tls=self.starttls or None,
                                  username=self.username or None, password=self.password or None, timeout=20)
        except (aiosmtplib.SMTPException, OSError) as exc:
            raise TransportError(f"SMTP: {type(exc).__name__}") from None
        return str(msg.get("Message-ID", ""))


@dataclass
class HttpSmsGateway:
    """A generic JSON gateway: POST {url}/messages {"to", "body"} -> {"id"}; GET {url}/replies -> [{"from",
    "body", "received_at"}]. Most commercial gateways fit this with a small proxy or a subclass."""

    url: str
    token: str = ""

    def _request(self, method: str, path: str, payload: dict[str, Any] | None = None) -> Any:
        data = json.dumps(payload).encode() if payload is not None else None
        req = urllib.request.Request(self.url.rstrip("/") + path, data=data, method=method,
                                     headers={"Content-Type": "application/json",
                                              **({"Authorization": f"Bearer {self.token}"} if self.token else {})})
        with urllib.request.urlopen(req, timeout=20) as resp:
            return json.loads(resp.read() or b"null")

    async def send(self, to: str, body: str) -> str:
        try:
            answer = await asyncio.to_thread(self._request, "POST", "/messages", {"to": to, "body": body})
        except (OSError, ValueError) as exc:
            raise TransportError(f"SMS gateway: {type(exc).__name__}") from None
        return str((answer or {}).get("id", ""))

    async def replies(self) -> list[InboundText]:
        try:
            answer = await asyncio.to_thread(self._request, "GET", "/replies")
        except (OSError, ValueError):
            return []
        return [InboundText(r["from"], r["body"], datetime.fromisoformat(r["received_at"])) for r in answer or []]


@dataclass
class OutboxSmsGateway:
    """Writes texts to a JSON-lines file instead of sending them; replies can be dropped in replies.jsonl."""

    folder: Path
    _read: int = 0

    async def send(self, to: str, body: str) -> str:
        self.folder.mkdir(parents=True, exist_ok=True, mode=0o700)
        line = json.dumps({"to": to, "body": body, "at": datetime.now(UTC).isoformat()})
        with (self.folder / "sms.jsonl").open("a") as f:
            f.write(line + "\n")
        return f"outbox-{datetime.now(UTC).timestamp():.6f}"

    async def replies(self) -> list[InboundText]:
        path = self.folder / "replies.jsonl"
        if not path.exists():
            return []
        lines = path.read_text().splitlines()
        new, self._read = lines[self._read:], len(lines)
        return [InboundText(r["from"], r["body"], datetime.fromisoformat(r["received_at"]))
                for r in (json.loads(line) for line in new if line.strip())]


@dataclass
class RecordingSmsGateway:
    """Records what would be sent; tests and the demo inject replies. Not a gateway: nothing leaves the machine."""

    sent: list[tuple[str, str]] = field(default_factory=list)
    inbox: list[InboundText] = field(default_factory=list)
    fail_next: int = 0

    async def send(self, to: str, body: str) -> str:
        if self.fail_next:
            self.fail_next -= 1
            raise TransportError("SMS gateway: refused")
        self.sent.append((to, body))
        return f"rec-{len(self.sent)}"

    async def replies(self) -> list[InboundText]:
        out, self.inbox = self.inbox, []
        return out


def from_settings(settings: dict[str, Any], data_root: Path) -> tuple[EmailSender | None, SmsGateway | None]:
    smtp = settings.get("smtp") or {}
    email: EmailSender | None = None
    if smtp.get("host"):
        email = SmtpSender(smtp["host"], int(smtp.get("port", 587)), smtp.get("from", ""),
                           bool(smtp.get("starttls", True)), smtp.get("username", ""), smtp.get("password", ""))
    sms_cfg = settings.get("sms") or {}
    sms: SmsGateway | None = None
    if sms_cfg.get("gateway") == "http" and sms_cfg.get("url"):
        sms = HttpSmsGateway(sms_cfg["url"], sms_cfg.get("token", ""))
    elif sms_cfg.get("gateway") == "outbox":
        sms = OutboxSmsGateway(data_root / "outbox")
    return email, sms

"""A real SMTP server in the test process (aiosmtpd on a free port) that records what it
receives, and can be told to refuse a recipient for a while or to hold the exchange at RCPT or
at DATA (the message received, the reply not yet given) until the test releases it."""

from __future__ import annotations

import asyncio
import email
import email.policy
import logging
import socket
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from email.message import EmailMessage
from typing import Any

import pytest
from aiosmtpd.controller import Controller


@dataclass
class Received:
    mail_from: str
    rcpt_tos: list[str]
    content: bytes

    @property
    def message(self) -> EmailMessage:
        return email.message_from_bytes(self.content, policy=email.policy.default)

    def text(self) -> str:
        body = self.message.get_body(preferencelist=("plain",))
        return body.get_content() if body is not None else ""  # type: ignore[no-any-return]

    def html(self) -> str:
        body = self.message.get_body(preferencelist=("html",))
        return body.get_content() if body is not None else ""  # type: ignore[no-any-return]


@dataclass
class Recorder:
    """aiosmtpd's handler: its hooks run on the server's event loop, in the server's thread."""

    received: list[Received] = field(default_factory=list)
    refusals: list[str] = field(default_factory=list)  # replies to RCPT, one used per attempt
    hold_at: str | None = None  # "RCPT" or "DATA"
    reached: threading.Event = field(default_factory=threading.Event)
    release: threading.Event = field(default_factory=threading.Event)
    lock: threading.Lock = field(default_factory=threading.Lock)

    async def handle_RCPT(  # noqa: N802 - aiosmtpd's hook name
        self, server: Any, session: Any, envelope: Any, address: str, rcpt_options: list[str]
    ) -> str:
        if self.refusals:
            return self.refusals.pop(0)
        if self.hold_at == "RCPT":
            await self._held()
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:  # noqa: N802
        with self.lock:
            self.received.append(
                Received(envelope.mail_from, list(envelope.rcpt_tos), bytes(envelope.content))
            )
        if self.hold_at == "DATA":
            await self._held()
        return "250 Message accepted for delivery"

    async def _held(self) -> None:
        self.reached.set()
        while not self.release.is_set():  # the server's own loop waits for the test's word
            await asyncio.sleep(0.01)

    def messages(self) -> list[Received]:
        with self.lock:
            return list(self.received)


@dataclass
class SmtpServer:
    host: str
    port: int
    recorder: Recorder

    @property
    def url(self) -> str:
        return f"smtp://{self.host}:{self.port}"


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture
def smtp_server() -> Iterator[SmtpServer]:
    logging.getLogger("mail.log").setLevel(logging.WARNING)  # aiosmtpd logs every command
    recorder = Recorder()
    controller = Controller(recorder, hostname="127.0.0.1", port=_free_port())
    controller.start()
    try:
        yield SmtpServer(controller.hostname, controller.port, recorder)
    finally:
        recorder.release.set()
        controller.stop()


@pytest.fixture
def smtp_settings(smtp_server: SmtpServer, settings: Any, monkeypatch: pytest.MonkeyPatch) -> SmtpServer:
    """Email through the in-process server, for this process and the workers it starts."""
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST = smtp_server.host
    settings.EMAIL_PORT = smtp_server.port
    settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
    settings.EMAIL_HOST_USER = settings.EMAIL_HOST_PASSWORD = ""
    settings.SITE_URL = "https://market.example.com"
    monkeypatch.setenv("EMAIL_URL", smtp_server.url)
    monkeypatch.setenv("SITE_URL", "https://market.example.com")
    return smtp_server

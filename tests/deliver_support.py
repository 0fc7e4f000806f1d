"""Test support for delivery: a real SMTP server on loopback (aiosmtpd) and pipeline files.

The server records every message it accepts and can be told, per recipient, to defer (421),
refuse (550), drop the connection at RCPT, drop it after the message arrived (no reply), or hold
the reply until the test releases it (to kill or race a run while the server is receiving).
"""
from __future__ import annotations

import asyncio
import email
import os
import socket
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field
from email.message import EmailMessage
from email.policy import default as default_policy
from pathlib import Path

from aiosmtpd.controller import Controller

REPO_ROOT = Path(__file__).resolve().parents[1]
SPEC = REPO_ROOT / "specs" / "examples" / "counted.yaml"  # small: three districts, a cut of the police.uk data
AREAS = {  # three small partner areas keep the tests fast
    "Blaby": ["csp.blaby@example.org"],
    "Melton": ["csp.melton@example.org", "analyst.melton@example.org"],
    "Rutland": ["csp.rutland@example.org"],
}
CODES = {"Blaby": "E07000129", "Melton": "E07000133", "Rutland": "E06000017"}  # ONS district codes: file names carry them


def stem(area: str, period: str = "2022-10") -> str:
    """A partner's file name without extension, as the engine writes it (independent of its code)."""
    return f"{area}_{CODES[area]}_{period}"


@dataclass
class Received:
    mail_from: str
    rcpt_tos: list[str]
    data: bytes

    @property
    def message(self) -> EmailMessage:
        return email.message_from_bytes(self.data, policy=default_policy)  # type: ignore[return-value]

    @property
    def attachments(self) -> dict[str, bytes]:
        return {part.get_filename(): part.get_content() for part in self.message.iter_attachments()}


@dataclass
class Recorder:
    """The aiosmtpd handler: records messages; misbehaves for chosen recipients."""

    received: list[Received] = field(default_factory=list)
    rcpt_calls: list[str] = field(default_factory=list)
    defer: set[str] = field(default_factory=set)       # 421 at RCPT
    refuse: set[str] = field(default_factory=set)      # 550 at RCPT
    drop_at_rcpt: set[str] = field(default_factory=set)
    drop_after_data: set[str] = field(default_factory=set)
    hold: threading.Event | None = None                # when set: wait for it before replying to DATA
    arrived: threading.Event = field(default_factory=threading.Event)

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):  # noqa: N802 - aiosmtpd's name
        self.rcpt_calls.append(address)
        if address in self.drop_at_rcpt:
            server.transport.close()
            return "421 4.4.2 closing"
        if address in self.defer:
            return "421 4.3.2 try again later"
        if address in self.refuse:
            return "550 5.1.1 no such user"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):  # noqa: N802
        self.received.append(Received(envelope.mail_from, list(envelope.rcpt_tos), envelope.original_content))
        self.arrived.set()
        if self.hold is not None:
            await asyncio.get_running_loop().run_in_executor(None, self.hold.wait, 60)
        if set(envelope.rcpt_tos) & self.drop_after_data:
            server.transport.close()
        return "250 2.0.0 Message accepted for delivery"

    def for_recipient(self, address: str) -> list[Received]:
        return [r for r in self.received if address in r.rcpt_tos]


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class MailServer:
    """A loopback SMTP server that can be stopped (connections refused) and started again on its port."""

    def __init__(self, **options: object) -> None:
        """``options`` go to aiosmtpd's SMTP (e.g. ``authenticator=``, ``auth_require_tls=False``)."""
        self.port = free_port()
        self.handler = Recorder()
        self.options = options
        self.controller: Controller | None = None

    def start(self) -> "MailServer":
        self.controller = Controller(self.handler, hostname="127.0.0.1", port=self.port, **self.options)
        self.controller.start()
        return self

    def stop(self) -> None:
        if self.controller is not None:
            if self.handler.hold is not None:
                self.handler.hold.set()
            self.controller.stop()
            self.controller = None


def write_pipeline(folder: Path, port: int, *, areas: dict[str, list[str]] = AREAS, extra: str = "",
                   workers: int = 1, retries: int = 2) -> Path:
    """A pipeline file for the small counted example spec, mailing through the loopback server on ``port``."""
    partners = "".join(f"  - area: {area}\n    to: [{', '.join(to)}]\n" for area, to in areas.items())
    text = f"""spec: {SPEC.as_posix()}
output: out
workers: {workers}
headline: total_crime
from: "Community Safety Analysis <analysis@example.org>"
subject: "Crime and ASB: {{area}}, {{period}}"
body: |
  Dear {{area}} partnership,

  {{headline}}

  Attached: {{workbook}}.
smtp:
  host: 127.0.0.1
  port: {port}
  security: none
  timeout_seconds: 5
  retries: {retries}
  backoff_seconds: 0.01
  max_backoff_seconds: 0.02
{extra}partners:
{partners}"""
    path = folder / "pipeline.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def saferbook_process(*args: str | Path, cwd: Path) -> subprocess.Popen[str]:
    """``python -m engine.cli ARGS`` as a separate process (a scheduler's view), not waited for."""
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(REPO_ROOT), env.get("PYTHONPATH")]))
    return subprocess.Popen([sys.executable, "-m", "engine.cli", *map(str, args)], cwd=cwd, env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, encoding="utf-8")


def wait_for(condition, seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError("timed out waiting")
        time.sleep(0.02)

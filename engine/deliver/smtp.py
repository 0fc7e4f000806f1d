"""Send one message over SMTP (plain, STARTTLS or TLS) with timeouts and retries, at most once.

A login (password, or OAuth 2.0 token with ``auth: xoauth2``) never crosses the network
unencrypted: with ``security: none`` it is refused unless the server is this computer, or the
pipeline says ``insecure_plaintext_auth_to_trusted_relay: true``.

Retries with exponential backoff follow a refused connection, a timeout, a dropped connection,
a greeting other than 220 and any 4xx reply. A 5xx reply to MAIL, RCPT or DATA, a failed login
and a server without STARTTLS are not retried: trying again cannot help.

The DATA command is driven by hand so we know whether the server can have the message:

* ``hooks.before_data`` runs (the ledger commits "sending") just before DATA;
* a failure before the final ``.`` was transmitted means the server discards the message: the
  attempt is retried (``hooks.data_not_sent`` puts the ledger back to "pending");
* a failure after it was transmitted but before the reply (timeout, drop) means the server may
  have accepted it: the recipients are reported ``in_doubt`` and never retried, so a partner
  cannot receive the same workbook twice.
"""
from __future__ import annotations

import re
import smtplib
import ssl
import time
from dataclasses import dataclass
from email.utils import parseaddr
from typing import Callable, Protocol, Sequence

from engine.deliver.oauth import xoauth2_response
from engine.deliver.pipeline import Smtp


@dataclass(frozen=True)
class Outcome:
    """What happened to one recipient: ``sent``, ``failed`` or ``in_doubt``."""

    status: str
    attempts: int
    reply: str


class SendHooks(Protocol):
    def before_data(self, recipients: Sequence[str], attempt: int) -> None:
        """The server accepted these recipients; DATA is next (record "sending" durably now)."""

    def data_not_sent(self, recipients: Sequence[str], attempt: int, reason: str) -> None:
        """DATA failed before the message was complete: the server cannot have it."""


class CredentialsInClear(smtplib.SMTPException):
    """A login would cross the network unencrypted."""


class _Transient(Exception):
    """This attempt failed in a way a later attempt may not."""


class _Permanent(Exception):
    """Every recipient still pending fails; another attempt cannot help."""


def _reply(code: int, text: bytes | str) -> str:
    text = text.decode("utf-8", "replace") if isinstance(text, bytes) else text
    return f"{code} {' '.join(text.split())}"


def _describe(error: BaseException) -> str:
    if isinstance(error, smtplib.SMTPResponseException):
        return _reply(error.smtp_code, error.smtp_error)
    if isinstance(error, TimeoutError):
        return f"timed out ({error})" if str(error) else "timed out"
    if isinstance(error, ConnectionRefusedError):
        return "connection refused"
    if isinstance(error, OSError) and error.strerror:
        return f"{type(error).__name__}: {error.strerror}"
    return f"{type(error).__name__}: {error}" if str(error) else type(error).__name__


def dot_stuffed(message: bytes) -> bytes:
    """The DATA payload: CRLF line ends, leading dots doubled, ending ``CRLF . CRLF`` (RFC 5321)."""
    payload = re.sub(rb"(?:\r\n|\n|\r(?!\n))", b"\r\n", message)
    payload = re.sub(rb"(?m)^\.", b"..", payload)
    if not payload.endswith(b"\r\n"):
        payload += b"\r\n"
    return payload + b".\r\n"


class SmtpSender:
    """Sends messages through one configured server; a new connection for each attempt."""

    def __init__(self, smtp: Smtp, password: str | None, sleep: Callable[[float], None] = time.sleep):
        self.smtp = smtp
        self.password = password
        self.sleep = sleep

    def delays(self) -> list[float]:
        """The waits before each retry: backoff, 2×backoff, 4×… capped at max_backoff_seconds."""
        return [min(self.smtp.backoff_seconds * 2 ** n, self.smtp.max_backoff_seconds) for n in range(self.smtp.retries)]

    def _connect(self) -> smtplib.SMTP:
        smtp = self.smtp
        context = ssl.create_default_context()
        if smtp.security == "tls":
            connection: smtplib.SMTP = smtplib.SMTP_SSL(smtp.host, smtp.effective_port, timeout=smtp.timeout_seconds,
                                                        context=context)
        else:
            connection = smtplib.SMTP(smtp.host, smtp.effective_port, timeout=smtp.timeout_seconds)
        try:
            connection.ehlo()
            if smtp.security == "starttls":
                connection.starttls(context=context)
                connection.ehlo()
            if smtp.username:
                self._log_in(connection)
        except BaseException:
            connection.close()
            raise
        return connection

    def _log_in(self, connection: smtplib.SMTP) -> None:
        """AUTH, never in clear to another computer unless the pipeline loudly allows it (checked again here)."""
        smtp = self.smtp
        if smtp.sends_credentials_in_clear and not smtp.insecure_plaintext_auth_to_trusted_relay:
            raise CredentialsInClear(f"refused to send the {smtp.secret_name} unencrypted to {smtp.host}")
        if smtp.auth == "xoauth2":
            response = xoauth2_response(smtp.username or "", self.password or "")
            # the initial response carries the token; to a 334 challenge (an error report) answer empty to end it
            connection.auth("XOAUTH2", lambda challenge=None: response if challenge is None else "",
                            initial_response_ok=True)
        else:
            connection.login(smtp.username or "", self.password or "")

    def send(self, sender: str, recipients: Sequence[str], message: bytes, hooks: SendHooks) -> dict[str, Outcome]:
        """Deliver ``message`` to each recipient at most once; every recipient gets an Outcome."""
        payload = dot_stuffed(message)
        envelope_from = parseaddr(sender)[1] or sender
        pending = list(dict.fromkeys(recipients))
        outcomes: dict[str, Outcome] = {}
        last_reply = "not attempted"
        delays = self.delays()
        for attempt in range(1, len(delays) + 2):
            if attempt > 1:
                self.sleep(delays[attempt - 2])
            try:
                self._attempt(envelope_from, pending, payload, attempt, hooks, outcomes)
            except _Permanent as error:
                last_reply = str(error)
                break
            except _Transient as error:
                last_reply = str(error)
            pending = [r for r in pending if r not in outcomes]
            if not pending:
                break
        for recipient in pending:
            outcomes.setdefault(recipient, Outcome("failed", attempt, f"{last_reply} (after {attempt} attempt(s))"))
        return outcomes

    def _attempt(self, envelope_from: str, pending: list[str], payload: bytes, attempt: int, hooks: SendHooks,
                 outcomes: dict[str, Outcome]) -> None:
        """One connection: MAIL, RCPT each, DATA to those accepted. Raises _Transient / _Permanent."""
        try:
            connection = self._connect()
        except (smtplib.SMTPAuthenticationError, smtplib.SMTPNotSupportedError, ssl.SSLCertVerificationError,
                CredentialsInClear) as error:
            raise _Permanent(f"cannot log in or secure the connection: {_describe(error)}") from None
        except (OSError, smtplib.SMTPException) as error:  # refused, timed out, dropped, 421/554 greeting
            raise _Transient(_describe(error)) from None
        try:
            self._transaction(connection, envelope_from, pending, payload, attempt, hooks, outcomes)
        finally:
            try:
                connection.quit()
            except (OSError, smtplib.SMTPException):
                connection.close()

    def _transaction(self, connection: smtplib.SMTP, envelope_from: str, pending: list[str], payload: bytes,
                     attempt: int, hooks: SendHooks, outcomes: dict[str, Outcome]) -> None:
        accepted: list[str] = []
        try:
            code, text = connection.mail(envelope_from)
            if code != 250:
                raise (_Permanent if code >= 500 else _Transient)(f"sender refused: {_reply(code, text)}")
            temporary = ""
            for recipient in pending:
                code, text = connection.rcpt(recipient)
                if code in (250, 251):
                    accepted.append(recipient)
                elif code >= 500:
                    outcomes[recipient] = Outcome("failed", attempt, f"recipient refused: {_reply(code, text)}")
                else:
                    temporary = f"recipient deferred: {_reply(code, text)}"
            if not accepted:
                if temporary:
                    raise _Transient(temporary)
                return
            code, text = connection.docmd("DATA")
            if code != 354:
                reason = f"DATA refused: {_reply(code, text)}"
                if code >= 500:
                    for recipient in accepted:
                        outcomes[recipient] = Outcome("failed", attempt, reason)
                    return
                raise _Transient(reason)
        except (OSError, smtplib.SMTPException) as error:
            raise _Transient(_describe(error)) from None

        hooks.before_data(accepted, attempt)
        try:
            connection.send(payload)
        except (OSError, smtplib.SMTPException) as error:  # the final "." never arrived: not delivered
            hooks.data_not_sent(accepted, attempt, _describe(error))
            raise _Transient(_describe(error)) from None
        try:
            code, text = connection.getreply()
        except (OSError, smtplib.SMTPException) as error:
            for recipient in accepted:
                outcomes[recipient] = Outcome("in_doubt", attempt, f"no reply after the message was sent ({_describe(error)}): "
                                                                   f"it may have been delivered")
            return
        if code == 250:
            for recipient in accepted:
                outcomes[recipient] = Outcome("sent", attempt, _reply(code, text))
        elif code >= 500:
            for recipient in accepted:
                outcomes[recipient] = Outcome("failed", attempt, f"message refused: {_reply(code, text)}")
        else:
            hooks.data_not_sent(accepted, attempt, _reply(code, text))
            raise _Transient(f"message deferred: {_reply(code, text)}")

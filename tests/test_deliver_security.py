"""SMTP credentials never cross the network in clear, and OAuth 2.0 (AUTH XOAUTH2) against a real server.

The server is aiosmtpd on this machine with a handler that implements AUTH XOAUTH2 (aiosmtpd
calls a handler's ``auth_<MECHANISM>`` method), checking the SASL response byte for byte.

Not tested here (no network): MSAL's own call to Microsoft Entra ID. MSAL is exercised up to its
boundary — the client class is injected and must receive the tenant's authority, the client id and
the secret from the environment, and its token must reach the server — and the token-command path
runs a real program end to end.
"""
from __future__ import annotations

import base64
import smtplib
import socket
import sys
from pathlib import Path

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult

from deliver_support import Recorder, free_port
from engine.cli import main
from engine.deliver.oauth import access_token, token_from_msal
from engine.deliver.pipeline import OAuth, Smtp, load_pipeline
from engine.deliver.runner import RunOptions, run_pipeline
from engine.deliver.smtp import CredentialsInClear, SmtpSender
from engine.errors import DeliveryError, SpecError
import hostile_support

MAILBOX = "analysis@example.org"
GOOD_TOKEN = "eyJ0eXAi.token-for-tests.sig"


class OAuthRecorder(Recorder):
    """Accepts AUTH XOAUTH2 with exactly ``user=MAILBOX ^A auth=Bearer GOOD_TOKEN ^A^A``; records every attempt."""

    def __init__(self) -> None:
        super().__init__()
        self.auth_attempts: list[str] = []

    async def auth_XOAUTH2(self, server, args):  # noqa: N802 - aiosmtpd finds mechanisms by this name
        response = base64.b64decode(args[1]).decode() if len(args) > 1 else ""
        self.auth_attempts.append(response)
        if response == f"user={MAILBOX}\x01auth=Bearer {GOOD_TOKEN}\x01\x01":
            return AuthResult(success=True, auth_data=MAILBOX)
        return AuthResult(success=False, handled=False, message="535 5.7.3 Authentication unsuccessful")


@pytest.fixture
def oauth_server():
    handler = OAuthRecorder()
    port = free_port()
    controller = Controller(handler, hostname="127.0.0.1", port=port, auth_require_tls=False)
    controller.start()
    yield handler, port
    controller.stop()


def tiny_pipeline(folder: Path, port: int, smtp_extra: str) -> Path:
    """A pipeline of two of the tiny fixture spec's areas, logging in as MAILBOX."""
    return hostile_support.tiny_pipeline(folder, port, smtp_extra=f"  username: {MAILBOX}\n{smtp_extra}",
                                         areas={"Alpha": ["alpha@example.org"], "Beta": ["beta@example.org"]})


# --- refusing credentials in clear ---------------------------------------------------------------

@pytest.mark.parametrize("auth", ["", "  auth: xoauth2\n  oauth: {token_command: [echo, t]}\n"])
def test_a_login_over_an_unencrypted_connection_to_another_host_is_refused(tmp_path, auth):
    path = tiny_pipeline(tmp_path, 25, auth)
    path.write_text(path.read_text(encoding="utf-8").replace("host: 127.0.0.1", "host: mail.example.org"), encoding="utf-8")

    with pytest.raises(SpecError) as raised:
        load_pipeline(path)

    message = str(raised.value)
    assert "unencrypted to mail.example.org" in message and "security: starttls or tls" in message
    assert "insecure_plaintext_auth_to_trusted_relay" in message


def test_loopback_and_encrypted_connections_may_log_in(tmp_path):
    for host in ("127.0.0.1", "localhost", "::1", "127.8.9.10"):
        assert not Smtp(host=host, security="none", username=MAILBOX).sends_credentials_in_clear
    assert not Smtp(host="mail.example.org", security="starttls", username=MAILBOX).sends_credentials_in_clear
    assert Smtp(host="mail.example.org", security="none", username=MAILBOX,
                insecure_plaintext_auth_to_trusted_relay=True).sends_credentials_in_clear


def _non_loopback_address() -> str | None:
    """An address of this machine that is not loopback (traffic to it is 'another host' by address)."""
    try:
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as probe:
            probe.connect(("192.0.2.1", 9))  # no packet is sent: this only picks the outgoing interface
            address = probe.getsockname()[0]
    except OSError:
        return None
    return None if address.startswith("127.") else address


def test_the_loudly_named_opt_out_sends_to_a_trusted_relay_and_warns_every_run(tmp_path, capsys, monkeypatch):
    address = _non_loopback_address()
    if address is None:
        pytest.skip("this machine has no non-loopback address")
    handler = Recorder()
    port = free_port()
    controller = Controller(handler, hostname=address, port=port, auth_require_tls=False)
    controller.start()
    try:
        path = tiny_pipeline(tmp_path, port, "  insecure_plaintext_auth_to_trusted_relay: true\n")
        path.write_text(path.read_text(encoding="utf-8").replace("host: 127.0.0.1", f"host: {address}"), encoding="utf-8")
        monkeypatch.setenv("SAFERBOOK_SMTP_PASSWORD", "relay-password")
        main(["run", str(path)])
    finally:
        controller.stop()
    assert "INSECURE: the SMTP password crosses the network unencrypted" in capsys.readouterr().err


def test_the_sender_itself_refuses_a_clear_login_the_pipeline_did_not_allow(oauth_server):
    handler, port = oauth_server
    # a Smtp made without validation (as a library caller might): the sender checks again before AUTH
    smtp = Smtp.model_construct(**{**Smtp(host="127.0.0.1", security="none").__dict__,
                                   "host": "mail.example.org", "username": MAILBOX, "auth": "xoauth2"})
    connection = smtplib.SMTP("127.0.0.1", port, timeout=5)
    try:
        connection.ehlo()
        with pytest.raises(CredentialsInClear, match="refused to send the OAuth token unencrypted to mail.example.org"):
            SmtpSender(smtp, GOOD_TOKEN)._log_in(connection)
    finally:
        connection.quit()
    assert handler.auth_attempts == []


# --- OAuth 2.0: AUTH XOAUTH2 against a real server ------------------------------------------------

def test_xoauth2_with_a_token_command_end_to_end(tmp_path, oauth_server):
    handler, port = oauth_server
    command = f"  auth: xoauth2\n  oauth:\n    token_command: [{sys.executable}, -c, \"print('{GOOD_TOKEN}')\"]\n"
    pipeline = tiny_pipeline(tmp_path, port, command)

    result = run_pipeline(pipeline, RunOptions())

    assert result.exit_code == 0, [(p.area, p.status, p.detail) for p in result.partners]
    assert handler.auth_attempts == [f"user={MAILBOX}\x01auth=Bearer {GOOD_TOKEN}\x01\x01"] * 2  # one login per message
    assert sorted(r.rcpt_tos[0] for r in handler.received) == ["alpha@example.org", "beta@example.org"]


def test_xoauth2_with_a_refused_token_sends_nothing_and_says_why(tmp_path, oauth_server):
    handler, port = oauth_server
    command = f"  auth: xoauth2\n  oauth:\n    token_command: [{sys.executable}, -c, \"print('expired')\"]\n"
    result = run_pipeline(tiny_pipeline(tmp_path, port, command), RunOptions())

    assert result.exit_code == 1 and not handler.received
    assert all(p.status == "failed" and "535" in p.detail and "cannot log in" in p.detail for p in result.partners)


def test_a_failing_token_command_is_one_error_line_and_nothing_happens(tmp_path, oauth_server, capsys):
    handler, port = oauth_server
    command = (f"  auth: xoauth2\n  oauth:\n    token_command: [{sys.executable}, -c, "
               "\"import sys; sys.exit('AADSTS700016: application not found')\"]\n")
    assert main(["run", str(tiny_pipeline(tmp_path, port, command))]) == 2

    err = capsys.readouterr().err
    assert err.count("error:") == 1 and "exited 1 without a token (AADSTS700016" in err and "Traceback" not in err
    assert not handler.received and not handler.auth_attempts and not (tmp_path / "out").exists()


class FakeMsalApp:
    """Stands in for ``msal.ConfidentialClientApplication`` at the network boundary; records what it was given."""

    calls: list[tuple] = []
    result: dict = {"access_token": GOOD_TOKEN, "token_type": "Bearer", "expires_in": 3599}

    def __init__(self, client_id, authority=None, client_credential=None):
        FakeMsalApp.calls.append(("init", client_id, authority, client_credential))

    def acquire_token_for_client(self, scopes):
        FakeMsalApp.calls.append(("acquire", tuple(scopes)))
        return FakeMsalApp.result


ENTRA = {"SAFERBOOK_OAUTH_TENANT": "contoso.onmicrosoft.com", "SAFERBOOK_OAUTH_CLIENT_ID": "11111111-2222",
         "SAFERBOOK_OAUTH_CLIENT_SECRET": "s3cret"}


def test_msal_client_credentials_token_reaches_the_server(oauth_server):
    handler, port = oauth_server
    FakeMsalApp.calls = []
    smtp = Smtp(host="127.0.0.1", port=port, security="none", username=MAILBOX, auth="xoauth2", retries=0)

    token = access_token(smtp, ENTRA, client=FakeMsalApp)
    outcomes = SmtpSender(smtp, token).send(MAILBOX, ["alpha@example.org"], b"Subject: t\r\n\r\nbody\r\n",
                                            _NoHooks())

    assert FakeMsalApp.calls == [
        ("init", "11111111-2222", "https://login.microsoftonline.com/contoso.onmicrosoft.com", "s3cret"),
        ("acquire", ("https://outlook.office365.com/.default",))]
    assert outcomes["alpha@example.org"].status == "sent"
    assert handler.auth_attempts == [f"user={MAILBOX}\x01auth=Bearer {GOOD_TOKEN}\x01\x01"]


def test_msal_refusal_and_missing_settings_are_clear(monkeypatch):
    FakeMsalApp.result = {"error": "invalid_client", "error_description": "AADSTS7000215: Invalid client secret provided.\n"
                                                                         "Trace ID: 1"}
    try:
        with pytest.raises(DeliveryError, match="refused the sign-in .*AADSTS7000215: Invalid client secret provided.$"):
            token_from_msal(OAuth(), ENTRA, FakeMsalApp)
    finally:
        FakeMsalApp.result = {"access_token": GOOD_TOKEN}
    with pytest.raises(DeliveryError, match=r"set \$SAFERBOOK_OAUTH_TENANT and \$SAFERBOOK_OAUTH_CLIENT_ID"):
        token_from_msal(OAuth(), {}, FakeMsalApp)
    with pytest.raises(DeliveryError, match=r"no OAuth client secret: set \$SAFERBOOK_OAUTH_CLIENT_SECRET"):
        token_from_msal(OAuth(), {k: v for k, v in ENTRA.items() if "SECRET" not in k}, FakeMsalApp)


def test_xoauth2_needs_the_mailbox():
    with pytest.raises(ValueError, match="needs username"):
        Smtp(host="127.0.0.1", auth="xoauth2")


class _NoHooks:
    def before_data(self, recipients, attempt):
        pass

    def data_not_sent(self, recipients, attempt, reason):
        pass

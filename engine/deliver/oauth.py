"""The OAuth 2.0 access token for ``smtp.auth: xoauth2``: from a configured command, or from MSAL.

Microsoft 365 is turning off password SMTP AUTH; a scheduled sender then signs in as an app
(Entra ID client-credentials flow: tenant, client id, client secret) and presents the token with
``AUTH XOAUTH2``. MSAL (``pip install "saferbook[oauth]"``) does the sign-in; the secret comes from
the environment or the OS keyring, never from the pipeline file. Organisations with their own token
broker name a ``token_command`` instead, run without a shell.

The token is fetched once per run, before the run lock, so a sign-in failure is bad input (exit 2)
and nothing is built or sent. Tokens last about an hour; a run takes minutes.
"""
from __future__ import annotations

import os
import subprocess
from typing import Any, Callable, Mapping

from engine.deliver.credentials import env_or_keyring
from engine.deliver.pipeline import OAuth, Smtp
from engine.errors import DeliveryError

TOKEN_COMMAND_TIMEOUT_SECONDS = 60


def xoauth2_response(username: str, token: str) -> str:
    """The SASL XOAUTH2 initial response (before base64): ``user=…^Aauth=Bearer …^A^A``."""
    return f"user={username}\x01auth=Bearer {token}\x01\x01"


def token_from_command(command: list[str]) -> str:
    """Run ``command`` (no shell) and return the first line it prints; DeliveryError if it fails or prints nothing."""
    shown = command[0]
    try:
        done = subprocess.run(command, capture_output=True, text=True, timeout=TOKEN_COMMAND_TIMEOUT_SECONDS,
                              check=False, stdin=subprocess.DEVNULL)
    except FileNotFoundError:
        raise DeliveryError(f"smtp.oauth.token_command: program not found: {shown}") from None
    except subprocess.TimeoutExpired:
        raise DeliveryError(f"smtp.oauth.token_command: {shown} gave no token within "
                            f"{TOKEN_COMMAND_TIMEOUT_SECONDS} s") from None
    except OSError as error:
        raise DeliveryError(f"smtp.oauth.token_command: cannot run {shown}: {error.strerror or error}") from None
    lines = done.stdout.strip().splitlines()
    if done.returncode != 0 or not lines:
        said = (done.stderr.strip().splitlines() or ["no output"])[-1][:200]
        raise DeliveryError(f"smtp.oauth.token_command: {shown} exited {done.returncode} without a token ({said})")
    return lines[0].strip()


def _msal_client() -> Callable[..., Any]:
    try:
        import msal  # optional: pip install "saferbook[oauth]"
    except ImportError:
        raise DeliveryError("smtp.auth: xoauth2 without a token_command signs in with MSAL, which is not installed: "
                            "pip install \"saferbook[oauth]\"") from None
    return msal.ConfidentialClientApplication


def token_from_msal(oauth: OAuth, environ: Mapping[str, str],
                    client: Callable[..., Any] | None = None) -> str:
    """An app-only token by MSAL's client-credentials flow.

    ``client`` is MSAL's ``ConfidentialClientApplication`` (or a stand-in with its constructor and
    ``acquire_token_for_client``: the tests inject one, having no network).
    """
    missing = [f"${name}" for name in (oauth.tenant_env, oauth.client_id_env) if not environ.get(name)]
    if missing:
        raise DeliveryError(f"smtp.auth: xoauth2 needs the Entra ID tenant and client id: set {' and '.join(missing)} "
                            "(or give smtp.oauth.token_command)")
    tenant, client_id = environ[oauth.tenant_env], environ[oauth.client_id_env]
    secret = env_or_keyring(oauth.client_secret_env, oauth.keyring_service, client_id, "smtp.oauth.keyring_service",
                            "no OAuth client secret", environ)
    factory = client or _msal_client()
    try:
        app = factory(client_id, authority=f"{oauth.authority_host.rstrip('/')}/{tenant}", client_credential=secret)
        result = app.acquire_token_for_client(scopes=[oauth.scope])
    except Exception as error:  # noqa: BLE001 - network or library failure: one line for the operator
        raise DeliveryError(f"cannot sign in to Microsoft Entra ID (tenant {tenant}): "
                            f"{type(error).__name__}: {str(error).splitlines()[0] if str(error) else ''}") from None
    token = result.get("access_token") if isinstance(result, dict) else None
    if not token:
        detail = (result or {}).get("error_description") or (result or {}).get("error") or "no token returned"
        raise DeliveryError(f"Microsoft Entra ID refused the sign-in (tenant {tenant}, client {client_id}): "
                            f"{str(detail).splitlines()[0]}")
    return str(token)


def access_token(smtp: Smtp, environ: Mapping[str, str] | None = None,
                 client: Callable[..., Any] | None = None) -> str:
    """The token ``smtp`` presents with AUTH XOAUTH2: from its token command, else from MSAL."""
    environ = os.environ if environ is None else environ
    if smtp.oauth.token_command:
        return token_from_command(smtp.oauth.token_command)
    return token_from_msal(smtp.oauth, environ, client)

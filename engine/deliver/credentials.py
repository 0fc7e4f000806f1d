"""The SMTP password (an environment variable, else the OS keyring — never the YAML) or OAuth token."""
from __future__ import annotations

import os
from typing import Mapping

from engine.deliver.pipeline import Smtp
from engine.errors import DeliveryError


def smtp_password(smtp: Smtp, environ: Mapping[str, str] | None = None) -> str | None:
    """The password for ``smtp.username`` (None when the server needs no login).

    Raises :class:`DeliveryError` (bad input, exit 2) naming where it was looked for.
    """
    if smtp.username is None:
        return None
    return env_or_keyring(smtp.password_env, smtp.keyring_service, smtp.username, "smtp.keyring_service",
                          f"no SMTP password for {smtp.username!r}", os.environ if environ is None else environ)


def env_or_keyring(env: str, keyring_service: str | None, keyring_user: str, setting: str, missing: str,
                   environ: Mapping[str, str]) -> str:
    """A secret from the environment variable ``env``, else (when ``keyring_service`` is set) the OS keyring's
    entry for ``keyring_user``: never from a pipeline file, which is shared and versioned.

    Raises :class:`DeliveryError` (bad input, exit 2) naming where it was looked for: ``missing`` says what is
    missing, ``setting`` names the pipeline setting that asked for the keyring.
    """
    secret = environ.get(env)
    if secret:
        return secret
    if keyring_service:
        try:
            import keyring  # optional: pip install "saferbook[keyring]"
        except ImportError:
            raise DeliveryError(f"{setting} is set but the keyring package is not installed "
                                f"(pip install \"saferbook[keyring]\"), and ${env} is not set") from None
        try:
            secret = keyring.get_password(keyring_service, keyring_user)
        except Exception as exc:  # noqa: BLE001 - any keyring backend failure is the operator's to fix
            raise DeliveryError(f"cannot read the OS keyring ({keyring_service!r}, {keyring_user!r}): {exc}") from None
        if secret:
            return secret
    where = f"${env}" + (f" or the OS keyring entry ({keyring_service!r}, {keyring_user!r})" if keyring_service else "")
    raise DeliveryError(f"{missing}: set {where}")


def smtp_secret(smtp: Smtp, environ: Mapping[str, str] | None = None) -> str | None:
    """What ``smtp`` logs in with: the OAuth token for ``auth: xoauth2``, else the password (None: no login)."""
    if smtp.username and smtp.auth == "xoauth2":
        from engine.deliver.oauth import access_token

        return access_token(smtp, environ)
    return smtp_password(smtp, environ)

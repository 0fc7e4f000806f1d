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
    environ = os.environ if environ is None else environ
    password = environ.get(smtp.password_env)
    if password:
        return password
    if smtp.keyring_service:
        try:
            import keyring  # optional: pip install "saferbook[keyring]"
        except ImportError:
            raise DeliveryError(f"smtp.keyring_service is set but the keyring package is not installed "
                                f"(pip install \"saferbook[keyring]\"), and ${smtp.password_env} is not set") from None
        try:
            password = keyring.get_password(smtp.keyring_service, smtp.username)
        except Exception as exc:  # noqa: BLE001 - any keyring backend failure is the operator's to fix
            raise DeliveryError(f"cannot read the OS keyring ({smtp.keyring_service!r}, {smtp.username!r}): {exc}") from None
        if password:
            return password
    where = f"${smtp.password_env}" + (f" or the OS keyring entry ({smtp.keyring_service!r}, {smtp.username!r})"
                                       if smtp.keyring_service else "")
    raise DeliveryError(f"no SMTP password for {smtp.username!r}: set {where}")


def smtp_secret(smtp: Smtp, environ: Mapping[str, str] | None = None) -> str | None:
    """What ``smtp`` logs in with: the OAuth token for ``auth: xoauth2``, else the password (None: no login)."""
    if smtp.username and smtp.auth == "xoauth2":
        from engine.deliver.oauth import access_token

        return access_token(smtp, environ)
    return smtp_password(smtp, environ)

"""The pipeline file: which spec, which partners, where workbooks go, how they are mailed.

Validated exactly like a spec (the spec loader's machinery): unknown keys, wrong types and bad
templates are errors with ``file:line: key.path``, all reported together. Paths are relative to
the pipeline file. Passwords never appear here: ``smtp.password_env`` names an environment
variable, ``smtp.keyring_service`` an entry in the OS keyring.
"""
from __future__ import annotations

import ipaddress
from dataclasses import dataclass
from email.utils import parseaddr
from pathlib import Path
from typing import Literal

from pydantic import ConfigDict, Field, field_validator, model_validator

from engine.deliver.templates import template_problems
from engine.errors import Problem, SpecError
from engine.yaml_lines import locate, read_yaml, validate_model
from engine.spec.models import PERIOD_PATTERN, Strict

DEFAULT_SUBJECT = "{title}: {area}, {period}"
DEFAULT_BODY = """Dear colleague,

Please find attached the {title} workbook for {area}, covering {period}.

{headline}

The Methodology sheet describes the sources, definitions and methods.

{organisation}
"""
DEFAULT_PORTS = {"starttls": 587, "tls": 465, "none": 25}


def _check_template(value: str) -> str:
    problems = template_problems(value)
    if problems:
        raise ValueError("; ".join(problems))
    return value


def _check_address(value: str) -> str:
    """A bare address (``name@example.org``): one ``@``, no spaces, no display name."""
    if parseaddr(value)[1] != value or value.count("@") != 1 or any(c.isspace() for c in value) \
            or not all(value.split("@")) or not value.isascii():
        raise ValueError(f"{value!r} is not an e-mail address like name@example.org")
    return value


def is_loopback(host: str) -> bool:
    """``localhost`` or a loopback address (127.0.0.0/8, ::1): traffic that never leaves this computer."""
    if host.rstrip(".").casefold() in ("localhost", "localhost.localdomain") or host.casefold().endswith(".localhost"):
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


class OAuth(Strict):
    """Where the OAuth 2.0 access token for ``auth: xoauth2`` comes from (Microsoft 365 turns off password AUTH).

    Either ``token_command`` (any program that prints a current token: a company's token broker, ``az
    account get-access-token --query accessToken -o tsv``…) or MSAL's client-credentials flow with the
    tenant, client id and client secret of an Entra ID app registration allowed to send as the mailbox.
    """

    token_command: list[str] | None = Field(
        None, min_length=1, description="Run this program (no shell) and use the first line it prints as the token.")
    tenant_env: str = Field("SAFERBOOK_OAUTH_TENANT", description="Environment variable holding the Entra ID tenant id.")
    client_id_env: str = Field("SAFERBOOK_OAUTH_CLIENT_ID", description="Environment variable holding the app's client id.")
    client_secret_env: str = Field("SAFERBOOK_OAUTH_CLIENT_SECRET",
                                   description="Environment variable holding the client secret.")
    keyring_service: str | None = Field(None, description="Else the OS keyring entry (service, client id) holds the secret.")
    scope: str = Field("https://outlook.office365.com/.default", description="What the token is for (Exchange Online SMTP).")
    authority_host: str = Field("https://login.microsoftonline.com", description="Sovereign clouds use another host.")


class Smtp(Strict):
    """The outgoing mail server. Credentials come from the environment or the OS keyring only."""

    host: str
    port: int | None = Field(None, ge=1, le=65535, description="Default 587 (starttls), 465 (tls), 25 (none).")
    security: Literal["starttls", "tls", "none"] = Field(
        "starttls", description="starttls: upgrade a plain connection; tls: TLS from the start; none: loopback relays only.")
    username: str | None = Field(None, description="Log in as this user (the password is looked up, never written here).")
    password_env: str = Field("SAFERBOOK_SMTP_PASSWORD", description="Environment variable holding the password.")
    keyring_service: str | None = Field(None, description="Else the OS keyring entry (service, username); needs saferbook[keyring].")
    password: str | None = Field(None, description="Not allowed: use password_env or keyring_service.")
    timeout_seconds: float = Field(30, gt=0, description="Per network operation.")
    retries: int = Field(3, ge=0, le=20, description="Further attempts after a refused, timed-out or dropped connection.")
    backoff_seconds: float = Field(5, ge=0, description="Wait before the first retry; doubled for each further retry.")
    max_backoff_seconds: float = Field(300, ge=0)
    auth: Literal["password", "xoauth2"] = Field(
        "password", description="password: AUTH PLAIN/LOGIN; xoauth2: an OAuth 2.0 token (Microsoft 365, Google).")
    oauth: OAuth = Field(default_factory=OAuth, description="Where the xoauth2 token comes from.")
    insecure_plaintext_auth_to_trusted_relay: bool = Field(
        False, description="Let the password or token cross the network unencrypted (security: none) to a host that "
                           "is not this computer. Only for a relay on a network you control; every run warns.")

    @model_validator(mode="after")
    def _credentials_never_in_clear(self) -> "Smtp":
        if self.auth == "xoauth2" and not self.username:
            raise ValueError("auth: xoauth2 needs username: the mailbox the token lets us send as")
        if self.sends_credentials_in_clear and not self.insecure_plaintext_auth_to_trusted_relay:
            raise ValueError(f"refused: with security: none the {self.secret_name} would cross the network "
                             f"unencrypted to {self.host}; use security: starttls or tls (or, only for a relay on a "
                             "network you control, insecure_plaintext_auth_to_trusted_relay: true)")
        return self

    @property
    def secret_name(self) -> str:
        return "OAuth token" if self.auth == "xoauth2" else "password"

    @property
    def sends_credentials_in_clear(self) -> bool:
        """A login over an unencrypted connection to another computer."""
        return bool(self.username) and self.security == "none" and not is_loopback(self.host)

    @field_validator("password")
    @classmethod
    def _refuse_password(cls, value: str | None) -> None:
        if value is not None:  # the message never repeats the value
            raise ValueError("passwords never go in the pipeline file: put it in the environment variable named by "
                             "smtp.password_env (default SAFERBOOK_SMTP_PASSWORD) or the OS keyring (smtp.keyring_service)")
        return None

    @property
    def effective_port(self) -> int:
        return self.port or DEFAULT_PORTS[self.security]


class Privacy(Strict):
    suppress_small_numbers: bool = Field(True, description="Suppress small counts of the indicators the spec marks sensitive.")
    attach_record_level: bool = Field(False, description="Also attach the data-quality CSV (example records); off by default.")
    max_attachment_mb: float = Field(10, gt=0, description="Refuse to send a message whose attachments exceed this.")


class Partner(Strict):
    """One partner area and who receives its workbook."""

    area: str = Field(description="A partner area of the spec, e.g. Blaby.")
    to: list[str] = Field(min_length=1)
    cc: list[str] = Field(default_factory=list)
    subject: str | None = Field(None, description="Overrides the pipeline's subject template for this partner.")
    body: str | None = None

    @field_validator("to", "cc")
    @classmethod
    def _addresses(cls, value: list[str]) -> list[str]:
        return [_check_address(address) for address in value]

    @field_validator("subject", "body")
    @classmethod
    def _templates(cls, value: str | None) -> str | None:
        return value if value is None else _check_template(value)

    @property
    def recipients(self) -> list[str]:
        """Everyone who receives the message, each once, in order."""
        return list(dict.fromkeys(self.to + self.cc))


class Pipeline(Strict):
    """A whole pipeline file."""

    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)

    pipeline_version: str = "1"
    spec: str = Field(description="The spec YAML file, relative to this file.")
    period_end: str | None = Field(None, description="YYYY-MM; default: the spec's period_end.")
    output: str = Field("out", description="Folder for the workbooks, relative to this file.")
    ledger: str | None = Field(None, description="SQLite run ledger; default <output>/saferbook-ledger.sqlite.")
    outbox: str | None = Field(None, description="Folder for --dry-run .eml files; default <output>/outbox.")
    workers: int = Field(0, ge=0, description="Processes building workbooks and running the disclosure checks; "
                                              "0: one per CPU.")
    formats: list[Literal["xlsx", "html"]] = Field(
        default_factory=lambda: ["xlsx"], min_length=1,
        description="What each partner is sent: the workbook (xlsx, always) and its self-contained web page (html).")
    scheduler: str | None = Field(None, description="A Dask distributed scheduler, e.g. tcp://host:8786, to render the "
                                                    "workbooks on instead of local processes (saferbook[cluster]).")
    headline: str | None = Field(None, description="Indicator id the {headline…} placeholders describe; default the first.")
    sender: str = Field(alias="from", description="The From address, e.g. 'Analysis team <analysis@example.org>'.")
    reply_to: str | None = None
    subject: str = DEFAULT_SUBJECT
    body: str = DEFAULT_BODY
    smtp: Smtp
    privacy: Privacy = Field(default_factory=Privacy)
    shared_recipients: list[str] = Field(
        default_factory=list, description="Addresses that may receive more than one partner's workbook (e.g. a "
                                          "county team); any other address listed for two partners is refused.")
    partners: list[Partner] = Field(min_length=1)

    @field_validator("formats")
    @classmethod
    def _formats(cls, value: list[str]) -> list[str]:
        if "xlsx" not in value:
            raise ValueError("formats must include xlsx: the workbook is what a partner works in and Refresh updates")
        return list(dict.fromkeys(value))

    @field_validator("shared_recipients")
    @classmethod
    def _shared(cls, value: list[str]) -> list[str]:
        return [_check_address(address) for address in value]

    @field_validator("period_end")
    @classmethod
    def _period(cls, value: str | None) -> str | None:
        if value is not None and not PERIOD_PATTERN.match(value):
            raise ValueError(f"period_end must be YYYY-MM (e.g. 2022-10), not {value!r}")
        return value

    @field_validator("sender", "reply_to")
    @classmethod
    def _sender(cls, value: str | None) -> str | None:
        if value is not None:
            _check_address(parseaddr(value)[1] or value)
            if "\n" in value or "\r" in value:
                raise ValueError("an address must be on one line")
        return value

    @field_validator("subject", "body")
    @classmethod
    def _templates(cls, value: str) -> str:
        return _check_template(value)


@dataclass(frozen=True)
class PipelineFile:
    """A validated pipeline and the file it came from (its paths are relative to that file)."""

    pipeline: Pipeline
    path: Path

    def _resolve(self, relative: str) -> Path:
        return (self.path.resolve().parent / relative).resolve()

    @property
    def spec_path(self) -> Path:
        return self._resolve(self.pipeline.spec)

    @property
    def output_dir(self) -> Path:
        return self._resolve(self.pipeline.output)

    @property
    def ledger_path(self) -> Path:
        return self._resolve(self.pipeline.ledger) if self.pipeline.ledger else self.output_dir / "saferbook-ledger.sqlite"

    @property
    def outbox_dir(self) -> Path:
        return self._resolve(self.pipeline.outbox) if self.pipeline.outbox else self.output_dir / "outbox"

    @property
    def lock_path(self) -> Path:
        return self.ledger_path.with_name(self.ledger_path.name + ".lock")

    def problems(self, found: list[tuple[str, str]]) -> SpecError:
        """Located problems, as (key path, message), found after loading (e.g. an area the spec lacks)."""
        return locate(SpecError([Problem(message, file=str(self.path), key_path=key) for key, message in found]), self.path)


def _cross_checks(data: dict, folder: Path) -> list[tuple[tuple, str]]:
    """Problems the model alone cannot see (checked on the raw data, so they show with the rest)."""
    found: list[tuple[tuple, str]] = []
    if isinstance(data.get("spec"), str) and not (folder / data["spec"]).is_file():
        found.append((("spec",), f"spec file not found: {(folder / data['spec']).resolve()}"))
    seen: dict[str, int] = {}
    partners = data.get("partners")
    for position, partner in enumerate(partners if isinstance(partners, list) else []):
        area = partner.get("area") if isinstance(partner, dict) else None
        if isinstance(area, str):
            if area.casefold() in seen:
                found.append((("partners", position, "area"),
                              f"partner area {area!r} is listed twice (first at partners[{seen[area.casefold()]}])"))
            seen.setdefault(area.casefold(), position)
    found += _recipients_of_two_partners(data)
    return found


def _recipients_of_two_partners(data: dict) -> list[tuple[tuple, str]]:
    """An address listed for two partners would receive both partners' figures: refused unless marked shared."""
    shared = data.get("shared_recipients")
    allowed = {a.casefold() for a in shared if isinstance(a, str)} if isinstance(shared, list) else set()
    first: dict[str, tuple[int, str]] = {}
    found: list[tuple[tuple, str]] = []
    partners = data.get("partners")
    for position, partner in enumerate(partners if isinstance(partners, list) else []):
        if not isinstance(partner, dict):
            continue
        for field in ("to", "cc"):
            addresses = partner.get(field)
            for place, address in enumerate(addresses if isinstance(addresses, list) else []):
                if not isinstance(address, str) or address.casefold() in allowed:
                    continue
                earlier = first.setdefault(address.casefold(), (position, str(partner.get("area"))))
                if earlier[0] != position:
                    found.append(((("partners", position, field, place)),
                                  f"{address} is also a recipient of partners[{earlier[0]}] ({earlier[1]}): it would "
                                  f"receive both partners' workbooks. If that is intended (e.g. a county team), list "
                                  f"it under shared_recipients:"))
    return found


def load_pipeline(path: str | Path) -> PipelineFile:
    """Read and validate a pipeline file; raise :class:`SpecError` listing every problem."""
    path = Path(path)
    data, index = read_yaml(path, "pipeline")
    pipeline, problems = validate_model(
        Pipeline, data, index, "a pipeline must be a YAML mapping of keys (spec:, output:, from:, smtp:, partners: …)")
    problems += [index.problem(key_path, message) for key_path, message in _cross_checks(data, path.resolve().parent)]
    if problems or pipeline is None:
        raise SpecError(sorted(problems, key=lambda p: p.line or 0))
    return PipelineFile(pipeline, path)

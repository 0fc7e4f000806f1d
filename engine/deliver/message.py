"""One partner's e-mail: filled-in subject and body, its own workbook attached, nothing else.

The Message-ID is derived from area, period and the workbook's checksum (plus the run when a
resend is forced), so the same workbook always travels under the same id and a recipient's mail
system can recognise a copy.
"""
from __future__ import annotations

import datetime as dt
import mimetypes
from email import policy
from email.message import EmailMessage
from email.utils import format_datetime, parseaddr
from pathlib import Path
from typing import Sequence

from engine.atomic import write_bytes_atomic

MEGABYTE = 1024 * 1024
CONTENT_TYPES = {
    ".xlsx": ("application", "vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
    ".csv": ("text", "csv"),
}


def one_line(text: str) -> str:
    """Header text on one line: a subject may not carry line breaks (header injection)."""
    return " ".join(text.split())


def message_id(sender: str, area_stem: str, checksum: str, resend_of_run: int | None = None) -> str:
    """``<saferbook.Blaby_2022-10.<checksum>@example.org>`` — the same for the same workbook."""
    domain = (parseaddr(sender)[1] or sender).rpartition("@")[2] or "saferbook.invalid"
    suffix = f".resend{resend_of_run}" if resend_of_run is not None else ""
    return f"<saferbook.{area_stem}.{checksum[:24]}{suffix}@{domain}>"


def oversize(paths: Sequence[Path], limit_mb: float) -> str | None:
    """Why these attachments may not be sent (too large), or None."""
    sizes = {path: path.stat().st_size for path in paths}
    total = sum(sizes.values())
    if total <= limit_mb * MEGABYTE:
        return None
    listed = ", ".join(f"{path.name} {size / MEGABYTE:.2f} MB" for path, size in sizes.items())
    return (f"not sent: the attachments come to {total / MEGABYTE:.2f} MB ({listed}), over the pipeline's limit "
            f"of {limit_mb:g} MB (privacy.max_attachment_mb)")


def compose(*, sender: str, to: Sequence[str], cc: Sequence[str], reply_to: str | None, subject: str, body: str,
            attachments: Sequence[Path], msg_id: str, headers: dict[str, str],
            date: dt.datetime | None = None) -> EmailMessage:
    """The message, ready for :func:`as_bytes`."""
    message = EmailMessage(policy=policy.SMTP)
    message["From"] = sender
    message["To"] = ", ".join(to)
    if cc:
        message["Cc"] = ", ".join(cc)
    if reply_to:
        message["Reply-To"] = reply_to
    message["Subject"] = one_line(subject)
    message["Date"] = format_datetime(date or dt.datetime.now(dt.timezone.utc))
    message["Message-ID"] = msg_id
    for name, value in headers.items():
        message[name] = one_line(value)
    message.set_content(body, cte="quoted-printable")
    for path in attachments:
        maintype, subtype = CONTENT_TYPES.get(path.suffix.lower()) or tuple(
            (mimetypes.guess_type(path.name)[0] or "application/octet-stream").split("/", 1))
        message.add_attachment(path.read_bytes(), maintype=maintype, subtype=subtype, filename=path.name,
                               params={"charset": "utf-8"} if maintype == "text" else {})
    return message


def as_bytes(message: EmailMessage) -> bytes:
    return message.as_bytes(policy=policy.SMTP)


def write_eml(folder: Path, stem: str, message: EmailMessage) -> Path:
    """``--dry-run``: the message as it would be sent, in ``folder/<stem>.eml`` (opens in any mail client)."""
    path = folder / f"{stem}.eml"
    write_bytes_atomic(path, as_bytes(message))
    return path

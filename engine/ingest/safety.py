"""Refuse partner files that could exhaust memory or are not what their name says, before reading them.

Partner files are only ever *read*: no reader here runs macros (calamine ignores VBA), formulas are
read as the values Excel cached, and nothing is evaluated. What we guard against is size:

- a file larger than the source's limit (``max_file_mb``, default 512 MB) is refused unread;
- a zip-based workbook (xlsx, xlsm, ods) is refused when its central directory — read without
  decompressing anything — declares an implausible uncompressed total or compression ratio
  (a "zip bomb": kilobytes on disk that inflate to gigabytes);
- a gzip file is refused when its trailer's declared size is implausible for its compressed size;
- a file whose first bytes contradict its extension (an "xlsx" that is not a zip, a truncated or
  password-protected workbook) gets one clear error instead of a reader's crash.
"""
from __future__ import annotations

import zipfile
from dataclasses import dataclass
from pathlib import Path

from engine.errors import DataError, Problem

MB = 1024 * 1024
DEFAULT_MAX_FILE_MB = 512.0
#: Real workbooks inflate 5-30 times; deflate cannot exceed about 1,030. A bomb sits near the top.
MAX_RATIO = 200.0
#: Ratios of small members mean nothing (a 4 KB styles part can compress 100 times).
RATIO_APPLIES_ABOVE = 10 * MB
MAX_UNCOMPRESSED = 4 * 1024 * MB

ZIP_MAGIC = b"PK\x03\x04"
OLE2_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # xls, and Office files encrypted with a password
GZIP_MAGIC = b"\x1f\x8b"

ZIP_FORMATS = {".xlsx", ".xlsm", ".xlsb", ".ods"}
EXCEL_FORMATS = ZIP_FORMATS | {".xls"}
TEXT_FORMATS = {".csv", ".tsv", ".txt", ".tab"}


@dataclass(frozen=True)
class Limits:
    max_file_mb: float = DEFAULT_MAX_FILE_MB
    max_ratio: float = MAX_RATIO
    max_uncompressed: int = MAX_UNCOMPRESSED


def _describe(head: bytes) -> str:
    if head.startswith(ZIP_MAGIC):
        return "a zip archive"
    if head.startswith(OLE2_MAGIC):
        return "an old-style Office file (xls) or a password-protected workbook"
    if head.startswith(GZIP_MAGIC):
        return "a gzip file"
    if head.lstrip().lower().startswith((b"<html", b"<!doctype")):
        return "a web page (was it saved from a browser?)"
    if not head:
        return "empty"
    return "text or an unknown format"


def check_file(path: Path, limits: Limits = Limits(), sheet: str | None = None) -> None:
    """Raise DataError if ``path`` is missing, too large, mislabelled, truncated or a zip bomb."""
    shown = str(path)
    if not path.exists():
        raise DataError(Problem("file not found", file=shown))
    if not path.is_file():
        raise DataError(Problem("expected a file, found a folder", file=shown))
    size = path.stat().st_size
    if size > limits.max_file_mb * MB:
        raise DataError(Problem(f"file is {size / MB:,.0f} MB, over the {limits.max_file_mb:,.0f} MB limit for this "
                                "source (raise max_file_mb in the spec if it is genuine)", file=shown))
    if size == 0:
        raise DataError(Problem("file is empty", file=shown))
    with path.open("rb") as handle:
        head = handle.read(64)
    suffix = path.suffix.lower()
    if suffix in ZIP_FORMATS:
        if head.startswith(OLE2_MAGIC):
            raise DataError(Problem(f"cannot read this {suffix} file: it is password-protected or an old .xls saved "
                                    "under a new name; save it again without a password as .xlsx", file=shown))
        if not head.startswith(ZIP_MAGIC):
            raise DataError(Problem(f"not a {suffix} workbook: the file is {_describe(head)}", file=shown))
        check_zip(path, limits)
    elif suffix == ".xls" and not head.startswith(OLE2_MAGIC):
        if head.startswith(ZIP_MAGIC):
            return  # an xlsx saved as .xls: calamine reads it by content
        raise DataError(Problem(f"not an .xls workbook: the file is {_describe(head)}", file=shown))
    elif suffix in TEXT_FORMATS and head.startswith((ZIP_MAGIC, OLE2_MAGIC)):
        raise DataError(Problem(f"this {suffix} file is really a workbook ({_describe(head)}): read it with type excel "
                                "after giving it its proper extension", file=shown))
    elif suffix == ".gz":
        if not head.startswith(GZIP_MAGIC):
            raise DataError(Problem(f"not a gzip file: the file is {_describe(head)}", file=shown))
        check_gzip(path, size, limits)


def check_zip(path: Path, limits: Limits = Limits()) -> None:
    """Check a zip archive's declared sizes from its central directory, decompressing nothing."""
    shown = str(path)
    try:
        with zipfile.ZipFile(path) as archive:
            members = archive.infolist()
    except zipfile.BadZipFile as exc:
        raise DataError(Problem(f"the workbook is damaged or truncated (not a complete zip archive: {exc})",
                                file=shown)) from None
    total = 0
    for member in members:
        total += member.file_size
        if member.file_size > RATIO_APPLIES_ABOVE:
            ratio = member.file_size / max(member.compress_size, 1)
            if ratio > limits.max_ratio:
                raise DataError(Problem(
                    f"refused: part {member.filename!r} would inflate {ratio:,.0f} times "
                    f"({member.compress_size:,} to {member.file_size:,} bytes); real workbooks inflate under "
                    f"{limits.max_ratio:,.0f} times, so this looks like a zip bomb", file=shown))
    if total > limits.max_uncompressed:
        raise DataError(Problem(f"refused: the workbook would inflate to {total / MB:,.0f} MB, over the "
                                f"{limits.max_uncompressed / MB:,.0f} MB limit", file=shown))


def check_gzip(path: Path, size: int, limits: Limits = Limits()) -> None:
    """The gzip trailer declares the uncompressed size (modulo 4 GiB): refuse implausible ones."""
    with path.open("rb") as handle:
        handle.seek(-4, 2)
        declared = int.from_bytes(handle.read(4), "little")
    if size > RATIO_APPLIES_ABOVE / limits.max_ratio and declared / size > limits.max_ratio:
        raise DataError(Problem(f"refused: the gzip file would inflate {declared / size:,.0f} times; this looks "
                                "like a compression bomb", file=str(path)))

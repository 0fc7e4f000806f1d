"""File stamps: whether the files a cached read came from are still the files it read.

The Excel add-in keeps one Python process between clicks, and with it what each source read produced
(:mod:`engine.ingest.cache`), so a Refresh with nothing changed reads nothing. A stale figure is worse
than a slow one, so a cached read is served only when every file behind it is provably the same:

* each file's **stamp** — size, modification time and change time in nanoseconds, and inode — is taken
  *before* the read, so a file written while it is being read no longer matches afterwards; the change
  time is set by the system on every write and cannot be put back by a copy that keeps the modification
  time (``cp -p``, ``rsync -t``, unzip);
* a folder's stamp is the stamps of every file under it, by name, so a file landing or leaving changes it;
* a file modified within :data:`RACY_NS` of when it was stamped could be changed again with the same
  size and the same coarse timestamp (FAT keeps 2 s, network shares 1 s, Linux a clock tick), so its
  stamp proves nothing: its content's digest is kept as well and compared every time. This is git's
  "racily clean" rule.

A path that does not exist stamps as absent, so a file that appears later is read.
"""
from __future__ import annotations

import hashlib
import os
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Iterable

RACY_NS = 3_000_000_000  # 3 s: wider than the coarsest timestamps a source can sit on (FAT's 2 s)
_CHUNK = 1 << 20


@dataclass(frozen=True)
class FileStamp:
    """One file as it stood when stamped; ``digest`` only for a file too recently modified to trust its times."""

    path: str
    size: int = -1  # -1: the path did not exist
    mtime_ns: int = 0
    ctime_ns: int = 0
    inode: int = 0
    digest: str | None = None


def _digest(path: str) -> str:
    sha = hashlib.sha256()
    with open(path, "rb") as handle:
        for chunk in iter(lambda: handle.read(_CHUNK), b""):
            sha.update(chunk)
    return sha.hexdigest()


def _files_under(path: Path) -> list[str]:
    """``path`` itself, or every file under a folder (sorted, so the order is the same each time)."""
    if path.is_dir():
        return sorted(str(Path(root) / name) for root, _, names in os.walk(path) for name in names)
    return [str(path)]


def _stamp_file(path: str, now_ns: int) -> FileStamp:
    try:
        info = os.stat(path)
    except FileNotFoundError:
        return FileStamp(path)
    racy = info.st_mtime_ns > now_ns - RACY_NS or info.st_ctime_ns > now_ns - RACY_NS
    try:
        digest = _digest(path) if racy else None
    except FileNotFoundError:  # removed between the stat and the read: absent
        return FileStamp(path)
    return FileStamp(path, info.st_size, info.st_mtime_ns, info.st_ctime_ns, info.st_ino, digest)


def stamp(paths: Iterable[Path]) -> tuple[FileStamp, ...]:
    """The stamps of ``paths`` (files or folders), taken now: call it before reading them."""
    now_ns = time.time_ns()
    return tuple(_stamp_file(file, now_ns) for path in dict.fromkeys(paths) for file in _files_under(Path(path)))


def unchanged(stamps: tuple[FileStamp, ...], paths: Iterable[Path]) -> bool:
    """Whether ``paths`` are still exactly the files ``stamps`` recorded: same names, same stamps, and (for a
    stamp too recent to trust its times) the same content."""
    files = [file for path in dict.fromkeys(paths) for file in _files_under(Path(path))]
    if files != [s.path for s in stamps]:
        return False
    for old in stamps:
        try:
            info = os.stat(old.path)
        except FileNotFoundError:
            if old.size != -1:
                return False
            continue
        if (info.st_size, info.st_mtime_ns, info.st_ctime_ns, info.st_ino) != \
                (old.size, old.mtime_ns, old.ctime_ns, old.inode):
            return False
        if old.digest is not None:
            try:
                if _digest(old.path) != old.digest:
                    return False
            except FileNotFoundError:
                return False
    return True

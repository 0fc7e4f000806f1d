"""Reads kept on disk between commands, served only while every file behind them is unchanged.

A warm ``saferbook demo`` spent a quarter of its time reading the same unchanged files it read the last
time (Excel parsing, date parsing, placing rows on small areas). :class:`DiskStore` keeps what each read
of an :class:`engine.ingest.cache.IngestCache` produced — the value and its data-quality log — in the
user's cache folder (``~/.cache/saferbook/ingest``), with the stamps of the files it was read from
(:mod:`engine.ingest.stamps`: size, modification and change times, inode, and the content's digest for a
file too recently written to trust its times), taken *before* the read.

A stale figure is worse than a slow one, so an entry's name is the digest of everything a read depends
on, and it is served only when all of it still matches:

- the read's own key (the source's definition and resolved path, the geography, see
  :mod:`engine.ingest.cache`) and the whole spec that asked for it (a spec edit anywhere reads again:
  cheaper to pay than to prove which settings a reader consults);
- the engine's code (every ``.py`` file of the ``engine`` package, by content) and the versions of
  Python and the libraries the readers and the statistics use, so an upgrade or an edit never serves an
  old reader's rows;
- the files' stamps, compared when the entry is loaded: a changed, added or removed file is read again.

Nothing in it is needed: an entry that cannot be read (damaged, written by another version) is read
again from the source, and a cache folder that cannot be written only means reading every time. It is
kept under :data:`KEEP_BYTES`, the least recently used entries removed first. The entries are pickles,
so the folder must be the user's own (it is: the same trust as their home folder, where the picture
cache already lives). ``SAFERBOOK_NO_INGEST_CACHE=1`` turns it off.

The same store, in a folder of its own (:func:`reports_folder`), keeps what was computed from the reads and
what was rendered from that (``kept`` of :func:`engine.api.prepare` and :func:`engine.api.render_all`): the
Reports under everything the add-in's in-memory memo keys them by, with each read's identity (its disk key and
its files' stamps) for the read itself; each workbook under the Reports' key, the theme and its logo's bytes.
A warm ``saferbook demo`` with nothing changed then reads, computes and renders nothing.
"""
from __future__ import annotations

import functools
import hashlib
import os
import pickle
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from engine.ingest.issues import IssueLog
from engine.ingest.stamps import FileStamp
from engine.user_cache import cache_dir, prune

KEEP_BYTES = 2 * 1024**3  # the cache's size limit: a few national builds' reads
FORMAT = b"saferbook-ingest-1"  # the entry layout; changing it orphans old entries (pruned as least recently used)
#: Distributions whose code shapes what a read or a computation produces (the engine's own code is digested file by
#: file).
LIBRARIES = ("numpy", "pandas", "pyarrow", "fastexcel", "openpyxl", "pydantic", "PyYAML", "shapely", "scipy", "highspy",
             "XlsxWriter", "matplotlib", "pillow")
OFF_VARIABLE = "SAFERBOOK_NO_INGEST_CACHE"


@dataclass(frozen=True)
class Stored:
    """One read as it was kept: what it produced, its log, and its files' stamps."""

    value: Any
    log: IssueLog
    stamps: tuple[FileStamp, ...]


def _write_private(path: Path, data: bytes) -> None:
    """Write ``data`` readable by its owner only (a read holds partners' rows), whole or not at all: a temporary
    file beside ``path`` moved over it. Not flushed to disk: an entry torn by a crash fails to load and is read
    again."""
    path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    handle = tempfile.NamedTemporaryFile(dir=path.parent, prefix=f".{path.name}.", suffix=".part", delete=False)
    try:
        with handle:  # mode 0600, as tempfile makes it
            handle.write(data)
        os.replace(handle.name, path)
    except BaseException:
        Path(handle.name).unlink(missing_ok=True)
        raise


@functools.cache
def code_version() -> bytes:
    """Digest of the engine's source files and the versions of Python and :data:`LIBRARIES` (once per process)."""
    from importlib.metadata import PackageNotFoundError, version

    digest = hashlib.sha256(FORMAT)
    digest.update(sys.version.encode())
    for name in LIBRARIES:
        try:
            digest.update(f"{name}={version(name)}\n".encode())
        except PackageNotFoundError:
            digest.update(f"{name}=absent\n".encode())
    package = Path(__file__).resolve().parents[1]
    for path in sorted(package.rglob("*.py")):
        digest.update(str(path.relative_to(package)).encode() + b"\0")
        digest.update(path.read_bytes())
    return digest.digest()


def reports_folder() -> Path:
    """Where computed Reports and their workbooks are kept (``kept`` of :func:`engine.api.prepare` and
    :func:`engine.api.render_all`), apart from the reads."""
    return cache_dir() / "reports"


def enabled() -> bool:
    return os.environ.get(OFF_VARIABLE, "") in ("", "0")


class DiskStore:
    """Reads on disk under ``folder`` (default: the user's cache folder's ``ingest``), by key."""

    def __init__(self, folder: Path | None = None):
        self.folder = folder if folder is not None else cache_dir() / "ingest"
        self._pruned = False

    def path(self, key: str) -> Path:
        name = hashlib.sha256(code_version() + key.encode()).hexdigest()
        return self.folder / f"{name}.pickle"

    def load(self, key: str) -> Stored | None:
        """The entry kept for ``key``, or None (none kept, or one that cannot be read: it is removed)."""
        path = self.path(key)
        try:
            data = path.read_bytes()
        except OSError:
            return None
        try:
            stored = pickle.loads(data)
            if not isinstance(stored, Stored):
                raise TypeError(type(stored).__name__)
        except Exception:  # noqa: BLE001 - damaged or foreign: read the source again, and drop it
            path.unlink(missing_ok=True)
            return None
        try:
            os.utime(path)  # in use: pruned last
        except OSError:
            pass
        return stored

    def save(self, key: str, stored: Stored) -> None:
        """Keep ``stored`` for ``key``; a value that cannot be pickled or a folder that cannot be written is skipped."""
        try:
            data = pickle.dumps(stored, protocol=pickle.HIGHEST_PROTOCOL)
        except Exception:  # noqa: BLE001 - not picklable: it is simply read every time
            return
        try:
            _write_private(self.path(key), data)
        except OSError:
            return
        self._prune()

    def _prune(self) -> None:
        """Remove the least recently used entries while the folder holds more than :data:`KEEP_BYTES` (once per
        store)."""
        if self._pruned:
            return
        self._pruned = True
        prune(self.folder.glob("*.pickle"), KEEP_BYTES)

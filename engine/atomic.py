"""Atomic file output: a failure or a kill mid-write leaves the previous file intact."""
from __future__ import annotations

import os
import tempfile
import time
from pathlib import Path

STALE_AFTER_SECONDS = 3600  # a temp file this old was left by a killed run, not one in progress


def _read_umask() -> int:
    """The process umask, read once at import (setting it later would race other threads)."""
    current = os.umask(0)
    os.umask(current)
    return current


UMASK = _read_umask()


def _remove_stale_parts(path: Path) -> None:
    """Delete temp files a killed run left beside ``path`` (they are never at the target name)."""
    cutoff = time.time() - STALE_AFTER_SECONDS
    for part in path.parent.glob(f".{path.name}.*.part"):
        try:
            if part.stat().st_mtime < cutoff:
                part.unlink()
        except OSError:
            pass


def fsync_directory(folder: Path) -> None:
    """Make the rename itself durable (POSIX); a no-op where directories cannot be opened."""
    try:
        descriptor = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(descriptor)
    except OSError:
        pass
    finally:
        os.close(descriptor)


def write_bytes_atomic(path: Path, data: bytes) -> None:
    """Write to a temporary file beside ``path``, flush it to disk, then ``os.replace`` it in."""
    path.parent.mkdir(parents=True, exist_ok=True)
    _remove_stale_parts(path)
    handle = tempfile.NamedTemporaryFile(dir=path.parent, prefix=f".{path.name}.", suffix=".part", delete=False)
    try:
        with handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(handle.name, 0o666 & ~UMASK)  # tempfile makes 0600; outputs are shared files
        os.replace(handle.name, path)
    except BaseException:
        Path(handle.name).unlink(missing_ok=True)
        raise
    fsync_directory(path.parent)

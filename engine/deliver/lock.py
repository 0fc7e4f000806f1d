"""One run at a time per ledger: a second ``saferbook run`` stops at once instead of sending twice.

``filelock.FileLock`` takes an OS lock (``fcntl.flock`` / ``msvcrt.locking``) on the lock file,
so the lock disappears with the process however it ends (even ``kill -9``); the file itself may
stay behind and is harmless.
"""
from __future__ import annotations

import contextlib
from pathlib import Path
from typing import Iterator

import filelock

from engine.errors import DeliveryError


class RunLocked(DeliveryError):
    """Another run holds the lock (exit 1: nothing was done, nothing is wrong with the input)."""


@contextlib.contextmanager
def run_lock(path: Path) -> Iterator[None]:
    """Hold the run lock for the ``with`` block, or raise :class:`RunLocked` immediately."""
    path.parent.mkdir(parents=True, exist_ok=True)
    lock = filelock.FileLock(str(path), timeout=0)
    try:
        lock.acquire()
    except filelock.Timeout:
        raise RunLocked(f"another saferbook run is in progress (it holds {path}); this run sent nothing. "
                        f"Wait for it to finish, or check that it is still alive.") from None
    try:
        yield
    finally:
        lock.release()

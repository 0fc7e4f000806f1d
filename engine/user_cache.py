"""The user's cache folder: things Saferbook can make again but would rather not (the web pages' Vega bundle,
drawn maps), kept between commands.

Everything in it is keyed by the content that made it, so a stale entry is never used, only left unused; and
nothing in it is needed: a cache that cannot be read or written is made again or skipped, never an error.
"""
from __future__ import annotations

import os
from collections.abc import Iterable
from pathlib import Path


def cache_dir() -> Path:
    """``$XDG_CACHE_HOME/saferbook`` (``~/.cache/saferbook``; ``%LOCALAPPDATA%\\saferbook`` on Windows)."""
    if os.name == "nt" and os.environ.get("LOCALAPPDATA"):
        return Path(os.environ["LOCALAPPDATA"]) / "saferbook"
    return Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "saferbook"


def prune(entries: Iterable[Path], keep_bytes: int, used_since: float = float("-inf")) -> None:
    """Remove ``entries``, least recently used (modified) first, while one was last used before ``used_since`` or
    they hold more than ``keep_bytes`` together. An entry that cannot be read or removed is left: a cache is
    never worth an error."""
    try:
        kept = sorted((stat.st_mtime, stat.st_size, entry) for entry in entries for stat in (entry.stat(),))
    except OSError:
        return
    total = sum(size for _, size, _ in kept)
    for mtime, size, path in kept:  # oldest first
        if mtime >= used_since and total <= keep_bytes:
            break
        try:
            path.unlink(missing_ok=True)
        except OSError:
            continue
        total -= size

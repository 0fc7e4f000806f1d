"""The user's cache folder: things Saferbook can make again but would rather not (the web pages' Vega bundle,
drawn maps), kept between commands.

Everything in it is keyed by the content that made it, so a stale entry is never used, only left unused; and
nothing in it is needed: a cache that cannot be read or written is made again or skipped, never an error.
"""
from __future__ import annotations

import os
from pathlib import Path


def cache_dir() -> Path:
    """``$XDG_CACHE_HOME/saferbook`` (``~/.cache/saferbook``; ``%LOCALAPPDATA%\\saferbook`` on Windows)."""
    if os.name == "nt" and os.environ.get("LOCALAPPDATA"):
        return Path(os.environ["LOCALAPPDATA"]) / "saferbook"
    return Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "saferbook"

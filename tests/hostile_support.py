"""The tiny fixture spec (three invented districts, a few hundred invented incidents) and helpers for
tests that attack the engine with hostile inputs and faults: each needs a build that takes well under a second."""
from __future__ import annotations

import hashlib
import shutil
from pathlib import Path

FIXTURE = Path(__file__).resolve().parent / "hostile" / "fixture"
TINY_SPEC = FIXTURE / "tiny.yaml"


def copy_fixture(folder: Path) -> Path:
    """The fixture spec and its data copied into ``folder``; return the spec's path there."""
    shutil.copytree(FIXTURE, folder, dirs_exist_ok=True)
    return folder / TINY_SPEC.name


def snapshot(folder: Path) -> dict[str, str]:
    """Every file under ``folder`` (bar the lock file) -> SHA-256 of its bytes."""
    return {str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob("*")) if p.is_file() and not p.name.endswith(".lock")}

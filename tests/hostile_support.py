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
    """Every output file under ``folder`` -> SHA-256 of its bytes (the engine's own hidden ``.saferbook-*``
    lock file and staging folders are not outputs; the tests look at those themselves)."""
    return {str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob("*")) if p.is_file()
            and not any(part.startswith(".saferbook-") for part in p.relative_to(folder).parts)}


def tiny_pipeline(folder: Path, port: int, spec: Path = TINY_SPEC, smtp_extra: str = "",
                  areas: dict[str, list[str]] | None = None) -> Path:
    """A pipeline mailing the tiny spec's areas through the loopback server on ``port`` (``smtp_extra``: more
    lines under ``smtp:``)."""
    from deliver_support import write_pipeline

    areas = areas or {"Alpha": ["alpha@example.org"], "Beta": ["beta@example.org"], "Gamma": ["gamma@example.org"]}
    path = write_pipeline(folder, port, areas=areas, retries=0)
    lines = path.read_text(encoding="utf-8").split("\n")
    lines[0] = f"spec: {spec.as_posix()}"
    text = "\n".join(line for line in lines if line != "headline: total_crime")
    path.write_text(text.replace("  security: none\n", f"  security: none\n{smtp_extra}"), encoding="utf-8")
    return path

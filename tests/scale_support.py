"""The small counted example spec (three districts, one police.uk row in ten) for the fan-out tests.

Written into a test's folder with absolute data paths, so tests can vary it (another benchmark
name, another description) without touching the repository's specs.
"""
from __future__ import annotations

import hashlib
from pathlib import Path

import yaml

REPO = Path(__file__).resolve().parents[1]
EXAMPLE = REPO / "specs" / "examples" / "counted.yaml"


def small_spec(folder: Path, name: str = "small.yaml", **changes) -> Path:
    """Write the example as ``folder/name``; ``changes`` replace top-level sections."""
    spec = yaml.safe_load(EXAMPLE.read_text(encoding="utf-8"))
    for source in spec["sources"].values():
        source["path"] = str((EXAMPLE.parent / source["path"]).resolve())
    spec["data_root"] = str(REPO)  # the data stays in the repository, outside the test's folder
    spec.update(changes)
    path = folder / name
    path.write_text(yaml.safe_dump(spec, sort_keys=False), encoding="utf-8")
    return path


def digests(folder: Path) -> dict[str, str]:
    """File name -> SHA-256 of every file in ``folder``."""
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(folder.iterdir()) if p.is_file()}

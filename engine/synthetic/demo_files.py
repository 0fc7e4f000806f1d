"""Write the SYNTHETIC extracts a spec reads when they are not there yet (the demo's partner data).

The demo spec (specs/community_safety.yaml) reads generated partner extracts from
``data/synthetic/generated/``, which is not kept in git: the files are written on first use, from
the fixed seed, so every checkout builds the same workbooks. A spec source whose file name is one
of the generator's (``probation_caseload.xlsx`` …) and is missing is generated into its folder;
any other missing file is left for the reader to report.
"""
from __future__ import annotations

import tempfile
from pathlib import Path

import yaml

from engine.atomic import write_bytes_atomic
from engine.synthetic import SOURCES, generate_all

DEMO_SEED = 2012
GENERATED_NAMES = {module.FILE_NAME: source_id for source_id, module in SOURCES.items()}


def missing_synthetic_files(spec_path: Path) -> dict[Path, list[str]]:
    """Folder -> the synthetic source ids a spec reads from it whose files are missing."""
    data = yaml.safe_load(Path(spec_path).read_text(encoding="utf-8")) or {}
    wanted: dict[Path, list[str]] = {}
    for source in (data.get("sources") or {}).values():
        if not isinstance(source, dict) or not isinstance(source.get("path"), str):
            continue
        path = (Path(spec_path).parent / source["path"]).resolve()
        source_id = GENERATED_NAMES.get(path.name)
        if source_id is not None and not path.exists():
            wanted.setdefault(path.parent, []).append(source_id)
    return wanted


def ensure_synthetic_files(spec_path: Path, seed: int = DEMO_SEED) -> list[Path]:
    """Generate the spec's missing synthetic extracts; return the files written (none when all are there).

    They are generated in a temporary folder and copied in one by one, atomically, so that the
    other files already there (and the manifest of a full ``generate_all``) are left as they are.
    """
    written: list[Path] = []
    for folder, source_ids in missing_synthetic_files(spec_path).items():
        folder.mkdir(parents=True, exist_ok=True)
        with tempfile.TemporaryDirectory() as scratch:
            for generated in generate_all(Path(scratch), seed, sources=source_ids).values():
                write_bytes_atomic(folder / generated.name, generated.read_bytes())
                written.append(folder / generated.name)
    return written

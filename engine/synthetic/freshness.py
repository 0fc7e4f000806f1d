"""Whether a folder of generated extracts is current, and regenerating it when it is not.

``saferbook demo`` (and the tests) need the SYNTHETIC extracts on disk, but regenerating them on
every run would cost a second or more. :func:`fingerprint` names everything that shapes the
files — the seed, ``data/synthetic/partners.yaml``, the generator's own code
(``engine/synthetic/*.py``) and the input data it reads (the geography lookup, populations and
police.uk files) — as SHA-256 digests; :func:`~engine.synthetic.generate_all` records it in the
manifest, and :func:`ensure_generated` regenerates only when the recorded fingerprint differs or
a file is missing. A hash of the code rather than the engine's version: the version does not
change with every edit of a generator, and a stale extract that still "looks current" would make
tests pass or fail for the wrong reason.

Regeneration is safe when two processes race (two test sessions, a test run beside a demo): the
folder is written under a lock, into a temporary sibling, and swapped in whole.
"""
from __future__ import annotations

import hashlib
import json
import os
import shutil
import tempfile
from pathlib import Path
from typing import Iterable

from filelock import FileLock

MANIFEST_NAME = "manifest.json"  # beside the extracts: what was generated, from what (the fingerprint)
CODE_DIR = Path(__file__).resolve().parent
LOCK_SUFFIX = ".lock"


def _digest(paths: Iterable[Path], root: Path | None = None) -> str:
    """SHA-256 over each file's name (relative to ``root``) and bytes, in sorted order."""
    hasher = hashlib.sha256()
    for path in sorted(paths):
        hasher.update(str(path.relative_to(root) if root else path.name).encode("utf-8") + b"\0")
        hasher.update(path.read_bytes())
        hasher.update(b"\0")
    return hasher.hexdigest()


def fingerprint(seed: int, config_path: Path, input_files: Iterable[Path], sources: Iterable[str],
                omitted: dict[str, Iterable[str]] | None = None) -> dict[str, object]:
    """What the generated files depend on: seed, settings, generator code and input data (as digests), and
    which sources were written with which columns left out (a bad-input test's folder is not the demo's)."""
    return {
        "seed": seed,
        "sources": sorted(sources),
        "omitted_columns": {name: sorted(columns) for name, columns in sorted((omitted or {}).items())},
        "config_sha256": _digest([Path(config_path)]),
        "code_sha256": _digest(CODE_DIR.glob("*.py"), CODE_DIR),
        "inputs_sha256": _digest(Path(p) for p in input_files),
    }


def recorded_fingerprint(out_dir: Path, manifest_name: str) -> dict | None:
    """The fingerprint the folder's manifest records, or None when there is none (or every file is not there)."""
    try:
        manifest = json.loads((out_dir / manifest_name).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    files = [entry.get("file") for entry in manifest.get("sources", {}).values()]
    if not files or not all(isinstance(f, str) and (out_dir / f).is_file() for f in files):
        return None
    found = manifest.get("fingerprint")
    return found if isinstance(found, dict) else None


def replace_folder(out_dir: Path, write) -> None:
    """Call ``write(folder)`` on a fresh temporary sibling of ``out_dir``, then swap it in whole.

    A failure or a kill while writing leaves the previous folder as it was.
    """
    out_dir.parent.mkdir(parents=True, exist_ok=True)
    fresh = Path(tempfile.mkdtemp(prefix=f".{out_dir.name}.", dir=out_dir.parent))
    try:
        write(fresh)
        os.chmod(fresh, 0o755)
        old = None
        if out_dir.exists():
            old = Path(tempfile.mkdtemp(prefix=f".{out_dir.name}.old.", dir=out_dir.parent))
            os.replace(out_dir, old / out_dir.name)
        os.replace(fresh, out_dir)
        if old is not None:
            shutil.rmtree(old, ignore_errors=True)
    finally:
        if fresh.exists():
            shutil.rmtree(fresh, ignore_errors=True)


def ensure_current(out_dir: Path, expected: dict, manifest_name: str, write) -> bool:
    """Regenerate ``out_dir`` with ``write(folder)`` unless its manifest records ``expected``; True if it did."""
    out_dir = Path(out_dir)
    if recorded_fingerprint(out_dir, manifest_name) == expected:
        return False
    out_dir.parent.mkdir(parents=True, exist_ok=True)
    with FileLock(str(out_dir.parent / f".{out_dir.name}{LOCK_SUFFIX}")):
        if recorded_fingerprint(out_dir, manifest_name) == expected:  # another process did it meanwhile
            return False
        replace_folder(out_dir, write)
    return True

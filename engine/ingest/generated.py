"""Sources that are generated rather than supplied: a missing file says what writes it.

A spec marks such a source with ``generated_by`` (the command that writes it, e.g. a demo's
generator). Nothing here knows any particular command: the spec's words are repeated.
"""
from __future__ import annotations

from pathlib import Path

from engine.errors import DataError, Problem
from engine.spec.models import Spec


def require_generated(spec: Spec, name: str, path: Path) -> None:
    """Raise a DataError naming the command to run when a generated source's file is not there yet."""
    command = spec.sources[name].generated_by
    if command is None or path.exists():
        return
    raise DataError(Problem(f"file not found: source {name!r} is generated, not supplied; run `{command}` to write it, "
                            "then build again", file=str(path), key_path=f"sources.{name}.path"))

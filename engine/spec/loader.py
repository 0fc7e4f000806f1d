"""Load a spec from YAML, keeping line numbers so that every problem points at its line.

The YAML reading and the translation of pydantic's errors into located problems are
:mod:`engine.yaml_lines` (shared with themes and pipelines); this module adds the spec's own model
and the checks that need the whole spec in view.
"""
from __future__ import annotations

from pathlib import Path

from engine.errors import SpecError
from engine.spec.checks import cross_reference_problems
from engine.spec.method_checks import method_problems
from engine.spec.models import Spec
from engine.spec.source_paths import outside_sources
from engine.yaml_lines import (  # noqa: F401 - re-exported: the names callers have used from here
    SAFE_LOADER, KeyPath, LineIndex, format_key_path, locate, parse_key_path, read_yaml, validate_model,
)


def load_spec(path: str | Path) -> tuple[Spec, Path]:
    """Read, validate and cross-check a spec; return it with the folder its paths are relative to.

    Raises :class:`SpecError` listing every problem found, one per line.
    """
    path = Path(path)
    data, index = read_yaml(path)
    spec, problems = validate_model(Spec, data, index, "a spec must be a YAML mapping of keys (title:, sources:, indicators: …)")
    problems += [index.problem(key_path, message) for key_path, message in cross_reference_problems(data)]
    if spec is not None:  # still before any data is read: sources outside the spec's folder, and methods
        # the data could never support
        problems += [index.problem(key_path, message) for key_path, message in outside_sources(spec, path.resolve().parent)]
        problems += [index.problem(key_path, message) for key_path, message in method_problems(spec)]
    if problems or spec is None:
        raise SpecError(sorted(problems, key=lambda p: p.line or 0))
    return spec, path.resolve().parent

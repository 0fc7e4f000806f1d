"""The versions pyproject.toml admits are versions Saferbook works with.

The render reads xlsxwriter's own records of a sheet, which are not its public API (``CellBlankTuple``,
``Worksheet.table`` and friends: see pyproject.toml's comment), so a version pip accepts but the engine cannot import
is a broken install for a user whose environment already holds it (pip keeps a version that satisfies the range).
xlsxwriter 3.2.0 has no ``CellBlankTuple`` (it came in a later 3.2 release): ``import engine.render`` fails with it.
With 3.2.9 the engine imports, but pages print differently (two of tests/test_print_pages.py's checks fail).
"""
from __future__ import annotations

import importlib.metadata
import sys
from pathlib import Path

from packaging.requirements import Requirement

if sys.version_info >= (3, 11):
    import tomllib
else:  # pytest itself requires tomli before Python 3.11
    import tomli as tomllib

ROOT = Path(__file__).resolve().parents[1]


def _declared(name: str) -> Requirement:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    found = [Requirement(text) for text in project["dependencies"] if Requirement(text).name.lower() == name]
    assert len(found) == 1, f"{name} should be declared once in pyproject.toml's dependencies"
    return found[0]


def test_xlsxwriter_range_excludes_a_release_the_render_cannot_import() -> None:
    assert not _declared("xlsxwriter").specifier.contains("3.2.0")


def test_xlsxwriter_range_excludes_a_release_that_prints_pages_differently() -> None:
    assert not _declared("xlsxwriter").specifier.contains("3.2.9")


def test_xlsxwriter_range_stops_before_the_next_untested_minor_series() -> None:
    """A new minor series may rename the private records the render reads: it is admitted once tested."""
    assert not _declared("xlsxwriter").specifier.contains("3.4.0")


def test_the_installed_xlsxwriter_is_one_the_range_admits() -> None:
    """The suite tests the version installed: the range must hold it, or it admits only untested versions."""
    assert _declared("xlsxwriter").specifier.contains(importlib.metadata.version("xlsxwriter"))

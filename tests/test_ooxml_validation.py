"""Every demo workbook passes Microsoft's Open XML SDK validation with no errors (see ``ooxml_support``).

The add-in's validity and the validator's own self-check are in ``test_ooxml_addin.py``: a file of
their own, so the two test workers share the validator's start-up costs.
"""
from __future__ import annotations

from pathlib import Path

import pytest

from ooxml_support import error_lines, node_or_skip, validation_report


@pytest.fixture(scope="module")
def node() -> str:
    return node_or_skip()


def test_every_demo_workbook_is_valid_open_xml(node: str, demo_build: Path):
    paths = sorted(demo_build.glob("*.xlsx"))
    assert len(paths) == 9
    report = validation_report(node, paths)
    assert sorted(report) == sorted(map(str, paths))
    errors = {Path(path).name: error_lines(found) for path, found in report.items() if found}
    assert errors == {}

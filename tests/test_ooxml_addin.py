"""The add-in is a valid Office 2016 and Microsoft 365 file, and the validator does find errors.

Uses Microsoft's Open XML SDK validator (see ``ooxml_support``).
"""
from __future__ import annotations

import zipfile
from pathlib import Path

import pytest

from engine.api import build
from ooxml_support import REPO_ROOT, error_lines, node_or_skip, validation_report

EXAMPLE = REPO_ROOT / "specs" / "examples" / "counted.yaml"  # a small spec: any valid workbook to break


@pytest.fixture(scope="module")
def node() -> str:
    return node_or_skip()


@pytest.mark.parametrize("office_version", ["Office2016", "Microsoft365"])
def test_the_addin_is_valid_open_xml(node: str, tmp_path: Path, office_version: str):
    """The ribbon part is linked the Office 2010 way, so its content must use the 2010 customUI schema; the
    template's workbook part carries an attribute value the SDK rejects. Built and installed forms both."""
    pytest.importorskip("xlwings")
    from addin.build import build_addin
    from addin.install import interpreter_settings

    built = build_addin(tmp_path / "built")
    installed = build_addin(tmp_path / "installed", interpreter_settings("windows", r"C:\env\Scripts\python.exe"))
    report = validation_report(node, [built, installed], office_version)
    assert {"/".join(Path(path).parts[-2:]): error_lines(found) for path, found in report.items()} == {
        "built/saferbook.xlam": [], "installed/saferbook.xlam": []}


def test_the_validator_does_find_errors(node: str, tmp_path: Path):
    """A deliberately broken part is reported: the checks of validity cannot pass vacuously."""
    good = build(EXAMPLE, tmp_path, areas=["Rutland"])[0]
    broken = tmp_path / "broken.xlsx"
    with zipfile.ZipFile(good) as source, zipfile.ZipFile(broken, "w", zipfile.ZIP_DEFLATED) as target:
        for item in source.infolist():
            data = source.read(item.filename)
            if item.filename == "xl/worksheets/sheet1.xml":
                data = data.replace(b"<sheetViews>", b"<sheetViews><bogus/>", 1)
            target.writestr(item, data)
    assert validation_report(node, [broken])[str(broken)], "the validator accepted an invalid part"

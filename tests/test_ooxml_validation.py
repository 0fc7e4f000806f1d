"""The workbooks and the add-in are valid Open XML by Microsoft's Open XML SDK validator (see ``ooxml_support``),
and the validator does find errors.

Starting the validator costs several seconds of CPU and each demo workbook about three more, so the file makes
one call (the ``reports`` fixture) with everything its tests check: of the demo's nine partner workbooks the fewest
that hold every kind of part, element, attribute and order of children any of them holds (they are built by the
same code from the same spec: their structure is the same, their values differ), the dashboard workbook, the
add-in (built and installed, under two Office versions) and a deliberately broken workbook.
"""
from __future__ import annotations

import zipfile
from pathlib import Path
from typing import Any

import pytest

from engine.api import build
from ooxml_support import (DEFAULT_VERSION, REPO_ROOT, error_lines, fewest_covering, node_or_skip, package_features,
                           validation_reports)

EXAMPLE = REPO_ROOT / "specs" / "examples" / "counted.yaml"  # a small spec: any valid workbook to break
ADDIN_VERSIONS = ["Office2016", "Microsoft365"]


def _broken(folder: Path) -> Path:
    """A valid small workbook with an element the schema does not allow put into its first sheet."""
    good = build(EXAMPLE, folder, areas=["Rutland"])[0]
    broken = folder / "broken.xlsx"
    with zipfile.ZipFile(good) as source, zipfile.ZipFile(broken, "w", zipfile.ZIP_DEFLATED) as target:
        for item in source.infolist():
            data = source.read(item.filename)
            if item.filename == "xl/worksheets/sheet1.xml":
                data = data.replace(b"<sheetViews>", b"<sheetViews><bogus/>", 1)
            target.writestr(item, data)
    return broken


def _addins(folder: Path) -> list[Path]:
    """The add-in as built and as installed; none without xlwings (their tests skip)."""
    try:
        from addin.build import build_addin
        from addin.install import interpreter_settings
    except ImportError:
        return []
    return [build_addin(folder / "built"),
            build_addin(folder / "installed", interpreter_settings("windows", r"C:\env\Scripts\python.exe"))]


@pytest.fixture(scope="module")
def reports(demo_build: Path, dashboard_build: Path, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """One run of the validator over everything this file's tests check: ``demo`` (the nine workbooks), ``cover``
    (those validated), ``dashboard``, ``addins``, ``broken``, and ``found``: version -> path -> errors."""
    node = node_or_skip()
    folder = tmp_path_factory.mktemp("ooxml")
    demo = sorted(demo_build.glob("*.xlsx"))
    cover = fewest_covering(demo)
    addins = _addins(folder)
    broken = _broken(folder / "broken")
    found = validation_reports(node, {"Office2016": addins, DEFAULT_VERSION: [*cover, dashboard_build, broken, *addins]}
                               if addins else {DEFAULT_VERSION: [*cover, dashboard_build, broken]})
    return {"demo": demo, "cover": cover, "dashboard": dashboard_build, "addins": addins, "broken": broken,
            "found": found}


def test_every_demo_workbook_is_valid_open_xml(reports: dict[str, Any]):
    """Every part, element, attribute and order of children in the nine workbooks is validated, with no error."""
    assert len(reports["demo"]) == 9
    report = reports["found"][DEFAULT_VERSION]
    assert reports["cover"] and all(str(path) in report for path in reports["cover"])
    errors = {Path(path).name: error_lines(report[str(path)]) for path in reports["cover"] if report[str(path)]}
    assert errors == {}


def test_dashboard_is_valid_open_xml(reports: dict[str, Any]):
    assert error_lines(reports["found"][DEFAULT_VERSION][str(reports["dashboard"])]) == []


@pytest.mark.parametrize("office_version", ADDIN_VERSIONS)
def test_the_addin_is_valid_open_xml(reports: dict[str, Any], office_version: str):
    """The ribbon part is linked the Office 2010 way, so its content must use the 2010 customUI schema; the
    template's workbook part carries an attribute value the SDK rejects. Built and installed forms both."""
    pytest.importorskip("xlwings")
    report = reports["found"][office_version]
    assert {"/".join(Path(path).parts[-2:]): error_lines(report[str(path)]) for path in reports["addins"]} == {
        "built/saferbook.xlam": [], "installed/saferbook.xlam": []}


def test_the_validator_does_find_errors(reports: dict[str, Any]):
    """A deliberately broken part is reported: the checks of validity cannot pass vacuously."""
    assert reports["found"][DEFAULT_VERSION][str(reports["broken"])], "the validator accepted an invalid part"


def _with_part(workbook: Path, out: Path, part: str) -> Path:
    with zipfile.ZipFile(workbook) as source, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for item in source.infolist():
            target.writestr(item, source.read(item.filename))
        target.writestr(part, b"<odd/>")
    return out


def test_the_cover_holds_every_feature_of_the_nine(reports: dict[str, Any], tmp_path: Path):
    """The workbooks validated hold every feature any of the nine holds; and two workbooks each with a part the
    other lacks are both validated."""
    demo, cover = reports["demo"], reports["cover"]
    assert set(cover) <= set(demo)
    assert set().union(*map(package_features, cover)) == set().union(*map(package_features, demo))
    one = _with_part(demo[0], tmp_path / "one.xlsx", "xl/extra/one.xml")
    other = _with_part(demo[1], tmp_path / "other.xlsx", "xl/extra/other.xml")
    assert sorted(fewest_covering([one, other])) == [one, other]
    assert fewest_covering([demo[0], one]) == [one]  # the fewest: one holds all that demo[0] does

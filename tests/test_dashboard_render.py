"""The dashboard workbook as LibreOffice sees it.

Uses the same tools, fixtures and rules as test_libreoffice.py (skipped on a workstation without
them, failing under CI): LibreOffice must print every sheet (with page numbers) and, recalculating
every formula on load, show no error value anywhere. Its validity by Microsoft's Open XML SDK
validator is checked in test_ooxml_validation.py, in the one run of the validator there.
"""
from __future__ import annotations

import csv
import subprocess
from pathlib import Path

import pytest
import yaml

from test_libreoffice import ERROR_VALUES, require_tool

REPO_ROOT = Path(__file__).resolve().parents[1]
SPEC = REPO_ROOT / "specs" / "dashboard.yaml"
SHEETS = ["Dashboard", "Front page", "Key findings", "Quarterly trend", "Districts", "Comparisons", "Profiles", "Maps",
          "Methodology", "Data Quality"]  # Comparisons: the spec's published force / region / England rates;
# Profiles: its published tables


def _spec() -> dict:
    return yaml.safe_load(SPEC.read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def workbook_path(dashboard_build: Path) -> Path:
    """The dashboard as ``engine.api.build`` writes it (conftest's, shared by the files that read it)."""
    return dashboard_build


@pytest.fixture(scope="module")
def pdf_text(workbook_path: Path, office_pdfs: dict) -> str:
    """The dashboard's PDF as LibreOffice prints it (conftest's office_pdfs: one run for every file that prints)."""
    require_tool("soffice", "libreoffice")
    pdftotext = require_tool("pdftotext")
    pdf = office_pdfs["out"] / f"{workbook_path.stem}.pdf"
    assert office_pdfs["returncode"] == 0 and pdf.is_file(), \
        f"no PDF.\nstdout: {office_pdfs['stdout']}\nstderr: {office_pdfs['stderr']}"
    return subprocess.run([pdftotext, "-layout", str(pdf), "-"], capture_output=True, text=True, check=True,
                          timeout=60).stdout


def test_pdf_prints_every_sheet_without_error_values(pdf_text: str):
    subject = _spec()["dashboard"]["subject"]["name"]
    headings = [_spec()["dashboard"]["title"], "Key performance indicators by outcome", f"Quarterly trend — {subject}",
                f"Districts — {subject}", f"Maps — {subject}", f"Methodology — {subject}", f"Data quality — {subject}"]
    assert [h for h in headings if h not in pdf_text] == []
    assert [e for e in ERROR_VALUES if e in pdf_text] == []
    assert "Page 1 of" in pdf_text
    assert all(i["name"] in pdf_text for i in _spec()["indicators"])


def test_recalculated_sheets_show_no_error_values(workbook_path: Path, office_csvs: dict):
    """Every sheet after LibreOffice recalculated every formula on load (conftest's office_csvs, whose probe shows it
    did recalculate)."""
    require_tool("soffice", "libreoffice")
    assert office_csvs["returncode"] == 0, office_csvs["stderr"]
    with open(office_csvs["out"] / "probe-Probe.csv", newline="", encoding="utf-8") as fh:
        assert list(csv.reader(fh)) == [["2"]], "LibreOffice did not recalculate on load"
    sheets = {}
    for path in sorted(office_csvs["out"].glob(f"{workbook_path.stem}-*.csv")):
        with open(path, newline="", encoding="utf-8") as fh:
            sheets[path.stem.removeprefix(f"{workbook_path.stem}-")] = list(csv.reader(fh))
    if "Districts" not in sheets:
        pytest.skip(f"this LibreOffice cannot export every sheet to CSV (7.2+ needed): got {sorted(sheets)}")
    assert sorted(sheets) == sorted([*SHEETS, "_saferbook"])  # and the hidden settings sheet Refresh reads
    found = {(sheet, r + 1, c + 1, value) for sheet, rows in sheets.items() for r, row in enumerate(rows)
             for c, value in enumerate(row) if any(e in value for e in ERROR_VALUES)}
    assert found == set()
    assert any("Very Significantly" in v for row in sheets["Districts"] for v in row)  # the sheet has content

"""A built workbook as another spreadsheet application sees it: LibreOffice (headless) prints it
to PDF and, recalculating every formula on load, exports every sheet's values to CSV.

Needs ``soffice`` (LibreOffice) and ``pdftotext`` (poppler-utils). Without them the tests are
skipped on a workstation but FAIL when the ``CI`` environment variable is set: CI must install them.
"""
from __future__ import annotations

import csv
import os
import shutil
import signal
import subprocess
from pathlib import Path

import pytest
from openpyxl import load_workbook

from engine.contract.settings_sheet import SHEET_SETTINGS

REPO_ROOT = Path(__file__).resolve().parents[1]
AREA = "Rutland"
SHEETS = ["Summary", "Front page", "Key findings", "Top 10", "Maps", "Trends", "Comparisons", "Profiles", "Profiles (print)", "Who is affected",
          "Who is affected (print)", "Methodology",
          "Data Quality"]
HEADINGS = ["Key performance indicators", "Top 10", "Methodology", AREA, "Grand Total"]
ERROR_VALUES = ["#REF!", "#VALUE!", "#DIV/0!", "#NAME?", "#N/A", "#NUM!", "#NULL!", "Err:"]
SOFFICE_TIMEOUT_S = 180
# CSV filter options: comma, double quote, UTF-8, from line 1, default column formats, language,
# quoted text, detect numbers, save cell contents as shown, export formulas, remove spaces,
# then the sheet: -1 = every sheet, one file each (LibreOffice 7.2 and later).
CSV_ALL_SHEETS = "csv:Text - txt - csv (StarCalc):44,34,76,1,,0,false,true,false,false,false,-1"
# A user profile that recalculates every formula when it loads an .xlsx (never trust cached values).
RECALC_ALWAYS = """<?xml version="1.0" encoding="UTF-8"?>
<oor:items xmlns:oor="http://openoffice.org/2001/registry" xmlns:xs="http://www.w3.org/2001/XMLSchema"
           xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">
<item oor:path="/org.openoffice.Office.Calc/Formula/Load"><prop oor:name="OOXMLRecalcMode" oor:op="fuse"><value>0</value></prop></item>
<item oor:path="/org.openoffice.Office.Calc/Formula/Load"><prop oor:name="ODFRecalcMode" oor:op="fuse"><value>0</value></prop></item>
</oor:items>
"""


def require_tool(*names: str) -> str:
    for name in names:
        found = shutil.which(name)
        if found:
            return found
    message = f"{' / '.join(names)} is not on PATH"
    if os.environ.get("CI", "").strip().lower() not in ("", "0", "false", "no"):
        pytest.fail(f"{message}: CI must install it (libreoffice-calc, poppler-utils)")
    pytest.skip(f"{message}; install LibreOffice and poppler-utils to run this test")


def run_soffice(soffice: str, profile: Path, convert_to: str, out_dir: Path, *files: Path) -> subprocess.CompletedProcess:
    """``soffice --headless --convert-to`` with its own fresh user profile; killed whole on timeout."""
    command = [soffice, f"-env:UserInstallation={profile.as_uri()}", "--headless", "--norestore",
               "--convert-to", convert_to, "--outdir", str(out_dir), *map(str, files)]
    env = dict(os.environ, HOME=str(profile.parent))  # nothing read from or written to the real home
    proc = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env,
                            start_new_session=True)
    try:
        stdout, stderr = proc.communicate(timeout=SOFFICE_TIMEOUT_S)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)  # soffice is a wrapper: end the office process too
        proc.communicate()
        pytest.fail(f"soffice did not finish within {SOFFICE_TIMEOUT_S} s: {command}")
    return subprocess.CompletedProcess(command, proc.returncode, stdout, stderr)


@pytest.fixture(scope="module")
def soffice() -> str:
    return require_tool("soffice", "libreoffice")


@pytest.fixture(scope="module")
def pdftotext() -> str:
    return require_tool("pdftotext")


@pytest.fixture(scope="module")
def workbook_path(demo_build: Path) -> Path:
    """The area's workbook from the demo's build (conftest's, SOURCE_DATE_EPOCH unset), the same bytes as a build of
    the area alone."""
    paths = list(demo_build.glob(f"{AREA}_E*.xlsx"))
    assert len(paths) == 1 and paths[0].is_file()
    return paths[0]


@pytest.fixture(scope="module")
def pdf_text(soffice: str, pdftotext: str, workbook_path: Path, office_pdfs: dict) -> str:
    """The workbook's PDF as LibreOffice prints it (conftest's office_pdfs: one run for every file that prints)."""
    pdf = office_pdfs["out"] / f"{workbook_path.stem}.pdf"
    # soffice exits 0 even when it could not load the file: the PDF itself is the evidence.
    assert office_pdfs["returncode"] == 0, office_pdfs["stderr"]
    assert pdf.is_file(), f"no PDF written.\nstdout: {office_pdfs['stdout']}\nstderr: {office_pdfs['stderr']}"
    assert pdf.read_bytes()[:5] == b"%PDF-"
    text = subprocess.run([pdftotext, "-layout", str(pdf), "-"], capture_output=True, text=True, check=True,
                          timeout=60).stdout
    assert text.strip(), "the PDF has no text"
    return text


def test_pdf_shows_the_headings(pdf_text: str):
    missing = [h for h in HEADINGS if h not in pdf_text]
    assert missing == [], f"not in the PDF text: {missing}"


def test_pdf_shows_no_error_values(pdf_text: str):
    found = [e for e in ERROR_VALUES if e in pdf_text]
    assert found == [], f"error values in the PDF: {found}"


def test_pdf_prints_every_sheet(pdf_text: str):
    """Each sheet's own heading is printed, and page numbers run 'Page n of N' from the footer."""
    for heading in (f"Top 10 highest areas in {AREA}", f"Methodology — {AREA}", "Crime trends by financial year"):
        assert heading in pdf_text, heading
    assert "Page 1 of" in pdf_text


# --- recalculated values ----------------------------------------------------------------------


def _probe_workbook(path: Path) -> None:
    """A formula whose cached value is wrong: it reads 2 only if LibreOffice really recalculated."""
    import xlsxwriter

    workbook = xlsxwriter.Workbook(str(path))
    workbook.add_worksheet("Probe").write_formula("A1", "=1+1", None, 99)
    workbook.close()


@pytest.fixture(scope="module")
def recalculated(soffice: str, workbook_path: Path, office_csvs: dict) -> dict[str, list[list[str]]]:
    """Every sheet's values as LibreOffice shows them after recalculating on load: sheet -> CSV rows (conftest's
    office_csvs: the probe, this workbook and the dashboard in one run with a profile that recalculates on load)."""
    out = office_csvs["out"]
    assert office_csvs["returncode"] == 0, office_csvs["stderr"]
    sheets = {}
    for path in [*sorted(out.glob("probe-*.csv")), *sorted(out.glob(f"{workbook_path.stem}-*.csv"))]:
        with open(path, newline="", encoding="utf-8") as fh:
            sheets[path.stem] = list(csv.reader(fh))
    if f"{workbook_path.stem}-Trends" not in sheets:
        pytest.skip(f"this LibreOffice cannot export every sheet to CSV (7.2+ needed): got {sorted(sheets)}")
    assert sheets.get("probe-Probe") == [["2"]], (
        f"LibreOffice did not recalculate on load (probe read {sheets.get('probe-Probe')}), so the checks below "
        "would only see cached values")
    return {name.removeprefix(f"{workbook_path.stem}-"): rows for name, rows in sheets.items()
            if name.startswith(f"{workbook_path.stem}-")}


def test_recalculated_sheets_show_no_error_values(recalculated):
    assert sorted(recalculated) == sorted(SHEETS + [SHEET_SETTINGS])  # the hidden settings sheet is exported too
    found = {(sheet, r + 1, c + 1, value) for sheet, rows in recalculated.items() for r, row in enumerate(rows)
             for c, value in enumerate(row) if any(e in value for e in ERROR_VALUES)}
    assert found == set(), f"error values after recalculation: {sorted(found)}"


def _count(text: str) -> int:
    return int(text.replace(",", ""))


def test_recalculated_grand_total_matches_cached_values(recalculated, workbook_path: Path):
    """The Grand Total row's SUBTOTAL formulas, recalculated, equal the column sums and the cached values."""
    rows = recalculated["Trends"]
    header_at = next(i for i, row in enumerate(rows) if row and row[0] == "Category")
    total_at = next(i for i, row in enumerate(rows) if row and row[0] == "Grand Total")
    categories = rows[header_at + 1: total_at]
    assert categories, "no category rows above the Grand Total"
    width = len([h for h in rows[header_at][1:] if h])
    recalculated_totals = [_count(v) for v in rows[total_at][1: 1 + width]]
    column_sums = [sum(_count(row[1 + c]) for row in categories) for c in range(width)]
    assert recalculated_totals == column_sums

    ws = load_workbook(workbook_path, data_only=True)["Trends"]  # cached values; never saved
    ref = ws.tables["sb_trend"].ref
    last_row = ws[ref][-1]
    assert last_row[0].value == "Grand Total"
    cached = [c.value for c in last_row[1: 1 + width]]
    assert cached == recalculated_totals, f"cached {cached} != recalculated {recalculated_totals}"
    assert any(v > 0 for v in recalculated_totals)

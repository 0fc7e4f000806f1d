"""What Refresh may run is decided on the analyst's computer: the add-in's user settings (installed
add-in, its Python and xlwings, registered projects), the add-in's own settings sheet, and the import
path the button runs with. ``saferbook addin install|register|status|remove``."""
from __future__ import annotations

import copy
import json
import os
import subprocess
import sys
import zipfile
from pathlib import Path
from xml.etree import ElementTree

import pytest

xlwings = pytest.importorskip("xlwings", reason="the add-in needs the addin extra: pip install -e \".[dev,addin]\"")

from addin.config import CONFIG_ENV, AddinConfig, load_config, save_config  # noqa: E402
from addin.install import install  # noqa: E402
from addin.refresh import refresh  # noqa: E402
from addin_support import AREA, REPO_ROOT  # noqa: E402
from fake_excel import FakeExcel  # noqa: E402

MAIN = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
PROJECT_ID = "saferbook-demo"


@pytest.fixture
def config_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    path = tmp_path / "user config" / "addin.json"
    monkeypatch.setenv(CONFIG_ENV, str(path))
    return path


def saferbook(config_file: Path, *args: str | Path) -> subprocess.CompletedProcess[str]:
    env = dict(os.environ, **{CONFIG_ENV: str(config_file)})
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(REPO_ROOT), env.get("PYTHONPATH")]))
    return subprocess.run([sys.executable, "-m", "engine.cli", *map(str, args)], cwd=REPO_ROOT, env=env,
                          capture_output=True, text=True, encoding="utf-8", timeout=120)


def sheet_settings(xlam: Path) -> dict[str, str]:
    """Column A -> column B of the add-in's settings sheet, read straight from its XML."""
    with zipfile.ZipFile(xlam) as package:
        sheet = ElementTree.fromstring(package.read("xl/worksheets/sheet1.xml"))
        strings = ["".join(si.itertext()) for si in ElementTree.fromstring(package.read("xl/sharedStrings.xml"))]
    values = {}
    for row in sheet.iter(f"{MAIN}row"):
        cells = {c.get("r").rstrip("0123456789"): c for c in row.findall(f"{MAIN}c")}
        if "A" not in cells or "B" not in cells:
            continue

        def text(cell: ElementTree.Element) -> str:
            if cell.get("t") == "s":
                return strings[int(cell.find(f"{MAIN}v").text)]
            if cell.get("t") == "b":
                return "TRUE" if cell.find(f"{MAIN}v").text == "1" else "FALSE"
            return "".join(cell.itertext())
        values[text(cells["A"])] = text(cells["B"])
    return values


def test_install_on_windows_keeps_python_alive_and_the_workbook_folder_off_the_path(tmp_path, config_file):
    installed = install(tmp_path / "XLSTART", platform="win32",
                        url_mappings={"ONEDRIVE_COMMERCIAL_WIN": r"C:\Users\Analyst\OneDrive - Council"})
    settings = sheet_settings(installed.addin)
    assert settings["Interpreter_Win"] == sys.executable
    assert settings["Use UDF Server"] == "TRUE"  # the persistent process: only the first click pays start-up
    assert settings["ADD_WORKBOOK_TO_PYTHONPATH"] == "false"
    assert settings["ONEDRIVE_COMMERCIAL_WIN"] == r"C:\Users\Analyst\OneDrive - Council"
    # The template's own keys are still read by xlwings' VBA: A1 down to the first empty cell, none skipped.
    with zipfile.ZipFile(installed.addin) as package:
        rows = [int(r.get("r")) for r in ElementTree.fromstring(package.read("xl/worksheets/sheet1.xml"))
                .iter(f"{MAIN}row")]
    assert rows == list(range(1, len(rows) + 1))
    recorded = json.loads(config_file.read_text(encoding="utf-8"))
    assert recorded["addin"] == str(installed.addin) and recorded["xlwings"] == xlwings.__version__
    assert recorded["interpreter"] == sys.executable


def test_install_on_a_mac_has_no_udf_server(tmp_path, config_file, monkeypatch):
    monkeypatch.setattr(Path, "home", lambda: tmp_path / "home")
    settings = sheet_settings(install(tmp_path / "startup", platform="darwin").addin)
    assert "Use UDF Server" not in settings or settings["Use UDF Server"] == "FALSE"
    assert settings["Interpreter_Mac"] == sys.executable


def test_register_status_and_remove(tmp_path, config_file, project):
    root = project.parents[1]
    install(tmp_path / "XLSTART", platform="win32")
    result = saferbook(config_file, "addin", "register", root)
    assert result.returncode == 0, result.stderr
    assert load_config().projects == {PROJECT_ID: str(root)}
    status = saferbook(config_file, "addin", "status")
    assert status.returncode == 0, status.stderr
    assert f"{PROJECT_ID}: {root}" in status.stdout
    assert f"Python package {xlwings.__version__}; VBA in the add-in {xlwings.__version__}" in status.stdout
    assert str(tmp_path / "XLSTART" / "saferbook.xlam") in status.stdout and "MISMATCH" not in status.stdout
    removed = saferbook(config_file, "addin", "remove")
    assert removed.returncode == 0, removed.stderr
    assert not (tmp_path / "XLSTART" / "saferbook.xlam").exists() and not config_file.exists()
    assert "not installed" in saferbook(config_file, "addin", "status").stdout


def test_register_of_something_that_is_not_a_folder_says_so(tmp_path, config_file):
    result = saferbook(config_file, "addin", "register", tmp_path / "nowhere")
    assert result.returncode == 2 and "is not a folder" in result.stderr and "Traceback" not in result.stderr


def test_an_xlwings_version_mismatch_is_reported_on_click_and_nothing_changes(september, project, tmp_path):
    """The add-in's VBA is frozen at install; Python's xlwings may have moved on since."""
    book = FakeExcel.from_xlsx(september, tmp_path / f"{AREA}_2022-09.xlsx")
    before = copy.deepcopy(book)
    config = AddinConfig(projects={PROJECT_ID: str(project.parents[1])}, xlwings="0.30.0")
    outcome = refresh(book, period_end="2022-10", config=config, xlwings_version=xlwings.__version__)
    assert outcome.status == "failed"
    assert f"xlwings 0.30.0, but this Python has xlwings {xlwings.__version__}" in outcome.message
    assert "saferbook addin install" in outcome.message
    assert not book.changed_anything() and book.cells == before.cells


SHADOWED = """
import sys
sys.path.insert(0, {folder!r})  # what xlwings does before the button's "import saferbook; saferbook.main()"
import saferbook
sys.path.append({tests!r})
from fake_excel import FakeExcel
from pathlib import Path
path = Path({workbook!r})
outcome = saferbook.main(FakeExcel.from_xlsx(path.read_bytes(), path))
import engine
print(outcome.status, engine.__file__)
"""


def test_an_engine_folder_beside_the_workbook_does_not_break_refresh(tmp_path, september, project):
    folder = tmp_path / "Team share"
    for package in ("engine", "addin"):
        (folder / package).mkdir(parents=True)
        (folder / package / "__init__.py").write_text("# someone's own package, not Saferbook's\n", encoding="utf-8")
    workbook = folder / f"{AREA}_2022-09.xlsx"
    workbook.write_bytes(september)
    config = tmp_path / "addin.json"
    save_config(AddinConfig(projects={PROJECT_ID: str(project.parents[1])}), config)
    script = SHADOWED.format(folder=str(folder), tests=str(REPO_ROOT / "tests"), workbook=str(workbook))
    env = dict(os.environ, **{CONFIG_ENV: str(config)})
    env.pop("PYTHONPATH", None)
    result = subprocess.run([sys.executable, "-c", script], cwd=tmp_path, env=env, capture_output=True, text=True,
                            timeout=300)
    assert result.returncode == 0, result.stderr[-3000:]
    status, engine_file = result.stdout.split()[-2:]
    assert status == "refreshed" and Path(engine_file).resolve().is_relative_to(REPO_ROOT)

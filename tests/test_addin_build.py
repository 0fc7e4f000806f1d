"""``saferbook addin build|install``: the .xlam made from xlwings' own ribbon add-in template."""
from __future__ import annotations

import ast
import os
import re
import subprocess
import sys
import zipfile
from pathlib import Path
from xml.etree import ElementTree

import pytest

xlwings = pytest.importorskip("xlwings", reason="the add-in needs the addin extra: pip install -e \".[dev,addin]\"")

from addin.build import ADDIN_FILE, CONFIG_SHEET_ON, addin_bytes, build_addin, template_path  # noqa: E402
from addin.install import install, interpreter_settings  # noqa: E402
from addin.ribbon import RIBBON_RELATIONSHIP, CUSTOM_UI_NAMESPACE, ON_ACTION  # noqa: E402

REPO_ROOT = Path(__file__).resolve().parents[1]
UI = f"{{{CUSTOM_UI_NAMESPACE}}}"
MAIN = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"


def saferbook(*args: str | Path) -> subprocess.CompletedProcess[str]:
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(REPO_ROOT), env.get("PYTHONPATH")]))
    return subprocess.run([sys.executable, "-m", "engine.cli", *map(str, args)], cwd=REPO_ROOT, env=env,
                          capture_output=True, text=True, encoding="utf-8", timeout=120)


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("addin")
    result = saferbook("addin", "build", "--out", out)
    assert result.returncode == 0, result.stderr
    return out / ADDIN_FILE


def test_build_writes_a_valid_xlam_with_the_templates_parts(built):
    with zipfile.ZipFile(built) as xlam, zipfile.ZipFile(template_path()) as template:
        assert xlam.testzip() is None
        assert xlam.namelist() == template.namelist()
        for name in template.namelist():  # the VBA and everything else exactly as xlwings ships them
            if name not in ("customUI/customUI.xml", "xl/workbook.xml", "xl/vbaProject.bin"):
                assert xlam.read(name) == template.read(name), name
        rels = xlam.read("_rels/.rels").decode()
        workbook = xlam.read("xl/workbook.xml").decode()
    assert f'Type="{RIBBON_RELATIONSHIP}" Target="customUI/customUI.xml"' in rels
    # The template's workbook part names the folder it was last saved in (a user name): ours does not.
    assert "absPath" not in workbook and "Users" not in workbook


def test_ribbon_has_a_saferbook_tab_with_a_refresh_button(built):
    with zipfile.ZipFile(built) as xlam:
        root = ElementTree.fromstring(xlam.read("customUI/customUI.xml"))
    assert root.tag == f"{UI}customUI"
    tabs = root.findall(f"{UI}ribbon/{UI}tabs/{UI}tab")
    assert [t.get("label") for t in tabs] == ["Saferbook"]
    buttons = tabs[0].findall(f".//{UI}button")
    assert [(b.get("label"), b.get("onAction")) for b in buttons] == [("Refresh", ON_ACTION)]


def test_the_button_runs_saferbook_main():
    """The template's callback imports the module named like the add-in file: saferbook.main() is Refresh."""
    import inspect

    import saferbook

    assert Path(ADDIN_FILE).stem == "saferbook" and "refresh_main(caller)" in inspect.getsource(saferbook.main)
    # The VBA the template ships: RunMain runs "import <file name>; <file name>.main()".
    vba = zipfile.ZipFile(template_path()).read("xl/vbaProject.bin")
    assert b"RibbonMyAddin" in vba and ON_ACTION.split(".")[0].encode() in vba


def test_builds_are_byte_identical(tmp_path, built):
    assert build_addin(tmp_path).read_bytes() == built.read_bytes()


def _config_values(data: bytes) -> tuple[list[str], dict[str, str]]:
    with zipfile.ZipFile(__import__("io").BytesIO(data)) as xlam:
        workbook = ElementTree.fromstring(xlam.read("xl/workbook.xml"))
        sheet = ElementTree.fromstring(xlam.read("xl/worksheets/sheet1.xml"))
        strings = ["".join(si.itertext()) for si in ElementTree.fromstring(xlam.read("xl/sharedStrings.xml"))]
    names = [s.get("name") for s in workbook.iter(f"{MAIN}sheet")]
    values = {}
    for row in sheet.iter(f"{MAIN}row"):
        cells = {c.get("r")[0]: c for c in row.findall(f"{MAIN}c")}
        if "A" in cells and "B" in cells and cells["B"].get("t") == "inlineStr":
            key = (strings[int(cells["A"].find(f"{MAIN}v").text)] if cells["A"].get("t") == "s"
                   else "".join(cells["A"].itertext()))
            values[key] = "".join(cells["B"].itertext())
    return names, values


def test_install_sets_this_interpreter_in_the_addin(tmp_path):
    installed = install(tmp_path, platform="win32")
    assert installed.addin == tmp_path / ADDIN_FILE
    names, values = _config_values(installed.addin.read_bytes())
    assert names == [CONFIG_SHEET_ON]  # switched on: the template's VBA reads it
    assert values["Interpreter_Win"] == sys.executable == installed.interpreter


def test_install_on_a_mac_sets_the_mac_interpreter_and_the_applescript(tmp_path, monkeypatch):
    monkeypatch.setattr(Path, "home", lambda: tmp_path / "home")
    installed = install(tmp_path / "startup", platform="darwin")
    assert _config_values(installed.addin.read_bytes())[1] == {
        "Interpreter_Mac": sys.executable, "ADD_WORKBOOK_TO_PYTHONPATH": "false",
        "Saferbook xlwings VBA": xlwings.__version__}
    scripts = tmp_path / "home" / "Library" / "Application Scripts" / "com.microsoft.Excel"
    assert [p.name for p in scripts.iterdir()] == [f"xlwings-{xlwings.__version__}.applescript"]


def test_conda_on_windows_also_sets_conda(tmp_path):
    settings = interpreter_settings("windows", r"C:\envs\sb\python.exe",
                                    {"CONDA_DEFAULT_ENV": "sb", "CONDA_EXE": r"C:\miniconda3\Scripts\conda.exe"})
    assert settings == {"Interpreter_Win": r"C:\envs\sb\python.exe", "Conda Path": r"C:\miniconda3", "Conda Env": "sb"}
    assert _config_values(addin_bytes(settings))[1] == settings


@pytest.mark.skipif(sys.platform in ("win32", "darwin"), reason="checks the message where Excel is not available")
def test_install_where_there_is_no_excel_says_so(tmp_path):
    result = saferbook("addin", "install")
    assert result.returncode == 2, result.stderr
    errors = [line for line in result.stderr.splitlines() if line.startswith("error:")]
    assert len(errors) == 1 and "Excel is not available" in errors[0] and "Windows" in errors[0]
    assert "Traceback" not in result.stderr


def test_refresh_uses_only_xlwings_bsd_core():
    """The refresh path never imports xlwings' PolyForm-licensed parts (xlwings.pro, the remote engine)."""
    sources = [REPO_ROOT / "saferbook.py", *sorted((REPO_ROOT / "addin").glob("*.py"))]
    for path in sources:
        tree = ast.parse(path.read_text(encoding="utf-8"))
        imported = [alias.name for node in ast.walk(tree) if isinstance(node, ast.Import) for alias in node.names]
        imported += [node.module or "" for node in ast.walk(tree) if isinstance(node, ast.ImportFrom)]
        assert not [m for m in imported if re.match(r"xlwings\.(pro|server|_xlremote)", m)], path
        calls = [node for node in ast.walk(tree) if isinstance(node, ast.Call)]
        assert not [c for c in calls if any(k.arg in ("engine", "json", "mode") for k in c.keywords)], path


def _vba_modules(xlam: Path) -> dict[str, str]:
    """Each VBA module's source, read by oletools' olevba (an independent MS-OVBA reader)."""
    from oletools.olevba import VBA_Parser

    parser = VBA_Parser(str(xlam), data=xlam.read_bytes())
    try:
        return {Path(stream).name: code for _, stream, _, code in parser.extract_macros()}
    finally:
        parser.close()


def test_the_addins_vba_takes_no_settings_from_the_workbook_and_ignores_its_file_name(built):
    """xlwings' template reads a myaddin.conf sheet in the active workbook (and a myaddin.conf file beside it)
    before the add-in's own settings, and imports the module named like the add-in file."""
    modules = _vba_modules(built)
    template = _vba_modules(template_path())
    ribbon = modules["RibbonMyAddin"]
    assert 'mymodule = "saferbook"' in ribbon and "ThisWorkbook.Name" not in ribbon
    assert "ThisWorkbook.Name" in template["RibbonMyAddin"]  # what it was
    get_config = modules["xlwings"].split("Function GetConfig(")[1].split("End Function")[0]
    # The two lookups' conditions are now never true (their bodies stay, unreachable).
    assert "If SheetExists(ActiveWorkbook" not in get_config and "If FileExists(GetDirectoryConfigFilePath" not in get_config
    assert get_config.count("If False Then") == 2
    assert "If SheetExists(ThisWorkbook" in get_config and "If FileExists(GetConfigFilePath())" in get_config
    assert "SheetExists(ActiveWorkbook" in template["xlwings"].split("Function GetConfig(")[1]
    # Everything else is the template's code, line for line (the filler comment at the end aside).
    for name, code in template.items():
        if name not in ("RibbonMyAddin", "xlwings"):
            assert modules[name] == code, name
    changed = [line for line in set(modules["xlwings"].splitlines()) ^ set(template["xlwings"].splitlines())
               if not line.lstrip().startswith("'")]
    assert sorted(changed) == sorted({"            If False Then",
                                      '            If SheetExists(ActiveWorkbook, PROJECT_NAME & ".conf") = True Then',
                                      "            If FileExists(GetDirectoryConfigFilePath()) = True Then"}), changed


def test_a_renamed_addin_still_runs_saferbook(built, tmp_path):
    renamed = tmp_path / "Saferbook (1).xlam"
    renamed.write_bytes(built.read_bytes())
    assert 'RunPython "import " & mymodule' in _vba_modules(renamed)["RibbonMyAddin"]
    assert 'mymodule = "saferbook"' in _vba_modules(renamed)["RibbonMyAddin"]


def test_ovba_compression_round_trips_through_oletools():
    from oletools.olevba import decompress_stream

    from addin.ovba_compression import compress, decompress

    text = (Path(xlwings.__file__).parent / "xlwings_custom_addin.bas").read_bytes()
    for sample in (text, text[:100], b"", b"a" * 9000, bytes(range(256)) * 20):
        packed = compress(sample)
        assert bytes(decompress_stream(bytearray(packed))) == sample and decompress(packed) == sample

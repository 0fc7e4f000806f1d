"""Every demo workbook passes Microsoft's Open XML SDK validation with no errors.

The validator is the npm package ``@ooxml-tools/validate`` (the SDK compiled to WebAssembly,
offline). ``.ci/run`` installs it into ``tests/ooxml/node_modules`` (``npm install --prefix
tests/ooxml``); on a workstation without it the test is skipped, under CI it fails.
"""
from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest

from engine.api import build

REPO_ROOT = Path(__file__).resolve().parents[1]
CHECKER = REPO_ROOT / "tests" / "ooxml"
EXAMPLE = REPO_ROOT / "specs" / "examples" / "counted.yaml"  # a small spec: any valid workbook to break


def _in_ci() -> bool:
    return os.environ.get("CI", "").strip().lower() not in ("", "0", "false", "no")


@pytest.fixture(scope="module")
def node() -> str:
    found = shutil.which("node")
    ready = found and (CHECKER / "node_modules" / "@ooxml-tools" / "validate").is_dir()
    if not ready:
        message = "node and tests/ooxml/node_modules are needed (npm install --prefix tests/ooxml)"
        if _in_ci():
            pytest.fail(message)
        pytest.skip(message)
    return found


def test_every_demo_workbook_is_valid_open_xml(node: str, demo_build: Path):
    paths = sorted(demo_build.glob("*.xlsx"))
    assert len(paths) == 9
    result = subprocess.run([node, str(CHECKER / "validate_many.mjs"), *map(str, paths)], capture_output=True,
                            text=True, timeout=600, cwd=CHECKER)
    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout)
    assert sorted(report) == sorted(map(str, paths))
    errors = {Path(path).name: [f"{e['path']['partUri']} {e['path']['xpath']}: {e['description']}" for e in found][:5]
              for path, found in report.items() if found}
    assert errors == {}


def _validate(node: str, paths: list[Path], office_version: str = "Microsoft365") -> dict[str, list[str]]:
    """Each file's errors (as "part xpath: description") for one Office version."""
    result = subprocess.run([node, str(CHECKER / "validate_many.mjs"), "--office-version", office_version,
                             *map(str, paths)], capture_output=True, text=True, timeout=600, cwd=CHECKER)
    assert result.returncode == 0, result.stderr[-2000:]
    report = json.loads(result.stdout)
    return {"/".join(Path(path).parts[-2:]): [f"{e['path']['partUri']} {e['path']['xpath']}: {e['description']}" for e in found][:5]
            for path, found in report.items()}


@pytest.mark.parametrize("office_version", ["Office2016", "Microsoft365"])
def test_the_addin_is_valid_open_xml(node: str, tmp_path: Path, office_version: str):
    """The ribbon part is linked the Office 2010 way, so its content must use the 2010 customUI schema; the
    template's workbook part carries an attribute value the SDK rejects. Built and installed forms both."""
    pytest.importorskip("xlwings")
    from addin.build import build_addin
    from addin.install import interpreter_settings

    built = build_addin(tmp_path / "built")
    installed = build_addin(tmp_path / "installed", interpreter_settings("windows", r"C:\env\Scripts\python.exe"))
    assert _validate(node, [built, installed], office_version) == {"built/saferbook.xlam": [],
                                                                   "installed/saferbook.xlam": []}


def test_the_validator_does_find_errors(node: str, tmp_path: Path):
    """A deliberately broken part is reported: the check above cannot pass vacuously."""
    import zipfile

    good = build(EXAMPLE, tmp_path, areas=["Rutland"])[0]
    broken = tmp_path / "broken.xlsx"
    with zipfile.ZipFile(good) as source, zipfile.ZipFile(broken, "w", zipfile.ZIP_DEFLATED) as target:
        for item in source.infolist():
            data = source.read(item.filename)
            if item.filename == "xl/worksheets/sheet1.xml":
                data = data.replace(b"<sheetViews>", b"<sheetViews><bogus/>", 1)
            target.writestr(item, data)
    result = subprocess.run([node, str(CHECKER / "validate_many.mjs"), str(broken)], capture_output=True, text=True,
                            timeout=600, cwd=CHECKER)
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)[str(broken)], "the validator accepted an invalid part"

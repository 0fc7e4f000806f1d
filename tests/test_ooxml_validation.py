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
SPEC = REPO_ROOT / "specs" / "community_safety.yaml"


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


def test_every_demo_workbook_is_valid_open_xml(node: str, tmp_path: Path):
    paths = build(SPEC, tmp_path)
    assert len(paths) >= 2
    result = subprocess.run([node, str(CHECKER / "validate_many.mjs"), *map(str, paths)], capture_output=True,
                            text=True, timeout=600, cwd=CHECKER)
    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout)
    assert sorted(report) == sorted(map(str, paths))
    errors = {Path(path).name: [f"{e['path']['partUri']} {e['path']['xpath']}: {e['description']}" for e in found][:5]
              for path, found in report.items() if found}
    assert errors == {}


def test_the_validator_does_find_errors(node: str, tmp_path: Path):
    """A deliberately broken part is reported: the check above cannot pass vacuously."""
    import zipfile

    good = build(SPEC, tmp_path, areas=["Rutland"])[0]
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

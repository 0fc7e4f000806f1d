"""Microsoft's Open XML SDK validator, shared by the validity tests.

The validator is the npm package ``@ooxml-tools/validate`` (the SDK compiled to WebAssembly,
offline). ``.ci/run`` installs it into ``tests/ooxml/node_modules`` (``npm install --prefix
tests/ooxml``); on a workstation without it the tests are skipped, under CI they fail. Each call
starts the validator once (several seconds), so a test hands it all its files together.
"""
from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest

REPO_ROOT = Path(__file__).resolve().parents[1]
CHECKER = REPO_ROOT / "tests" / "ooxml"


def _in_ci() -> bool:
    return os.environ.get("CI", "").strip().lower() not in ("", "0", "false", "no")


def node_or_skip() -> str:
    """The node executable, once the validator is installed; a skip (a failure under CI) otherwise."""
    found = shutil.which("node")
    ready = found and (CHECKER / "node_modules" / "@ooxml-tools" / "validate").is_dir()
    if not ready:
        message = "node and tests/ooxml/node_modules are needed (npm install --prefix tests/ooxml)"
        if _in_ci():
            pytest.fail(message)
        pytest.skip(message)
    return found


def validation_report(node: str, paths: list[Path], office_version: str | None = None) -> dict[str, list[dict]]:
    """The validator's raw findings: each file's path -> its errors (empty when valid)."""
    version = ["--office-version", office_version] if office_version else []
    result = subprocess.run([node, str(CHECKER / "validate_many.mjs"), *version, *map(str, paths)],
                            capture_output=True, text=True, timeout=600, cwd=CHECKER)
    assert result.returncode == 0, result.stderr[-2000:]
    return json.loads(result.stdout)


def error_lines(found: list[dict]) -> list[str]:
    """A file's first errors, as "part xpath: description"."""
    return [f"{e['path']['partUri']} {e['path']['xpath']}: {e['description']}" for e in found][:5]
